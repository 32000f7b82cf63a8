import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseShow } from './debian-apt.js';
import { peerKey } from './qemu-peer.js';
import { elfDeps, libraryClosure, resolveInTree, treeClosure, type ElfDeps } from './shared-libs.js';

/** A minimal ELF64 LE: one PT_LOAD at 0x10000 mapping the whole file, PT_INTERP and PT_DYNAMIC. */
function fakeElf(deps: ElfDeps): Buffer {
  const strs = ['', ...deps.needed].map((s) => Buffer.from(`${s}\0`));
  const strtab = Buffer.concat(strs);
  const offs = strs.map((_, i) => strs.slice(0, i).reduce((n, b) => n + b.length, 0));
  const interp = Buffer.from(`${deps.interp ?? ''}\0`);
  const phnum = deps.interp ? 3 : 2;
  const phoff = 64;
  const interpOff = phoff + 56 * phnum;
  const strOff = interpOff + interp.length;
  const dynOff = (strOff + strtab.length + 7) & ~7;
  const dyn = [...deps.needed.map((_, i) => [1n, BigInt(offs[i + 1]!)] as const), [5n, 0x10000n + BigInt(strOff)] as const, [0n, 0n] as const];
  const b = Buffer.alloc(dynOff + 16 * dyn.length);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeUInt16LE(3, 16); // ET_DYN
  b.writeUInt16LE(243, 18);
  b.writeBigUInt64LE(BigInt(phoff), 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(phnum, 56);
  const ph = (i: number, type: number, off: number, vaddr: number, size: number) => {
    const o = phoff + 56 * i;
    b.writeUInt32LE(type, o);
    b.writeBigUInt64LE(BigInt(off), o + 8);
    b.writeBigUInt64LE(BigInt(vaddr), o + 16);
    b.writeBigUInt64LE(BigInt(size), o + 32);
  };
  ph(0, 1, 0, 0x10000, b.length);
  ph(1, 2, dynOff, 0x10000 + dynOff, 16 * dyn.length);
  if (deps.interp) ph(2, 3, interpOff, 0x10000 + interpOff, interp.length);
  interp.copy(b, interpOff);
  strtab.copy(b, strOff);
  dyn.forEach(([t, v], i) => {
    b.writeBigInt64LE(t, dynOff + 16 * i);
    b.writeBigUInt64LE(v, dynOff + 16 * i + 8);
  });
  return b;
}

describe('ELF dependencies', () => {
  test('PT_INTERP and DT_NEEDED come out of the dynamic section through DT_STRTAB', () => {
    const deps = { interp: '/lib/ld-linux-riscv64-lp64d.so.1', needed: ['libz.so.1', 'libc.so.6'] };
    expect(elfDeps(fakeElf(deps))).toEqual(deps);
    expect(elfDeps(fakeElf({ needed: [] }))).toEqual({ needed: [] });
    expect(() => elfDeps(Buffer.from('#!/bin/sh\n'.padEnd(80)), 'script')).toThrow('script: not an ELF file');
  });

  const crossLibc = '/usr/riscv64-linux-gnu/lib/libc.so.6';
  test.skipIf(!existsSync(crossLibc))('a real riscv64 libc needs its ld.so', () => {
    expect(elfDeps(readFileSync(crossLibc)).needed).toContain('ld-linux-riscv64-lp64d.so.1');
  });

  test('the closure follows interpreters and libraries transitively, each once, and names what is missing', () => {
    const deps: Record<string, ElfDeps> = {
      '/usr/bin/q': { interp: '/lib/ld.so', needed: ['libglib.so', 'libc.so'] },
      '/lib/ld.so': { needed: [] },
      '/usr/lib/libglib.so': { needed: ['libz.so', 'libc.so', 'libgone.so'] },
      '/usr/lib/libz.so': { needed: ['libc.so'] },
      '/usr/lib/libc.so': { needed: ['ld.so'] },
    };
    const find = (s: string) => (s === 'libgone.so' ? undefined : s === 'ld.so' ? '/lib/ld.so' : `/usr/lib/${s}`);
    const c = libraryClosure(['/usr/bin/q'], (p) => deps[p]!, find);
    expect(c.paths).toEqual(['/usr/bin/q', '/lib/ld.so', '/usr/lib/libglib.so', '/usr/lib/libc.so', '/usr/lib/libz.so']);
    expect([...c.libs.keys()]).toEqual(['libglib.so', 'libc.so', 'libz.so', 'ld.so']);
    expect(c.missing).toEqual([{ soname: 'libgone.so', neededBy: '/usr/lib/libglib.so' }]);
  });
});

describe('an unpacked package tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'shared-libs-'));
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'usr/lib/riscv64-linux-gnu'), { recursive: true });
  const put = (p: string, b: Buffer) => writeFileSync(join(root, p), b);
  put('usr/bin/q', fakeElf({ interp: '/lib/ld-linux-riscv64-lp64d.so.1', needed: ['libz.so.1', 'libc.so.6'] }));
  put('usr/lib/riscv64-linux-gnu/libz.so.1.3', fakeElf({ needed: ['libc.so.6'] }));
  put('usr/lib/riscv64-linux-gnu/libc.so.6', fakeElf({ needed: ['ld-linux-riscv64-lp64d.so.1'] }));
  put('usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1', fakeElf({ needed: [] }));
  symlinkSync('libz.so.1.3', join(root, 'usr/lib/riscv64-linux-gnu/libz.so.1'));
  symlinkSync('riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1', join(root, 'usr/lib/ld-linux-riscv64-lp64d.so.1'));
  symlinkSync('/usr/lib', join(root, 'lib')); // absolute: must resolve inside the tree, not on the host

  test('paths resolve chroot-style through absolute and relative symlinks', () => {
    expect(resolveInTree(root, '/lib/ld-linux-riscv64-lp64d.so.1')).toEqual({
      links: [
        { path: 'lib', target: '/usr/lib' },
        { path: 'usr/lib/ld-linux-riscv64-lp64d.so.1', target: 'riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1' },
      ],
      file: 'usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1',
    });
    expect(resolveInTree(root, '/lib/nope.so')).toBeUndefined();
    expect(resolveInTree(root, '/usr/bin/q/x')).toBeUndefined();
  });

  test('the closure lists the files to copy and the symlinks leading to them', () => {
    const c = treeClosure(root, ['/usr/bin/q'], (p) => readFileSync(p));
    expect(c.missing).toEqual([]);
    expect(c.files.sort()).toEqual(['usr/bin/q', 'usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1', 'usr/lib/riscv64-linux-gnu/libc.so.6', 'usr/lib/riscv64-linux-gnu/libz.so.1.3']);
    expect(c.links).toEqual(
      expect.arrayContaining([
        { path: 'lib', target: '/usr/lib' },
        { path: 'usr/lib/riscv64-linux-gnu/libz.so.1', target: 'libz.so.1.3' },
        { path: 'usr/lib/ld-linux-riscv64-lp64d.so.1', target: 'riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1' },
      ]),
    );
    expect(treeClosure(root, ['/usr/bin/none'], (p) => readFileSync(p)).missing).toEqual([{ soname: '/usr/bin/none', neededBy: '(not in the tree)' }]);
  });
});

describe('Debian package sets', () => {
  test('apt-cache show stanzas give name, version and architecture, first stanza wins', () => {
    const show = 'Package: zlib1g\nVersion: 1:1.3.dfsg+really1.3.1-1+b1\nArchitecture: riscv64\nDepends: libc6\n\nPackage: qemu-system-data\nVersion: 1:10.0.13+ds-0+deb13u1\nArchitecture: all\n\nPackage: zlib1g\nVersion: 0\nArchitecture: riscv64\n';
    expect(parseShow(show)).toEqual([
      { pkg: 'zlib1g', version: '1:1.3.dfsg+really1.3.1-1+b1', arch: 'riscv64' },
      { pkg: 'qemu-system-data', version: '1:10.0.13+ds-0+deb13u1', arch: 'all' },
    ]);
  });

  test('the peer cache key changes with any version and not with order', () => {
    const a = [{ pkg: 'a', version: '1', arch: 'riscv64' }, { pkg: 'b', version: '2', arch: 'all' }];
    expect(peerKey(a)).toBe(peerKey([...a].reverse()));
    expect(peerKey(a)).not.toBe(peerKey([a[0]!, { ...a[1]!, version: '3' }]));
  });
});
