import { describe, expect, test } from 'vitest';
import type { MatrixRun, MatrixTest } from './matrix-reporter.js';
import { soakVerdict } from './soak-verdict.js';

const t = (name: string, state: MatrixTest['state']): MatrixTest => ({ file: 'guests/asm/devices.test.ts', name, state, seconds: 1 });
const report = (tests: MatrixTest[], extra: Partial<MatrixRun> = {}): MatrixRun => ({ reason: 'passed', unhandledErrors: [], suiteErrors: [], tests, ...extra });

describe('soakVerdict', () => {
  test('a test that passes in some runs and fails in others is flaky, with its pass count', () => {
    const v = soakVerdict([
      { exitCode: 0, report: report([t('a', 'passed'), t('b', 'passed')]) },
      { exitCode: 1, report: report([t('a', 'failed'), t('b', 'passed')]) },
      { exitCode: 0, report: report([t('a', 'passed'), t('b', 'passed')]) },
    ]);
    expect(v.flaky).toEqual([{ file: 'guests/asm/devices.test.ts', name: 'a', passed: 2, failed: 1, runs: 3 }]);
    expect(v.failed).toEqual([]);
    expect(v.brokenRuns).toEqual([]);
  });

  test('a test that never passes is failed; skips count for neither', () => {
    const v = soakVerdict([
      { exitCode: 1, report: report([t('a', 'failed'), t('s', 'skipped')]) },
      { exitCode: 1, report: report([t('a', 'failed'), t('s', 'skipped')]) },
    ]);
    expect(v.failed.map((x) => x.name)).toEqual(['a']);
    expect(v.flaky).toEqual([]);
  });

  test('a run that breaks outside its tests fails the soak', () => {
    const v = soakVerdict([
      { exitCode: 1, report: undefined },
      { exitCode: 1, report: report([t('a', 'passed')], { unhandledErrors: ['Error: boom'] }) },
      { exitCode: 1, report: report([t('a', 'passed')]) },
      { exitCode: 1, report: report([], { suiteErrors: [{ file: 'f.test.ts', suite: '', error: 'SyntaxError: x' }] }) },
    ]);
    expect(v.brokenRuns.map((b) => b.run)).toEqual([1, 2, 3, 4]);
    expect(v.brokenRuns[2]!.why).toBe('vitest exited 1 with no failed test');
  });
});
