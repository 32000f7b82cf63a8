// A Stage is one running L1: QEMU (TCG, H extension) + the riscv64 KVM host kernel + our
// agent as /init. It is persistent: many guests run on it one after another, each in a fresh
// VMM process, so a test pays the ~0.5 s L1 boot once per file, not once per case.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnFirstUse, config, loadManifest, scaled, selectL1, type L1Kernel } from '../config.js';
import { StageError } from '../errors.js';
import { control } from '../protocol/control.js';
import { parseEvent, type StageEvent } from '../protocol/events.js';
import { abortable, deferred, DeadlineExceeded, withDeadline } from '../wait/deadline.js';
import { type Channel, lineSplitter, openChannels } from './channels.js';
import { stageInitramfs } from './initramfs.js';
import { privateCopies, qemuArgs, spawnQemu, STAGE_MEM_MIB, type QemuProcess, type StageDisk } from './qemu.js';
import { QMP_SOCKET, restoreArgs, saveArgs, savedBootLog, snapshotPlan, startStage, type SnapshotMode, type SnapshotPlan } from './snapshot.js';
import { selectL0, type L0 } from './l0.js';

import { StageLog } from './log.js';
import type { RunSink, StageLease, StageOptions } from './types.js';

export { stageInitramfs, treeFiles, type StageFile } from './initramfs.js';
export type { RunSink, StageLease, StageOptions } from './types.js';

/** Spawn to pong of a restored stage: ~0.3 s; past this (scaled) it boots normally instead. */
const RESTORE_TIMEOUT_MS = 10_000;

export class Stage implements AsyncDisposable {
  /** Host milliseconds from spawning QEMU to the agent's ready event. */
  bootMs = 0;
  /**
   * L1 uptime (CLOCK_BOOTTIME) when the agent was ready: the kernel's own boot time. On a
   * restored stage, at its pong: it counts on from the snapshot's.
   */
  l1UptimeMs = 0;
  /** The L1 snapshot this stage was restored from, or booted to save (snapshot.ts); none: not eligible. */
  snapshot: { path: string; restored: boolean } | undefined;
  private readonly pingToken = randomBytes(6).toString('hex');
  kernelRelease = '';
  private readonly log = new StageLog();
  private sink: RunSink | undefined;
  /** Console bytes of an earlier run still on their way (StageLease.release); dropped on arrival. */
  private consoleOwed = 0;
  private nextRun = 1;
  private uploaded = new Set<string>();
  private puts: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private busy: Promise<void> = Promise.resolve();
  private dead: string | undefined;
  private disposed = false;
  private ctl!: Socket;
  private readonly exited = deferred<void>();
  private readonly ready = deferred<void>();
  private readonly t0 = performance.now();

  private constructor(
    private readonly proc: QemuProcess,
    private readonly channels: Record<'ctl' | 'console' | 'events', Channel>,
    private readonly sockDir: string,
    readonly argv: readonly string[],
    /** The L0 QEMU it runs on (BOOTCASE_L0). */
    readonly l0: L0,
  ) {}

  static async start(opts: StageOptions = {}): Promise<Stage> {
    await buildOnFirstUse();
    const manifest = loadManifest();
    const l1: L1Kernel = opts.kernel === undefined ? selectL1(manifest) : { kernel: opts.kernel };
    const l0 = selectL0(opts.l0);
    const initrd = stageInitramfs(manifest.vmm, { modules: opts.modules ?? l1.modules, files: opts.files });
    const machine = (sockDir: string, disks: readonly StageDisk[]) => qemuArgs({
      firmwareArgs: l0.firmwareArgs,
      machine: opts.machine,
      kernel: l1.kernel,
      initrd,
      sockDir,
      disks,
      memMiB: opts.memMiB ?? STAGE_MEM_MIB,
      append: ['console=ttyS0', 'quiet', 'panic=-1', opts.append ?? ''].join(' ').trim(),
    });
    const plan = snapshotPlan(opts, l0, machine('<sockdir>', []), '<sockdir>');
    return startStage(plan, (snap) => Stage.launch(opts, l0, machine, snap));
  }

  /** Spawn QEMU (booting L1, or restoring it from a snapshot) and wait until the agent is live. */
  private static async launch(opts: StageOptions, l0: L0, machine: (sockDir: string, disks: readonly StageDisk[]) => string[], snap: SnapshotMode): Promise<Stage> {
    const sockDir = mkdtempSync(join(tmpdir(), 'bootcase-'));
    const disks = privateCopies(opts.disks ?? [], sockDir);
    const channels = await openChannels(sockDir);
    const argv = [...machine(sockDir, disks), ...(snap.save ? saveArgs(join(sockDir, QMP_SOCKET)) : []), ...(snap.restore ? restoreArgs(snap.restore) : [])];
    const proc = spawnQemu(l0.qemu, argv, !!opts.ownProcessGroup);
    const stage = new Stage(proc, channels, sockDir, [l0.qemu, ...argv], l0);
    const plan = snap.restore ?? snap.save;
    if (plan) stage.snapshot = { path: plan.path, restored: !!snap.restore };
    if (snap.restore) stage.noteRestore(snap.restore);
    stage.wire();
    // A restored agent is past its ready event: ask it (docs/protocol.md, "ping").
    if (snap.restore) void channels.ctl.connected.then((s) => s.write(control.ping(stage.pingToken, randomBytes(32))));
    try {
      const ms = scaled(snap.restore ? RESTORE_TIMEOUT_MS : (opts.bootTimeoutMs ?? 30_000));
      await withDeadline(Promise.race([stage.ready.promise, stage.exited.promise.then(() => Promise.reject(new Error('QEMU exited')))]), ms);
    } catch (e) {
      const what = snap.restore ? `the L1 stage restored from ${snap.restore.path}` : 'the L1 stage';
      const why = e instanceof DeadlineExceeded ? `${what} was not ready within ${e.ms} ms` : `${what} failed to start: ${stage.dead ?? String(e)}`;
      await stage.destroy(why);
      throw new StageError(why, stage.logTail(), [], { cause: e });
    }
    return stage;
  }

  private wire(): void {
    this.proc.stdout.on('data', (b: Buffer) => this.log.append(b.toString('utf8')));
    this.proc.stderr.on('data', (b: Buffer) => this.log.append(b.toString('utf8')));
    this.proc.then((r) => {
      const why = r.failed && r.code === 'ENOENT'
        ? `${this.l0.qemu} is not installed (bash ci/setup.sh installs L0 QEMU ${this.l0.name})`
        : `QEMU exited (${r.signal ?? `status ${r.exitCode}`})`;
      this.markDead(why);
      this.exited.resolve();
    });
    this.channels.events.connected.then((s) => s.on('data', lineSplitter((l) => this.onEventLine(l))));
    this.channels.console.connected.then((s) => s.on('data', (b: Buffer) => this.onConsoleBytes(b)));
    this.channels.ctl.connected.then((s) => {
      this.ctl = s;
      s.on('error', () => {});
    });
  }

  /** The console port is one byte stream for all runs: the VMM's count says whose bytes these are. */
  private onConsoleBytes(b: Buffer): void {
    if (this.consoleOwed > 0) {
      const n = Math.min(this.consoleOwed, b.length);
      this.consoleOwed -= n;
      this.log.append(`bootcase: dropped ${n} late console bytes of an earlier run\n`);
      b = b.subarray(n);
      if (!b.length) return;
    }
    this.sink?.onConsole(b);
  }

  private onEventLine(line: string): void {
    if (!line.trim()) return;
    let e: StageEvent;
    try {
      e = parseEvent(line);
    } catch (err) {
      const why = (err as Error).message;
      this.log.append(`bootcase: bad event line: ${why}\n`);
      this.sink?.onProtocolError(line, why);
      return;
    }
    const hostMs = performance.now() - this.t0;
    switch (e.ev) {
      case 'agent-ready':
      case 'pong':
        if (e.ev === 'pong' && e.token !== this.pingToken) break;
        this.bootMs = hostMs;
        this.l1UptimeMs = e.uptime_us / 1000;
        this.kernelRelease = e.kernel;
        this.ready.resolve();
        return;
      case 'put-done':
        this.puts.shift()?.resolve();
        return;
      case 'error':
        if (e.run === undefined && this.puts.length) {
          this.puts.shift()?.reject(new StageError(`agent: ${e.msg}`, this.logTail()));
          return;
        }
        break;
    }
    this.sink?.onEvent(e, hostMs);
  }

  private markDead(why: string): void {
    if (this.dead) return;
    this.dead = why;
    for (const p of this.puts.splice(0)) p.reject(new StageError(why, this.logTail()));
    this.sink?.onStageLost(why);
  }

  /** A restored stage's log starts with L1's boot log from when its snapshot was saved. */
  private noteRestore(plan: SnapshotPlan): void {
    const boot = savedBootLog(plan);
    if (boot !== undefined) this.log.append(`bootcase: L1's boot log, from when the snapshot was saved (${boot.path}):\n${boot.text.replace(/\n?$/, '\n')}`);
    this.note(`restored from the L1 snapshot ${plan.path}${boot === undefined ? ' (no boot log was saved with it)' : ''}`);
  }

  /** A line for the stage log from the harness (snapshot.ts). */
  note(line: string): void {
    this.log.append(`bootcase: ${line}\n`);
  }

  /** The QMP socket of a stage started to save a snapshot (snapshot.ts saveArgs). */
  get qmpSocket(): string {
    return join(this.sockDir, QMP_SOCKET);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The L0 QEMU's process id (the bench reads its threads' scheduler statistics). */
  get qemuPid(): number | undefined {
    return this.proc.pid;
  }

  get stageLog(): string {
    return this.log.text;
  }

  logTail(lines = 40): string {
    return this.log.tail(lines);
  }

  /** Milliseconds since this stage's QEMU was spawned (the timeline clock). */
  now(): number {
    return performance.now() - this.t0;
  }

  private send(buf: Buffer): void {
    if (this.dead) throw new StageError(`the L1 stage is gone: ${this.dead}`, this.logTail());
    this.ctl.write(buf);
  }

  /**
   * Copy a file into L1 (once per content hash); returns its path there. Bounded: a put that
   * does not finish in time leaves the agent mid-file, so the stage is destroyed.
   */
  async upload(name: string, sha: string, bytes: Buffer): Promise<string> {
    const path = `/tmp/guests/${sha}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    if (this.uploaded.has(path)) return path;
    const done = deferred<void>();
    this.puts.push(done);
    this.send(control.put(path, bytes));
    // the control port moves a few MiB/s under TCG; allow far more than that
    const ms = scaled(30_000 + Math.ceil(bytes.length / (1 << 20)) * 2000);
    try {
      await withDeadline(done.promise, ms);
    } catch (e) {
      if (!(e instanceof DeadlineExceeded)) throw e;
      const why = `uploading ${name} (${bytes.length} bytes) to L1 did not finish within ${ms} ms`;
      await this.destroy(why);
      throw new StageError(why, this.logTail(), [], { cause: e });
    }
    this.uploaded.add(path);
    return path;
  }

  /**
   * Take the stage for one run: resolves once the previous run has released it, or throws if
   * that takes longer than `waitMs` (the previous run and its kill are bounded, so this only
   * fires on a stage that no longer answers). The lease must be released when the run has
   * ended (run-exit) or was abandoned.
   */
  async acquire(sink: RunSink, waitMs: number, signal?: AbortSignal): Promise<StageLease> {
    const prev = this.busy;
    const mine = deferred<void>();
    this.busy = prev.then(() => mine.promise);
    try {
      await withDeadline(abortable(prev, signal), waitMs);
    } catch (e) {
      mine.resolve();
      if (e instanceof DeadlineExceeded) throw new StageError(`the L1 stage stayed busy with an earlier run for ${waitMs} ms`, this.logTail(), [], { cause: e });
      throw e;
    }
    if (this.dead) {
      mine.resolve();
      throw new StageError(`the L1 stage is gone: ${this.dead}`, this.logTail());
    }
    this.sink = sink;
    return {
      runId: this.nextRun++,
      release: (consoleOwed = 0) => {
        if (this.sink === sink) {
          this.sink = undefined;
          this.consoleOwed += consoleOwed;
        }
        mine.resolve();
      },
    };
  }

  startRun(runId: number, args: readonly string[]): void {
    this.send(control.run(runId, args));
  }

  /** Run an L1 program (an absolute path in L1) as run `runId` instead of a VMM. */
  execRun(runId: number, path: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): void {
    this.send(control.exec(runId, path, args, env));
  }

  killRun(runId: number): void {
    if (!this.dead) this.ctl.write(control.kill(runId));
  }

  input(bytes: Buffer): void {
    this.channels.console.connected.then((s) => s.write(bytes));
  }

  /** Kill QEMU now (a stage that no longer answers). */
  async destroy(why = 'destroyed'): Promise<void> {
    this.markDead(why);
    this.proc.kill('SIGKILL');
    await this.exited.promise;
    this.cleanup();
  }

  private cleanup(): void {
    for (const c of Object.values(this.channels)) c.close();
    rmSync(this.sockDir, { recursive: true, force: true });
  }

  /** Power L1 off; kill QEMU if it does not exit within its deadline. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.dead && this.ctl) {
      this.ctl.write(control.poweroff());
      try {
        await withDeadline(this.exited.promise, scaled(5000));
      } catch {
        /* fall through to the kill */
      }
    }
    this.markDead('disposed');
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited.promise;
    this.cleanup();
  }
}
