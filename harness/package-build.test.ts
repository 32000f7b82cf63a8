import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BuildMissingError } from './errors.js';
import { buildInputsKey, ensureBuilt, prunePackageBuilds } from './package-build.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bootcase-pkg-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('the installed package build key', () => {
  const base = { 'package.json': '{"version":"1.2.3"}', 'vmm/main.c': 'int main;', 'guests/asm/cases/a.S': 'nop', 'guests/linux/init.c': 'x', 'images/kernels/k.config': 'CONFIG_X=y' };

  test('is the version and a hash of the shipped build inputs', () => {
    expect(buildInputsKey(tree(base))).toMatch(/^1\.2\.3-[0-9a-f]{16}$/);
    expect(buildInputsKey(tree(base))).toBe(buildInputsKey(tree(base)));
  });

  test.each([
    ['a VMM source', { 'vmm/main.c': 'int main2;' }],
    ['a new guest source', { 'guests/asm/cases/b.S': 'nop' }],
    ['the Linux /init', { 'guests/linux/init.c': 'y' }],
    ['a kernel fragment', { 'images/kernels/k.config': 'CONFIG_X=n' }],
    ['the version', { 'package.json': '{"version":"1.2.4"}' }],
  ])('changes with %s', (_, change) => {
    expect(buildInputsKey(tree({ ...base, ...change }))).not.toBe(buildInputsKey(tree(base)));
  });

  test('ignores build trees and TypeScript (the compiled tables are not build inputs)', () => {
    const more = { 'vmm/build/main.o': 'obj', 'guests/asm/cases.ts': 'export {}', 'native/build/x.node': 'bin' };
    expect(buildInputsKey(tree({ ...base, ...more }))).toBe(buildInputsKey(tree(base)));
  });
});

describe('build on first use', () => {
  /** A build script that counts its runs in `runs` and writes the manifest (or fails with `status`). */
  function script(root: string, opts: { status?: number; write?: boolean } = {}): string {
    const file = join(root, 'build.mjs');
    const manifest = join(root, 'out/manifest.json');
    writeFileSync(file, [
      `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';`,
      `appendFileSync(${JSON.stringify(join(root, 'runs'))}, 'x');`,
      `console.log('building');`,
      opts.write === false ? '' : `mkdirSync(${JSON.stringify(join(root, 'out'))}, { recursive: true }); writeFileSync(${JSON.stringify(manifest)}, '{}');`,
      `process.exit(${opts.status ?? 0});`,
    ].join('\n'));
    return file;
  }
  const runs = (root: string) => (existsSync(join(root, 'runs')) ? readFileSync(join(root, 'runs'), 'utf8').length : 0);

  test('runs the build once when the manifest is missing, and not again', async () => {
    const root = tree({});
    const manifest = join(root, 'out/manifest.json');
    await ensureBuilt(script(root), manifest);
    await ensureBuilt(script(root), manifest);
    expect(runs(root)).toBe(1);
    expect(existsSync(`${dirname(manifest)}.lock`)).toBe(false);
  });

  test('two at once (vitest workers): one builds, the other waits for it', async () => {
    const root = tree({});
    const manifest = join(root, 'out/manifest.json');
    await Promise.all([ensureBuilt(script(root), manifest), ensureBuilt(script(root), manifest)]);
    expect(runs(root)).toBe(1);
  });

  test('a lock left by a dead process is taken over', async () => {
    const root = tree({});
    const manifest = join(root, 'out/manifest.json');
    const dead = spawnSync('true').pid;
    mkdirSync(`${dirname(manifest)}.lock`, { recursive: true });
    writeFileSync(join(`${dirname(manifest)}.lock`, 'pid'), String(dead));
    await ensureBuilt(script(root), manifest);
    expect(runs(root)).toBe(1);
  });

  test('a failed build, or one that writes no manifest, is an error naming the doctor; the lock is released', async () => {
    const root = tree({});
    const manifest = join(root, 'out/manifest.json');
    const failed = ensureBuilt(script(root, { status: 3, write: false }), manifest);
    await expect(failed).rejects.toBeInstanceOf(BuildMissingError);
    await expect(failed).rejects.toThrow(/failed \(3\).*npx bootcase doctor/);
    await expect(ensureBuilt(script(root, { write: false }), manifest)).rejects.toThrow(/failed \(0\)/);
    expect(existsSync(`${dirname(manifest)}.lock`)).toBe(false);
  });
});

describe('old package builds', () => {
  test('after a build: the 4 most recently used stay, and of the rest those a day idle go, unless locked or not a build folder', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'bootcase-pkgs-'));
    dirs.push(pkg);
    const key = (n: number) => `0.1.0-${String(n).padStart(16, '0')}`;
    const day = 24 * 3600;
    const make = (name: string, ageS: number) => {
      mkdirSync(join(pkg, name));
      const t = Date.now() / 1000 - ageS;
      utimesSync(join(pkg, name), t, t);
    };
    make(key(0), 0); // the one just built
    make(key(4), 3600); // with it, the three most recently used stay, however old
    make(key(1), 3 * day);
    make(key(2), 4 * day);
    make(key(3), 5 * day); // past the four and a day idle: they go
    make(key(5), 6 * day);
    make(key(6), 7 * day); // the same, but its build is under way
    mkdirSync(join(pkg, `${key(6)}.lock`));
    make('notes', 9 * day); // not a build folder
    expect(prunePackageBuilds(pkg, key(0))).toEqual([join(pkg, key(3)), join(pkg, key(5))]);
    expect(readdirSync(pkg).sort()).toEqual([0, 1, 2, 4, 6].map(key).concat([`${key(6)}.lock`, 'notes']).sort());
  });

  test('a build used within the day stays, even past the four', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'bootcase-pkgs-'));
    dirs.push(pkg);
    for (let i = 0; i < 8; i++) mkdirSync(join(pkg, `0.1.0-${String(i).padStart(16, '0')}`));
    expect(prunePackageBuilds(pkg, '0.1.0-0000000000000000')).toEqual([]);
  });
});
