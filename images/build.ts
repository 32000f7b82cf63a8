// Build everything a run needs and record it in out/manifest.json:
//   the VMM (static riscv64), the asm milestone guests, and the one 6.12 kernel that is both the
//   L1 KVM host and the Linux guest (images/kernels/l1-and-guest.config).
// Kernels are cached under $BOOTCASE_CACHE keyed by a hash of their inputs, so a warm build
// is a few make no-ops. Usage: tsx images/build.ts [--quiet]
import { $, execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { config, DEFAULT_L1, installed, manifestPath, repoRoot, type L1Kernel, type Manifest } from '../harness/config.js';
import { fetchDebianKernel } from './debian-kernel.js';
import { DEFAULT_L1_SOURCE, type L1Source } from './l1-source.js';
import { makeStep } from './make-step.js';
import { pruneSources } from './source-prune.js';
import { watchBuild } from './progress.js';
import { LINUX_CONFIGS } from '../harness/guest/linux-configs.js';

export { LINUX_CONFIGS };

const quiet = process.argv.includes('--quiet');
const log = (msg: string) => quiet || console.error(`build: ${msg}`);

async function requireTool(bin: string, pkg: string): Promise<void> {
  if ((await execa('sh', ['-c', 'command -v "$1"', 'sh', bin], { reject: false })).exitCode !== 0) {
    throw new Error(`${bin} is not installed (Debian package ${pkg}); run: ${installed ? `apt-get install ${pkg} (npx bootcase doctor lists the rest)` : 'bash ci/setup.sh'}`);
  }
}

/** "l1-and-guest+6.12-sbi-user": the fragments' and patches' names, as build-kernel.sh makes them. */
export const kernelName = (inputs: string[]) => inputs.map((f) => path.basename(f).replace(/\.(config|patch)$/, '')).join('+');
const buildKernelSh = path.join(repoRoot, 'images/kernels/build-kernel.sh');

/** Where buildKernel puts (or finds) the Image for tinyconfig + these fragments (build-kernel.sh keys it by its inputs). */
export async function kernelImagePath(fragments: string[], version = '6.12'): Promise<string> {
  const r = await execa('bash', [buildKernelSh, '--path', version, ...fragments], { stdin: 'ignore', reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `build-kernel.sh --path ${version} failed (exit ${r.exitCode})`);
  return r.stdout.trim();
}

/** Build (or reuse) the kernel for tinyconfig + these fragments; returns the Image path. */
export async function buildKernel(fragments: string[], version = '6.12', estimate?: number): Promise<string> {
  const name = kernelName(fragments);
  const image = await kernelImagePath(fragments, version);
  if (existsSync(image)) return image;
  // build-kernel.sh's O= tree; the object count of its last complete build is the next one's total
  const kbuild = path.join(config.cacheDir, 'kbuild', `${name}-${version}`);
  // (or, on a first build here, the count the repo carries for this kernel: images/kernels/default.json)
  const expected = Number((await fs.readFile(`${kbuild}.objects`, 'utf8').catch(() => '')).trim()) || estimate;
  log(`kernel ${name} (${version}): building (${expected ? `${expected} objects` : 'cold: several minutes on 2 cores'}; seconds when nothing changed)`);
  const t = Date.now();
  const phase = () => {
    try {
      return readFileSync(`${kbuild}.phase`, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const progress = watchBuild(`build: kernel ${name}`, kbuild, expected, (line) => quiet || console.error(line), 15_000, phase, `${kbuild}.compiling`);
  try {
    // errors go straight to our stderr
    await execa('bash', [buildKernelSh, version, ...fragments], { stdin: 'ignore', stdout: 'ignore', stderr: 'inherit' });
  } finally {
    progress.stop();
  }
  log(`kernel ${name}: built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  try {
    const pruned = pruneSources(config.cacheDir);
    if (pruned.length) log(`removed what no kernel build uses any more (source-prune.ts): ${pruned.map((p) => path.basename(p)).join(', ')}`);
  } catch (e) {
    log(`could not tidy the kernel cache (the build is fine): ${(e as Error).message}`);
  }
  return image;
}

/** Build or fetch an L1 kernel; `cached` says whether it was already there. */
export async function buildL1(src: L1Source): Promise<{ l1: L1Kernel; cached: boolean }> {
  if (src.kind === 'debian') return fetchDebianKernel(src.suite, log);
  const frags = src.fragments.map((f) => path.resolve(repoRoot, f));
  const cached = existsSync(await kernelImagePath(frags, src.version));
  const kernel = await buildKernel(frags, src.version, src.objects);
  const pkg = (await $`dpkg-query -W -f=${'${Version}'} linux-source-${src.version}`).stdout;
  return { l1: { kernel, describe: `linux-source-${src.version} ${pkg}, tinyconfig + ${src.fragments.map((f) => path.basename(f)).join(' + ')}` }, cached };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Record L1 kernels by name in the manifest (BOOTCASE_L1=<name> then boots one). */
export async function recordL1(name: string, l1: L1Kernel): Promise<void> {
  const m = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as Manifest;
  m.l1Kernels = { ...m.l1Kernels, [name]: l1 };
  await writeJson(manifestPath, m);
}

export async function build(): Promise<Manifest> {
  await requireTool('riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu');
  await requireTool('make', 'make');
  const jobs = String((await import('node:os')).availableParallelism());
  // The installed package builds out of its own tree (node_modules may be read-only, and is shared).
  const vmmOut = installed ? path.join(config.outDir, 'vmm') : path.join(repoRoot, 'vmm/build');
  const say = (line: string) => quiet || console.error(line);
  log('vmm');
  await makeStep('build: vmm', [`-j${jobs}`, '-C', path.join(repoRoot, 'vmm'), ...(installed ? [`BUILD=${vmmOut}`] : [])], say);
  const asmOut = path.join(config.outDir, 'guests/asm');
  log('guests/asm');
  await makeStep('build: guests/asm', [`-j${jobs}`, '-C', path.join(repoRoot, 'guests/asm'), `OUT=${asmOut}`], say);
  log('guests/xv6-riscv shim');
  const xv6Out = path.join(config.outDir, 'guests/xv6-riscv');
  await makeStep('build: guests/xv6-riscv', ['-C', path.join(repoRoot, 'guests/xv6-riscv'), `OUT=${xv6Out}`], say);
  log('guests/linux init');
  const linuxInit = path.join(config.outDir, 'guests/linux/init');
  await fs.mkdir(path.dirname(linuxInit), { recursive: true });
  await $`riscv64-linux-gnu-gcc -static -Os -Wall -Wextra -o ${linuxInit} ${path.join(repoRoot, 'guests/linux/init.c')}`;
  const { l1: defaultL1 } = await buildL1(DEFAULT_L1_SOURCE);
  const l1Kernel = defaultL1.kernel;
  // One kernel serves as L1 and as the Linux guest, in each guest config (its console).
  const linuxKernels = Object.fromEntries(LINUX_CONFIGS.map((name) => [name, l1Kernel]));
  // Keep the other L1 kernels the matrix recorded, as long as they are still there.
  const previous = (JSON.parse(await fs.readFile(manifestPath, 'utf8').catch(() => '{}')) as Partial<Manifest>).l1Kernels ?? {};
  const kept = Object.entries(previous).filter(([, k]) => [k.kernel, ...(k.modules ?? [])].every((p) => existsSync(p)));
  const l1Kernels = { ...Object.fromEntries(kept), [DEFAULT_L1]: defaultL1 };
  const manifest: Manifest = { l1Kernel, l1Kernels, vmm: path.join(vmmOut, 'vmm'), asmGuests: asmOut, linuxInit, linuxKernels, xv6Shim: path.join(xv6Out, 'shim.bin') };
  await writeJson(manifestPath, manifest);
  log(`wrote ${manifestPath}`);
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((e: unknown) => {
    const err = e as { stderr?: string; shortMessage?: string; message?: string };
    console.error(`build failed: ${err.stderr?.trim() || err.shortMessage || err.message || String(e)}`);
    process.exit(1);
  });
}
