// The L0: the qemu-system-riscv64 that runs the L1 stage under TCG, by the name BOOTCASE_L0
// selects (ci/matrix.ts varies it like the L1 kernel). QEMU 10 is the default: nested KVM exits
// cost about half of 7.2's there. Debian 12 ships 7.2 (qemu-system-misc); ci/setup.sh unpacks
// bookworm-backports' qemu-system-riscv 10 with the OpenSBI it needs under $BOOTCASE_CACHE/qemu
// instead of installing it, so both stay side by side and the host's /usr/bin is left alone.
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../config.js';
import { BuildMissingError } from '../errors.js';

/**
 * `snapshots`: whether stages on it may be saved and restored (snapshot.ts). That takes file
 * migration with mapped-ram, QEMU 9.0 and later: 7.2 refuses `-global migration.mapped-ram=on`
 * and would not even start.
 */
export const L0_QEMUS = {
  /** bookworm-backports' qemu-system-riscv + opensbi, unpacked by ci/setup.sh (install_qemu_l0). */
  '10': { kind: 'unpacked', dir: 'qemu/10', snapshots: true },
  /** Debian 12's own qemu-system-misc with its opensbi (the L0 before #13). */
  '7.2': { kind: 'system', path: '/usr/bin/qemu-system-riscv64', snapshots: false },
} as const;

export type L0Name = keyof typeof L0_QEMUS;
export const DEFAULT_L0: L0Name = '10';

export interface L0 {
  name: L0Name;
  /** The binary to spawn. */
  qemu: string;
  /** How it finds its firmware: `-bios` (+ `-L`) for an unpacked tree, `-bios default` otherwise. */
  firmwareArgs: string[];
  /** For reports: the unpacked version directory, or the binary. */
  describe: string;
  /** Stages may be restored from an L1 snapshot (L0_QEMUS; never for a BOOTCASE_QEMU binary, whose QEMU we do not know). */
  snapshots: boolean;
}

/** What to do when the unpacked QEMU 10 is missing (the stage's error and `bootcase doctor` say it). */
export const L0_MISSING_FIX = "run `bash ci/setup.sh` in a bootcase checkout (it unpacks bookworm-backports' qemu-system-riscv 10 there), or set BOOTCASE_L0=7.2 to use Debian 12's qemu-system-misc";

/** The binary an L0 runs (BOOTCASE_QEMU aside), whether or not it is there. */
export function l0Binary(name: L0Name): string {
  const q = L0_QEMUS[name];
  return q.kind === 'system' ? q.path : join(config.cacheDir, q.dir, 'usr/bin/qemu-system-riscv64');
}

/** The L0 name in effect (BOOTCASE_L0, else the default); a clear error for an unknown one. */
export function l0Name(name = config.l0): L0Name {
  if (name === undefined) return DEFAULT_L0;
  if (!Object.hasOwn(L0_QEMUS, name)) throw new Error(`BOOTCASE_L0=${name}: unknown L0 QEMU (known: ${Object.keys(L0_QEMUS).join(', ')})`);
  return name as L0Name;
}

/**
 * The L0 to run. BOOTCASE_QEMU, if set, replaces the binary (and its own default firmware);
 * the name still says which deviations apply, so set BOOTCASE_L0 to match.
 */
export function selectL0(name = config.l0): L0 {
  const n = l0Name(name);
  if (config.qemu) return { name: n, qemu: config.qemu, firmwareArgs: ['-bios', 'default'], describe: `${config.qemu} (BOOTCASE_QEMU)`, snapshots: false };
  const q = L0_QEMUS[n];
  const qemu = l0Binary(n);
  if (q.kind === 'system') return { name: n, qemu, firmwareArgs: ['-bios', 'default'], describe: q.path, snapshots: q.snapshots };
  const root = join(config.cacheDir, q.dir);
  if (!existsSync(qemu)) throw new BuildMissingError(`L0 QEMU ${n} is missing (${qemu}): ${L0_MISSING_FIX}`);
  // Its data directory is compiled in as /usr/share/qemu (7.2's): point it at its own.
  return {
    name: n,
    qemu,
    firmwareArgs: ['-L', join(root, 'usr/share/qemu'), '-bios', join(root, 'usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin')],
    describe: realpathSync(root),
    snapshots: q.snapshots,
  };
}
