// What a dynamically linked riscv64 program needs to run in a bare initramfs: its interpreter
// (PT_INTERP) and the transitive DT_NEEDED libraries, found in an unpacked package tree the way
// ld.so would find them, symlinks included. Read from the ELF itself (no readelf needed).
import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface ElfDeps {
  interp?: string;
  needed: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;

/** PT_INTERP and DT_NEEDED of a little-endian ELF64 file. */
export function elfDeps(b: Buffer, name = 'ELF file'): ElfDeps {
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${name}: not an ELF file`);
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${name}: not a little-endian ELF64 file`);
  const phoff = Number(b.readBigUInt64LE(32));
  const phentsize = b.readUInt16LE(54);
  const phnum = b.readUInt16LE(56);
  const phs = Array.from({ length: phnum }, (_, i) => {
    const o = phoff + i * phentsize;
    return { type: b.readUInt32LE(o), offset: Number(b.readBigUInt64LE(o + 8)), vaddr: b.readBigUInt64LE(o + 16), filesz: b.readBigUInt64LE(o + 32) };
  });
  const cstr = (off: number) => {
    const end = b.indexOf(0, off);
    if (off >= b.length || end < 0) throw new Error(`${name}: string at ${off} runs past the end`);
    return b.toString('latin1', off, end);
  };
  const out: ElfDeps = { needed: [] };
  const interp = phs.find((p) => p.type === PT_INTERP);
  if (interp) out.interp = cstr(interp.offset);
  const dyn = phs.find((p) => p.type === PT_DYNAMIC);
  if (!dyn) return out;
  const entries: Array<[bigint, bigint]> = [];
  for (let o = dyn.offset; o + 16 <= dyn.offset + Number(dyn.filesz); o += 16) {
    const tag = b.readBigInt64LE(o);
    if (tag === DT_NULL) break;
    entries.push([tag, b.readBigUInt64LE(o + 8)]);
  }
  const strtab = entries.find(([t]) => t === DT_STRTAB)?.[1];
  if (strtab === undefined) throw new Error(`${name}: PT_DYNAMIC without DT_STRTAB`);
  // DT_STRTAB is an address: find the file offset through the PT_LOAD that maps it.
  const load = phs.find((p) => p.type === PT_LOAD && strtab >= p.vaddr && strtab < p.vaddr + p.filesz);
  if (!load) throw new Error(`${name}: DT_STRTAB 0x${strtab.toString(16)} is in no PT_LOAD`);
  const base = load.offset + Number(strtab - load.vaddr);
  for (const [t, v] of entries) if (t === DT_NEEDED) out.needed.push(cstr(base + Number(v)));
  return out;
}

/** A path inside a tree, resolved as if the tree were `/`: the symlinks on the way, and the file. */
export interface TreePath {
  /** Every symlink met, in-tree path (no leading /) -> its target as written. */
  links: Array<{ path: string; target: string }>;
  /** The in-tree path of the file it ends at. */
  file: string;
}

/**
 * Resolve `path` inside `root` like a chroot would: absolute link targets restart at the
 * tree's root, never the host's. Undefined when something on the way is missing.
 */
export function resolveInTree(root: string, path: string): TreePath | undefined {
  const links: TreePath['links'] = [];
  let todo = path.split('/').filter(Boolean);
  let at: string[] = [];
  for (let hops = 0; todo.length; ) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      at.pop();
      continue;
    }
    const rel = [...at, name].join('/');
    let st;
    try {
      st = lstatSync(join(root, rel));
    } catch {
      return undefined;
    }
    if (st.isSymbolicLink()) {
      if (++hops > 40) throw new Error(`${root}: too many symlinks resolving ${path}`);
      const target = readlinkSync(join(root, rel));
      links.push({ path: rel, target });
      todo = [...target.split('/').filter(Boolean), ...todo];
      if (target.startsWith('/')) at = [];
    } else {
      at.push(name);
      if (!st.isDirectory() && todo.length) return undefined;
    }
  }
  return at.length ? { links, file: at.join('/') } : undefined;
}

/** Where ld.so looks without an ld.so.cache, for a Debian riscv64 (multiarch) system. */
export const LIB_DIRS = ['/usr/lib/riscv64-linux-gnu', '/lib/riscv64-linux-gnu', '/usr/lib', '/lib'];

export interface Closure {
  /** In-tree paths to carry (program, interpreter, libraries, and the symlinks leading to them). */
  paths: string[];
  /** Sonames in search order of discovery, with the in-tree path each was found at. */
  libs: Map<string, string>;
  /** What was not found, and who needs it. */
  missing: Array<{ soname: string; neededBy: string }>;
}

/**
 * The run-time closure of `programs` (in-tree paths): interpreter and DT_NEEDED, transitively.
 * `deps` reads an in-tree file's ElfDeps; `find` maps a soname to an in-tree path or undefined.
 */
export function libraryClosure(programs: readonly string[], deps: (path: string) => ElfDeps, find: (soname: string) => string | undefined): Closure {
  const libs = new Map<string, string>();
  const missing: Closure['missing'] = [];
  const paths: string[] = [];
  const queue = [...programs];
  const seen = new Set<string>();
  while (queue.length) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    paths.push(p);
    const d = deps(p);
    if (d.interp && !seen.has(d.interp)) queue.push(d.interp);
    for (const soname of d.needed) {
      if (libs.has(soname)) continue;
      const at = find(soname);
      if (at === undefined) {
        if (!missing.some((m) => m.soname === soname)) missing.push({ soname, neededBy: p });
        continue;
      }
      libs.set(soname, at);
      queue.push(at);
    }
  }
  return { paths, libs, missing };
}

/** libraryClosure over an unpacked tree: every path resolved through its symlinks (chroot-style). */
export function treeClosure(root: string, programs: readonly string[], readFile: (path: string) => Buffer): Closure & { files: string[]; links: TreePath['links'] } {
  const resolved = new Map<string, TreePath>();
  const resolve = (p: string) => {
    let r = resolved.get(p);
    if (!r) {
      r = resolveInTree(root, p);
      if (!r) return undefined;
      resolved.set(p, r);
    }
    return r;
  };
  const absent: string[] = [];
  const deps = (p: string) => {
    const r = resolve(p);
    if (!r) {
      absent.push(p);
      return { needed: [] };
    }
    return elfDeps(readFile(join(root, r.file)), p);
  };
  const find = (soname: string) => LIB_DIRS.map((d) => posix.join(d, soname)).find((p) => resolve(p));
  const c = libraryClosure(programs, deps, find);
  c.missing.push(...absent.map((p) => ({ soname: p, neededBy: '(not in the tree)' })));
  const files = new Set<string>();
  const links = new Map<string, string>();
  for (const p of c.paths) {
    const r = resolve(p);
    if (!r) continue;
    files.add(r.file);
    for (const l of r.links) links.set(l.path, l.target);
  }
  return { ...c, files: [...files], links: [...links].map(([path, target]) => ({ path, target })) };
}
