// The only reader of process.env. Everything configurable about a run comes through here.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildMissingError } from './errors.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface Manifest {
  /** L1 "KVM host" kernel Image, run under QEMU TCG. */
  l1Kernel: string;
  /** Static riscv64 VMM binary; becomes /init of the stage initramfs. */
  vmm: string;
  /** Directory with the built asm milestone guests (<name>.elf, <name>.bin). */
  asmGuests: string;
  /** Static riscv64 /init for Linux guests (guests/linux/init.c). */
  linuxInit: string;
  /** Guest kernel Images by configuration name (images/build.ts LINUX_CONFIGS). */
  linuxKernels: Record<string, string>;
  /** The M-mode personality shim for xv6-riscv (guests/xv6-riscv/shim.S), a flat binary. */
  xv6Shim: string;
}

const env = process.env;

export const config = Object.freeze({
  outDir: join(repoRoot, 'out'),
  cacheDir: env.BOOTCASE_CACHE ?? join(homedir(), '.cache', 'bootcase'),
  artifactsDir: resolve(env.BOOTCASE_ARTIFACTS ?? join(repoRoot, 'test-results')),
  /** Multiplies every deadline: raise it on a slow or loaded host (nested TCG is CPU-bound). */
  timeoutScale: Number(env.BOOTCASE_TIMEOUT_SCALE ?? '1') || 1,
  qemu: env.BOOTCASE_QEMU ?? 'qemu-system-riscv64',
  /** Write artifacts for passing runs too. */
  keepArtifacts: env.BOOTCASE_KEEP_ARTIFACTS === '1',
  /** Echo the stage (L1) log to stderr as it arrives, for debugging. */
  verbose: env.BOOTCASE_VERBOSE === '1',
  /** A user-built xv6-riscv: kernel/kernel and fs.img (never part of this repo). */
  xv6Kernel: env.XV6_KERNEL,
  xv6FsImg: env.XV6_FS_IMG,
});

export const manifestPath = join(config.outDir, 'manifest.json');

/** The build outputs of images/build.ts; a clear error names the command when they are missing. */
export function loadManifest(): Manifest {
  if (!existsSync(manifestPath)) {
    throw new BuildMissingError(`${manifestPath} is missing: run \`npm run build\` (images/build.ts) first`);
  }
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const paths = Object.entries(m).flatMap(([key, v]) => (typeof v === 'string' ? [[key, v]] : Object.entries(v as Record<string, string>).map(([k, p]) => [`${key}.${k}`, p])));
  for (const [key, path] of paths) {
    if (!existsSync(path!)) throw new BuildMissingError(`${key} ${path} from ${manifestPath} is missing: run \`npm run build\``);
  }
  return m;
}

export const scaled = (ms: number) => Math.round(ms * config.timeoutScale);
