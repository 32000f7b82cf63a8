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
