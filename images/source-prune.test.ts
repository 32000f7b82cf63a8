import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { pruneSources } from './source-prune.js';

const DAY = 24 * 3600;

/** A cache with source trees, one build folder linking to one of them, and kernel outputs. */
function cache() {
  const dir = mkdtempSync(join(tmpdir(), 'bootcase-prune-'));
  const tree = (name: string, ageS: number, extracted = true) => {
    const t = join(dir, 'src', name);
    mkdirSync(t, { recursive: true });
    writeFileSync(`${t}.lock`, '');
    const when = Date.now() / 1000 - ageS;
    if (extracted) {
      writeFileSync(join(t, '.extracted'), '');
      utimesSync(join(t, '.extracted'), when, when);
    }
    utimesSync(t, when, when);
    return t;
  };
  const used = tree('linux-source-6.12-1+aaaa', DAY);
  const orphan = tree('linux-source-6.12-1+bbbb', DAY);
  const fresh = tree('linux-source-6.12-1+cccc', 60);
  const dead = tree('linux-source-6.12-1+dddd', DAY, false);
  mkdirSync(join(dir, 'kbuild', 'l1-6.12'), { recursive: true });
  symlinkSync(used, join(dir, 'kbuild', 'l1-6.12', 'source'));
  writeFileSync(join(dir, 'kbuild', 'l1-6.12.lock'), '');
  const outTmp = join(dir, 'kernels', 'l1-6.12-key.tmp');
  mkdirSync(outTmp, { recursive: true });
  utimesSync(outTmp, Date.now() / 1000 - DAY, Date.now() / 1000 - DAY);
  const out = join(dir, 'kernels', 'l1-6.12-key');
  mkdirSync(out);
  return { dir, used, orphan, fresh, dead, outTmp, out };
}

describe('pruneSources: kernel source trees no build uses', () => {
  test('removes an unlinked tree, a dead extraction and a stale output; keeps the linked, the fresh and the finished', () => {
    const c = cache();
    expect(pruneSources(c.dir).sort()).toEqual([c.orphan, c.dead, c.outTmp].sort());
    for (const p of [c.orphan, `${c.orphan}.lock`, c.dead, c.outTmp]) expect(existsSync(p), p).toBe(false);
    for (const p of [c.used, c.fresh, c.out]) expect(existsSync(p), p).toBe(true);
  });

  test('removes nothing while a kernel build holds its lock', async () => {
    const c = cache();
    // flock(1) holds the build's lock until its command ends, as build-kernel.sh does
    const holder = spawn('flock', [join(c.dir, 'kbuild', 'l1-6.12.lock'), 'sh', '-c', 'echo held; read x'], { stdio: ['pipe', 'pipe', 'ignore'] });
    await new Promise((r) => holder.stdout.once('data', r));
    try {
      expect(pruneSources(c.dir)).toEqual([]);
      expect(existsSync(c.orphan)).toBe(true);
    } finally {
      holder.stdin.end();
      await new Promise((r) => holder.once('exit', r));
    }
    expect(pruneSources(c.dir)).toContain(c.orphan);
  });

  test('an empty or missing cache is nothing to do', () => {
    expect(pruneSources(join(tmpdir(), 'bootcase-prune-none'))).toEqual([]);
  });
});
