// A vitest reporter for the matrix (ci/run-matrix.ts passes it with --reporter): it writes what
// the matrix verdict needs as JSON, to the path given as --outputFile.matrix=<file>. vitest's own
// JSON reporter leaves out unhandled errors and the run's end reason, and its exit code alone
// cannot tell a failure we expect (a known deviation) from a crash beside it.
import { writeFileSync } from 'node:fs';
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason, Vitest } from 'vitest/node';

/** One test as the matrix sees it. */
export interface MatrixTest {
  /** The test file, relative to the repo root (ci/matrix.ts SUITES). */
  file: string;
  /** "describe > test", exactly as vitest names it (TestCase.fullName). */
  name: string;
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  seconds: number;
  /** The first line of each error, for failed tests. */
  errors?: string[];
}

/** What the reporter writes. */
export interface MatrixRun {
  /** vitest's end-of-run reason ("interrupted": cancelled or bailed out). */
  reason: TestRunEndReason;
  /** Errors outside any test: uncaught exceptions and rejections while the run went on. */
  unhandledErrors: string[];
  /** Errors of a file or a describe block outside its tests: a file that failed to load, a failing afterAll. */
  suiteErrors: { file: string; suite: string; error: string }[];
  tests: MatrixTest[];
}

const firstLine = (e: SerializedError) => `${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${(e.message ?? String(e)).split('\n')[0]!.slice(0, 300)}`;

/** The MatrixRun of a finished vitest run (pure: the reporter's part that tests can drive). */
export function matrixRun(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>, reason: TestRunEndReason): MatrixRun {
  const run: MatrixRun = { reason, unhandledErrors: unhandled.map(firstLine), suiteErrors: [], tests: [] };
  for (const m of modules) {
    const file = m.relativeModuleId;
    for (const s of [m, ...m.children.allSuites()]) {
      for (const e of s.errors()) run.suiteErrors.push({ file, suite: s.type === 'module' ? '' : s.fullName, error: firstLine(e) });
    }
    for (const t of m.children.allTests()) {
      const r = t.result();
      const errors = r.state === 'failed' ? r.errors.map(firstLine) : undefined;
      run.tests.push({ file, name: t.fullName, state: r.state, seconds: (t.diagnostic()?.duration ?? 0) / 1000, ...(errors ? { errors } : {}) });
    }
  }
  return run;
}

export default class MatrixReporter implements Reporter {
  private out?: string;

  onInit(vitest: Vitest): void {
    const o = vitest.config.outputFile;
    this.out = typeof o === 'object' ? o.matrix : undefined;
    if (!this.out) throw new Error('ci/matrix-reporter.ts needs --outputFile.matrix=<file>');
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    writeFileSync(this.out!, `${JSON.stringify(matrixRun(modules, unhandled, reason), null, 1)}\n`);
  }
}
