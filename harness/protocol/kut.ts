// kvm-unit-tests' console format (its lib/report.c and lib/<arch>/io.c exit()): one line per
// check, `PASS: <prefixes>: <message>` (or FAIL, SKIP, XFAIL, XPASS, KFAIL), a SUMMARY line, and
// `EXIT: STATUS=<(code << 1) | 1>` just before the SRST shutdown. Its runner reads the verdict
// from STATUS, not from the SRST reason (0 only for code 0, so a skip and a failure both say 1):
// 1 is a pass, 77 a skip, anything else a failure.
//
// Each check becomes a TapPoint, so the one pass/fail rule of protocol/tap.ts (tapVerdict, the
// known deviations pinned to an exact check) judges these lines as it judges TAP:
//   PASS → ok;  FAIL, XPASS → not ok, diag { result };  SKIP → skipped, the message as reason;
//   XFAIL (an expected failure that failed) and KFAIL (a known failure) → ok, with a todo note,
//   as the suite itself does not count them as failures.
import type { TapPoint } from './tap.js';

export type KutResult = 'PASS' | 'FAIL' | 'SKIP' | 'XFAIL' | 'XPASS' | 'KFAIL';

export interface KutReport {
  points: TapPoint[];
  /** The STATUS of the EXIT line, if the test got that far. */
  status?: number;
  /** The SUMMARY line's text ("62 tests, 4 unexpected failures, 17 skipped"). */
  summary?: string;
}

/** The run's verdict by STATUS: `pass` (1), `skip` (77), or `fail` (any other, or none). */
export type KutStatusVerdict = 'pass' | 'skip' | 'fail';

const LINE = /^(PASS|FAIL|SKIP|XFAIL|XPASS|KFAIL): (.*?)\s*$/;
const TODO: Partial<Record<KutResult, string>> = {
  XFAIL: 'XFAIL: an expected failure (report_xfail)',
  KFAIL: 'KFAIL: a known failure the suite itself excuses (report_kfail)',
};

export function parseKut(console: string): KutReport {
  const report: KutReport = { points: [] };
  for (const raw of console.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    const m = LINE.exec(line);
    if (m) {
      const result = m[1] as KutResult;
      const name = m[2]!;
      const p: TapPoint = { id: report.points.length + 1, ok: result !== 'FAIL' && result !== 'XPASS', name };
      if (result === 'SKIP') p.skip = name;
      if (TODO[result]) p.todo = TODO[result];
      if (!p.ok) p.diag = { result };
      report.points.push(p);
      continue;
    }
    const exit = /^EXIT: STATUS=(\d+)\s*$/.exec(line);
    // the first EXIT line counts, as in the suite's own runner (a later one is a crash report)
    if (exit && report.status === undefined) report.status = Number(exit[1]);
    const summary = /^SUMMARY: (.*?)\s*$/.exec(line);
    if (summary) report.summary = summary[1];
  }
  return report;
}

export function statusVerdict(status: number | undefined): KutStatusVerdict {
  return status === 1 ? 'pass' : status === 77 ? 'skip' : 'fail';
}

/** What a STATUS means, for messages: exit(code) prints (code << 1) | 1. */
export function describeStatus(status: number | undefined): string {
  if (status === undefined) return 'no EXIT: STATUS= line (the test crashed, hung or was stopped before its exit())';
  if (status === 1) return 'STATUS=1 (exit(0): pass)';
  if (status === 77) return 'STATUS=77 (skip)';
  return `STATUS=${status} (${status % 2 === 1 ? `exit(${(status - 1) / 2})` : 'not an exit() status: an abort or a crash'}: failure)`;
}
