// A vitest project of its own for harness/vitest/tap-suite.test.ts: its file is not a bootcase test.
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['*.sample.ts'] } });
