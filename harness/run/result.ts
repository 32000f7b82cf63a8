// The outcome of one guest run: how it ended (typed), what it printed, and every event.
import { describeFault, type EndEvent, type ExitCounts, type ExitKind, type Fault, type StageEvent } from '../protocol/events.js';

export interface TimelineEntry {
  /** Milliseconds since the host sent the run command. */
  atMs: number;
  phase: string;
  source: 'host' | 'vmm';
}

export class RunResult {
  readonly exit: ExitKind;
  readonly code: number | undefined;
  readonly reason: number | undefined;
  readonly fault: Fault | undefined;
  readonly errorMessage: string | undefined;
  readonly exits: ExitCounts;
  readonly sbiCounts: Record<string, number>;
  /** Guest time from the first KVM_RUN to the end, as the VMM measured it. */
  readonly guestMs: number | undefined;

  constructor(
    readonly guest: string,
    readonly runId: number,
    end: EndEvent,
    readonly console: string,
    readonly events: readonly StageEvent[],
    readonly timeline: readonly TimelineEntry[],
    /** Where artifacts went, when they were written (on failure or BOOTCASE_KEEP_ARTIFACTS). */
    readonly artifacts: () => string[],
  ) {
    this.exit = end.exit;
    this.code = end.code;
    this.reason = end.reason;
    this.fault = end.fault;
    this.errorMessage = end.msg;
    this.exits = end.exits;
    this.sbiCounts = end.sbi;
    this.guestMs = end.guest_us === undefined ? undefined : end.guest_us / 1000;
  }

  /** True for the two "the guest says it passed" endings: SRST shutdown, or a report of code 0. */
  get passed(): boolean {
    return (this.exit === 'shutdown' && !this.reason) || (this.exit === 'report' && this.code === 0);
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
        return 'timeout (VMM deadline)';
    }
  }

  consoleTail(lines = 50): string {
    return this.console.split('\n').slice(-lines).join('\n');
  }
}
