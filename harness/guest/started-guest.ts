// A guest that is running (or has run) on a stage: its console, its events, waits with
// deadlines, and disposal that always leaves the stage free (or kills it).
import { config, scaled } from '../config.js';
import { ConsoleIncompleteError, GuestTimeoutError, ProtocolError, VmmCrashedError, VmmRejectedError, type RunEvidence } from '../errors.js';
import type { EndEvent, StageEvent } from '../protocol/events.js';
import { writeArtifacts } from '../run/artifacts.js';
import { describePcs, RunResult, type TimelineEntry } from '../run/result.js';
import type { Stage } from '../stage/stage.js';
import { deferred, withDeadline } from '../wait/deadline.js';
import { Watch, WatchOver } from '../wait/watch.js';
import { ConsoleLog } from './console-log.js';
import type { GuestSpec } from './guest.js';

type Exited = { end?: EndEvent; status: number; signal: number };
/** How a run ended, once every console byte the VMM counted has arrived (or the grace ran out). */
type Ended = (Exited & { consoleShort?: { got: number; want: number; waitedMs: number } }) | { lost: string } | { protocol: string };

/** How long after run-exit the console may still lag the events (its own port), before scaling. */
const CONSOLE_GRACE_MS = 10_000;
/** How long a run may queue behind earlier runs on a shared stage (each is bounded itself). */
const STAGE_WAIT_MS = 600_000;

export class StartedGuest implements AsyncDisposable {
  private readonly con = new ConsoleLog();
  private readonly events: StageEvent[] = [];
  private readonly timeline: TimelineEntry[] = [];
  /** run-exit seen, or the run was lost (stage died, protocol broken): the run itself is over. */
  private readonly exited = deferred<void>();
  private readonly ended = deferred<Ended>();
  private readonly consoleComplete = deferred<void>();
  private endEvent: EndEvent | undefined;
  private exit: Exited | undefined;
  private finished: Ended | undefined;
  private readonly watch = new Watch();
  private artifactPaths: string[] = [];
  private release: (consoleOwed?: number) => void = () => {};
  /** Who sent the kill, if one was sent: the end event says `sigterm` either way. */
  private killedFor: 'deadline' | 'user' | undefined;
  private readonly t0: number;
  /** The run's deadline; it starts when the run has the stage, not while it queues for it. */
  private deadline: number;
  runId = 0;

  constructor(
    readonly spec: GuestSpec,
    readonly stage: Stage,
    private readonly argv: readonly string[],
    /** Disposing this guest also disposes the stage (a one-shot boot). */
    private readonly ownsStage: boolean,
    readonly label: string,
  ) {
    this.t0 = stage.now();
    this.deadline = Date.now() + scaled(spec.timeoutMs + STAGE_WAIT_MS);
    this.mark('boot', 'host');
  }

  /**
   * Called by boot() and execProgram(): attach to the stage, let `prepare` upload what the run
   * needs, then send the run command it returns.
   */
  async launch(prepare: () => Promise<(runId: number) => void>, signal?: AbortSignal): Promise<void> {
    const sink = {
      onEvent: (e: StageEvent, hostMs: number) => this.onEvent(e, hostMs),
      onConsole: (b: Buffer) => this.onConsole(b),
      onStageLost: (why: string) => this.finish({ lost: why }),
      onProtocolError: (line: string, why: string) => this.onProtocolError(line, why),
    };
    const { runId, release } = await this.stage.acquire(sink, scaled(STAGE_WAIT_MS), signal);
    this.runId = runId;
    this.release = release;
    this.deadline = Date.now() + scaled(this.spec.timeoutMs);
    // vitest's own timeout (or a Ctrl-C) aborts the test: stop the run so the stage is free
    signal?.addEventListener('abort', () => void this.kill('deadline'), { once: true });
    try {
      const send = await prepare();
      this.mark('uploaded', 'host');
      send(runId);
      this.mark('run-sent', 'host');
    } catch (e) {
      release();
      throw e;
    }
  }

  private mark(phase: string, source: TimelineEntry['source'], atMs = this.stage.now()): void {
    this.timeline.push({ atMs: atMs - this.t0, phase, source });
  }

  private onEvent(e: StageEvent, hostMs: number): void {
    if ('run' in e && e.run !== undefined && e.run !== this.runId) return;
    this.events.push(e);
    if (e.ev === 'phase') this.mark(e.name, 'vmm', hostMs);
    else if (e.ev === 'start') this.mark('vmm-start', 'vmm', hostMs);
    else if (e.ev === 'end') {
      this.endEvent = e;
      this.mark(`end:${e.exit}`, 'vmm', hostMs);
      this.checkConsoleComplete();
    } else if (e.ev === 'run-exit') {
      this.mark('run-exit', 'host', hostMs);
      this.onExit({ end: this.endEvent, status: e.status, signal: e.signal });
    }
    this.watch.notify();
  }

  /**
   * The VMM has exited. Its console bytes travel on their own port and may still be on the way:
   * the run ends once all that the end event counted have arrived, or fails when they do not.
   */
  private onExit(exit: Exited): void {
    this.exit = exit;
    this.exited.resolve();
    if (!exit.end) this.consoleComplete.resolve(); // no count to wait for: result() fails anyway
    const graceMs = scaled(Math.min(CONSOLE_GRACE_MS, this.spec.timeoutMs));
    withDeadline(this.consoleComplete.promise, graceMs).then(
      () => this.finish(exit),
      () => this.finish({ ...exit, consoleShort: { got: this.con.bytes, want: exit.end?.console_bytes ?? 0, waitedMs: graceMs } }),
    );
  }

  private onProtocolError(line: string, why: string): void {
    this.events.push({ ev: 'unknown', raw: { bad_line: line } });
    this.finish({ protocol: `${why}\n  line: ${line.slice(0, 300)}` });
    // the run's events can no longer be trusted: stop it
    this.stage.killRun(this.runId);
  }

  private onConsole(chunk: Buffer): void {
    this.con.push(chunk);
    this.checkConsoleComplete();
    this.watch.notify();
  }

  /** Complete once the end event is in and the bytes it counts have arrived (an error end counts none). */
  private checkConsoleComplete(): void {
    if (!this.endEvent) return;
    const want = this.endEvent.console_bytes;
    if (want === undefined || this.con.bytes >= want) this.consoleComplete.resolve();
  }

  private finish(f: Ended): void {
    if (this.finished) return;
    this.finished = f;
    const want = 'status' in f ? f.end?.console_bytes : undefined;
    this.release(want === undefined ? 0 : Math.max(0, want - this.con.bytes));
    this.exited.resolve();
    this.ended.resolve(f);
    this.watch.notify();
  }

  /** Follow the console live (the CLI streams it); returns an unsubscribe function. */
  followConsole(listener: (chunk: Buffer) => void): () => void {
    return this.con.follow(listener);
  }

  /** Type into the guest console (UART/SBI getchar input). */
  input(text: string | Buffer): void {
    this.stage.input(Buffer.from(text));
  }

  /** The console as raw bytes (a guest may print binary, e.g. --dump-dtb -). */
  get consoleRaw(): Buffer {
    return this.con.raw;
  }

  get console(): string {
    return this.con.text;
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Time left for a wait: its own timeout, or what remains of the run's deadline. */
  private remaining(timeoutMs?: number): { ms: number; deadlineMs: number } {
    if (timeoutMs !== undefined) return { ms: scaled(timeoutMs), deadlineMs: scaled(timeoutMs) };
    return { ms: Math.max(1, this.deadline - Date.now()), deadlineMs: scaled(this.spec.timeoutMs) };
  }

  private readonly evidenceListeners = new Set<(ev: RunEvidence) => void>();

  /** Called once, when this run's evidence is first written (a failure): the vitest fixture annotates the test with it. */
  onEvidence(listener: (ev: RunEvidence) => void): void {
    this.evidenceListeners.add(listener);
  }

  private evidence(): RunEvidence {
    const first = !this.artifactPaths.length;
    if (first) {
      this.artifactPaths = writeArtifacts(`${this.label}-run${this.runId}`, {
        console: this.con.text,
        events: this.events.map((e) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).join('\n') + '\n',
        stageLog: this.stage.stageLog,
        argv: this.argv,
      });
    }
    const pcs = this.endEvent?.hart_pcs;
    const ev: RunEvidence = {
      guest: `${this.spec.name} (${this.spec.image})`,
      consoleTail: this.con.text.split('\n').slice(-50).join('\n'),
      artifacts: this.artifactPaths,
      ...(pcs?.length ? { harts: describePcs(pcs) } : {}),
    };
    if (first) for (const l of this.evidenceListeners) l(ev);
    return ev;
  }

  /** Write artifacts now (used by matchers on failure); returns their paths. */
  saveArtifacts(): string[] {
    return this.evidence().artifacts;
  }

  /** Wait until the console has printed a line matching `pattern`. */
  async waitForLine(pattern: RegExp | string, opts: { timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    return this.waitUntil(() => this.con.text.match(re), opts.timeoutMs, `console line ${re}`, `the console printed ${re}`);
  }

  /**
   * Wait until the run has had an event matching `pred` (its events travel apart from the
   * console, so this works while the console lags or is stalled); returns that event.
   */
  async waitForEvent<E extends StageEvent>(pred: (e: StageEvent) => e is E, opts: { timeoutMs?: number; what?: string } = {}): Promise<E> {
    const what = opts.what ?? 'an event';
    return this.waitUntil(() => this.events.find(pred), opts.timeoutMs, what, what);
  }

  /**
   * The one wait behind waitForLine and waitForEvent: `find` is tried now and on every console
   * chunk and event. A deadline is a GuestTimeoutError (waiting for `what`); a run that ends
   * first is a VmmCrashedError ("run ended before `missing`").
   */
  private async waitUntil<T>(find: () => T | null | undefined, timeoutMs: number | undefined, what: string, missing: string): Promise<T> {
    const { ms, deadlineMs } = this.remaining(timeoutMs);
    try {
      return await this.watch.until(find, () => this.finished !== undefined, ms);
    } catch (e) {
      if (e instanceof WatchOver) {
        throw new VmmCrashedError(`run ended before ${missing} (${this.endEvent ? `exit ${this.endEvent.exit}` : 'no end event'})`, this.evidence());
      }
      throw new GuestTimeoutError(what, deadlineMs, this.evidence());
    }
  }

  /** Wait for the run to end and return how it ended; throws on deadline, crash or VMM rejection. */
  async result(opts: { timeoutMs?: number } = {}): Promise<RunResult> {
    const { ms, deadlineMs } = this.remaining(opts.timeoutMs);
    try {
      await withDeadline(this.exited.promise, ms);
    } catch {
      await this.kill('deadline');
      throw new GuestTimeoutError('the guest to end', deadlineMs, this.evidence());
    }
    // bounded by the console grace period (onExit), the kill, or the stage's death
    const f = await this.ended.promise;
    if ('lost' in f) throw new VmmCrashedError(`the L1 stage went away: ${f.lost}`, this.evidence());
    if ('protocol' in f) throw new ProtocolError(f.protocol, this.evidence());
    if (!f.end) throw new VmmCrashedError(`VMM exited without an end event (status ${f.status}, signal ${f.signal})`, this.evidence());
    if (f.consoleShort) throw new ConsoleIncompleteError(f.consoleShort.got, f.consoleShort.want, f.consoleShort.waitedMs, this.evidence());
    if (f.end.exit === 'error') throw new VmmRejectedError(f.end.msg ?? 'unknown error', this.evidence());
    const result = new RunResult(this.spec.name, this.runId, f.end, this.con.text, [...this.events], [...this.timeline], () => this.artifactPaths, {
      stoppedByUser: this.killedFor === 'user',
      save: () => this.saveArtifacts(),
    });
    if (config.keepArtifacts) this.evidence();
    return result;
  }

  /**
   * Kill the VMM of this run; if the agent does not confirm in time, kill the whole stage. A
   * kill from outside (`vm.kill()`, the CLI's Ctrl-C) is the user's: the result says
   * `stoppedBy: 'user'`, not a harness deadline; result() and an aborted `signal` pass 'deadline'.
   */
  async kill(by: 'deadline' | 'user' = 'user'): Promise<void> {
    if (this.finished) return;
    if (!this.exit) {
      this.killedFor ??= by;
      this.stage.killRun(this.runId);
    }
    try {
      await withDeadline(this.ended.promise, scaled(5000) + scaled(Math.min(CONSOLE_GRACE_MS, this.spec.timeoutMs)));
    } catch {
      await this.stage.destroy(`run ${this.runId} did not stop after kill`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
    if (this.ownsStage) await this.stage[Symbol.asyncDispose]();
  }
}
