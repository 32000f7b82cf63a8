// The soak's verdict over N runs of the same tests (pure; ci/soak.ts does the runs).
import type { MatrixRun } from './matrix-reporter.js';

export interface SoakRun {
  exitCode: number;
  /** The run's results (ci/matrix-reporter.ts), absent when vitest died before writing them. */
  report: MatrixRun | undefined;
}

export interface SoakTest {
  file: string;
  name: string;
  passed: number;
  failed: number;
  /** Runs that ran it (passed or failed; skips do not count). */
  runs: number;
}

export interface SoakVerdict {
  /** Passed in some runs and failed in others. */
  flaky: SoakTest[];
  /** Failed in every run that ran it. */
  failed: SoakTest[];
  /** Runs that broke outside any test: no report, an unhandled error, a suite error, or a non-zero exit with no failed test. */
  brokenRuns: { run: number; why: string }[];
}

export function soakVerdict(runs: readonly SoakRun[]): SoakVerdict {
  const tests = new Map<string, SoakTest>();
  const brokenRuns: SoakVerdict['brokenRuns'] = [];
  runs.forEach(({ exitCode, report }, i) => {
    const run = i + 1;
    if (!report) return void brokenRuns.push({ run, why: `vitest wrote no results (exit ${exitCode})` });
    for (const e of report.unhandledErrors) brokenRuns.push({ run, why: `unhandled error: ${e}` });
    for (const e of report.suiteErrors) brokenRuns.push({ run, why: `${e.file}${e.suite ? ` > ${e.suite}` : ''}: ${e.error}` });
    if (report.reason === 'interrupted') brokenRuns.push({ run, why: 'vitest was interrupted' });
    const anyFailed = report.tests.some((t) => t.state === 'failed');
    if (exitCode !== 0 && !anyFailed && !report.unhandledErrors.length && !report.suiteErrors.length) {
      brokenRuns.push({ run, why: `vitest exited ${exitCode} with no failed test` });
    }
    for (const t of report.tests) {
      if (t.state !== 'passed' && t.state !== 'failed') continue;
      const key = `${t.file}\0${t.name}`;
      const s = tests.get(key) ?? { file: t.file, name: t.name, passed: 0, failed: 0, runs: 0 };
      s.runs++;
      if (t.state === 'passed') s.passed++;
      else s.failed++;
      tests.set(key, s);
    }
  });
  const all = [...tests.values()];
  return { flaky: all.filter((t) => t.passed && t.failed), failed: all.filter((t) => !t.passed && t.failed), brokenRuns };
}
