import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { DEFAULT_L1_SOURCE } from '../images/l1-source.js';
import { entryEnv, L1_KERNELS, matchDeviation, MATRIX, selectEntries, SUITES, validateMatrix, type MatrixEntry } from './matrix.js';

const configs = ['tiny', 'virtio-console'];
const entry = (over: Partial<MatrixEntry> = {}): MatrixEntry => ({
  name: 'x',
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
    expect(new Set(MATRIX.filter((e) => e.suites.includes('linux')).map((e) => e.guestConfig))).toEqual(new Set(['tiny', 'virtio-console']));
    expect(MATRIX.some((e) => e.suites.includes('linux') && e.cpus > 1)).toBe(true);
    expect(L1_KERNELS.trixie).toEqual({ kind: 'debian', suite: 'trixie' });
    // The baseline entry boots what `npm run build` makes.
    expect(L1_KERNELS['6.12-tiny']).toEqual(DEFAULT_L1_SOURCE);
  });

  test('the trixie entry records the legacy-SBI difference instead of hiding it', () => {
    const trixie = MATRIX.find((e) => e.name === 'trixie')!;
    expect(trixie.expected.map((d) => d.test)).toContain('asm milestones > hello-legacy:');
    // vitest quotes test.for string parameters in the names it reports; the data need not.
    expect(matchDeviation(trixie, SUITES.milestones, "asm milestones > 'hello-legacy': 'hello via legacy SBI putchar'")?.reason).toMatch(/RISCV_SBI_V01/);
    expect(matchDeviation(trixie, SUITES.milestones, 'asm milestones > hello-legacy: hello via legacy SBI putchar')?.reason).toMatch(/RISCV_SBI_V01/);
    expect(matchDeviation(trixie, SUITES.milestones, 'asm milestones > hello-dbcn: hello via SBI DBCN')).toBeUndefined();
    expect(matchDeviation(trixie, SUITES.devices, 'asm milestones > hello-legacy: hello via legacy SBI putchar')).toBeUndefined();
  });

  test('the 6.1 entry explains its DBCN-less KVM test by test; the C guests fall back to legacy putchar', () => {
    const e = MATRIX.find((x) => x.name === '6.1-tiny')!;
    expect(matchDeviation(e, SUITES.milestones, 'asm milestones > reboot: SRST cold reboot')?.reason).toMatch(/no SBI DBCN/);
    expect(matchDeviation(e, SUITES.devices, 'hostile guests end in a typed fault and leave the host disk unharmed > desc-loop')).toBeUndefined();
    expect(matchDeviation(e, SUITES.devices, 'devices > virtio-blk: write, flush, read back, and the bytes are in the host file')).toBeUndefined();
    expect(matchDeviation(e, SUITES.sbi, 'SBI compliance, 1 hart > 1 - BASE: get_spec_version reports v2.0 or later')?.reason).toMatch(/SBI v1.0/);
    expect(matchDeviation(e, SUITES.milestones, 'asm milestones > a guest that hangs fails at its deadline with the transcript tail and artifacts')).toBeDefined();
    expect(matchDeviation(e, SUITES.milestones, "asm milestones > 'uart-hello': 'hello via 16550 UART MMIO'")).toBeUndefined();
  });

  test('validation names every problem', () => {
    const bad = [
      entry({ name: 'Bad Name' }),
      entry({ name: 'dup' }),
      entry({ name: 'dup', l1: 'nope' as never, guestConfig: 'huge', cpus: 0, suites: [] }),
      entry({ name: 'dev', suites: ['milestones', 'milestones'], expected: [{ suite: 'linux', test: 'a > b', reason: '' }] }),
    ];
    const problems = validateMatrix(bad, configs);
    expect(problems).toEqual([
      'entry 0 (Bad Name): name must be lower-case letters, digits, "." and "-" (it names files and CI jobs)',
      'entry 2 (dup): duplicate name',
      'entry 2 (dup): unknown L1 kernel "nope" (known: 6.12-tiny, 6.1-tiny, trixie)',
      'entry 2 (dup): unknown guest config "huge" (images/build.ts LINUX_CONFIGS: tiny, virtio-console)',
      'entry 2 (dup): cpus must be 1..8 (the guest kernels have NR_CPUS=8)',
      'entry 2 (dup): no suites',
      'entry 3 (dev): a suite is listed twice',
      'entry 3 (dev): expected deviation "a > b" is in suite "linux", which this entry does not run',
      'entry 3 (dev): expected deviation "a > b" has no reason',
    ]);
  });

  test('a deviation matches the exact name, or a prefix ending at ":" or at a describe boundary', () => {
    const e = entry({
      suites: ['milestones', 'linux'],
      expected: [
        { suite: 'milestones', test: 'asm milestones > hello-legacy:', reason: 'r1' },
        { suite: 'linux', test: 'tiny kernel, 2 vCPUs', reason: 'r2' },
      ],
    });
    expect(matchDeviation(e, SUITES.milestones, 'asm milestones > hello-legacy: hello')?.reason).toBe('r1');
    expect(matchDeviation(e, SUITES.linux, 'tiny kernel, 2 vCPUs > the kernel does not panic')?.reason).toBe('r2');
    expect(matchDeviation(e, SUITES.linux, 'tiny kernel, 2 vCPUs')?.reason).toBe('r2');
    expect(matchDeviation(e, SUITES.linux, 'tiny kernel, 2 vCPUs started > x')).toBeUndefined();
  });

  test('entries are selected by name, in matrix order, and unknown names are refused', () => {
    expect(selectEntries(MATRIX, []).map((e) => e.name)).toEqual(MATRIX.map((e) => e.name));
    expect(selectEntries(MATRIX, ['trixie', '6.12-tiny']).map((e) => e.name)).toEqual(['6.12-tiny', 'trixie']);
    expect(() => selectEntries(MATRIX, ['trixie', 'sid'])).toThrow(/unknown matrix entry: sid \(known: 6\.12-tiny, /);
  });

  test('an entry becomes the harness environment', () => {
    expect(entryEnv(entry({ l1: 'trixie', guestConfig: 'virtio-console', cpus: 2 }))).toEqual({
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
