import { configDefaults, defineConfig } from 'vitest/config';
import { config } from './harness/config.js';

// vitest's own per-test limit sits above the harness deadlines, which scale with
// BOOTCASE_TIMEOUT_SCALE; it must scale too or it cuts a slow but healthy boot short.
const limit = (ms: number) => Math.round(ms * config.timeoutScale);

// Unit files that stub the environment (vi.stubEnv) and re-import modules under it.
export const ISOLATED = ['harness/guest/xv6.test.ts', 'harness/guest/xv6-shell.test.ts'];

// Three projects: `unit` runs anywhere in milliseconds (parsers, cpio, ELF checks); `guest` boots
// real guests on real KVM inside real QEMU and needs `npm run build` first (npm test does it).
export default defineConfig({
  test: {
    // Two files at once, whatever the host has (vitest's default is one fewer than the cores: one
    // on this 2-core machine). A guest file boots one L1 stage, a QEMU whose TCG runs its one
    // hart on one host thread, so two stages at once use both cores; the harness deadlines scale
    // with BOOTCASE_TIMEOUT_SCALE for slower hosts.
    maxWorkers: 2,
    // one TMPDIR for the run, removed at its end (kept when a test failed); the artifacts
    // folder keeps only this run's evidence
    globalSetup: ['./harness/vitest/tmp-root.ts', './harness/vitest/fresh-artifacts.ts'],
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'test-results/junit.xml' },
    projects: [
      {
        // Loaded once per worker, like the guest files below: transforming and importing the
        // harness again for each of ~40 small files took longer than their tests. The files
        // that stub the environment and reset modules run isolated (unit-isolated), so a
        // stubbed timeout scale never leaks into a later file.
        extends: true,
        test: {
          name: 'unit',
          include: ['harness/**/*.test.ts', 'images/**/*.test.ts', 'ci/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'harness/build/**', ...ISOLATED],
          isolate: false,
        },
      },
      { extends: true, test: { name: 'unit-isolated', include: ISOLATED } },
      {
        // Builds a guest in the toolchain container and on the host and compares the outputs; the
        // first run on a machine makes the image with mmdebstrap (a minute or two).
        extends: true,
        test: { name: 'build', include: ['harness/build/**/*.test.ts'], testTimeout: limit(300_000), hookTimeout: limit(300_000) },
      },
      {
        extends: true,
        test: {
          name: 'guest',
          // the guests, and the agent's tests on a real stage (vmm/tests/agent)
          include: ['guests/**/*.test.ts', 'vmm/tests/agent/**/*.test.ts'],
          // The harness modules are loaded once per worker, not once per file: they hold no
          // per-file state (each file makes its own stage, and no file here stubs the environment
          // or resets modules; the unit files that do stay isolated), so a file does not pay
          // for transforming and importing them again.
          isolate: false,
          testTimeout: limit(180_000),
          hookTimeout: limit(180_000),
        },
      },
    ],
  },
});
