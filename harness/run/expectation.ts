// How a run must end, as data, and the one check of a run against it: the milestone test
// (expect(run).toEndAs(c)) and `bootcase demo` both go through runMismatches.
import type { ExitKind } from '../protocol/events.js';
import type { RunResult } from './result.js';

export interface RunExpectation {
  exit: ExitKind;
  /** The report code (exit 'report'). */
  code?: number;
  /** The SRST reset reason (exit 'shutdown' or 'reboot'); a run that gave none counts as 0. */
  reason?: number;
  /** Fields the fault must have (exit 'fault'), compared with Object.is (addresses are bigints). */
  fault?: Readonly<Record<string, unknown>>;
  /** What the console must show. */
  print?: RegExp;
  /** SBI call counters (run.sbiCounts) that must be non-zero. */
  sbiUsed?: readonly string[];
}

const show = (v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16)}` : JSON.stringify(v));

/**
 * What about the run differs from the expectation, one line each; empty when it meets it. The
 * fault comes before the text, so a missing print cannot hide a wrong fault.
 */
export function runMismatches(run: RunResult, want: RunExpectation): string[] {
  const misses: string[] = [];
  const ended = `it ended with ${run.describe()}`;
  const kind = `${want.exit}${want.code !== undefined ? ` code ${want.code}` : ''}${want.reason !== undefined ? ` reason ${want.reason}` : ''}`;
  if (run.exit !== want.exit || (want.code !== undefined && run.code !== want.code) || (want.reason !== undefined && (run.reason ?? 0) !== want.reason))
    misses.push(`expected ${run.guest} to exit with ${kind}, but ${ended}`);
  const fault = (run.fault ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(want.fault ?? {}))
    if (!Object.is(fault[k], v)) misses.push(`expected ${run.guest}'s fault ${k} to be ${show(v)}, got ${run.fault ? show(fault[k]) : 'no fault'} (${ended})`);
  // the wording the kernel matrix pins for a missing DBCN line (ci/matrix.ts `failure`)
  if (want.print && !want.print.test(run.console)) misses.push(`expected ${run.guest} to print ${String(want.print)} (${ended})`);
  for (const k of want.sbiUsed ?? []) if (!(run.sbiCounts[k]! > 0)) misses.push(`expected ${run.guest} to make SBI ${k} calls, it made none (${ended})`);
  return misses;
}
