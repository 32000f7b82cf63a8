// A vitest project of its own for kvm-unit-tests.test.ts: describeKvmUnitTests over kut-sample,
// whose failing tests are the point (the outer test reads the verdicts back).
import { defineConfig } from 'vitest/config';
import { config } from '../../../harness/config.js';

export default defineConfig({ test: { include: ['*.sample.ts'], testTimeout: 180_000 * config.timeoutScale, hookTimeout: 180_000 * config.timeoutScale } });
