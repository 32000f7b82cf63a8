import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { stageFileEntries, stageInitramfs, treeFiles } from './initramfs.js';

const listing = (cpio: string) => execFileSync('cpio', ['-itv', '--quiet', '-F', cpio]).toString().trim().split('\n');
const names = (cpio: string) => execFileSync('cpio', ['-it', '--quiet', '-F', cpio]).toString().trim().split('\n');

describe('stage initramfs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-initramfs-'));
  const file = (name: string, body: string) => {
    writeFileSync(join(dir, name), body);
    return join(dir, name);
  };
  const vmm = file('vmm', `fake vmm ${dir}`);

  test('carries the L1 modules as /modules/NN-<name>.ko, numbered in load order', () => {
    const cpio = stageInitramfs(vmm, { modules: [file('virtio_mmio.ko', 'mmio'), file('kvm.ko', 'kvm')], dir });
    expect(names(cpio).filter((p) => p.startsWith('modules'))).toEqual(['modules', 'modules/00-virtio_mmio.ko', 'modules/01-kvm.ko']);
    const out = mkdtempSync(join(tmpdir(), 'stage-initramfs-x-'));
    execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-F', cpio, 'modules/*', 'init'], { cwd: out });
    expect(readFileSync(join(out, 'modules/01-kvm.ko'), 'utf8')).toBe('kvm');
    expect(readFileSync(join(out, 'init'), 'utf8')).toBe(`fake vmm ${dir}`);
    // Another module list is another archive; none at all has no /modules.
    expect(stageInitramfs(vmm, { modules: [join(dir, 'kvm.ko')], dir })).not.toBe(cpio);
    expect(names(stageInitramfs(vmm, { dir })).join('\n')).not.toContain('modules');
  });

  test('adds extra files with their parents, modes and symlinks; the key follows their content', () => {
    const tool = file('tool', '#!/bin/true\n');
    const files = [
      { path: '/usr/bin/tool', hostPath: tool, mode: 0o755 },
      { path: '/usr/lib/x/libz.so.1', data: Buffer.from('lib') },
      { path: '/lib', symlink: 'usr/lib' },
    ];
    const cpio = stageInitramfs(vmm, { files, dir });
    const ls = listing(cpio);
    expect(names(cpio)).toEqual(expect.arrayContaining(['init', 'lib', 'usr', 'usr/bin', 'usr/bin/tool', 'usr/lib', 'usr/lib/x', 'usr/lib/x/libz.so.1']));
    expect(ls.find((l) => l.endsWith(' usr/bin/tool'))).toMatch(/^-rwxr-xr-x/);
    expect(ls.find((l) => l.endsWith(' usr/lib/x/libz.so.1'))).toMatch(/^-rw-r--r--/);
    expect(ls.find((l) => / lib -> usr\/lib$/.test(l))).toMatch(/^lrwxrwxrwx/);
    expect(stageInitramfs(vmm, { files, dir })).toBe(cpio);
    writeFileSync(tool, '#!/bin/false\n');
    expect(stageInitramfs(vmm, { files, dir })).not.toBe(cpio);
  });
});

test('a new archive drops those past the 16 most recently used that have been idle an hour', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stage-initramfs-prune-'));
  const vmm = join(dir, 'vmm');
  const archive = (i: number) => {
    writeFileSync(vmm, `vmm build ${i}`);
    return stageInitramfs(vmm, { dir });
  };
  const hoursAgo = (path: string, h: number) => utimesSync(path, new Date(Date.now() - h * 3600_000), new Date(Date.now() - h * 3600_000));
  const old = Array.from({ length: 18 }, (_, i) => archive(i));
  old.forEach((p, i) => hoursAgo(p, 30 - i)); // the first is the least recently used
  hoursAgo(archive(0), 40); // used again: the same archive, touched (then aged for the test)
  const fresh = archive(100);
  const left = readdirSync(dir).filter((f) => f.startsWith('initramfs-')).map((f) => join(dir, f));
  expect(left).toHaveLength(16);
  expect(left).toContain(fresh);
  expect(left.filter((p) => old.slice(0, 3).includes(p))).toEqual([]); // the three least recently used
  // one used within the hour stays, however many are newer; the idle ones past 16 go
  utimesSync(old[3]!, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  for (let i = 200; i < 220; i++) archive(i);
  expect(existsSync(old[3]!)).toBe(true);
  expect(old.slice(4).filter((p) => existsSync(p))).toEqual([]);
});

describe('stage files', () => {
  test('missing parents are added once, parents before children', () => {
    const e = stageFileEntries([
      { path: '/usr/lib/a.so', data: Buffer.from('a') },
      { path: '/usr/bin', dir: true, mode: 0o700 },
      { path: '/usr/bin/q', data: Buffer.from('q'), mode: 0o755 },
    ]);
    expect(e.map((x) => `${x.type} ${x.path}`)).toEqual(['dir usr', 'dir usr/bin', 'file usr/bin/q', 'dir usr/lib', 'file usr/lib/a.so']);
    expect(e.find((x) => x.path === 'usr/bin')).toMatchObject({ mode: 0o700 });
  });

  test('refuses relative, .. and duplicate paths, and what the stage owns', () => {
    const d = Buffer.from('x');
    expect(() => stageFileEntries([{ path: 'usr/x', data: d }])).toThrow('must be absolute');
    expect(() => stageFileEntries([{ path: '/usr/../init', data: d }])).toThrow('bad stage file path');
    expect(() => stageFileEntries([{ path: '/init', data: d }])).toThrow('/init belongs to the stage');
    expect(() => stageFileEntries([{ path: '/tmp/x', data: d }])).toThrow('/tmp belongs to the stage');
    expect(() => stageFileEntries([{ path: '/a', data: d }, { path: '/a', symlink: 'b' }])).toThrow('/a given twice');
    expect(stageFileEntries([{ path: '/a', dir: true }, { path: '/a', dir: true }])).toHaveLength(1);
  });

  test('treeFiles lists a host tree under a prefix, keeping symlinks and modes', () => {
    const root = mkdtempSync(join(tmpdir(), 'stage-tree-'));
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin/q'), 'q', { mode: 0o755 });
    symlinkSync('bin/q', join(root, 'link'));
    expect(treeFiles(root, '/opt')).toEqual([
      { path: '/opt/bin', dir: true, mode: 0o755 },
      { path: '/opt/bin/q', hostPath: join(root, 'bin/q'), mode: 0o755 },
      { path: '/opt/link', symlink: 'bin/q' },
    ]);
  });
});
