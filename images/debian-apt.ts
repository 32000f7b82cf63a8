// A private apt for a Debian suite's riscv64 packages, under $BOOTCASE_CACHE: its own sources,
// lists, status and archive cache, so the host's /etc/apt and dpkg state are never touched.
// Shared by the distro-kernel L1 (debian-kernel.ts) and the peer QEMU (qemu-peer.ts).
//
// The mirror comes from the host's own apt sources at run time: nothing here names a host.
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../harness/config.js';
import { watchStep } from './progress.js';

/**
 * The archive URI to use, from the host's apt sources: the first `deb` entry whose suites are
 * not -security/-updates/-backports (those hold no full suite). deb822 (*.sources) and one-line
 * (sources.list) files are both read.
 */
export function debianMirror(files: ReadonlyArray<{ name: string; text: string }>): string | undefined {
  const isMain = (suites: string[]) => suites.some((s) => !/-(security|updates|backports)$|\/updates$/.test(s));
  for (const f of files) {
    if (f.name.endsWith('.sources')) {
      for (const stanza of f.text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:[ \\t]*(.*)$`, 'mi').exec(stanza)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
        if (/^Enabled:\s*no\s*$/im.test(stanza) || !field('Types').includes('deb')) continue;
        const uri = field('URIs')[0];
        if (uri && isMain(field('Suites'))) return uri;
      }
    } else {
      for (const line of f.text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (m && isMain([m[2]!])) return m[1];
      }
    }
  }
  return undefined;
}

export const run = async (cmd: string, args: string[], cwd?: string) => {
  const r = await execa(cmd, args, { cwd, reject: false, stdin: 'ignore' });
  // The private -o options are long and always the same: leave them out of the message.
  const shown = args.filter((a, i) => a !== '-o' && args[i - 1] !== '-o');
  if (r.failed) throw new Error(`${cmd} ${shown.join(' ')} failed: ${(r.stderr || r.stdout || r.shortMessage || '').trim().split('\n').slice(-8).join('\n')}`);
  return r.stdout;
};

function hostAptSources(): Array<{ name: string; text: string }> {
  const files: Array<{ name: string; text: string }> = [];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) {
    for (const n of readdirSync(dir).sort()) if (/\.(sources|list)$/.test(n)) files.push({ name: n, text: readFileSync(join(dir, n), 'utf8') });
  }
  if (existsSync('/etc/apt/sources.list')) files.push({ name: 'sources.list', text: readFileSync('/etc/apt/sources.list', 'utf8') });
  return files;
}

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** A private apt for `suite`/riscv64 under the cache: apt-get/apt-cache argv prefixes. */
function privateApt(suite: string): { dir: string; opts: string[] } {
  const dir = join(config.cacheDir, 'debian', `apt-${suite}-riscv64`);
  const mirror = debianMirror(hostAptSources());
  if (!mirror) throw new Error('no Debian archive URI in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list: cannot fetch Debian packages');
  if (!existsSync(KEYRING)) throw new Error(`${KEYRING} missing: install debian-archive-keyring`);
  for (const d of ['lists/partial', 'cache/archives/partial', 'etc']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'etc', `${suite}-riscv64.sources`), `Types: deb\nURIs: ${mirror}\nSuites: ${suite}\nComponents: main\nArchitectures: riscv64\nSigned-By: ${KEYRING}\n`);
  if (!existsSync(join(dir, 'status'))) writeFileSync(join(dir, 'status'), '');
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return {
    dir,
    opts: [
      ...o('Dir::Etc::SourceList', join(dir, 'etc', `${suite}-riscv64.sources`)),
      ...o('Dir::Etc::SourceParts', '/dev/null'),
      ...o('Dir::Etc::Preferences', '/dev/null'),
      ...o('Dir::Etc::PreferencesParts', '/dev/null'),
      ...o('Dir::State::Lists', join(dir, 'lists')),
      ...o('Dir::State::status', join(dir, 'status')),
      ...o('Dir::Cache', join(dir, 'cache')),
      ...o('APT::Architecture', 'riscv64'),
      ...o('APT::Architectures', 'riscv64'),
    ],
  };
}

const LISTS_MAX_AGE_MS = 12 * 3600_000;
const UPDATED = '.bootcase-updated';

export interface DebianApt {
  suite: string;
  /** Private state directory. */
  dir: string;
  /** apt-get / apt-cache argv prefix that points every apt path at `dir`. */
  opts: string[];
}

/** The private apt of `suite`, its package lists refreshed when older than 12 hours. */
export async function debianApt(suite: string, log: (m: string) => void = () => {}): Promise<DebianApt> {
  const apt = { suite, ...privateApt(suite) };
  const stamp = join(apt.dir, 'lists', UPDATED);
  if (!existsSync(stamp) || Date.now() - statSync(stamp).mtimeMs > LISTS_MAX_AGE_MS) {
    log(`debian ${suite}: apt-get update (private lists under ${apt.dir})`);
    // --error-on=any: a failed fetch is an error (apt's default is a warning and exit 0).
    await run('apt-get', [...apt.opts, '-q', 'update', '--error-on=any']);
    writeFileSync(stamp, new Date().toISOString());
  }
  return apt;
}

/** A package at a version, as `apt-cache show` gives it. */
export interface DebPackage {
  pkg: string;
  version: string;
  /** riscv64 or all */
  arch: string;
}

/** Parse `apt-cache show` stanzas into packages (the first stanza of each name wins). */
export function parseShow(text: string): DebPackage[] {
  const out = new Map<string, DebPackage>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (k: string) => new RegExp(`^${k}:[ \\t]*(\\S+)`, 'm').exec(stanza)?.[1];
    const pkg = field('Package');
    const version = field('Version');
    const arch = field('Architecture');
    if (pkg && version && arch && !out.has(pkg)) out.set(pkg, { pkg, version, arch });
  }
  return [...out.values()];
}

/** Current versions of these packages (no virtual packages). */
export async function showPackages(apt: DebianApt, pkgs: readonly string[]): Promise<DebPackage[]> {
  const found = parseShow(await run('apt-cache', [...apt.opts, 'show', '--no-all-versions', ...pkgs]));
  const missing = pkgs.filter((p) => !found.some((f) => f.pkg === p));
  if (missing.length) throw new Error(`debian ${apt.suite}: no package ${missing.join(', ')}`);
  return found;
}

/** `pkg` and everything it Depends or Pre-Depends on, recursively (virtual packages skipped: their providers are listed). */
export async function dependencyClosure(apt: DebianApt, pkg: string): Promise<DebPackage[]> {
  const out = await run('apt-cache', [...apt.opts, 'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', pkg]);
  const names = [...new Set(out.split('\n').filter((l) => l && !/^\s/.test(l) && !l.startsWith('<')).map((l) => l.trim()))].sort();
  return showPackages(apt, names);
}

/** The shared .deb cache. */
export const debsDir = () => join(config.cacheDir, 'debian', 'debs');

/** The file name `apt-get download` gives a package. */
export const debFileName = (p: DebPackage) => `${p.pkg}_${p.version.replace(/:/g, '%3a')}_${p.arch}.deb`;

/** Download what is not in the .deb cache yet; returns every package's .deb path, in order. */
export async function downloadDebs(apt: DebianApt, pkgs: readonly DebPackage[], log: (m: string) => void = () => {}): Promise<string[]> {
  const dir = debsDir();
  mkdirSync(dir, { recursive: true });
  const missing = pkgs.filter((p) => !existsSync(join(dir, debFileName(p))));
  if (missing.length) {
    const t = Date.now();
    // apt-get download is silent: count the packages that have arrived and the bytes written since it started.
    const progress = watchStep(`debian ${apt.suite}: apt-get download`, () => {
      const fresh = readdirSync(dir).map((n) => statSync(join(dir, n), { throwIfNoEntry: false })).filter((st) => st?.isFile() && st.mtimeMs >= t);
      const mb = fresh.reduce((sum, st) => sum + st!.size, 0) / 2 ** 20;
      return { done: missing.filter((p) => existsSync(join(dir, debFileName(p)))).length, expected: missing.length, unit: 'packages', on: `${mb.toFixed(1)} MB so far` };
    }, log);
    try {
      await run('apt-get', [...apt.opts, '-q', 'download', ...missing.map((p) => `${p.pkg}=${p.version}`)], dir);
    } finally {
      progress.stop();
    }
    const still = missing.filter((p) => !existsSync(join(dir, debFileName(p))));
    if (still.length) throw new Error(`apt-get download left no ${still.map(debFileName).join(', ')} in ${dir}`);
    log(`debian ${apt.suite}: downloaded ${missing.length} package(s) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return pkgs.map((p) => join(dir, debFileName(p)));
}
