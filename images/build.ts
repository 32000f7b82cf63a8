// Build everything a run needs and record it in out/manifest.json:
//   the VMM (static riscv64), the asm milestone guests, and the L1 KVM-host kernel.
// Kernels are cached under $BOOTCASE_CACHE keyed by a hash of their inputs, so a warm build
// is a few make no-ops. Usage: tsx images/build.ts [--quiet]
import { $, fs, path } from 'zx';
import { createHash } from 'node:crypto';
import { config, manifestPath, repoRoot, type Manifest } from '../harness/config.js';

$.verbose = false;
const quiet = process.argv.includes('--quiet');
const log = (msg: string) => quiet || console.error(`build: ${msg}`);

async function requireTool(bin: string, pkg: string): Promise<void> {
  if ((await $`command -v ${bin}`.nothrow()).exitCode !== 0) {
    throw new Error(`${bin} is not installed (Debian package ${pkg}); run: bash ci/setup.sh`);
  }
}

async function kernelKey(fragment: string, version: string): Promise<string> {
  const h = createHash('sha256');
  h.update(await fs.readFile(fragment));
  h.update(await fs.readFile(path.join(repoRoot, 'images/kernels/build-kernel.sh')));
  h.update((await $`dpkg-query -W -f=${'${Version}'} linux-source-${version}`).stdout);
  h.update((await $`riscv64-linux-gnu-gcc --version`).stdout);
  return h.digest('hex').slice(0, 16);
}

/** Build (or reuse) the kernel for one fragment; returns the Image path. */
export async function buildKernel(fragment: string, version = '6.12'): Promise<string> {
  const name = path.basename(fragment, '.config');
  const out = path.join(config.cacheDir, 'kernels', `${name}-${version}-${await kernelKey(fragment, version)}`);
  const image = path.join(out, 'Image');
  if (await fs.pathExists(image)) return image;
  log(`kernel ${name} (${version}): building, about 90 s cold, seconds with a warm ccache`);
  const t = Date.now();
  await $`bash ${path.join(repoRoot, 'images/kernels/build-kernel.sh')} ${fragment} ${out}.tmp ${version}`.pipe(process.stderr);
  await fs.move(`${out}.tmp`, out, { overwrite: true });
  log(`kernel ${name}: built in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return image;
}

export async function build(): Promise<Manifest> {
  await requireTool('riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu');
  await requireTool('make', 'make');
  const jobs = String((await import('node:os')).availableParallelism());
  log('vmm');
  await $`make -s -j${jobs} -C ${path.join(repoRoot, 'vmm')}`;
  const asmOut = path.join(config.outDir, 'guests/asm');
  log('guests/asm');
  await $`make -s -j${jobs} -C ${path.join(repoRoot, 'guests/asm')} OUT=${asmOut}`;
  const l1Kernel = await buildKernel(path.join(repoRoot, 'images/kernels/l1-kvm-host.config'));
  const manifest: Manifest = { l1Kernel, vmm: path.join(repoRoot, 'vmm/build/vmm'), asmGuests: asmOut };
  await fs.outputJson(manifestPath, manifest, { spaces: 2 });
  log(`wrote ${manifestPath}`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((e: unknown) => {
    const err = e as { stderr?: string; message?: string };
    console.error(`build failed: ${err.stderr?.trim() || err.message || String(e)}`);
    process.exit(1);
  });
}
