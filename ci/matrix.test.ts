import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DEFAULT_L1_SOURCE } from '../images/l1-source.js';
import { kernelsMatch } from './kernel-version.js';
import { MATRIX } from './matrix-entries.js';
import { entryEnv, L1_KERNELS, selectEntries, validateMatrix, type MatrixEntry } from './matrix.js';

const configs = ['tiny', 'virtio-console'];
const entry = (over: Partial<MatrixEntry> = {}): MatrixEntry => ({
  name: 'x',
  l0: '10',
  l1: '6.12-tiny',
  guestConfig: 'tiny',
  cpus: 1,
  suites: ['milestones'],
  about: 'test',
  expected: [],
  ...over,
});

describe('the matrix', () => {
  test('is valid and covers the L1 kernels and guest configs issue #6 asks for', () => {
    expect(validateMatrix(MATRIX, configs)).toEqual([]);
    const l1s = new Set(MATRIX.map((e) => e.l1));
    expect([...l1s].sort()).toEqual(['6.1-tiny', '6.12-tiny', 'trixie']);
    // the L0 axis (issue #13): QEMU 10 by default, 7.2 as one entry on the baseline L1
    expect(new Set(MATRIX.map((e) => e.l0))).toEqual(new Set(['10', '7.2']));
    expect(MATRIX.filter((e) => e.l0 === '7.2').map((e) => e.l1)).toEqual(['6.12-tiny']);
    expect(new Set(MATRIX.filter((e) => e.suites.includes('linux')).map((e) => e.guestConfig))).toEqual(new Set(['tiny', 'virtio-console']));
    expect(MATRIX.some((e) => e.suites.includes('linux') && e.cpus > 1)).toBe(true);
    expect(L1_KERNELS.trixie).toEqual({ kind: 'debian', suite: 'trixie' });
    // The baseline entry boots what `npm run build` makes.
    expect(L1_KERNELS['6.12-tiny']).toEqual(DEFAULT_L1_SOURCE);
  });

  test('an intermittent deviation pins its symptom: a race excuses no other failure', () => {
    for (const e of MATRIX) for (const d of e.expected) if (d.intermittent) expect(d.failure, `${e.name}: ${d.test}`).toBeTruthy();
  });

  test('every deviation names one whole test: no prefixes ending at ":" or a describe block', () => {
    for (const e of MATRIX) {
      for (const d of e.expected) {
        expect(d.test, e.name).toMatch(/^.+ > .*\S$/);
        expect(d.test, e.name).not.toMatch(/:$/);
      }
    }
    const trixie = MATRIX.find((e) => e.name === 'trixie')!;
    expect(trixie.expected.map((d) => d.test)).toContain("asm milestones > 'hello-legacy': 'hello via legacy SBI putchar'");
  });

  test('the 6.1 entry excuses only the missing DBCN text and the SBI results it names, never another failure', () => {
    const e = MATRIX.find((x) => x.name === '6.1-tiny')!;
    expect(e.expected.filter((d) => d.failure === undefined)).toEqual([]);
    expect(e.expected.find((d) => d.test.includes("'reboot'"))?.failure).toBe('to print /rebooting/ (it ended with reboot');
  });

  test("trixie's HSM-bug deviations hold for the buggy 6.12.107 only, not for 6.12.117, which has the fix", () => {
    const trixie = MATRIX.find((e) => e.name === 'trixie')!;
    const hsm = trixie.expected.filter((d) => d.reason.includes('HSM hart status'));
    expect(hsm.length).toBe(6);
    for (const d of hsm) {
      expect(kernelsMatch(d.kernels!, '6.12.107+deb13-riscv64')).toBe(true);
      expect(kernelsMatch(d.kernels!, '6.12.117+deb13-riscv64')).toBe(false);
    }
    // the config-made ones hold on any trixie 6.12
    for (const d of trixie.expected.filter((x) => !hsm.includes(x))) expect(kernelsMatch(d.kernels!, '6.12.117+deb13-riscv64')).toBe(true);
  });

  test('validation names every problem', () => {
    const bad = [
      entry({ name: 'Bad Name' }),
      entry({ name: 'dup' }),
      entry({ name: 'dup', l0: '9' as never, l1: 'nope' as never, guestConfig: 'huge', cpus: 0, suites: [] }),
      entry({ name: 'dev', suites: ['milestones', 'milestones'], expected: [{ suite: 'linux', test: 'a > b', reason: '' }] }),
      entry({
        name: 'distro',
        l1: 'trixie',
        expected: [
          { suite: 'milestones', test: 'a > c', reason: 'r', kernels: '6.12.x' },
          { suite: 'milestones', test: 'a > c', reason: 'r', kernels: '6.12' },
          { suite: 'milestones', test: 'a > d', reason: 'r' },
        ],
      }),
    ];
    const problems = validateMatrix(bad, configs);
    expect(problems).toEqual([
      'entry 0 (Bad Name): name must be lower-case letters, digits, "." and "-" (it names files and CI jobs)',
      'entry 2 (dup): duplicate name',
      'entry 2 (dup): unknown L0 QEMU "9" (known: 10, 7.2)',
      'entry 2 (dup): unknown L1 kernel "nope" (known: 6.12-tiny, 6.1-tiny, trixie)',
      'entry 2 (dup): unknown guest config "huge" (images/build.ts LINUX_CONFIGS: tiny, virtio-console)',
      'entry 2 (dup): cpus must be 1..8 (the guest kernels have NR_CPUS=8)',
      'entry 2 (dup): no suites',
      'entry 3 (dev): a suite is listed twice',
      'entry 3 (dev): expected deviation "a > b" is in suite "linux", which this entry does not run',
      'entry 3 (dev): expected deviation "a > b" has no reason',
      'entry 4 (distro): expected deviation "a > c": bad kernel version term "6.12.x" (want e.g. "6.12.107", "<6.12.113", ">=6.1 <6.8")',
      'entry 4 (distro): expected deviation "a > c" is listed twice',
      'entry 4 (distro): expected deviation "a > d" must name the kernel versions it holds for (a distro L1 moves)',
    ]);
  });

  test('entries are selected by name, in matrix order, and unknown names are refused', () => {
    expect(selectEntries(MATRIX, []).map((e) => e.name)).toEqual(MATRIX.map((e) => e.name));
    expect(selectEntries(MATRIX, ['trixie', '6.12-tiny']).map((e) => e.name)).toEqual(['6.12-tiny', 'trixie']);
    expect(() => selectEntries(MATRIX, ['trixie', 'sid'])).toThrow(/unknown matrix entry: sid \(known: 6\.12-tiny, /);
  });

  test('an entry becomes the harness environment', () => {
    expect(entryEnv(entry({ l0: '7.2', l1: 'trixie', guestConfig: 'virtio-console', cpus: 2 }))).toEqual({
      BOOTCASE_L0: '7.2',
      BOOTCASE_L1: 'trixie',
      BOOTCASE_GUEST_CONFIG: 'virtio-console',
      BOOTCASE_GUEST_CPUS: '2',
    });
  });
});

describe('the hosted-CI workflow', () => {
  test('has one job per matrix entry, each running the same command', () => {
    const yml = readFileSync(new URL('./workflows/matrix.yml', import.meta.url), 'utf8');
    const list = /^\s*entry: \[(.*)\]\s*$/m.exec(yml)?.[1]?.split(',').map((s) => s.trim());
    expect(list).toEqual(MATRIX.map((e) => e.name));
    expect(yml).toContain('run: bash ci/setup.sh && npm run matrix -- ${{ matrix.entry }}');
    expect(yml).toMatch(/path: test-results\//);
  });
});
