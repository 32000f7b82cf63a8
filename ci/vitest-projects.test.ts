// The unit project shares modules across its files (vitest.config.ts, isolate: false); a file
// that stubs the environment or resets the module registry must run isolated, or what it
// stubbed would reach the files after it in the same worker.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { ISOLATED } from '../vitest.config.js';

test('every unit file that stubs the environment or resets modules is in ISOLATED, and only those', () => {
  const files = execFileSync('git', ['ls-files', 'harness/*.test.ts', 'images/*.test.ts', 'ci/*.test.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('harness/build/'));
  const stubbing = files.filter((f) => /vi\.(stubEnv|resetModules|stubGlobal|doMock|mock)\(/.test(readFileSync(f, 'utf8')));
  expect(stubbing.sort()).toEqual([...ISOLATED].sort());
});
