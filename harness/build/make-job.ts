/** One make run of a guests/asm-style project, resolved: every field is set. */
export interface MakeJob {
  /** The project: a Makefile that takes OUT=<dir> and CROSS=<prefix>. */
  dir: string;
  /** Absolute host directory for the outputs (OUT=). */
  out: string;
  /** Targets as paths relative to `out`; empty = the Makefile's default goal. */
  targets: string[];
  cross: string;
  jobs: number;
  /** Deadline for make itself. */
  timeoutMs: number;
}
