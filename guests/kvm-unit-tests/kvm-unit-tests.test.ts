// kvm-unit-tests as a suite (issue 10 §1). In CI: the runner on kut-sample, a guest of our own
// that prints in the suite's format (guests/asm/cases/kut-sample.c, its unittests.cfg in
// guests/asm/kut-sample/), through the vitest helper and through the CLI. With
// BOOTCASE_KVM_UNIT_TESTS=<a kvm-unit-tests build folder>: the real suite, against this stack's
// known deviations (deviations.ts). No kvm-unit-tests code is part of this repo.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { config, loadManifest, repoRoot } from '../../harness/config.js';
import type { SbiServeName } from '../../harness/protocol/sbi.js';
import { describeKvmUnitTests } from '../../harness/vitest/kut-suite.js';
import { describe, expect, test } from 'vitest';
import { kutDeviations, kutKnownSkips, kutStackEnv } from './deviations.js';

interface JsonReport {
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}
const sample = () => join(loadManifest().asmGuests, 'kut-sample');
const timeout = 240_000 * config.timeoutScale;

describe('the kvm-unit-tests runner on kut-sample', () => {
  test('describeKvmUnitTests: checks, skips, XFAIL/KFAIL, a pinned deviation, a crash and EXIT statuses become vitest verdicts', { timeout }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kut-helper-')), 'report.json');
    const root = join(repoRoot, 'guests/kvm-unit-tests/helper-sample');
    const vitest = await execa('vitest', ['run', '--root', root, '--reporter=json', `--outputFile=${out}`], { preferLocal: true, reject: false, cwd: repoRoot });
    expect(vitest.exitCode, vitest.stderr).toBe(1);
    const tests = (JSON.parse(readFileSync(out, 'utf8')) as JsonReport).testResults.flatMap((f) => f.assertionResults);
    const outcome = Object.fromEntries(tests.map((t) => [t.fullName.replace(/^kvm-unit-tests \S+ /, '').replace(/ \[known deviation: .*\]$/, ''), [t.status, t.failureMessages[0]?.split('\n')[0] ?? '']]));
    const exit = 'EXIT: STATUS (1 pass, 77 skip)';
    expect(outcome).toEqual({
      'sample-pass 1 - sample: args: the command line arrived word by word': ['passed', ''],
      [`sample-pass ${exit}`]: ['passed', ''],
      'sample-params 1 - sample: smp: every hart came up': ['passed', ''],
      'sample-params 2 - sample: env: set in the initrd: KERNEL_VERSION_STRING': ['passed', ''],
      'sample-params 3 - sample: env: set in the initrd: SAMPLE_KEY': ['passed', ''],
      'sample-params 4 - sample: xfail: a check expected to fail, failing': ['passed', ''],
      'sample-params 5 - sample: kfail: a known failure': ['passed', ''],
      [`sample-params ${exit}`]: ['passed', ''],
      'sample-skip 1 - sample: skip: not on this machine': ['skipped', ''],
      'sample-skip 2 - sample: skip: not on this machine': ['skipped', ''],
      [`sample-skip ${exit}`]: ['skipped', ''],
      'sample-fail 1 - sample: fail: a check that fails': ['passed', ''],
      'sample-fail 2 - sample: xpass: a check expected to fail, passing': ['failed', 'Error: guest reported not ok: sample: xpass: a check expected to fail, passing {"result":"XPASS"}'],
      [`sample-fail ${exit}`]: ['failed', 'Error: sample-fail: 1 check(s) failed: "sample: xpass: a check expected to fail, passing"; STATUS=3 (exit(1): failure)'],
      [`sample-crash ${exit}`]: ['failed', expect.stringMatching(/^Error: sample-crash: the run ended fault: unmapped MMIO write of 4 bytes at 0x20000000 .*no EXIT: STATUS= line/)],
      'sample-highmem 1 - sample: highmem: a word above 4 GiB reads back': ['passed', ''],
      [`sample-highmem ${exit}`]: ['passed', ''],
      'sample-qemu-only sample-qemu-only: extra_params -cpu max,+vmx: QEMU options with no equivalent on this stack': ['skipped', ''],
    });
  });

  const cli = (args: string[]) => execa(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli/main.ts'), 'kvm-unit-tests', ...args], { cwd: repoRoot, reject: false, timeout });

  test('bootcase kvm-unit-tests: one line per test, the failing checks, the count line, exit 1 on a failure', { timeout }, async () => {
    const r = await cli([sample(), '--tests', 'sample-pass,sample-skip,sample-fail']);
    expect(r.exitCode, r.stderr).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('PASS sample-pass (1 tests)');
    expect(lines[1]).toBe('SKIP sample-skip (2 tests): STATUS=77 (skip)');
    expect(lines[2]).toMatch(/^FAIL sample-fail \(2 tests\): 2 check\(s\) failed: .*STATUS=3/);
    expect(lines).toContain('    FAIL sample: xpass: a check expected to fail, passing');
    expect(lines.at(-1)).toBe('kvm-unit-tests: 1 passed, 1 failed, 1 skipped');
  });

  test('bootcase kvm-unit-tests: all passing is exit 0; a folder that is no build, or an unknown test, is exit 2 naming it', { timeout }, async () => {
    const ok = await cli([sample(), '--tests', 'sample-pass,sample-highmem', '--mem', '4608']);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout.split('\n').at(-1)).toBe('kvm-unit-tests: 2 passed, 0 failed, 0 skipped');
    const none = await cli([tmpdir()]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain(`${join(tmpdir(), 'riscv/unittests.cfg')}: missing, so ${tmpdir()} is not a kvm-unit-tests tree; build kvm-unit-tests for riscv64 yourself`);
    const unknown = await cli([sample(), '--tests', 'nope']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no test named nope \(it has sample-pass, sample-params/);
  });
});

// The real suite, user-built (README "kvm-unit-tests"); BOOTCASE_KVM_UNIT_TESTS_SERVE=hsm,ipi
// (or with susp,fwft) runs it against the VMM's own SBI extensions.
if (config.kvmUnitTests) {
  describeKvmUnitTests(config.kvmUnitTests, {
    cpus: 2,
    env: kutStackEnv,
    knownDeviations: kutDeviations,
    knownSkips: kutKnownSkips,
    ...(config.kvmUnitTestsServe ? { sbiServe: config.kvmUnitTestsServe.split(',') as SbiServeName[] } : {}),
  });
} else {
  test.skip('the real kvm-unit-tests: set BOOTCASE_KVM_UNIT_TESTS to a riscv64 build (`./configure --arch=riscv64 --cross-prefix=riscv64-linux-gnu- && make` in a kvm-unit-tests checkout)', () => {});
}
