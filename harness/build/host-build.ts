// make with the host's cross toolchain: the fallback, and the reference the container must match.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ToolMissingError } from '../errors.js';
import { GuestBuildError } from './errors.js';
import type { MakeJob } from './make-job.js';

/**
 * The Debian packages whose versions decide the output bytes, queried the same way
 * containers/build-image.sh labels its image (org.bootcase.toolchain): equal strings, same compiler.
 */
const TOOLCHAIN_PACKAGES = ['binutils-riscv64-linux-gnu', 'gcc-[0-9]*-riscv64-linux-gnu', 'libgcc-[0-9]*-dev-riscv64-cross', 'libc6-dev-riscv64-cross', 'make'];

/** "pkg=version ..." from dpkg, or the compiler's banner where there is no dpkg. */
export async function hostToolchain(cross: string): Promise<string> {
  const q = await execa('dpkg-query', ['-W', '-f=${db:Status-Abbrev}${Package}=${Version}\n', ...TOOLCHAIN_PACKAGES], { reject: false });
  const installed = (q.stdout ?? '').split('\n').filter((l) => l.startsWith('ii ')).map((l) => l.slice(3).trim()).sort();
  if (installed.length) return installed.join(' ');
  const gcc = await execa(`${cross}gcc`, ['--version'], { reject: false });
  return gcc.stdout?.split('\n')[0] ?? `${cross}gcc (version unknown)`;
}

/** Throws ToolMissingError naming the Debian package and ci/setup.sh; `why` says why not the container. */
export async function requireHostToolchain(cross: string, why?: string): Promise<void> {
  const tools: [string, string][] = [[`${cross}gcc`, 'gcc-riscv64-linux-gnu'], ['make', 'make']];
  for (const [bin, pkg] of tools) {
    const r = await execa(bin, ['--version'], { reject: false });
    if (r.failed && (r.code === 'ENOENT' || r.exitCode === undefined)) {
      throw new ToolMissingError(`${bin} is not installed (Debian package ${pkg}): run \`bash ci/setup.sh\`${why ? ` (the toolchain container was not used: ${why})` : ''}`);
    }
  }
}

export async function makeOnHost(job: MakeJob): Promise<void> {
  await mkdir(job.out, { recursive: true });
  const args = ['-C', job.dir, `-j${job.jobs}`, `OUT=${job.out}`, `CROSS=${job.cross}`, ...job.targets.map((t) => join(job.out, t))];
  const r = await execa('make', args, { all: true, reject: false, stdin: 'ignore', timeout: job.timeoutMs });
  if (r.timedOut) throw new GuestBuildError(`make in ${job.dir} did not finish within ${job.timeoutMs} ms (host toolchain)`, r.all ?? '');
  if (r.failed) throw new GuestBuildError(`make in ${job.dir} failed with the host toolchain (exit ${r.exitCode})`, r.all ?? '');
}
