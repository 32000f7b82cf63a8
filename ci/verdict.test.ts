// The matrix verdict, fed synthetic results in the shape ci/matrix-reporter.ts writes.
import { describe, expect, test } from 'vitest';
import type { MatrixRun, MatrixTest } from './matrix-reporter.js';
import type { MatrixEntry } from './matrix.js';
import { renderSummary } from './summary.js';
import { judge, type EntryRun } from './verdict.js';

const M = 'guests/asm/milestones.test.ts';
const S = 'guests/asm/sbi-compliance.test.ts';
const LEGACY = "asm milestones > 'hello-legacy': 'hello via legacy SBI putchar'";
const HSM = 'SBI compliance, 1 hart > 27 - HSM: hart_get_status of an absent hart is INVALID_PARAM';

const entry: MatrixEntry = {
  name: 'trixie',
  l0: '10',
  l1: 'trixie',
  guestConfig: 'tiny',
  cpus: 1,
  suites: ['milestones', 'sbi'],
  about: 'the distro kernel',
  expected: [
    { suite: 'milestones', test: LEGACY, reason: 'no SBI v0.1 in this KVM', kernels: '6.12' },
    { suite: 'sbi', test: HSM, reason: 'the HSM status bug', kernels: '<6.12.113' },
  ],
};

const t = (file: string, name: string, state: MatrixTest['state'], error?: string): MatrixTest => ({ file, name, state, seconds: 0.5, ...(error ? { errors: [error] } : {}) });
const uart = t(M, "asm milestones > 'uart-hello': 'hello via 16550 UART MMIO'", 'passed');
const legacyFails = t(M, LEGACY, 'failed', 'expected the run to end with shutdown, it ended with fault "sbi-unknown"');
const hsmFails = t(S, HSM, 'failed', 'guest reported not ok');
const results = (tests: MatrixTest[], over: Partial<MatrixRun> = {}): MatrixRun => ({ reason: 'failed', unhandledErrors: [], suiteErrors: [], tests, ...over });
const old: Omit<EntryRun, 'run'> = { entry, kernelRelease: '6.12.107+deb13-riscv64', exit: 1 };

describe('the matrix verdict', () => {
  test('deviations that fail as expected, the rest passing, vitest exit 1: ok', () => {
    const v = judge({ ...old, run: results([uart, legacyFails, hsmFails]) });
    expect(v.problems).toEqual([]);
    expect(v.tests.map((x) => x.verdict)).toEqual(['passed', 'expected-failure', 'expected-failure']);
    expect(v.notApplied).toEqual([]);
  });

  test('a stale deviation (its test passed, or was skipped) fails the entry', () => {
    const passed = judge({ ...old, run: results([uart, legacyFails, { ...hsmFails, state: 'passed', errors: undefined }]) });
    expect(passed.problems).toEqual([`expected deviation passed, update ci/matrix-entries.ts: \`${S}\` ${HSM}`]);
    const skipped = judge({ ...old, run: results([uart, legacyFails, { ...hsmFails, state: 'skipped' }]) });
    expect(skipped.problems).toEqual([`expected deviation did not fail (skipped), update ci/matrix-entries.ts: \`${S}\` ${HSM}`]);
  });

  test('a deviation that matches no test fails the entry; names match exactly, never as a prefix', () => {
    const renamed = { ...legacyFails, name: `${LEGACY} (renamed)` };
    const v = judge({ ...old, run: results([uart, renamed, hsmFails]) });
    expect(v.problems).toEqual([
      `failed: \`${M}\` ${LEGACY} (renamed): expected the run to end with shutdown, it ended with fault "sbi-unknown"`,
      `expected deviation matched no test, update ci/matrix-entries.ts: \`${M}\` ${LEGACY}`,
    ]);
    // the same name in another suite file is another test
    expect(judge({ ...old, run: results([{ ...legacyFails, file: S }, hsmFails]) }).problems).toHaveLength(2);
  });

  test("vitest's own non-zero exit fails the entry when no test explains it, and so does a signal", () => {
    const plain = { ...entry, expected: [] };
    expect(judge({ ...old, entry: plain, exit: 1, run: results([uart], { reason: 'passed' }) }).problems).toEqual(['vitest exited 1 although every test passed or was skipped']);
    expect(judge({ ...old, entry: plain, exit: 0, run: results([uart], { reason: 'passed' }) }).problems).toEqual([]);
    expect(judge({ ...old, exit: 2, run: results([uart, legacyFails, hsmFails]) }).problems).toEqual(['vitest exited 2']);
    expect(judge({ ...old, exit: 'SIGKILL', run: results([uart, legacyFails, hsmFails]) }).problems).toEqual(['vitest was killed by SIGKILL']);
    expect(judge({ ...old, exit: 0, run: results([uart, legacyFails, hsmFails]) }).problems).toEqual(['vitest exited 0']);
  });

  test('unhandled errors, errors outside tests and an interrupted run fail the entry, even beside expected failures', () => {
    const v = judge({
      ...old,
      run: results([uart, legacyFails, hsmFails], {
        reason: 'interrupted',
        unhandledErrors: ['Error: ECONNRESET'],
        suiteErrors: [{ file: M, suite: 'asm milestones', error: 'afterAll: stage did not stop' }],
      }),
    });
    expect(v.problems).toEqual([
      'the vitest run was interrupted',
      'unhandled error: Error: ECONNRESET',
      `error in \`${M}\` asm milestones outside its tests: afterAll: stage did not stop`,
    ]);
  });

  test('a deviation for another kernel version is not applied: its test must pass', () => {
    const fixed = { ...old, kernelRelease: '6.12.117+deb13-riscv64' };
    const v = judge({ ...fixed, run: results([uart, legacyFails, hsmFails]) });
    expect(v.notApplied.map((d) => d.test)).toEqual([HSM]);
    expect(v.problems).toEqual([`failed: \`${S}\` ${HSM}: guest reported not ok`]);
    // ... and a test that is gone on that kernel is not a stale deviation
    expect(judge({ ...fixed, run: results([uart, legacyFails]) }).problems).toEqual([]);
  });

  test('a deviation that pins its symptom excuses only a failure that shows it', () => {
    const pinned: MatrixEntry = { ...entry, expected: [{ ...entry.expected[0]!, failure: 'it ended with fault "sbi-unknown"' }] };
    expect(judge({ ...old, entry: pinned, run: results([uart, legacyFails]) }).problems).toEqual([]);
    const timedOut = { ...legacyFails, errors: ['GuestTimeoutError: timed out after 5000 ms waiting for the guest to end'] };
    expect(judge({ ...old, entry: pinned, run: results([uart, timedOut]) }).problems).toEqual([
      `failed, not as its expected deviation says (an error with "it ended with fault \"sbi-unknown\""): \`${M}\` ${LEGACY}: GuestTimeoutError: timed out after 5000 ms waiting for the guest to end`,
    ]);
    // every error must show it: the pinned one beside another is not excused
    expect(judge({ ...old, entry: pinned, run: results([uart, { ...legacyFails, errors: [...legacyFails.errors!, ...timedOut.errors!] }]) }).problems).toHaveLength(1);
  });

  test('an intermittent deviation (a race) may pass; when it fails, only with its symptom', () => {
    const race: MatrixEntry = { ...entry, expected: [{ ...entry.expected[0]!, failure: 'it ended with fault "sbi-unknown"', intermittent: 'a race, 1 run in 2' }] };
    expect(judge({ ...old, entry: race, run: results([uart, legacyFails]) }).problems).toEqual([]);
    const passed = judge({ ...old, entry: race, exit: 0, run: results([uart, { ...legacyFails, state: 'passed', errors: [] }]) });
    expect(passed.problems).toEqual([]);
    expect(passed.tests.map((x) => x.verdict)).toEqual(['passed', 'passed']);
    const other = { ...legacyFails, errors: ['GuestTimeoutError: timed out after 5000 ms waiting for the guest to end'] };
    expect(judge({ ...old, entry: race, run: results([uart, other]) }).problems).toHaveLength(1);
    // skipped is still not a pass
    expect(judge({ ...old, entry: race, exit: 0, run: results([uart, { ...legacyFails, state: 'skipped' }]) }).problems).toHaveLength(1);
  });

  test("an intermittent deviation for a test that exists only when it fails: absent is fine when its describe block ran", () => {
    const END = 'SBI compliance, 1 hart > boots and runs to the end';
    const hang: MatrixEntry = { ...entry, expected: [{ suite: 'sbi', test: END, reason: 'a race', failure: 'timed out after', intermittent: '1 run in 2' }] };
    const point = t(S, 'SBI compliance, 1 hart > 1 - BASE: get_spec_version reports v2.0 or later', 'passed');
    expect(judge({ ...old, entry: hang, exit: 0, run: results([uart, point]) }).problems).toEqual([]);
    expect(judge({ ...old, entry: hang, run: results([uart, t(S, END, 'failed', 'GuestTimeoutError: timed out after 10000 ms')]) }).problems).toEqual([]);
    // when the race struck, the block's other deviations (its TAP points) have no test to match
    const withPoint: MatrixEntry = { ...hang, expected: [...hang.expected, { suite: 'sbi', test: HSM, reason: 'the HSM status bug' }] };
    expect(judge({ ...old, entry: withPoint, run: results([uart, t(S, END, 'failed', 'GuestTimeoutError: timed out after 10000 ms')]) }).problems).toEqual([]);
    expect(judge({ ...old, entry: withPoint, exit: 0, run: results([uart]) }).problems).toHaveLength(2);
    // a describe block that did not run at all is still a deviation that matched nothing
    expect(judge({ ...old, entry: hang, exit: 0, run: results([uart]) }).problems).toHaveLength(1);
    // and one that is not intermittent must match
    const steady: MatrixEntry = { ...hang, expected: [{ ...hang.expected[0]!, intermittent: undefined }] };
    expect(judge({ ...old, entry: steady, exit: 0, run: results([uart, point]) }).problems).toHaveLength(1);
  });

  test('entry errors: no results, an L1 that did not build, an unknown kernel release', () => {
    expect(judge({ entry, exit: 'SIGTERM' }).problems).toEqual(['error: vitest wrote no results (it was killed by SIGTERM)']);
    expect(judge({ entry, error: 'L1 trixie could not be built: apt failed' }).problems).toEqual(['error: L1 trixie could not be built: apt failed']);
    const unknown = judge({ entry, exit: 1, run: results([uart, legacyFails, hsmFails]) });
    expect(unknown.problems[0]).toBe('the L1 kernel release is unknown, so its version-bound deviations cannot be applied');
    expect(judge({ ...old, exit: 0, run: results([], { reason: 'passed' }) }).problems).toEqual([
      `expected deviation matched no test, update ci/matrix-entries.ts: \`${M}\` ${LEGACY}`,
      `expected deviation matched no test, update ci/matrix-entries.ts: \`${S}\` ${HSM}`,
      'no tests ran',
    ]);
  });

  test('the summary: one row per entry, the deviations that held or were not applied, every problem', () => {
    const okRun: EntryRun = { ...old, kernelRelease: '6.12.107+deb13-riscv64', run: results([uart, legacyFails, hsmFails]) };
    const newer: EntryRun = { ...old, kernelRelease: '6.12.117+deb13-riscv64', run: results([uart, legacyFails, { ...hsmFails, state: 'passed' }]) };
    const md = renderSummary(
      [
        { ...okRun, verdict: judge(okRun), l1Describe: 'Debian trixie 6.12.107-1', buildSeconds: 18.2, testSeconds: 61 },
        { ...newer, entry: { ...entry, name: 'trixie-new' }, verdict: judge(newer), buildSeconds: 0.4, buildCached: true, testSeconds: 9 },
        { entry: { ...entry, name: 'broken' }, error: 'L1 could not be built: make | failed', verdict: judge({ entry, error: 'L1 could not be built: make | failed' }) },
      ],
      { notes: ['note line'] },
    );
    expect(md).toBe(`# bootcase kernel-config matrix

note line

| entry | result | L0 QEMU | L1 | kernel | guest | vCPUs | suites | passed | problems | expected failures | skipped | build | tests |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
| trixie | ok | 10 | trixie | 6.12.107+deb13-riscv64 | tiny | 1 | milestones, sbi | 1 | 0 | 2 | 0 | 18 s | 61 s |
| trixie-new | ok | 10 | trixie | 6.12.117+deb13-riscv64 | tiny | 1 | milestones, sbi | 2 | 0 | 1 | 0 | 0.4 s (cached) | 9.0 s |
| broken | ERROR | 10 | trixie | ? | tiny | 1 | milestones, sbi | 0 | 1 | 0 | 0 | - | - |

## Entries

* **trixie**: the distro kernel. L1: Debian trixie 6.12.107-1.
* **trixie-new**: the distro kernel.
* **broken**: the distro kernel.

## Expected deviations (failed as expected)

* trixie: \`${M}\` ${LEGACY}: no SBI v0.1 in this KVM
* trixie: \`${S}\` ${HSM}: the HSM status bug
* trixie-new: \`${M}\` ${LEGACY}: no SBI v0.1 in this KVM

## Deviations not applied (another kernel version)

* trixie-new: \`${S}\` ${HSM}: holds for kernels <6.12.113, the L1 ran 6.12.117+deb13-riscv64

## Problems

* broken: error: L1 could not be built: make \\| failed
`);
  });
});
