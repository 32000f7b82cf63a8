// A guest that is running (or has run) on a stage: its console, its events, waits with
// deadlines, and disposal that always leaves the stage free (or kills it).
import { config, scaled } from '../config.js';
import { GuestTimeoutError, VmmCrashedError, VmmRejectedError } from '../errors.js';
import type { EndEvent, StageEvent } from '../protocol/events.js';
import { writeArtifacts } from '../run/artifacts.js';
import { describePcs, RunResult, type TimelineEntry } from '../run/result.js';
import type { Stage } from '../stage/stage.js';
import { deferred, withDeadline } from '../wait/deadline.js';
import type { GuestSpec } from './guest.js';

type Ended = { end?: EndEvent; status: number; signal: number } | { lost: string };

export class StartedGuest implements AsyncDisposable {
  private consoleText = '';
  private consoleChunks: Buffer[] = [];
  private consoleBytes = 0;
  private readonly events: StageEvent[] = [];
  private readonly timeline: TimelineEntry[] = [];
  private readonly ended = deferred<Ended>();
  private readonly consoleComplete = deferred<void>();
  private endEvent: EndEvent | undefined;
  private finished: Ended | undefined;
  private waiters = new Set<() => void>();
  private artifactPaths: string[] = [];
  private release: () => void = () => {};
  private readonly t0: number;
  private readonly deadline: number;
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
    this.deadline = Date.now() + scaled(spec.timeoutMs);
    this.mark('boot', 'host');
  }

  /**
   * Called by boot() and execProgram(): attach to the stage, let `prepare` upload what the run
   * needs, then send the run command it returns.
   */
  async launch(prepare: () => Promise<(runId: number) => void>): Promise<void> {
    const { runId, release } = await this.stage.acquire({
      onEvent: (e, hostMs) => this.onEvent(e, hostMs),
      onConsole: (b) => this.onConsole(b),
      onStageLost: (why) => this.finish({ lost: why }),
    });
    this.runId = runId;
    this.release = release;
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
      this.finish({ end: this.endEvent, status: e.status, signal: e.signal });
    }
    this.notify();
  }

  private onConsole(chunk: Buffer): void {
    this.consoleBytes += chunk.length;
    this.consoleText += chunk.toString('utf8');
    this.consoleChunks.push(chunk);
    for (const l of this.consoleListeners) l(chunk);
    this.checkConsoleComplete();
    this.notify();
  }

  private checkConsoleComplete(): void {
    const want = this.endEvent?.console_bytes;
    if (want === undefined || this.consoleBytes >= want) this.consoleComplete.resolve();
  }

  private finish(f: Ended): void {
    if (this.finished) return;
    this.finished = f;
    this.release();
    this.ended.resolve(f);
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private readonly consoleListeners = new Set<(chunk: Buffer) => void>();

  /** Follow the console live (the CLI streams it); returns an unsubscribe function. */
  followConsole(listener: (chunk: Buffer) => void): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  /** Type into the guest console (UART/SBI getchar input). */
  input(text: string | Buffer): void {
    this.stage.input(Buffer.from(text));
  }

  /** The console as raw bytes (a guest may print binary, e.g. --dump-dtb -). */
  get consoleRaw(): Buffer {
    return Buffer.concat(this.consoleChunks);
  }

  get console(): string {
    return this.consoleText;
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Time left for a wait: its own timeout, or what remains of the run's deadline. */
  private remaining(timeoutMs?: number): { ms: number; deadlineMs: number } {
    if (timeoutMs !== undefined) return { ms: scaled(timeoutMs), deadlineMs: scaled(timeoutMs) };
    return { ms: Math.max(1, this.deadline - Date.now()), deadlineMs: scaled(this.spec.timeoutMs) };
  }

  private evidence() {
    if (!this.artifactPaths.length) {
      this.artifactPaths = writeArtifacts(`${this.label}-run${this.runId}`, {
        console: this.consoleText,
        events: this.events.map((e) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v))).join('\n') + '\n',
        stageLog: this.stage.stageLog,
        argv: this.argv,
      });
    }
    const pcs = this.endEvent?.hart_pcs;
    return {
      guest: `${this.spec.name} (${this.spec.image})`,
      consoleTail: this.consoleText.split('\n').slice(-50).join('\n'),
      artifacts: this.artifactPaths,
      ...(pcs?.length ? { harts: describePcs(pcs) } : {}),
    };
  }

  /** Write artifacts now (used by matchers on failure); returns their paths. */
  saveArtifacts(): string[] {
    return this.evidence().artifacts;
  }

  /** Wait until the console has printed a line matching `pattern`. */
  async waitForLine(pattern: RegExp | string, opts: { timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
    const { ms, deadlineMs } = this.remaining(opts.timeoutMs);
    const found = deferred<RegExpMatchArray>();
    const check = () => {
      const m = this.consoleText.match(re);
      if (m) found.resolve(m);
      else if (this.finished) found.reject(new Error(`run ended before the console printed ${re}`));
    };
    this.waiters.add(check);
    check();
    try {
      return await withDeadline(found.promise, ms);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith('run ended')) {
        throw new VmmCrashedError(`${e.message} (${this.endEvent ? `exit ${this.endEvent.exit}` : 'no end event'})`, this.evidence());
      }
      throw new GuestTimeoutError(`console line ${re}`, deadlineMs, this.evidence());
    } finally {
      this.waiters.delete(check);
    }
  }

  /** Wait for the run to end and return how it ended; throws on deadline, crash or VMM rejection. */
  async result(opts: { timeoutMs?: number } = {}): Promise<RunResult> {
    const { ms, deadlineMs } = this.remaining(opts.timeoutMs);
    let f: Ended;
    try {
      f = await withDeadline(this.ended.promise, ms);
    } catch {
      await this.kill();
      throw new GuestTimeoutError('the guest to end', deadlineMs, this.evidence());
    }
    if ('lost' in f) throw new VmmCrashedError(`the L1 stage went away: ${f.lost}`, this.evidence());
    if (!f.end) throw new VmmCrashedError(`VMM exited without an end event (status ${f.status}, signal ${f.signal})`, this.evidence());
    // The console travels on its own port: wait (briefly) for the bytes the VMM says it wrote.
    await withDeadline(this.consoleComplete.promise, scaled(2000)).catch(() => {});
    if (f.end.exit === 'error') throw new VmmRejectedError(f.end.msg ?? 'unknown error', this.evidence());
    const result = new RunResult(this.spec.name, this.runId, f.end, this.consoleText, [...this.events], [...this.timeline], () => this.artifactPaths);
    Object.defineProperty(result, 'saveArtifacts', { value: () => this.saveArtifacts() });
    if (config.keepArtifacts) this.evidence();
    return result;
  }

  /** Kill the VMM of this run; if the agent does not confirm in time, kill the whole stage. */
  async kill(): Promise<void> {
    if (this.finished) return;
    this.stage.killRun(this.runId);
    try {
      await withDeadline(this.ended.promise, scaled(5000));
    } catch {
      await this.stage.destroy(`run ${this.runId} did not stop after kill`);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill();
    if (this.ownsStage) await this.stage[Symbol.asyncDispose]();
  }
}
