import { describe, expect, test } from 'vitest';
import { classify, parseJunit, renderSummary, unexpectedFailures, type EntryResult } from './junit.js';
import type { MatrixEntry } from './matrix.js';

// The shape vitest 4's junit reporter writes.
const xml = `<?xml version="1.0" encoding="UTF-8" ?>
<testsuites name="vitest tests" tests="5" failures="2" errors="0" time="12.5">
    <testsuite name="guests/asm/milestones.test.ts" timestamp="2026-11-23T06:13:53.146Z" hostname="vm" tests="5" failures="2" errors="0" skipped="1" time="12.5">
        <testcase classname="guests/asm/milestones.test.ts" name="asm milestones &gt; hello-legacy: hello via legacy SBI putchar" time="1.25">
            <failure message="expected the run to end with shutdown, it ended with fault &quot;sbi-unknown&quot;" type="AssertionError">
AssertionError: expected the run to end with shutdown
 ❯ guests/asm/milestones.test.ts:12:17
            </failure>
        </testcase>
        <testcase classname="guests/asm/milestones.test.ts" name="asm milestones &gt; hello-dbcn: hello via SBI DBCN" time="0.5">
        </testcase>
        <testcase classname="guests/asm/milestones.test.ts" name="asm milestones &gt; uart-hello: hello via 16550 UART MMIO" time="0.75">
            <failure message="timed out after 5000 ms waiting for the guest to end&#10;guest: uart-hello" type="GuestTimeoutError"/>
        </testcase>
        <testcase classname="guests/asm/milestones.test.ts" name="bad input &gt; skipped one" time="0">
            <skipped/>
        </testcase>
        <testcase classname="guests/asm/milestones.test.ts" name="bad input &gt; a &amp; b &lt;ok&gt;" time="0.001"/>
    </testsuite>
</testsuites>`;

const entry: MatrixEntry = {
  name: 'trixie',
  l1: 'trixie',
  guestConfig: 'tiny',
  cpus: 1,
  suites: ['milestones'],
  about: 'the distro kernel',
  expected: [
    { suite: 'milestones', test: 'asm milestones > hello-legacy:', reason: 'no SBI v0.1 in this KVM' },
    { suite: 'milestones', test: 'asm milestones > gone:', reason: 'a test that was renamed' },
  ],
};

describe('JUnit', () => {
  test('parses vitest test cases: names unescaped, status, time, first line of the failure', () => {
    const cases = parseJunit(xml);
    expect(cases.map((c) => [c.name, c.status, c.seconds])).toEqual([
      ['asm milestones > hello-legacy: hello via legacy SBI putchar', 'failed', 1.25],
      ['asm milestones > hello-dbcn: hello via SBI DBCN', 'passed', 0.5],
      ['asm milestones > uart-hello: hello via 16550 UART MMIO', 'failed', 0.75],
      ['bad input > skipped one', 'skipped', 0],
      ['bad input > a & b <ok>', 'passed', 0.001],
    ]);
    expect(cases[0]!.file).toBe('guests/asm/milestones.test.ts');
    expect(cases[0]!.message).toBe('expected the run to end with shutdown, it ended with fault "sbi-unknown"');
    expect(cases[2]!.message).toBe('timed out after 5000 ms waiting for the guest to end');
  });

  test('an expected deviation turns a failure into an expected failure; the rest stay unexpected', () => {
    const { cases, staleDeviations } = classify(entry, parseJunit(xml));
    expect(cases.map((c) => c.verdict)).toEqual(['expected-failure', 'passed', 'failed', 'skipped', 'passed']);
    expect(cases[0]!.reason).toBe('no SBI v0.1 in this KVM');
    expect(staleDeviations).toEqual(['asm milestones > gone:']);
  });

  test('a deviation that passes is flagged, not counted as a failure', () => {
    const passing = xml.replace(/<failure message="expected the run[\s\S]*?<\/failure>/, '');
    const { cases } = classify(entry, parseJunit(passing));
    expect(cases[0]!.verdict).toBe('unexpected-pass');
  });

  test('the summary table has one row per entry with counts, durations and the deviations', () => {
    const { cases, staleDeviations } = classify(entry, parseJunit(xml));
    const ok: EntryResult = {
      entry: { ...entry, name: '6.12-tiny', l1: '6.12-tiny', expected: [] },
      l1Describe: 'linux-source-6.12 6.12.117-1~deb12u1',
      buildSeconds: 0.4,
      buildCached: true,
      testSeconds: 42.3,
      cases: parseJunit(xml.replace(/<failure[\s\S]*?(<\/failure>|\/>)/g, '')).map((c) => ({ ...c, verdict: c.status })),
      staleDeviations: [],
    };
    const trixie: EntryResult = { entry, l1Describe: 'Debian trixie linux-image-6.12.107+deb13-riscv64', buildSeconds: 18.2, buildCached: false, testSeconds: 61, cases, staleDeviations };
    const broken: EntryResult = { entry: { ...entry, name: '6.1-tiny', l1: '6.1-tiny', expected: [] }, buildSeconds: 3, cases: [], staleDeviations: [], error: 'L1 6.1-tiny could not be built: make | failed' };
    expect(unexpectedFailures(ok)).toBe(0);
    expect(unexpectedFailures(trixie)).toBe(1);
    expect(unexpectedFailures(broken)).toBe(1);
    const md = renderSummary([ok, trixie, broken], { notes: ['note line'] });
    expect(md).toBe(`# bootcase kernel-config matrix

note line

| entry | result | L1 | guest | vCPUs | suites | passed | failed | expected failures | skipped | build | tests |
|---|---|---|---|---|---|---|---|---|---|---|---|
| 6.12-tiny | ok | 6.12-tiny | tiny | 1 | milestones | 4 | 0 | 0 | 1 | 0.4 s (cached) | 42 s |
| trixie | FAIL | trixie | tiny | 1 | milestones | 2 | 1 | 1 | 1 | 18 s | 61 s |
| 6.1-tiny | ERROR | 6.1-tiny | tiny | 1 | milestones | 0 | 1 | 0 | 0 | 3.0 s | - |

## Entries

* **6.12-tiny**: the distro kernel. L1: linux-source-6.12 6.12.117-1~deb12u1.
* **trixie**: the distro kernel. L1: Debian trixie linux-image-6.12.107+deb13-riscv64.
* **6.1-tiny**: the distro kernel.

## Expected deviations (failed as expected)

* trixie: \`guests/asm/milestones.test.ts\` "asm milestones > hello-legacy:": no SBI v0.1 in this KVM

## Unexpected

* trixie: **failed** \`guests/asm/milestones.test.ts\` asm milestones > uart-hello: hello via 16550 UART MMIO: timed out after 5000 ms waiting for the guest to end
* trixie: expected deviation "asm milestones > gone:" matched no test (update ci/matrix.ts)
* 6.1-tiny: **error**: L1 6.1-tiny could not be built: make \\| failed
`);
  });
});

test('one deviation rule that explains several failures is one line in the summary', () => {
  const grouped: MatrixEntry = { ...entry, expected: [{ suite: 'milestones', test: 'asm milestones', reason: 'all of them' }] };
  const { cases } = classify(grouped, parseJunit(xml));
  expect(cases.map((c) => c.verdict)).toEqual(['expected-failure', 'unexpected-pass', 'expected-failure', 'skipped', 'passed']);
  const md = renderSummary([{ entry: grouped, cases, staleDeviations: [] }]);
  expect(md).toContain('* trixie: `guests/asm/milestones.test.ts` "asm milestones" (2 tests): all of them\n');
  expect(md).toContain('* trixie: **passed although expected to fail** (update ci/matrix.ts): `guests/asm/milestones.test.ts` asm milestones > hello-dbcn: hello via SBI DBCN');
});
