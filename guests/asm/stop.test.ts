// Every stop path ends the run with an `end` event (issue 12): a console nobody reads and a
// hostile guest that keeps the device lock busy must not keep --timeout-ms or the agent's kill
// from ending the run, with the harts' pcs, before the agent has to SIGKILL the VMM.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmGuest, config, GuestTimeoutError, type EndEvent, type Stage } from '../../harness/index.js';
import { describe, expect, withStage } from '../../harness/vitest/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'bootcase-stop-'));
const scratch = join(dir, 'storm.img');
writeFileSync(scratch, Buffer.alloc(1 << 20));
const test = withStage({ disks: [{ id: 'storm', path: scratch }] });

/**
 * Stop reading the stage's console port, as a stalled reader would: the host socket fills,
 * QEMU throttles the virtio-serial port, and the VMM's writes to it in L1 block. Reaches into
 * the stage's channels on purpose: no harness user should ever want this.
 */
async function stallConsole(stage: Stage): Promise<() => void> {
  const channels = (stage as unknown as { channels: { console: { connected: Promise<Socket> } } }).channels;
  const socket = await channels.console.connected;
  socket.pause();
  return () => socket.resume();
}

describe('a stalled console does not keep the run from ending', () => {
  // The VMM's deadline. The port was full within 1 s of flooding for the lines variant and
  // within 3 s for the partial one (console-flood.c) on the quiet 2-core host, and within 4 s
  // beside two CPU hogs (runs with deadlines of 1-7 s); 8 s leaves twice the worst of those.
  // Not scaled with BOOTCASE_TIMEOUT_SCALE: a longer deadline only makes the test slower.
  const deadlineMs = 8000;
  // Each case failed before the stop was made lock-free and the main thread's writes
  // non-blocking: the VMM stayed in a write until the reader came back, so no end event came
  // while the console was stalled (the wait below gives it the deadline plus 8 s).
  test.for([
    { variant: 'partial', args: [], why: 'the main thread flushes partial lines into the full port' },
    { variant: 'lines', args: ['--sbi-serve', 'time'], why: 'a vCPU blocks in a write under the device lock, with FORWARD on' },
  ])('$variant: $why', async ({ variant, args }, { boot }) => {
    await using vm = await boot(asmGuest(`console-flood-${variant}`, { timeoutMs: 60_000, vmmArgs: ['--timeout-ms', String(deadlineMs), ...args] }));
    // at once, while the VMM is still setting up: every byte the guest writes meets the stall
    const resume = await stallConsole(vm.stage);
    try {
      // the events port is not stalled: the end must come while the console still is
      await vm.waitForEvent((e): e is EndEvent => e.ev === 'end', { timeoutMs: deadlineMs + 8000, what: 'the end event while the console is stalled' });
    } finally {
      resume();
    }
    const run = await vm.result();
    expect(run).toPrint(`flood: ${variant}`);
    expect(run).toHaveExited('timeout');
    expect(run.stoppedBy).toBe('deadline');
    const end = run.events.find((e) => e.ev === 'end');
    // the end came at the deadline (plus the bounded console drain), not when the reader returned
    expect(end && end.ev === 'end' ? end.t_us : Infinity).toBeLessThan((deadlineMs + 5000) * 1000);
    // and the port really was full then: the VMM gave up on bytes it could not write
    expect(end && end.ev === 'end' ? end.console_dropped : undefined).toBeGreaterThan(0);
  });
});

describe('a notify storm from a second hart does not keep the run from ending', () => {
  const storm = (more: string[], timeoutMs: number) =>
    asmGuest('virtio-storm', { timeoutMs, vmmArgs: ['--disk', 'serial:storm', '--cpus', '2', '--sbi-serve', 'hsm,ipi', ...more] });

  // Failed before notify loops had a budget: the loop never ran dry, the stop waited for the
  // lock it held, and only the agent's SIGKILL ended the VMM, without an end event.
  test('--timeout-ms ends it as a timeout, with both harts', async ({ boot }) => {
    await using vm = await boot(storm(['--timeout-ms', '4000'], 20_000));
    const run = await vm.result();
    expect(run).toPrint('storm: hart 1 re-posts, hart 0 notifies');
    expect(run).toHaveExited('timeout');
    expect(run.stoppedBy).toBe('deadline');
    expect(run.hartPcs).toHaveLength(2);
    expect(run.exits.mmio).toBeGreaterThan(10);
  });

  test("the agent's kill at the harness deadline ends it as a timeout, with both harts", async ({ boot }) => {
    await using vm = await boot(storm([], 4000));
    await vm.waitForLine('storm: hart 1 re-posts');
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestTimeoutError);
    const msg = (err as Error).message;
    expect(msg).toContain(`timed out after ${4000 * config.timeoutScale} ms`);
    expect(msg).toMatch(/harts when stopped: hart 0 at pc 0x[0-9a-f]+, hart 1 at pc 0x[0-9a-f]+/);
  });
});

describe('a kill during set-up still ends the run with an end event', () => {
  // Failed before SIGTERM was caught from the VMM's start: the handler came only after the VM
  // was set up, so a kill sent right after the run command found the default action and the
  // VMM died without an end ("VMM exited without an end event").
  test('kill right after the run command: a timeout by sigterm, with the hart', async ({ boot }) => {
    await using vm = await boot('hang', { timeoutMs: 20_000 });
    await vm.kill(); // the agent gets "kill" right behind "run": the VMM is still setting up
    const run = await vm.result();
    expect(run).toHaveExited('timeout');
    expect(run.stoppedBy).toBe('user'); // the VMM's end says sigterm; the harness knows who sent it
    expect(run.hartPcs).toHaveLength(1);
  });
});
