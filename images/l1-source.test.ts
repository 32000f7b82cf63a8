// The object count images/kernels/default.json carries is what a first (cold) build's progress
// line counts against: it must stay the count of a real build of that configuration.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { config } from '../harness/config.js';
import { kernelName } from './build.js';
import { DEFAULT_L1_SOURCE } from './l1-source.js';

describe('the default L1 kernel', () => {
  if (DEFAULT_L1_SOURCE.kind !== 'linux-source') throw new Error('the default L1 is built from linux-source');
  const { version, fragments, objects } = DEFAULT_L1_SOURCE;
  const counted = join(config.cacheDir, 'kbuild', `${kernelName(fragments)}-${version}.objects`);

  test('carries an object count for the progress of its first build', () => {
    expect(objects).toBeGreaterThan(100);
  });

  // build-kernel.sh writes the count of each complete build beside its O= tree
  test.skipIf(!existsSync(counted))('its object count is within 3% of the last complete build here', () => {
    const built = Number(readFileSync(counted, 'utf8').trim());
    expect(Math.abs(built - objects!) / built, `images/kernels/default.json says ${objects}, ${counted} says ${built}`).toBeLessThanOrEqual(0.03);
  });
});
