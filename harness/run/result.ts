// The outcome of one guest run: how it ended (typed), what it printed, and every event.
import { describeFault, type EndEvent, type ExitCounts, type ExitKind, type Fault, type StageEvent } from '../protocol/events.js';
import { sbiCallName } from '../protocol/sbi.js';

/** One SBI call that reached the VMM (docs/protocol.md, "sbi"; boot with `trace: ['sbi']`). */
export interface SbiCall {
  hart: number;
  eid: bigint;
  fid: bigint;
  /** a0..a5 as the guest passed them. */
  args: readonly bigint[];
  /** What the guest got in a0 (SBI error, signed; a legacy call's only return value). */
  error: number;
  /** What the guest got in a1. */
  value: bigint;
  /** Who answered: KVM itself, or the VMM (forwarded, served, or taken away with sbiDisable). */
  by: 'vmm' | 'kvm';
  /** The extension's name when known: the SBI_EID key (`DBCN`, `BOOTCASE`, `LEGACY_PUTCHAR`). */
  ext?: string;
  /** The function's name when known (`write`, `write_byte`, `MARK`, `EXIT`). */
  fn?: string;
  /** VMM microseconds (t_us) when the VMM handled it. */
  tUs: number;
}

export interface TimelineEntry {
  /** Milliseconds since the host sent the run command. */
  atMs: number;
  phase: string;
  source: 'host' | 'vmm';
}

/** "hart 0 at pc 0x80000010, hart 1 at pc 0x80000234" */
export const describePcs = (pcs: readonly (bigint | null)[]) =>
  pcs.map((pc, hart) => (pc === null ? `hart ${hart} at an unknown pc` : `hart ${hart} at pc 0x${pc.toString(16)}`)).join(', ');

export class RunResult {
  readonly exit: ExitKind;
  readonly code: number | undefined;
  readonly reason: number | undefined;
  readonly fault: Fault | undefined;
  readonly errorMessage: string | undefined;
  readonly exits: ExitCounts;
  readonly sbiCounts: Record<string, number>;
  /** Console bytes the VMM wrote for this run (result() waits until all of them arrived). */
  readonly consoleBytes: number | undefined;
  /** Guest time from the first KVM_RUN to the end, as the VMM measured it. */
  readonly guestMs: number | undefined;
  /**
   * With `trace: ['sbi']`: true when `sbiCalls` is every call the guest made, because KVM
   * reported the ones it answered itself (the L1 patch, images/kernels/patches/); false on a
   * stock L1, where only the forwarded calls and SRST show.
   */
  readonly sbiTraceComplete: boolean;
  /** A timeout: where each hart was when the run was stopped (pc, by hart id), for hangs. */
  readonly hartPcs: readonly (bigint | null)[];
  /**
   * A timeout: `deadline` (the VMM's --timeout-ms), `sigterm` (killed at the harness deadline)
   * or `user` (killed by `vm.kill()` or the CLI's Ctrl-C: the VMM's end says sigterm for both).
   */
  readonly stoppedBy: 'deadline' | 'sigterm' | 'user' | undefined;

  constructor(
    readonly guest: string,
    readonly runId: number,
    end: EndEvent,
    readonly console: string,
    readonly events: readonly StageEvent[],
    readonly timeline: readonly TimelineEntry[],
    /** Where artifacts went, when they were written (on failure or BOOTCASE_KEEP_ARTIFACTS). */
    readonly artifacts: () => string[],
    /**
     * stoppedByUser: the harness killed the run for the user, not for its deadline
     * (StartedGuest.kill). save: write the run's artifacts now (StartedGuest's evidence).
     */
    private readonly opts: { stoppedByUser?: boolean; save?: () => string[] } = {},
  ) {
    this.exit = end.exit;
    this.code = end.code;
    this.reason = end.reason;
    this.fault = end.fault;
    this.errorMessage = end.msg;
    this.exits = end.exits;
    this.sbiCounts = end.sbi;
    this.sbiTraceComplete = end.sbi_trace_kvm === true;
    this.hartPcs = end.hart_pcs ?? [];
    this.stoppedBy = end.by === 'sigterm' && opts.stoppedByUser ? 'user' : end.by;
    this.consoleBytes = end.console_bytes;
    this.guestMs = end.guest_us === undefined ? undefined : end.guest_us / 1000;
  }

  /** Write the run's artifacts (once; matchers and the TAP bridge call it on a failure) and return their paths. */
  saveArtifacts(): string[] {
    return this.opts.save ? this.opts.save() : this.artifacts();
  }

  /** True for the two "the guest says it passed" endings: SRST shutdown, or a report of code 0. */
  get passed(): boolean {
    return (this.exit === 'shutdown' && !this.reason) || (this.exit === 'report' && this.code === 0);
  }

  /**
   * Every SBI call the guest made, in the order they were answered (all harts), each with who
   * answered it (`by`: 'kvm' or 'vmm'). On our patched L1 that is every call (`sbiTraceComplete`);
   * a stock KVM shows only what it forwards (DBCN, legacy console, experimental range) and SRST.
   * Throws when the guest ran without `trace: ['sbi']`, so an empty trace never passes for
   * "no calls".
   */
  get sbiCalls(): SbiCall[] {
    if (!this.events.some((e) => e.ev === 'start' && 'sbi_trace' in e && e.sbi_trace)) {
      throw new Error(`run.sbiCalls: ${this.guest} ran without SBI tracing; boot it with trace: ['sbi'] (VMM option --sbi-trace)`);
    }
    const calls: SbiCall[] = [];
    for (const e of this.events) {
      if (e.ev !== 'sbi') continue;
      calls.push({ hart: e.hart, eid: e.eid, fid: e.fid, args: e.args, error: e.error, value: e.value, by: e.by, ...sbiCallName(e.eid, e.fid), tUs: e.t_us });
    }
    return calls;
  }

  /** Marks (BOOTCASE MARK hypercalls) as id -> VMM microseconds. */
  get marks(): Map<number, number> {
    const m = new Map<number, number>();
    for (const e of this.events) if (e.ev === 'mark') m.set(e.id, e.t_us);
    return m;
  }

  describe(): string {
    switch (this.exit) {
      case 'report':
        return `report code ${this.code}${this.code === 0 ? ' (pass)' : ' (fail)'}`;
      case 'shutdown':
      case 'reboot':
        return `${this.exit} (reason ${this.reason ?? 0})`;
      case 'fault':
        return `fault: ${this.fault ? describeFault(this.fault) : 'unknown'}`;
      case 'error':
        return `error: ${this.errorMessage ?? 'unknown'}`;
      case 'timeout':
        if (this.stoppedBy === 'user') return `stopped by the user${this.hartPcs.length ? ` (${describePcs(this.hartPcs)})` : ''}`;
        return `timeout (${this.stoppedBy === 'sigterm' ? 'killed at the harness deadline' : 'VMM deadline'}${this.hartPcs.length ? `; ${describePcs(this.hartPcs)}` : ''})`;
    }
  }

  consoleTail(lines = 50): string {
    return this.console.split('\n').slice(-lines).join('\n');
  }
}
