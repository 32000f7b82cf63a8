// The stage's initramfs: the VMM as /init, the L1 kernel modules the agent loads, and any extra
// files a stage asks for (a peer VMM to compare with, its libraries). Cached by content.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { config } from '../config.js';
import { markUsed, pastKeep } from '../lru.js';
import { cpioNewc, type CpioEntry } from './cpio.js';

/** One extra file in L1, at an absolute `path`: host file, bytes, symlink or (empty) directory. */
export type StageFile =
  | { path: string; hostPath: string; mode?: number }
  | { path: string; data: Uint8Array; mode?: number }
  | { path: string; symlink: string }
  | { path: string; dir: true; mode?: number };

/** Paths the stage owns: the agent, its modules, and what it mounts over at boot. */
const RESERVED = ['init', 'modules', 'dev', 'proc', 'sys', 'tmp'];

/** A host directory tree as StageFiles under `at` (symlinks kept as symlinks, modes kept). */
export function treeFiles(root: string, at = '/'): StageFile[] {
  const out: StageFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const host = join(dir, name);
      const path = posix.join(at, rel, name);
      const st = lstatSync(host);
      if (st.isSymbolicLink()) out.push({ path, symlink: readlinkSync(host) });
      else if (st.isDirectory()) {
        out.push({ path, dir: true, mode: st.mode & 0o7777 });
        walk(host, posix.join(rel, name));
      } else if (st.isFile()) out.push({ path, hostPath: host, mode: st.mode & 0o7777 });
      else throw new Error(`${host}: only files, directories and symlinks can go into a stage`);
    }
  };
  walk(root, '');
  return out;
}

/**
 * The cpio entries for extra files, parents first, with missing parent directories added.
 * Throws on a relative or `..` path, a path the stage owns, or one path given twice.
 */
export function stageFileEntries(files: readonly StageFile[], read: (hostPath: string) => Uint8Array = readFileSync): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  const add = (e: CpioEntry) => {
    const had = byPath.get(e.path);
    if (had && !(had.type === 'dir' && e.type === 'dir')) throw new Error(`stage file /${e.path} given twice`);
    byPath.set(e.path, e);
  };
  for (const f of files) {
    if (!f.path.startsWith('/')) throw new Error(`stage file path must be absolute: ${f.path}`);
    const path = posix.normalize(f.path).replace(/^\/+|\/+$/g, '');
    if (!path || f.path.split('/').includes('..')) throw new Error(`bad stage file path: ${f.path}`);
    const top = path.split('/')[0]!;
    if (RESERVED.includes(top)) throw new Error(`stage file ${f.path}: /${top} belongs to the stage`);
    for (let p = posix.dirname(path); p !== '.'; p = posix.dirname(p)) if (!byPath.has(p)) byPath.set(p, { path: p, type: 'dir' });
    if ('symlink' in f) add({ path, type: 'symlink', target: f.symlink });
    else if ('dir' in f) add({ path, type: 'dir', mode: f.mode });
    else add({ path, type: 'file', data: 'data' in f ? f.data : read(f.hostPath), mode: f.mode });
  }
  // A parent is a strict prefix of its children, so sorting puts it first.
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A content key for cpio entries: paths, types, modes, bytes and link targets. */
export function entriesKey(entries: readonly CpioEntry[], h = createHash('sha256')): typeof h {
  for (const e of entries) {
    h.update(`${e.type}\0${e.path}\0${'mode' in e ? (e.mode ?? '') : ''}\0`);
    if (e.type === 'file') h.update(`${e.data.length}\0`).update(e.data);
    else if (e.type === 'symlink') h.update(e.target);
    else if (e.type === 'char') h.update(`${e.major}:${e.minor}`);
    h.update('\0');
  }
  return h;
}

export interface StageInitramfsOptions {
  /** Kernel modules (host .ko paths), loaded in this order: /modules/NN-<name>.ko. */
  modules?: readonly string[];
  /** Extra files (StageOptions.files). */
  files?: readonly StageFile[];
  /** Where archives are cached. */
  dir?: string;
}

/** The stage's /init (the VMM as agent), /modules/NN-<name>.ko in load order, and extra files. */
export function stageInitramfs(vmm: string, opts: StageInitramfsOptions = {}): string {
  const dir = opts.dir ?? join(config.cacheDir, 'stage');
  const modules = opts.modules ?? [];
  const entries: CpioEntry[] = [
    { path: 'dev', type: 'dir' },
    { path: 'dev/console', type: 'char', major: 5, minor: 1 },
    { path: 'proc', type: 'dir' },
    { path: 'sys', type: 'dir' },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'init', type: 'file', data: readFileSync(vmm), mode: 0o755 },
    ...(modules.length ? [{ path: 'modules', type: 'dir' as const }] : []),
    ...modules.map((p, i) => ({ path: `modules/${String(i).padStart(2, '0')}-${basename(p)}`, type: 'file' as const, data: readFileSync(p) })),
    ...stageFileEntries(opts.files ?? []),
  ];
  const path = join(dir, `initramfs-${entriesKey(entries).digest('hex').slice(0, 16)}.cpio`);
  // its mtime is its last use, which pruneArchives goes by
  if (existsSync(path)) markUsed(path);
  else {
    mkdirSync(dir, { recursive: true });
    // Uncompressed on purpose: gunzip inside TCG costs more than reading the extra bytes.
    const tmp = `${path}.tmp${process.pid}`;
    writeFileSync(tmp, cpioNewc(entries));
    renameSync(tmp, path);
    pruneArchives(dir);
  }
  return path;
}

/** Archives kept whatever their age, and the idle time after which others go. */
const KEEP_ARCHIVES = 16;
const IDLE_MS = 3600_000;

/**
 * Every VMM build makes a new archive (the bench's peer ones are ~50 MB), so a new one drops
 * those past the KEEP_ARCHIVES most recently used that no stage has used for an hour: one a
 * stage still wants is simply written again.
 */
function pruneArchives(dir: string): void {
  const archives = readdirSync(dir)
    .filter((f) => /^initramfs-[0-9a-f]+\.cpio$/.test(f))
    .map((f) => ({ f: join(dir, f), t: statSync(join(dir, f), { throwIfNoEntry: false })?.mtimeMs ?? Infinity }));
  for (const { f } of pastKeep(archives, KEEP_ARCHIVES, IDLE_MS)) rmSync(f, { force: true });
}
