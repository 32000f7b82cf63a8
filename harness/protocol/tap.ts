// TAP (Test Anything Protocol) from a guest console, parsed with tap-parser. Lines that are not
// TAP (kernel log, prompts) are ignored; each test point becomes one TapPoint.
import { Parser } from 'tap-parser';

export interface TapPoint {
  id: number;
  ok: boolean;
  name: string;
  /** The SKIP reason when the point was skipped ("extension absent"). */
  skip?: string;
  todo?: string;
  diag?: Record<string, unknown>;
}

export interface TapReport {
  points: TapPoint[];
  /** The plan's count (1..N), if the guest printed one. */
  planned?: number;
  bailout?: string;
}

type ParserEvent = [string, unknown];

export function parseTap(text: string): TapReport {
  const report: TapReport = { points: [] };
  // Kernel log lines can precede TAP on the same console; keep only lines from the version line on.
  const start = text.search(/^TAP version \d+/m);
  for (const [kind, value] of Parser.parse(start >= 0 ? text.slice(start) : text) as ParserEvent[]) {
    if (kind === 'assert') {
      const a = value as { id: number; ok: boolean; name: string; skip: string | boolean; todo: string | boolean; diag: Record<string, unknown> | null };
      const p: TapPoint = { id: a.id, ok: a.ok, name: a.name };
      if (a.skip !== false) p.skip = a.skip === true ? '' : a.skip;
      if (a.todo !== false) p.todo = a.todo === true ? '' : a.todo;
      if (a.diag) p.diag = a.diag;
      report.points.push(p);
    } else if (kind === 'plan') {
      report.planned = (value as { end: number }).end;
    } else if (kind === 'bailout') {
      report.bailout = String(value);
    }
  }
  return report;
}

/**
 * A TAP point known to fail on a stack, pinned to what the guest reports: `diag` holds the YAML
 * diagnostic fields of the failure (for the C guests `got`/`want`, lib/tap.c). Only that exact
 * failure is excused; a pass or any other failure of the point is a verdict of its own.
 */
export interface TapDeviation {
  /** Why the stack differs from the spec, with the evidence. */
  reason: string;
  /** The diagnostic fields the failing point must carry, e.g. { got: -2 }; at least one. */
  diag: Readonly<Record<string, unknown>>;
}

/** Known deviations by the exact name of their TAP point (never a prefix: one point each). */
export type TapDeviations = Readonly<Record<string, TapDeviation>>;

/**
 * How a point compares with its known deviation: `reproduced` (failed with exactly the pinned
 * diagnostics), `passed` (the excuse is stale), `skipped`, or `other` (a failure the deviation
 * does not explain).
 */
export function deviationOutcome(p: TapPoint, d: TapDeviation): 'reproduced' | 'passed' | 'skipped' | 'other' {
  if (p.skip !== undefined) return 'skipped';
  if (p.ok) return 'passed';
  const pinned = Object.entries(d.diag);
  return pinned.length > 0 && pinned.every(([k, v]) => Object.is(p.diag?.[k], v)) ? 'reproduced' : 'other';
}

/**
 * The one pass/fail rule for a TAP point on a stack, shared by the vitest bridge, `sbi-check`
 * and `demo`: `skip` (the guest skipped it), `pass`, `deviation` (failed exactly as its known
 * deviation pins), `stale` (its known deviation passed: the excuse must go, so this fails) or
 * `fail` (any other failure).
 */
export type TapVerdict = 'pass' | 'skip' | 'deviation' | 'stale' | 'fail';

export function tapVerdict(p: TapPoint, deviations: TapDeviations): TapVerdict {
  if (p.skip !== undefined) return 'skip';
  if (!Object.hasOwn(deviations, p.name)) return p.ok ? 'pass' : 'fail';
  const outcome = deviationOutcome(p, deviations[p.name]!);
  return outcome === 'reproduced' ? 'deviation' : outcome === 'passed' ? 'stale' : 'fail';
}

/** Whether a point is a failure excused by its known deviation (the CLI's tables count these apart). */
export const isKnownDeviation = (p: TapPoint, deviations: TapDeviations): boolean => tapVerdict(p, deviations) === 'deviation';

/** A TAP guest's run by the same rule: the count of each verdict, and whether the run passed. */
export interface TapTally extends Record<TapVerdict, number> {
  /** The guest printed points and a 1..N plan that counts them all. */
  complete: boolean;
  /** No `fail` or `stale`, a complete plan, and the run ended in an SRST shutdown. */
  passed: boolean;
}

export function tallyTap(report: TapReport, deviations: TapDeviations, exit: string): TapTally {
  const n: Record<TapVerdict, number> = { pass: 0, skip: 0, deviation: 0, stale: 0, fail: 0 };
  for (const p of report.points) n[tapVerdict(p, deviations)]++;
  const complete = report.points.length > 0 && report.planned === report.points.length;
  return { ...n, complete, passed: n.fail === 0 && n.stale === 0 && complete && exit === 'shutdown' };
}
