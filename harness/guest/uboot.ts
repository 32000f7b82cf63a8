// The bootloader milestone: Debian's U-Boot for QEMU virt in S-mode (package u-boot-qemu,
// architecture all) under our VMM, booting our tiny Linux from a disk the way a distro does:
// an MBR disk, an ext2 partition, /extlinux/extlinux.conf naming the kernel, initrd and
// command line. U-Boot's distro_bootcmd scans virtio0 and boots it with no typing.
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, loadManifest } from '../config.js';
import { BootcaseError, GuestImageError, ToolMissingError } from '../errors.js';
import type { StageDisk } from '../stage/qemu.js';
import { contentHash, guest, type GuestSpec } from './guest.js';
import { linuxCmdline, linuxInitramfs } from './linux.js';
import { mbrDisk } from './mbr.js';

/** Where Debian's u-boot-qemu puts the S-mode build for QEMU virt (an ELF linked at 0x80200000). */
export const UBOOT_SMODE_ELF = '/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf';
/** The same U-Boot as a flat binary: declared flat, loaded at its link address (ubootGuest's `format: 'flat'`). */
export const UBOOT_SMODE_BIN = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';
export const UBOOT_LINK_ADDR = 0x8020_0000n;

/** What U-Boot prints while it counts down, and its prompt. */
export const UBOOT_AUTOBOOT = /Hit any key to stop autoboot/;
export const UBOOT_PROMPT = /^=> /m;

/** The U-Boot image, or a clear error naming the package that ships it. */
export function ubootImage(path = UBOOT_SMODE_ELF): string {
  if (!existsSync(path)) throw new GuestImageError(path, 'not found: install the u-boot-qemu package (bash ci/setup.sh)');
  return path;
}

export interface UbootDiskInit {
  /** vCPUs the Linux guest's init expects (bootcase_cpus). */
  cpus?: number;
  /** Extra kernel command line in extlinux.conf. */
  append?: string;
}

/** The kernel and initramfs paths inside the partition, for a hand-typed boot. */
export const UBOOT_DISK_KERNEL = '/Image';
export const UBOOT_DISK_INITRD = '/initramfs.cpio';

/** extlinux.conf as U-Boot's pxe code reads it: one label, booted at once (no menu, no timeout). */
export function extlinuxConf(cmdline: string): string {
  return ['default bootcase', 'label bootcase', `  kernel ${UBOOT_DISK_KERNEL}`, `  initrd ${UBOOT_DISK_INITRD}`, `  append ${cmdline}`, ''].join('\n');
}

/**
 * A bootable disk for U-Boot: MBR, one bootable Linux partition at 1 MiB holding an ext2 file
 * system (mke2fs -d: no root, no loop device) with the guest Image, the initramfs and
 * extlinux/extlinux.conf. Cached under out/ by the hash of what goes in.
 */
export async function ubootDisk(init: UbootDiskInit = {}): Promise<{ path: string; cmdline: string }> {
  const kernel = loadManifest().linuxKernels['tiny'];
  if (!kernel) throw new BootcaseError('no tiny guest kernel in the manifest: run `npm run build`');
  const cmdline = linuxCmdline({ cpus: init.cpus ?? 1, ...(init.append ? { append: init.append } : {}) });
  const files: Record<string, Buffer> = {
    [UBOOT_DISK_KERNEL.slice(1)]: readFileSync(kernel),
    [UBOOT_DISK_INITRD.slice(1)]: readFileSync(linuxInitramfs()),
    'extlinux/extlinux.conf': Buffer.from(extlinuxConf(cmdline)),
  };
  const hash = contentHash(Buffer.concat(Object.entries(files).flatMap(([k, v]) => [Buffer.from(`${k}\0${v.length}\0`), v])));
  const dir = join(config.outDir, 'guests/uboot');
  const path = join(dir, `disk-${hash}.img`);
  if (existsSync(path)) return { path, cmdline };

  const tmp = mkdtempSync(join(tmpdir(), 'bootcase-uboot-'));
  try {
    const root = join(tmp, 'root');
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), body);
    }
    const bytes = Object.values(files).reduce((n, b) => n + b.length, 0);
    const sizeMiB = Math.ceil(bytes / (1 << 20)) + 4; // room for ext2's metadata
    const part = join(tmp, 'part.img');
    const r = await execa('mke2fs', ['-q', '-F', '-t', 'ext2', '-L', 'bootcase', '-d', root, part, `${sizeMiB}M`], { reject: false });
    if (r.failed) {
      if ((r as { code?: string }).code === 'ENOENT') throw new ToolMissingError('mke2fs not found: install e2fsprogs (bash ci/setup.sh)');
      throw new BootcaseError(`mke2fs failed: ${r.stderr}`);
    }
    mkdirSync(dir, { recursive: true });
    // written beside its final name and renamed, so a reader never sees half a disk
    const partial = `${path}.${process.pid}`;
    writeFileSync(partial, mbrDisk(readFileSync(part), { type: 0x83, bootable: true }));
    renameSync(partial, path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { path, cmdline };
}

export interface UbootGuestInit {
  /** The stage disk holding ubootDisk() (`--disk serial:<id>,ro`; ubootStageDisk() attaches it read-only). */
  disk: string;
  cpus?: number;
  timeoutMs?: number;
  name?: string;
  /** Another U-Boot image (default: the ELF). */
  image?: string;
  /** `'flat'`: the image is a flat binary (u-boot.bin), loaded and entered at UBOOT_LINK_ADDR. */
  format?: 'flat';
}

/** U-Boot with its disk; 256 MiB, as U-Boot's qemu-riscv env loads the kernel at RAM + 64 MiB and the initrd past + 131 MiB. */
export function ubootGuest(init: UbootGuestInit): GuestSpec {
  const cpus = init.cpus ?? 1;
  return guest({
    name: init.name ?? `uboot-${cpus}cpu`,
    image: ubootImage(init.image),
    memMiB: 256,
    timeoutMs: init.timeoutMs ?? 90_000,
    vmmArgs: ['--cpus', String(cpus), '--disk', `serial:${init.disk},ro`],
    // the loader (through the addon, then the VMM) checks either image before anything boots
    ...(init.format === 'flat' ? { format: 'flat' as const, loadAddr: UBOOT_LINK_ADDR } : {}),
  });
}

/** The stage disk for a file's U-Boot runs (read-only: U-Boot and the guest only read it). */
export function ubootStageDisk(path: string, id = 'uboot-disk'): StageDisk {
  return { id, path, readOnly: true };
}
