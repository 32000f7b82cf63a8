// The installed package builds its riscv64 parts on first use: the VMM, the milestone guests, the
// xv6 shim, the Linux /init and the kernels, from the C sources and scripts it ships, into the
// cache. The folder is named by a hash of those sources, so an upgrade builds afresh and two
// projects on the same version share one build; the kernels are keyed by their own inputs
// (images/build.ts), so a user's project boots the same L1 and guest kernels as this repo.
// Kept free of config.ts (which imports it) so the key is known before config is.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BuildMissingError } from './errors.js';
import { markUsed, pastKeep } from './lru.js';

/** What the small builds read (the kernels hash their own inputs). */
const INPUTS = ['vmm', 'guests/asm', 'guests/xv6-riscv', 'guests/linux/init.c', 'images/kernels', 'containers'];
const SKIP = new Set(['build', 'node_modules']);

/** Every file under `rel` (or `rel` itself), repo-relative, leaving out build trees and TypeScript. */
function inputFiles(root: string, rel: string): string[] {
  const st = statSync(join(root, rel), { throwIfNoEntry: false });
  if (!st) return [];
  if (!st.isDirectory()) return [rel];
  return readdirSync(join(root, rel), { withFileTypes: true })
    .filter((e) => !(e.isDirectory() ? SKIP.has(e.name) : e.name.endsWith('.ts')))
    .flatMap((e) => inputFiles(root, join(rel, e.name)));
}

/** "0.1.0-<16 hex>": the package version and a hash of every build input it ships. */
export function buildInputsKey(root: string): string {
  const h = createHash('sha256');
  for (const rel of INPUTS.flatMap((r) => inputFiles(root, r)).sort()) {
    h.update(`${rel}\0`).update(readFileSync(join(root, rel))).update('\0');
  }
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version ?? '0';
  return `${version}-${h.digest('hex').slice(0, 16)}`;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Build what the manifest lists unless it is there: `node <buildScript>` with its progress on
 * our stderr. Several processes at once (vitest workers) take a lock; the others wait for it.
 */
export async function ensureBuilt(buildScript: string, manifestPath: string): Promise<void> {
  const lock = `${dirname(manifestPath)}.lock`;
  // a build folder's mtime is its last use, which prunePackageBuilds goes by
  if (existsSync(manifestPath)) markUsed(dirname(manifestPath));
  let said = false;
  while (!existsSync(manifestPath)) {
    mkdirSync(dirname(lock), { recursive: true });
    try {
      mkdirSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readFileSync(join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (owner && !alive(owner)) rmSync(lock, { recursive: true, force: true });
      else {
        if (!said) process.stderr.write(`bootcase: waiting for the build in process ${owner || '?'} (${lock})\n`);
        said = true;
        await new Promise((r) => setTimeout(r, 1000));
      }
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (!existsSync(manifestPath)) {
        await runBuild(buildScript, manifestPath, join(lock, 'pid'));
        try {
          prunePackageBuilds(dirname(dirname(manifestPath)), basename(dirname(manifestPath)));
        } catch {
          /* tidying only: another process may be pruning the same folder */
        }
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

async function runBuild(buildScript: string, manifestPath: string, pidFile: string): Promise<void> {
  process.stderr.write(`bootcase: first use: building the VMM, the guests and the kernels into ${dirname(manifestPath)} (kernels take minutes on a cold cache)\n`);
  const child = spawn(process.execPath, [buildScript], { stdio: ['ignore', 2, 2] });
  // the lock names the build itself: if we are killed and it runs on, the others still wait for it
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  // Stopping us stops the build: a half-built kernel is never moved into place (build.ts).
  const stop = () => child.kill('SIGTERM');
  process.once('exit', stop);
  const status = await new Promise<number | string>((resolve) => {
    child.once('error', (e) => resolve(e.message));
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 1));
  }).finally(() => process.off('exit', stop));
  if (status !== 0 || !existsSync(manifestPath)) {
    throw new BuildMissingError(`building bootcase's VMM, guests and kernels failed (${status}); the reason is above. \`npx bootcase doctor\` lists what is missing and how to install it`);
  }
}

/** Build folders kept whatever their age, and the idle time after which the others go. */
const KEEP_BUILDS = 4;
const IDLE_MS = 24 * 3600_000;
const KEY = /^\d+\.\d+\.\d+\S*-[0-9a-f]{16}$/;

/**
 * Every version and every change of the shipped C sources builds a new folder beside the old
 * ones (~7 MB each; 18 here after a round of work on the package). After a build: drop those
 * past the KEEP_BUILDS most recently used that nothing has used for a day, unless a build of
 * theirs is under way (its lock). A project still on an old version just builds it again.
 */
export function prunePackageBuilds(pkgDir: string, current: string, now = Date.now()): string[] {
  const removed: string[] = [];
  const builds = readdirSync(pkgDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && KEY.test(e.name) && e.name !== current && !existsSync(join(pkgDir, `${e.name}.lock`)))
    .map((e) => ({ dir: join(pkgDir, e.name), t: statSync(join(pkgDir, e.name)).mtimeMs }));
  // the current one is the fourth
  for (const { dir } of pastKeep(builds, KEEP_BUILDS - 1, IDLE_MS, now)) {
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
