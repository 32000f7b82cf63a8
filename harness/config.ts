// The only reader of process.env. Everything configurable about a run comes through here.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BuildMissingError } from './errors.js';
import { buildInputsKey, ensureBuilt } from './package-build.js';

const here = fileURLToPath(import.meta.url);
/** The repository, or the installed package: the nearest folder up from here with a package.json. */
export const repoRoot = (() => {
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();
/**
 * Running as the published package (compiled JS in dist/), not from this repository's sources:
 * build outputs then go to the cache, keyed by a hash of the shipped sources, never into
 * node_modules, and artifacts go to the user's working directory.
 */
export const installed = here.endsWith('.js');

/** An L1 kernel as a stage boots it. */
export interface L1Kernel {
  /** The Image QEMU boots (-kernel). */
  kernel: string;
  /** Kernel modules (.ko, uncompressed) the agent loads, in this order, before it opens /dev/kvm. */
  modules?: string[];
  /** What it is, for reports: e.g. "linux-source-6.1 6.1.192-2 tinyconfig+l1-kvm-host-6.1". */
  describe?: string;
}

/** The L1 kernel `npm run build` makes, and its name in Manifest.l1Kernels. */
export const DEFAULT_L1 = '6.12-tiny';

export interface Manifest {
  /** L1 "KVM host" kernel Image, run under QEMU TCG (the DEFAULT_L1 one). */
  l1Kernel: string;
  /** Every L1 kernel built so far by name (ci/matrix.ts builds the others); BOOTCASE_L1 picks one. */
  l1Kernels?: Record<string, L1Kernel>;
  /** Static riscv64 VMM binary; becomes /init of the stage initramfs. */
  vmm: string;
  /** Directory with the built asm milestone guests (<name>.elf, <name>.bin). */
  asmGuests: string;
  /** Static riscv64 /init for Linux guests (guests/linux/init.c). */
  linuxInit: string;
  /** Guest kernel Images by guest configuration name (harness/guest/linux-configs.ts): all the default L1 kernel. */
  linuxKernels: Record<string, string>;
  /** The M-mode personality shim for xv6-riscv (guests/xv6-riscv/shim.S), a flat binary. */
  xv6Shim: string;
}

const env = process.env;

const cacheDir = env.BOOTCASE_CACHE ?? join(homedir(), '.cache', 'bootcase');

export const config = Object.freeze({
  /** Build outputs and out/manifest.json: the repo's out/, or the package's folder in the cache. */
  outDir: installed ? join(cacheDir, 'pkg', buildInputsKey(repoRoot)) : join(repoRoot, 'out'),
  cacheDir,
  artifactsDir: resolve(env.BOOTCASE_ARTIFACTS ?? join(installed ? process.cwd() : repoRoot, 'test-results')),
  /** Multiplies every deadline: raise it on a slow or loaded host (nested TCG is CPU-bound). */
  timeoutScale: Number(env.BOOTCASE_TIMEOUT_SCALE ?? '1') || 1,
  /** A qemu-system-riscv64 binary that replaces the L0's (harness/stage/l0.ts). */
  qemu: env.BOOTCASE_QEMU || undefined,
  /** The L0 QEMU by name (harness/stage/l0.ts L0_QEMUS: '10', the default, or '7.2'). */
  l0: env.BOOTCASE_L0 || undefined,
  /** Stages may start from an L1 snapshot (harness/stage/snapshot.ts); BOOTCASE_SNAPSHOT=0 always boots. */
  snapshots: env.BOOTCASE_SNAPSHOT !== '0',
  /** Write artifacts for passing runs too. */
  keepArtifacts: env.BOOTCASE_KEEP_ARTIFACTS === '1',
  /** Echo the stage (L1) log to stderr as it arrives, for debugging. */
  verbose: env.BOOTCASE_VERBOSE === '1',
  /** The L1 kernel a stage boots by default: a name in the manifest's l1Kernels (DEFAULT_L1 if unset). */
  l1: env.BOOTCASE_L1 || undefined,
  /** Defaults for linuxGuest(): the guest configuration (harness/guest/linux-configs.ts) and vCPUs. */
  guestConfig: env.BOOTCASE_GUEST_CONFIG || undefined,
  guestCpus: env.BOOTCASE_GUEST_CPUS ? Number(env.BOOTCASE_GUEST_CPUS) : undefined,
  /** A user-built xv6-riscv: kernel/kernel and fs.img (never part of this repo). */
  xv6Kernel: env.XV6_KERNEL,
  xv6FsImg: env.XV6_FS_IMG,
  /** Which usertests to run: `-q` (default), `all`, or test names (harness/guest/xv6-usertests.ts). */
  xv6Usertests: env.XV6_USERTESTS || undefined,
  /** usertests the user's xv6 is known to fail, `name[:reason]` separated by commas. */
  xv6KnownFailing: env.XV6_KNOWN_FAILING || undefined,
  /** A user-built kvm-unit-tests folder (riscv/unittests.cfg inside; never part of this repo). */
  kvmUnitTests: env.BOOTCASE_KVM_UNIT_TESTS || undefined,
  /** `bootcase kvm-unit-tests --sbi-serve` for that suite's test: e.g. "hsm". */
  kvmUnitTestsServe: env.BOOTCASE_KVM_UNIT_TESTS_SERVE || undefined,
});

export const manifestPath = join(config.outDir, 'manifest.json');

const buildCommand = installed ? 'npx bootcase build' : 'npm run build';

/** The build outputs of images/build.ts; a clear error names the command when they are missing. */
export function loadManifest(): Manifest {
  if (!existsSync(manifestPath)) {
    const first = installed ? ' (boot() and the bootcase/vitest fixtures build it on first use)' : ' (images/build.ts) first';
    throw new BuildMissingError(`${manifestPath} is missing: run \`${buildCommand}\`${first}`);
  }
  const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const gone = missingOutputs(m)[0];
  if (gone) throw new BuildMissingError(`${gone[0]} ${gone[1]} from ${manifestPath} is missing: run \`${buildCommand}\``);
  return m;
}

/** [key, path] of each output the manifest lists that is not there (l1Kernels: selectL1 checks the one it boots). */
function missingOutputs(m: Manifest): string[][] {
  const paths = Object.entries(m).filter(([key]) => key !== 'l1Kernels').flatMap(([key, v]) => (typeof v === 'string' ? [[key, v]] : Object.entries(v as Record<string, string>).map(([k, p]) => [`${key}.${k}`, p])));
  return paths.filter(([, path]) => !existsSync(path!));
}

/**
 * The installed package builds what is missing on first use (the VMM, the guests, the kernels),
 * with progress on stderr; `force` rebuilds (`bootcase build`). In the repository `npm run build`
 * does it, so this does nothing there.
 */
export async function buildOnFirstUse(force = false): Promise<void> {
  if (!installed) return;
  if (existsSync(manifestPath) && (force || missingOutputs(JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest).length > 0)) rmSync(manifestPath);
  await ensureBuilt(join(repoRoot, 'dist/images/build.js'), manifestPath);
}

/** The L1 kernel to boot: `name` (default BOOTCASE_L1, else the one `npm run build` makes). */
export function selectL1(m: Manifest, name = config.l1): L1Kernel {
  if (name === undefined) return { kernel: m.l1Kernel };
  const l1 = m.l1Kernels?.[name] ?? (name === DEFAULT_L1 ? { kernel: m.l1Kernel } : undefined);
  if (!l1) {
    const built = Object.keys(m.l1Kernels ?? {}).join(', ') || DEFAULT_L1;
    throw new BuildMissingError(`L1 kernel "${name}" (BOOTCASE_L1) is not built; built: ${built}. Build it with \`npm run matrix -- --build-only <entry>\` (ci/matrix.ts)`);
  }
  for (const p of [l1.kernel, ...(l1.modules ?? [])]) {
    if (!existsSync(p)) throw new BuildMissingError(`L1 kernel "${name}": ${p} from ${manifestPath} is missing: run \`npm run matrix -- --build-only <entry>\``);
  }
  return l1;
}

export const scaled = (ms: number) => Math.round(ms * config.timeoutScale);
