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

/** Whether a point is a failure excused by its known deviation (the CLI's tables count these apart). */
export const isKnownDeviation = (p: TapPoint, deviations: TapDeviations): boolean =>
  Object.hasOwn(deviations, p.name) && deviationOutcome(p, deviations[p.name]!) === 'reproduced';
