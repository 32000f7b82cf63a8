// Timeouts of the xv6 shell helpers under a timeout scale: the waits scale once (in
// StartedGuest), and vitest's limit for a test sits above the harness's own deadline, so the
// harness's error (console tail, artifacts) is what a slow run reports.
import { afterEach, expect, test, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllEnvs();
});

async function scaledBy(scale: string) {
  vi.stubEnv('BOOTCASE_TIMEOUT_SCALE', scale);
  vi.resetModules();
  return import('./xv6-shell.js');
}

test('xv6Sh hands its timeout to waitForLine unscaled (waitForLine scales it)', async () => {
  const { xv6Sh } = await scaledBy('3');
  const seen: Array<number | undefined> = [];
  const vm = {
    console: 'init: starting sh\n$ ',
    input: (_: string) => undefined,
    waitForLine: async (re: RegExp | string, opts: { timeoutMs?: number } = {}) => {
      seen.push(opts.timeoutMs);
      const m = `${vm.console}ls\nREADME 2 2 2305\n$ `.match(re as RegExp);
      if (!m) throw new Error(`no match for ${re}`);
      return m;
    },
  };
  expect(await xv6Sh(vm, 'ls', 60_000)).toBe('README 2 2 2305\n');
  expect(seen).toEqual([60_000]);
});

test('the vitest timeout of an xv6 test is above the harness deadline of its run, at any scale', async () => {
  for (const scale of ['1', '3', '10']) {
    const { xv6TestTimeout } = await scaledBy(scale);
    const runDeadline = 600_000 * Number(scale); // StartedGuest: scaled(spec.timeoutMs)
    expect(xv6TestTimeout(600_000)).toBeGreaterThan(runDeadline + 30_000 * Number(scale));
  }
});
