// The xv6-riscv machine profile: a user-built, unmodified xv6 kernel and fs.img, booted under
// our VMM with the M-mode personality shim (guests/xv6-riscv/shim.S). No xv6 code ships here.
import { existsSync, statSync } from 'node:fs';
import { config, loadManifest } from '../config.js';
import { BootcaseError, GuestImageError } from '../errors.js';
import { checkImage, memoryMap } from '../native/addon.js';
import { guest, readGuestFile, type GuestSpec } from './guest.js';
import type { StageDisk } from '../stage/qemu.js';

export const XV6_HOWTO =
  'set XV6_KERNEL=<xv6-riscv>/kernel/kernel and XV6_FS_IMG=<xv6-riscv>/fs.img ' +
  '(build xv6-riscv yourself: make TOOLPREFIX=riscv64-linux-gnu- kernel/kernel fs.img)';

/** XV6_KERNEL / XV6_FS_IMG name no usable file, or only one of the two is set. */
export class Xv6SetupError extends BootcaseError {
  override readonly code = 'XV6_SETUP';
}

/**
 * The user's xv6 build, or undefined when neither XV6_KERNEL nor XV6_FS_IMG is set. One without
 * the other, or a name that is not a file, throws: a test run must not turn into a silent skip.
 */
export function xv6Paths(): { kernel: string; fsImg: string } | undefined {
  const { xv6Kernel: kernel, xv6FsImg: fsImg } = config;
  if (!kernel && !fsImg) return undefined;
  if (!kernel || !fsImg) {
    const [set, unset] = kernel ? ['XV6_KERNEL', 'XV6_FS_IMG'] : ['XV6_FS_IMG', 'XV6_KERNEL'];
    throw new Xv6SetupError(`${set} is set but ${unset} is not: the xv6 tests need both (${XV6_HOWTO})`);
  }
  for (const [name, path] of [['XV6_KERNEL', kernel], ['XV6_FS_IMG', fsImg]] as const) {
    if (!existsSync(path)) throw new Xv6SetupError(`${name}=${path}: no such file (${XV6_HOWTO})`);
    if (!statSync(path).isFile()) throw new Xv6SetupError(`${name}=${path}: not a regular file`);
  }
  xv6Kernel(kernel, 'XV6_KERNEL'); // an ELF, or refused here, before any boot
  return { kernel, fsImg };
}

/**
 * fs.img as a stage disk, as a private copy: xv6 writes to its disk, and the user's file stays
 * as built. The stage makes the copy in its own temporary folder and removes it when it stops.
 */
export function xv6Disk(fsImg: string, id = 'xv6-fs'): StageDisk {
  if (!existsSync(fsImg)) throw new Xv6SetupError(`fs.img ${fsImg}: no such file`);
  return { id, path: fsImg, privateCopy: true };
}

/** xv6's memlayout.h: KERNBASE 0x80000000, PHYSTOP = KERNBASE + 128 MiB. */
const XV6_MEM_MIB = 128;

/** The virtio-mmio register layout a kernel's driver expects (VMM --virtio-transport). */
export type VirtioTransport = 'mmio' | 'mmio-legacy';

/**
 * Which virtio-mmio version this xv6 drives, read from its own panic strings (kernel/virtio_disk.c):
 * xv6 ported its disk driver to virtio 1.0 in October 2021 (upstream cd00a82), and only the new
 * driver checks QueueReady and FEATURES_OK, with messages of its own. A kernel with xv6's
 * "could not find virtio disk" but neither of those has the legacy driver (version 1: QueuePFN).
 * Strings survive compilers and lab edits to the code; a fork that rewrote the driver can say
 * which it needs with `virtioTransport`.
 */
const V2_ONLY = ['virtio disk should not be ready', 'virtio disk FEATURES_OK unset'];
const XV6_DISK_PANIC = 'could not find virtio disk';

export interface Xv6KernelInfo {
  transport: VirtioTransport;
  /** Why, for logs and errors. */
  why: string;
}

/** Which virtio-mmio version these kernel bytes drive (the strings above). */
export function xv6VirtioTransport(bytes: Buffer): Xv6KernelInfo {
  if (V2_ONLY.some((s) => bytes.includes(s))) return { transport: 'mmio', why: 'its virtio_disk.c is the virtio 1.0 driver (xv6 from October 2021)' };
  if (bytes.includes(XV6_DISK_PANIC)) return { transport: 'mmio-legacy', why: 'its virtio_disk.c is the legacy driver (xv6 before October 2021)' };
  return { transport: 'mmio', why: "no xv6 virtio driver found in it: version 2, the VMM's default" };
}

/**
 * Check that `path` is an xv6 kernel, an ELF the VMM's loader takes in xv6's 128 MiB (not, say,
 * a text file), and find its virtio transport.
 */
export function xv6Kernel(path: string, what = 'xv6 kernel'): Xv6KernelInfo {
  const bytes = readGuestFile(path, what);
  const v = checkImage(bytes, { ramBase: memoryMap().ramBase, ramSize: BigInt(XV6_MEM_MIB) << 20n });
  const elf = "xv6's build makes kernel/kernel, an ELF";
  if (!v.ok) throw new GuestImageError(path, `${what} is not an xv6 kernel: ${v.message} (${v.reason}); ${elf}`);
  if (v.format !== 'elf') throw new GuestImageError(path, `${what} is a ${v.format === 'linux' ? 'Linux Image' : `${v.format} image`}, not an ELF; ${elf}`);
  return xv6VirtioTransport(bytes);
}

/**
 * A hint for a failed xv6 run, from its console: xv6 panics "could not find virtio disk" when
 * the slot's Version is not the one its driver wants.
 */
export function xv6Hint(console: string, transport: VirtioTransport): string | undefined {
  if (!console.includes(`panic: ${XV6_DISK_PANIC}`)) return undefined;
  const other: VirtioTransport = transport === 'mmio' ? 'mmio-legacy' : 'mmio';
  return `xv6 did not accept the virtio-mmio ${transport === 'mmio' ? 'version 2' : 'legacy (version 1)'} disk; ` +
    `try virtioTransport: '${other}' (CLI: --virtio-transport ${other}). xv6 before October 2021 drives version 1.`;
}

export interface Xv6GuestInit {
  kernel: string;
  /** Harts; xv6 starts every one at its entry point (NCPU is 8). */
  cpus?: number;
  /** The stage disk holding fs.img (xv6Disk()); `false` for a kernel that needs no disk. */
  disk?: string | false;
  timeoutMs?: number;
  /** For logs and artifact folders; default `xv6-<cpus>hart`. */
  name?: string;
  /** The virtio-mmio version the kernel's driver wants; default: read from the kernel (xv6Kernel()). */
  virtioTransport?: VirtioTransport;
}

/** The VMM arguments of the profile: everything but the disk. */
export function xv6VmmArgs(transport: VirtioTransport): string[] {
  return ['--profile', 'xv6', '--virtio-transport', transport];
}

export function xv6Guest(init: Xv6GuestInit): GuestSpec & { virtioTransport: VirtioTransport } {
  const cpus = init.cpus ?? 1;
  const transport = init.virtioTransport ?? xv6Kernel(init.kernel).transport;
  return {
    ...guest({
      name: init.name ?? `xv6-${cpus}hart`,
      image: init.kernel,
      memMiB: XV6_MEM_MIB,
      timeoutMs: init.timeoutMs ?? 120_000,
      vmmArgs: [...xv6VmmArgs(transport), '--cpus', String(cpus), ...(init.disk === false ? [] : ['--disk', `serial:${init.disk ?? 'xv6-fs'}`])],
      uploads: [{ flag: '--firmware', path: loadManifest().xv6Shim }],
    }),
    virtioTransport: transport,
  };
}
