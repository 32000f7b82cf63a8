// Typed errors. Each carries a stable `code`, and the run errors carry the evidence:
// the console tail and the paths of the artifacts written for the failed run.

export class BootcaseError extends Error {
  readonly code: string = 'BOOTCASE_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A build output (kernel, VMM, guests) is not there. */
export class BuildMissingError extends BootcaseError {
  override readonly code = 'BUILD_MISSING';
}

/** A host tool (qemu-system-riscv64, the cross compiler) is not installed. */
export class ToolMissingError extends BootcaseError {
  override readonly code = 'TOOL_MISSING';
}

/** A guest image is unusable; the message names the file and what is wrong with it. */
export class GuestImageError extends BootcaseError {
  override readonly code = 'GUEST_IMAGE';
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
  }
}

/** The L1 stage (QEMU + kernel + agent) failed to come up or died. */
export class StageError extends BootcaseError {
  override readonly code = 'STAGE_FAILED';
  constructor(message: string, readonly stageLogTail: string, readonly artifacts: string[] = [], options?: { cause?: unknown }) {
    super(artifacts.length ? `${message}\nartifacts: ${artifacts.join(', ')}\n--- stage log tail ---\n${stageLogTail}` : `${message}\n--- stage log tail ---\n${stageLogTail}`, options);
  }
}

export interface RunEvidence {
  guest: string;
  consoleTail: string;
  artifacts: string[];
  /** Where the harts were when the VMM stopped them ("hart 0 at pc 0x..."), after a kill. */
  harts?: string;
}

function withEvidence(message: string, ev: RunEvidence): string {
  const harts = ev.harts ? `\nharts when stopped: ${ev.harts}` : '';
  return `${message}\nguest: ${ev.guest}${harts}\nartifacts: ${ev.artifacts.join(', ') || '(none)'}\n--- console tail ---\n${ev.consoleTail || '(no console output)'}`;
}

/** A wait (for a console line or for the run's end) passed its deadline. */
export class GuestTimeoutError extends BootcaseError {
  override readonly code = 'GUEST_TIMEOUT';
  constructor(what: string, readonly timeoutMs: number, readonly evidence: RunEvidence) {
    super(withEvidence(`timed out after ${timeoutMs} ms waiting for ${what}`, evidence));
  }
}

/** The VMM process died without an end event (a crash), or the stage went away under the run. */
export class VmmCrashedError extends BootcaseError {
  override readonly code = 'VMM_CRASHED';
  constructor(detail: string, readonly evidence: RunEvidence) {
    super(withEvidence(`VMM crashed: ${detail}`, evidence));
  }
}

/** The VMM refused the run before the guest started (bad option, unreadable or bad image). */
export class VmmRejectedError extends BootcaseError {
  override readonly code = 'VMM_REJECTED';
  constructor(detail: string, readonly evidence: RunEvidence) {
    super(withEvidence(`VMM rejected the run: ${detail}`, evidence));
  }
}

/** A Linux guest panicked; the message carries the panic text. */
export class GuestPanicError extends BootcaseError {
  override readonly code = 'GUEST_PANIC';
  constructor(readonly panicText: string, readonly artifacts: string[]) {
    super(`guest kernel panicked:\n${panicText}\nartifacts: ${artifacts.join(', ') || '(none)'}`);
  }
}

/**
 * The VMM's event stream broke the protocol (a line that is not a valid event, a field of the
 * wrong type). With run evidence it failed that run, and the message quotes the line.
 */
export class ProtocolError extends BootcaseError {
  override readonly code = 'PROTOCOL_ERROR';
  constructor(detail: string, readonly evidence?: RunEvidence) {
    super(evidence ? withEvidence(`protocol error: ${detail}`, evidence) : detail);
  }
}

/**
 * The run ended but fewer console bytes arrived than the VMM's end event says it wrote: the
 * console travels on its own port and may lag the events, but not past the grace period.
 * A check of the console after result() would see a truncated transcript, so the run fails.
 */
export class ConsoleIncompleteError extends BootcaseError {
  override readonly code = 'CONSOLE_INCOMPLETE';
  constructor(readonly got: number, readonly want: number, waitedMs: number, readonly evidence: RunEvidence) {
    super(withEvidence(`the VMM wrote ${want} console bytes but only ${got} arrived within ${waitedMs} ms of the run's end`, evidence));
  }
}
