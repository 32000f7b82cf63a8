// The scratch project's node_modules, from a template in the cache. A fresh `npm install` of the
// tarball's dependencies plus vitest takes a minute or more on a 2-core machine with a cold npm
// cache; the same tree copied and the new tarball installed over it takes seconds. The template
// is what the tarball's own dependencies (package.json's, by their ranges) and the extra packages
// install to, keyed by them and Node's major version, so a change to any of them installs a new
// one, and the tree is what a user would get. ci/setup.sh makes it beside the kernel build
// (prepare-scratch.ts); the package test makes it if it is missing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Options } from 'execa';
import { config, repoRoot } from '../../harness/config.js';

type Npm = (cwd: string, args: string[], opts?: Options) => Promise<{ exitCode?: number; command: string; stdout?: unknown; stderr?: unknown }>;

/** What the scratch project installs beside bootcase: the peer it needs, and the type checker. */
export const SCRATCH_EXTRAS = ['vitest@4', 'typescript@5', '@types/node@20'];
export const SCRATCH_PACKAGE_JSON = JSON.stringify({ name: 'scratch', private: true, type: 'module' });

/**
 * The environment for a nested npm: without the npm_* variables of the `npm test` (or npm run)
 * around us, which would steer it (its prefix, its lifecycle, its config), but with the npm cache
 * it was told to use (npm_config_cache: a cold-start run points it at an empty one).
 */
export const npmFreeEnv = (): Record<string, string | undefined> => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_(?!config_cache$)/i.test(k)));

/** A command's exit, stdout and stderr, for an error message. */
export const show = (r: { command: string; exitCode?: number; stdout?: unknown; stderr?: unknown }) => `${r.command} (exit ${r.exitCode}):\n${String(r.stdout)}\n${String(r.stderr)}`;
const FLAGS = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

/** The template folder for this package.json and these extras, made if it is missing. */
export async function ensureTemplate(extra: string[], npm: Npm): Promise<string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  const key = createHash('sha256').update(JSON.stringify([pkg.dependencies, pkg.peerDependencies, extra, process.versions.node.split('.')[0]])).digest('hex').slice(0, 16);
  const template = join(config.cacheDir, 'scratch-npm', key);
  if (existsSync(join(template, 'node_modules'))) return template;
  const tmp = `${template}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(tmp, 'package.json'), SCRATCH_PACKAGE_JSON);
  // the tarball's own dependencies by their ranges (the peers come with the extras)
  const deps = Object.entries(pkg.dependencies ?? {}).map(([name, range]) => `${name}@${range}`);
  const r = await npm(tmp, [...FLAGS, ...deps, ...extra]);
  if (r.exitCode !== 0) throw new Error(show(r));
  try {
    renameSync(tmp, template);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another run made it meanwhile
  }
  return template;
}

/** `npm install` the tarball and `extra` into `dir` (which has its package.json). */
export async function installScratch(dir: string, tarball: string, extra: string[], npm: Npm): Promise<void> {
  const template = await ensureTemplate(extra, npm);
  const cp = await execa('cp', ['-a', join(template, 'node_modules'), join(template, 'package-lock.json'), dir], { reject: false });
  if (cp.exitCode !== 0) throw new Error(show(cp));
  // the template's package.json names the dependencies alone; the tarball brings bootcase itself
  const r = await npm(dir, [...FLAGS, tarball, ...extra]);
  if (r.exitCode !== 0) throw new Error(show(r));
}
