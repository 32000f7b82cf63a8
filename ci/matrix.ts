// The kernel-config matrix as data (issue #6): which L1 kernel hosts KVM, which guest kernel
// config the Linux suites boot, with how many vCPUs, which milestone suites run, and which
// tests are expected to fail on that entry and why. `npm run matrix` (ci/run-matrix.ts)
// builds what an entry needs and runs its suites; this file only describes them (the entries
// themselves: ci/matrix-entries.ts).
import { DEFAULT_L1_SOURCE, type L1Source } from '../images/l1-source.js';
import { kernelSpecProblem } from './kernel-version.js';
import { L0_QEMUS, type L0Name } from '../harness/stage/l0.js';

/** The L1 kernels, by the name BOOTCASE_L1 selects. */
export const L1_KERNELS = {
  /** What `npm run build` makes: 6.12 tinyconfig + l1-and-guest.config + the SBI patch, all built in (the Linux guests boot it too). */
  '6.12-tiny': DEFAULT_L1_SOURCE,
  /** Debian 12's kernel series, the same machine in 6.1's Kconfig: a KVM without SBI DBCN. */
  '6.1-tiny': { kind: 'linux-source', version: '6.1', fragments: ['images/kernels/l1-kvm-host-6.1.config'] },
  /** Debian trixie's distro kernel: KVM, virtio-mmio and virtio-blk are modules, no SBI v0.1. */
  trixie: { kind: 'debian', suite: 'trixie' },
} as const satisfies Record<string, L1Source>;

export type L1Name = keyof typeof L1_KERNELS;

/** The milestone suites (vitest files, `guest` project). */
export const SUITES = {
  milestones: 'guests/asm/milestones.test.ts',
  devices: 'guests/asm/devices.test.ts',
  linux: 'guests/linux/linux.test.ts',
  sbi: 'guests/asm/sbi-compliance.test.ts',
  /** Guest PTE A/D updates: QEMU 10 faults under KVM 6.12 (a deviation by L0), 7.2 sets them. */
  paging: 'guests/asm/paging.test.ts',
  /** The SBI call trace and --sbi-serve: they need the patched L1, so only entries on it run this. */
  trace: 'guests/asm/sbi-trace.test.ts',
  /** The xv6 profile (shim, CLINT model, Sstc) with our own xv6-style guest: no user-built xv6 needed. */
  xv6: 'guests/xv6-riscv/xv6-style.test.ts',
} as const;

export type SuiteName = keyof typeof SUITES;

/**
 * A test expected to fail on an entry: a known, explained difference, not a regression. The
 * matrix fails the entry if the test passes, is skipped or does not exist (the excuse is stale).
 */
export interface Deviation {
  suite: SuiteName;
  /**
   * The full name of exactly one test, as vitest reports it ("describe > test"; `vitest list`
   * prints them). No prefixes: a prefix would excuse tests added later that nobody looked at.
   * vitest quotes test.for string parameters and cuts them at 40 characters ('…'); so must this.
   */
  test: string;
  reason: string;
  /**
   * Text every error of the failing test must contain: the symptom the reason explains (the
   * missing DBCN line, the guest's got/want), so that another failure of the same test (a wrong
   * fault, a missed deadline) is not excused. Unset: any failure is.
   */
  failure?: string;
  /**
   * The L1 kernel versions (uname -r) it holds for, ci/kernel-version.ts syntax ("6.12.107",
   * "<6.12.113"); on other versions it is not applied. Required on a distro L1, which moves
   * under us; unset elsewhere: every build of the entry's L1.
   */
  kernels?: string;
  /**
   * For a race: why it fails in some runs only, and how often it was seen failing. A run where
   * it passes is then not a stale excuse; a run where it fails must still show `failure`,
   * which such a deviation must set (ci/matrix.test.ts checks).
   */
  intermittent?: string;
}

export interface MatrixEntry {
  /** Used on the command line (`npm run matrix -- <name>`), in file names and as the CI job id. */
  name: string;
  /** The L0 QEMU that runs the L1 under TCG (harness/stage/l0.ts): the other axis, next to the L1. */
  l0: L0Name;
  l1: L1Name;
  /** Default guest kernel configuration for the Linux suite (images/build.ts LINUX_CONFIGS). */
  guestConfig: string;
  /** Default vCPUs of a Linux guest (tests that name a count keep theirs). */
  cpus: number;
  suites: SuiteName[];
  /** What this entry varies, for the summary. */
  about: string;
  expected: Deviation[];
}

/** Every problem with a matrix (empty when it is usable). */
export function validateMatrix(entries: readonly MatrixEntry[], guestConfigs: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, e] of entries.entries()) {
    const at = `entry ${i} (${e.name || 'unnamed'})`;
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(e.name)) problems.push(`${at}: name must be lower-case letters, digits, "." and "-" (it names files and CI jobs)`);
    if (seen.has(e.name)) problems.push(`${at}: duplicate name`);
    seen.add(e.name);
    if (!Object.hasOwn(L0_QEMUS, e.l0)) problems.push(`${at}: unknown L0 QEMU "${e.l0}" (known: ${Object.keys(L0_QEMUS).join(', ')})`);
    if (!Object.hasOwn(L1_KERNELS, e.l1)) problems.push(`${at}: unknown L1 kernel "${e.l1}" (known: ${Object.keys(L1_KERNELS).join(', ')})`);
    if (!guestConfigs.includes(e.guestConfig)) problems.push(`${at}: unknown guest config "${e.guestConfig}" (images/build.ts LINUX_CONFIGS: ${guestConfigs.join(', ')})`);
    if (!Number.isInteger(e.cpus) || e.cpus < 1 || e.cpus > 8) problems.push(`${at}: cpus must be 1..8 (the guest kernels have NR_CPUS=8)`);
    if (e.suites.length === 0) problems.push(`${at}: no suites`);
    for (const s of e.suites) if (!Object.hasOwn(SUITES, s)) problems.push(`${at}: unknown suite "${s}"`);
    if (new Set(e.suites).size !== e.suites.length) problems.push(`${at}: a suite is listed twice`);
    const tests = new Set<string>();
    for (const d of e.expected) {
      if (!e.suites.includes(d.suite)) problems.push(`${at}: expected deviation "${d.test}" is in suite "${d.suite}", which this entry does not run`);
      if (!d.test.trim()) problems.push(`${at}: expected deviation with an empty test name`);
      if (!d.reason.trim()) problems.push(`${at}: expected deviation "${d.test}" has no reason`);
      if (tests.has(`${d.suite}\0${d.test}`)) problems.push(`${at}: expected deviation "${d.test}" is listed twice`);
      tests.add(`${d.suite}\0${d.test}`);
      const spec = d.kernels === undefined ? undefined : kernelSpecProblem(d.kernels);
      if (spec) problems.push(`${at}: expected deviation "${d.test}": ${spec}`);
      if (d.kernels === undefined && L1_KERNELS[e.l1]?.kind === 'debian') problems.push(`${at}: expected deviation "${d.test}" must name the kernel versions it holds for (a distro L1 moves)`);
    }
  }
  return problems;
}

/** The entries named on the command line, in matrix order; all of them when none is named. */
export function selectEntries(entries: readonly MatrixEntry[], names: readonly string[]): MatrixEntry[] {
  const unknown = names.filter((n) => !entries.some((e) => e.name === n));
  if (unknown.length) throw new Error(`unknown matrix entr${unknown.length > 1 ? 'ies' : 'y'}: ${unknown.join(', ')} (known: ${entries.map((e) => e.name).join(', ')})`);
  return names.length ? entries.filter((e) => names.includes(e.name)) : [...entries];
}

/** The environment that makes the harness run an entry (harness/config.ts reads it). */
export function entryEnv(entry: MatrixEntry): Record<string, string> {
  return { BOOTCASE_L0: entry.l0, BOOTCASE_L1: entry.l1, BOOTCASE_GUEST_CONFIG: entry.guestConfig, BOOTCASE_GUEST_CPUS: String(entry.cpus) };
}
