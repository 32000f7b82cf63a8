// The verdict of one kvm-unit-tests test on this stack, by the one rule: each check is judged
// by protocol/tap.ts tapVerdict against the known deviations (pinned to the exact check), and
// the run by its EXIT: STATUS (protocol/kut.ts), which must come with an SRST shutdown.
import { describeStatus, parseKut, statusVerdict, type KutReport } from '../protocol/kut.js';
import { tapVerdict, type TapDeviations, type TapVerdict } from '../protocol/tap.js';

export type KutVerdict = 'pass' | 'fail' | 'skip';

export interface KutJudgement {
  verdict: KutVerdict;
  /** One line: why, in the suite's terms (STATUS, failing checks). */
  why: string;
  /** How many checks got each verdict. */
  checks: Record<TapVerdict, number>;
  report: KutReport;
}

/**
 * `console` is the test's whole console, `end` how the run ended (RunResult.exit: the suite
 * ends with SRST, so anything but `shutdown` is a failure; `ended` describes it).
 */
export function judgeKut(console: string, end: { exit: string; describe: string }, deviations: TapDeviations): KutJudgement {
  const report = parseKut(console);
  const checks: Record<TapVerdict, number> = { pass: 0, skip: 0, deviation: 0, stale: 0, fail: 0 };
  for (const p of report.points) checks[tapVerdict(p, deviations)]++;
  const status = describeStatus(report.status);
  const judged = (verdict: KutVerdict, why: string): KutJudgement => ({ verdict, why, checks, report });
  if (checks.fail || checks.stale) {
    const bad = report.points.filter((p) => ['fail', 'stale'].includes(tapVerdict(p, deviations)));
    const names = bad.slice(0, 3).map((p) => `"${p.name}"${tapVerdict(p, deviations) === 'stale' ? ' (passed: its known deviation is stale)' : ''}`);
    return judged('fail', `${bad.length} check(s) failed: ${names.join(', ')}${bad.length > 3 ? ', ...' : ''}; ${status}`);
  }
  if (end.exit !== 'shutdown') return judged('fail', `the run ended ${end.describe}, not in the suite's SRST shutdown; ${status}`);
  const v = statusVerdict(report.status);
  if (v !== 'fail') return judged(v, status);
  // The suite counts a known deviation as a failure, so its STATUS says failure: excused only
  // when every failure it counted is a deviation reproduced exactly (an abort or a crash is not).
  const counted = report.points.filter((p) => p.diag?.result === 'FAIL' || p.diag?.result === 'XPASS').length;
  if (report.status !== undefined && report.status === 3 && checks.deviation > 0 && counted === checks.deviation) {
    return judged('pass', `${status}, from ${checks.deviation} known deviation(s) only`);
  }
  return judged('fail', status);
}
