// The scratch project's node_modules, from a template in the cache. A fresh `npm install` of the
// tarball's ~180 dependencies plus vitest takes minutes on a loaded 2-core machine; the same tree
// copied and the new tarball installed over it takes seconds. The template is keyed by what
// decides that tree (the package's dependencies, the extra packages, Node's major version), so a
// change to any of them installs a new one from scratch, and the tree is what a user would get.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { config, repoRoot } from '../../harness/config.js';

type Npm = (cwd: string, args: string[], opts?: Options) => Promise<{ exitCode?: number; command: string; stdout?: unknown; stderr?: unknown }>;

const show = (r: { command: string; exitCode?: number; stdout?: unknown; stderr?: unknown }) => `${r.command} (exit ${r.exitCode}):\n${String(r.stdout)}\n${String(r.stderr)}`;

/** `npm install` the tarball and `extra` into `dir` (which has its package.json). */
export async function installScratch(dir: string, tarball: string, extra: string[], npm: Npm): Promise<void> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, unknown>;
  const key = createHash('sha256').update(JSON.stringify([pkg.dependencies, pkg.peerDependencies, extra, process.versions.node.split('.')[0]])).digest('hex').slice(0, 16);
  const template = join(config.cacheDir, 'scratch-npm', key);
  const flags = ['install', '--prefer-offline', '--no-audit', '--no-fund'];
  if (!existsSync(join(template, 'node_modules'))) {
    const tmp = `${template}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'package.json'), readFileSync(join(dir, 'package.json')));
    const r = await npm(tmp, [...flags, tarball, ...extra]);
    if (r.exitCode !== 0) throw new Error(show(r));
    try {
      renameSync(tmp, template);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another run made it meanwhile
    }
  }
  const cp = await execa('cp', ['-a', join(template, 'node_modules'), join(template, 'package-lock.json'), dir], { reject: false });
  if (cp.exitCode !== 0) throw new Error(show(cp));
  // the template's package.json names its own tarball; ours is the new one
  const r = await npm(dir, [...flags, tarball, ...extra]);
  if (r.exitCode !== 0) throw new Error(show(r));
}
