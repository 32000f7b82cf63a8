// The run's end as StartedGuest sees it, against a stand-in stage that plays the agent's ports:
// the console travels apart from the events, so its bytes may arrive after run-exit.
import { describe, expect, test } from 'vitest';
import { ConsoleIncompleteError, ProtocolError } from '../errors.js';
import { parseEvent } from '../protocol/events.js';
import type { Stage } from '../stage/stage.js';
import type { RunSink } from '../stage/types.js';
import { deferred } from '../wait/deadline.js';
import { guest } from './guest.js';
import { StartedGuest } from './started-guest.js';

class FakeStage {
  sink: RunSink | undefined;
  /** As the real stage: once released, the run's sink gets no more console bytes. */
  released = false;
  owed: number[] = [];
  killed: number[] = [];
  readonly attached = deferred<void>();
  stageLog = '';
  now = () => performance.now();
  killRun = (id: number) => this.killed.push(id);
  async acquire(sink: RunSink) {
    this.sink = sink;
    this.attached.resolve();
    return { runId: 1, release: (owed = 0) => ((this.released = true), this.owed.push(owed)) };
  }
  console(text: string) {
    if (!this.released) this.sink!.onConsole(Buffer.from(text));
  }
  event(json: Record<string, unknown>) {
    this.sink!.onEvent(parseEvent(JSON.stringify({ v: 1, run: 1, ...json })), 0);
  }
  end(consoleBytes: number) {
    this.event({ ev: 'end', exit: 'shutdown', reason: 0, console_bytes: consoleBytes });
    this.event({ ev: 'run-exit', status: 0, signal: 0 });
  }
}

async function started(timeoutMs = 2000) {
  const stage = new FakeStage();
  const vm = new StartedGuest(guest({ image: '/nonexistent/fake.elf', timeoutMs }), stage as unknown as Stage, [], false, 'started-guest-test');
  await vm.launch(async () => () => {});
  return { stage, vm };
}

describe('StartedGuest: the end of a run', () => {
  test('console bytes that arrive after run-exit are part of the result', async () => {
    const { stage, vm } = await started();
    stage.console('hel');
    stage.end(6);
    const pending = vm.result();
    stage.console('lo\n');
    const run = await pending;
    expect(run.console).toBe('hello\n');
    expect(stage.owed).toEqual([0]);
  });

  test('console bytes before the end event do not complete the console early', async () => {
    const { stage, vm } = await started();
    stage.console('x');
    stage.end(2);
    const pending = vm.result();
    stage.console('y');
    expect((await pending).console).toBe('xy');
  });

  test('a console that stays short fails the run, and the stage is told what is still owed', async () => {
    const { stage, vm } = await started(200);
    stage.console('abc');
    stage.end(10);
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsoleIncompleteError);
    expect((err as ConsoleIncompleteError).message).toMatch(/wrote 10 console bytes but only 3 arrived/);
    expect(stage.owed).toEqual([7]);
  });

  test('a malformed event line fails the run with the line quoted, and stops the run', async () => {
    const { stage, vm } = await started();
    stage.sink!.onProtocolError('{"v":1,"ev":"end","exit":"bogus"}', 'end event with unknown exit "bogus"');
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toContain('line: {"v":1,"ev":"end","exit":"bogus"}');
    expect(stage.killed).toEqual([1]);
  });
});
