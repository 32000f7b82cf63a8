// The matrix reporter on a real vitest run (ci/fixtures/reporter: a project of its own).
import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { MatrixRun } from './matrix-reporter.js';

const here = new URL('.', import.meta.url).pathname;

test('records each test by its full name and state, errors outside tests, and unhandled errors', { timeout: 60_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'matrix-reporter-')), 'run.json');
  const vitest = await execa('vitest', ['run', '--root', join(here, 'fixtures/reporter'), `--reporter=${join(here, 'matrix-reporter.ts')}`, `--outputFile.matrix=${out}`], {
    preferLocal: true,
    reject: false,
  });
  expect(vitest.exitCode, vitest.stderr).toBe(1);
  const run = JSON.parse(readFileSync(out, 'utf8')) as MatrixRun;
  expect(run.reason).toBe('failed');
  expect(run.tests.map((t) => [t.file, t.name, t.state])).toEqual([
    ['run.sample.ts', 'outer > passes', 'passed'],
    ['run.sample.ts', 'outer > fails', 'failed'],
    ['run.sample.ts', 'outer > skips', 'skipped'],
    ['run.sample.ts', "outer > quoted 'name' > with a marker", 'passed'],
    ['run.sample.ts', 'teardown > leaks an error after it ends', 'passed'],
  ]);
  expect(run.tests[1]!.errors).toEqual(['AssertionError: one: expected 1 to be 2 // Object.is equality']);
  expect(run.suiteErrors).toEqual([{ file: 'run.sample.ts', suite: 'teardown', error: 'afterAll broke' }]);
  expect(run.unhandledErrors).toEqual(['thrown outside any test']);
});
