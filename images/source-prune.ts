// build-kernel.sh extracts Debian's linux-source tarball once per patch set: a patched tree is
// named by its patches' hash, and each is 1.5-1.7 GiB. A changed patch (the SBI patch's next
// revision) leaves the last tree behind, so the cache grew by a tree per revision: 9.5 GiB here
// after a few. After a kernel build, pruneSources removes the trees no build folder uses.
//
// "Uses" is read from the build folders themselves: Kbuild's O= folder has a `source` link to
// the tree it was configured from. A tree is kept while any build folder links to it, and for an
// hour after its extraction whatever the links say (a build that has just extracted it links to
// it only once its make starts). Half-written kernel outputs (kernels/*.tmp) of a killed build go
// after an hour too. While any kernel build holds its lock (another checkout's, say, about to
// use an older tree), nothing is removed: the next build prunes instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const GRACE_MS = 60 * 60 * 1000;

/** Modified more than the grace period ago (a missing path is not). */
function old(path: string, now: number): boolean {
  try {
    return now - statSync(path).mtimeMs > GRACE_MS;
  } catch {
    return false;
  }
}

/** The source trees the build folders under kbuild/ link to. */
function linkedTrees(cacheDir: string): Set<string> {
  const kbuild = join(cacheDir, 'kbuild');
  const linked = new Set<string>();
  for (const name of existsSync(kbuild) ? readdirSync(kbuild) : []) {
    try {
      linked.add(resolve(kbuild, name, readlinkSync(join(kbuild, name, 'source'))));
    } catch {
      /* not a build folder, or not configured yet */
    }
  }
  return linked;
}

/** A build-kernel.sh run holds its kbuild/<name>.lock (flock) from start to end. */
function buildRunning(cacheDir: string): boolean {
  const kbuild = join(cacheDir, 'kbuild');
  return (existsSync(kbuild) ? readdirSync(kbuild) : [])
    .filter((n) => n.endsWith('.lock'))
    .some((n) => spawnSync('flock', ['-n', join(kbuild, n), 'true']).status !== 0);
}

/** Remove unused source trees and stale kernel outputs; returns what it removed. */
export function pruneSources(cacheDir: string, now = Date.now()): string[] {
  const removed: string[] = [];
  if (buildRunning(cacheDir)) return removed;
  const remove = (path: string) => {
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  };
  const src = join(cacheDir, 'src');
  const linked = linkedTrees(cacheDir);
  for (const e of existsSync(src) ? readdirSync(src, { withFileTypes: true }) : []) {
    if (!e.isDirectory()) continue;
    const tree = join(src, e.name);
    // .extracted is written when the tree is complete; a tree without it is a dead extraction
    const stamp = existsSync(join(tree, '.extracted')) ? join(tree, '.extracted') : tree;
    if (linked.has(tree) || !old(stamp, now)) continue;
    remove(tree);
    rmSync(`${tree}.lock`, { force: true });
  }
  const kernels = join(cacheDir, 'kernels');
  for (const name of existsSync(kernels) ? readdirSync(kernels) : []) {
    if (name.endsWith('.tmp') && old(join(kernels, name), now)) remove(join(kernels, name));
  }
  return removed;
}
