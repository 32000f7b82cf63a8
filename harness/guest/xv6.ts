// The xv6-riscv machine profile: a user-built, unmodified xv6 kernel and fs.img, booted under
// our VMM with the M-mode personality shim (guests/xv6-riscv/shim.S). No xv6 code ships here.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, loadManifest } from '../config.js';
import { guest, type GuestSpec } from './guest.js';
import type { StageDisk } from '../stage/qemu.js';

export const XV6_HOWTO =
  'set XV6_KERNEL=<xv6-riscv>/kernel/kernel and XV6_FS_IMG=<xv6-riscv>/fs.img ' +
  '(build xv6-riscv yourself: make TOOLPREFIX=riscv64-linux-gnu- kernel/kernel fs.img)';

/** The user's xv6 build, or undefined when XV6_KERNEL / XV6_FS_IMG are not set. */
export function xv6Paths(): { kernel: string; fsImg: string } | undefined {
  return config.xv6Kernel && config.xv6FsImg ? { kernel: config.xv6Kernel, fsImg: config.xv6FsImg } : undefined;
}

/** A private copy of fs.img as a stage disk: xv6 writes to its disk, the user's file stays as built. */
export function xv6Disk(fsImg: string, id = 'xv6-fs'): StageDisk {
  const copy = join(mkdtempSync(join(tmpdir(), 'bootcase-xv6-')), 'fs.img');
  copyFileSync(fsImg, copy);
  return { id, path: copy };
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
}

export function xv6Guest(init: Xv6GuestInit): GuestSpec {
  const cpus = init.cpus ?? 1;
  return guest({
    name: init.name ?? `xv6-${cpus}hart`,
    image: init.kernel,
    // xv6's memlayout.h: KERNBASE 0x80000000, PHYSTOP = KERNBASE + 128 MiB.
    memMiB: 128,
    timeoutMs: init.timeoutMs ?? 120_000,
    vmmArgs: ['--profile', 'xv6', '--cpus', String(cpus), ...(init.disk === false ? [] : ['--disk', `serial:${init.disk ?? 'xv6-fs'}`])],
    uploads: [{ flag: '--firmware', path: loadManifest().xv6Shim }],
  });
}
