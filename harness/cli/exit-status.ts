// The CLI's exit status for an error: 1 when the guest's run failed (deadline, crash, console
// lost), 2 when it never got to run (a bad command line, a missing file or build, a stage that
// did not start, a VMM that refused its options or image) or the CLI itself broke.
import { BootcaseError, BuildMissingError, GuestImageError, StageError, ToolMissingError, VmmRejectedError } from '../errors.js';
import { KutConfigError } from '../kut/unittests-cfg.js';
import { KutSuiteError } from '../kut/suite.js';
import { UsageError } from './args.js';

const SETUP = [UsageError, GuestImageError, BuildMissingError, ToolMissingError, StageError, VmmRejectedError, KutSuiteError, KutConfigError];

/** What to print and the status to exit with; a usage error is already one `bootcase cmd: ...` line. */
export function exitStatus(e: unknown): { code: 1 | 2; message: string } {
  if (e instanceof UsageError) return { code: 2, message: e.message };
  if (e instanceof BootcaseError) return { code: SETUP.some((k) => e instanceof k) ? 2 : 1, message: `bootcase: ${e.message}` };
  // not one of ours: a bug, whose stack is what helps
  return { code: 2, message: e instanceof Error ? (e.stack ?? String(e)) : String(e) };
}
