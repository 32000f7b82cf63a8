// The verdict on one matrix entry, from what its vitest run reported (ci/matrix-reporter.ts):
// each test against the entry's expected deviations, and everything that fails the entry.
// Pure: ci/run-matrix.ts does the I/O, ci/summary.ts the rendering.
import { kernelsMatch } from './kernel-version.js';
import type { MatrixRun, MatrixTest } from './matrix-reporter.js';
import { SUITES, type Deviation, type MatrixEntry } from './matrix.js';

/** One entry's run, as ci/run-matrix.ts saw it. */
export interface EntryRun {
  entry: MatrixEntry;
  /** uname -r of the entry's L1, from a stage boot: which version-bound deviations apply. */
  kernelRelease?: string;
  /** vitest's exit code (or the signal that ended it). */
  exit?: number | string;
  /** What the reporter wrote; undefined if vitest wrote nothing. */
  run?: MatrixRun;
  /** A failure before or outside the vitest run: the L1 did not build or boot. */
  error?: string;
}

export type Verdict = MatrixTest['state'] | 'expected-failure';

export interface JudgedTest extends MatrixTest {
  verdict: Verdict;
  deviation?: Deviation;
}

export interface EntryVerdict {
  tests: JudgedTest[];
  /** Deviations not applied: they hold for other kernel versions than the L1 that ran. */
  notApplied: Deviation[];
  /** Everything that fails the entry, one line each; empty when the entry is ok. */
  problems: string[];
}

const key = (file: string, test: string) => `${file}\0${test}`;
const exitText = (exit: number | string | undefined) => (typeof exit === 'number' ? `exited ${exit}` : `was killed by ${exit}`);

export function judge(r: EntryRun): EntryVerdict {
  const problems: string[] = [];
  if (r.error) problems.push(`error: ${r.error}`);
  // A version-bound deviation applies only when the release is known and in its range.
  const release = r.kernelRelease;
  const appliesHere = (d: Deviation) => d.kernels === undefined || (release !== undefined && kernelsMatch(d.kernels, release));
  const applied = new Map(r.entry.expected.filter(appliesHere).map((d) => [key(SUITES[d.suite], d.test), d]));
  const notApplied = release === undefined ? [] : r.entry.expected.filter((d) => !appliesHere(d));
  if (!r.run) {
    if (!r.error) problems.push(`error: vitest wrote no results (it ${exitText(r.exit)})`);
    return { tests: [], notApplied, problems };
  }
  const run = r.run;
  if (release === undefined && r.entry.expected.some((d) => d.kernels !== undefined)) {
    problems.push('the L1 kernel release is unknown, so its version-bound deviations cannot be applied');
  }
  if (run.reason === 'interrupted') problems.push('the vitest run was interrupted');
  for (const e of run.unhandledErrors) problems.push(`unhandled error: ${e}`);
  for (const e of run.suiteErrors) problems.push(`error in \`${e.file}\`${e.suite ? ` ${e.suite}` : ''} outside its tests: ${e.error}`);

  const matched = new Set<Deviation>();
  const tests = run.tests.map((t): JudgedTest => {
    const d = applied.get(key(t.file, t.name));
    if (!d) return { ...t, verdict: t.state };
    matched.add(d);
    if (t.state === 'failed') {
      const pinned = d.failure === undefined || (!!t.errors?.length && t.errors.every((e) => e.includes(d.failure!)));
      return { ...t, verdict: pinned ? 'expected-failure' : 'failed', deviation: d };
    }
    // a race that did not strike this time: the test passed, the excuse stays
    if (t.state === 'passed' && d.intermittent) return { ...t, verdict: 'passed', deviation: d };
    problems.push(`expected deviation ${t.state === 'passed' ? 'passed' : `did not fail (${t.state})`}, update ci/matrix-entries.ts: \`${t.file}\` ${t.name}`);
    return { ...t, verdict: t.state, deviation: d };
  });
  for (const t of tests) {
    const unlike = t.deviation ? `, not as its expected deviation says (an error with "${t.deviation.failure}")` : '';
    if (t.verdict === 'failed') problems.push(`failed${unlike}: \`${t.file}\` ${t.name}${t.errors?.length ? `: ${t.errors[0]}` : ''}`);
    if (t.verdict === 'pending') problems.push(`did not run to the end: \`${t.file}\` ${t.name}`);
  }
  // Some tests exist only when they fail (describeTap's "boots and runs to the end"): a race
  // that did not strike leaves no such test, but the rest of its describe block ran. And when
  // it did strike, that test is all its block has: the block's other deviations (its TAP
  // points) have nothing to match.
  const block = (file: string, test: string) => `${file}\0${test.slice(0, test.lastIndexOf(' > '))}`;
  const blocksRun = new Set(run.tests.map((t) => block(t.file, t.name)));
  const raceStruck = new Set(tests.filter((t) => t.verdict === 'expected-failure' && t.deviation?.intermittent).map((t) => block(t.file, t.name)));
  for (const d of applied.values()) {
    const b = block(SUITES[d.suite], d.test);
    const excused = raceStruck.has(b) || (d.intermittent !== undefined && blocksRun.has(b));
    if (!matched.has(d) && !excused) problems.push(`expected deviation matched no test, update ci/matrix-entries.ts: \`${SUITES[d.suite]}\` ${d.test}`);
  }
  if (tests.length === 0) problems.push('no tests ran');
  // vitest exits 1 when a test fails, expected failures included; any other exit is its own failure.
  const vitestFailed = run.tests.some((t) => t.state === 'failed') || run.suiteErrors.length > 0 || run.unhandledErrors.length > 0;
  if (r.exit !== undefined && r.exit !== (vitestFailed ? 1 : 0)) problems.push(`vitest ${exitText(r.exit)}${vitestFailed ? '' : ' although every test passed or was skipped'}`);
  return { tests, notApplied, problems };
}

export const count = (v: EntryVerdict, verdict: Verdict) => v.tests.filter((t) => t.verdict === verdict).length;
