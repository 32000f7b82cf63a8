import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { countObjects, elapsed, progressLine, watchBuild, watchStep } from './progress.js';

describe('build progress', () => {
  test('counts the object files of a build tree and names the newest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-progress-'));
    mkdirSync(join(dir, 'kernel'), { recursive: true });
    writeFileSync(join(dir, 'init.o'), '');
    writeFileSync(join(dir, 'kernel', 'fork.o'), '');
    writeFileSync(join(dir, 'kernel', 'fork.c.cmd'), '');
    utimesSync(join(dir, 'init.o'), 1000, 1000);
    expect(countObjects(dir)).toEqual({ count: 2, newest: join('kernel', 'fork.o') });
    expect(countObjects(join(dir, 'absent'))).toEqual({ count: 0 });
    // a rebuild in the same tree: only what was written since compiling started counts
    expect(countObjects(dir, 1000 * 1000)).toEqual({ count: 1, newest: join('kernel', 'fork.o') });
  });

  test('the line says elapsed time, how far along, and what it is on', () => {
    expect(progressLine('kernel tiny', 125_000, 812, 1190, 'kernel/fork.o')).toBe('kernel tiny: 2m05s, 812/1190 objects (68%), on kernel/fork.o');
    expect(progressLine('kernel tiny', 15_000, 40, undefined)).toBe('kernel tiny: 15s, 40 objects (first build of this configuration: no total yet)');
    expect(progressLine('kernel tiny', 1000, 2000, 1190)).toMatch(/2000\/1190 objects \(99%\)/);
  });

  test('other units, and the elapsed time alone', () => {
    expect(progressLine('build: vmm', 20_000, 12, 35, 'build/core/vm.o', 'commands')).toBe('build: vmm: 20s, 12/35 commands (34%), on build/core/vm.o');
    expect(elapsed(59_400)).toBe('59s');
    expect(elapsed(3_600_000)).toBe('60m00s');
  });

  describe('every 15 s while it runs', () => {
    afterEach(() => vi.useRealTimers());

    test('a step says its phase while it has one, then how far along it is; nothing once stopped', () => {
      vi.useFakeTimers();
      const tty = process.stderr.isTTY;
      process.stderr.isTTY = false; // the CI form: plain lines
      try {
        const lines: string[] = [];
        let phase: string | undefined = 'extracting linux-source-6.12.tar.xz';
        const dir = mkdtempSync(join(tmpdir(), 'bootcase-progress-'));
        const p = watchBuild('kernel k', dir, 560, (l) => lines.push(l), 15_000, () => phase);
        vi.advanceTimersByTime(14_999);
        expect(lines).toEqual([]);
        vi.advanceTimersByTime(1);
        writeFileSync(join(dir, 'fork.o'), '');
        phase = undefined;
        vi.advanceTimersByTime(15_000);
        p.stop();
        vi.advanceTimersByTime(60_000);
        expect(lines).toEqual(['kernel k: 15s, extracting linux-source-6.12.tar.xz', 'kernel k: 30s, 1/560 objects (0%), on fork.o']);
        const q = watchStep('step', () => ({ done: 2, expected: 4, unit: 'commands' }), (l) => lines.push(l));
        vi.advanceTimersByTime(15_000);
        q.stop();
        expect(lines.at(-1)).toBe('step: 15s, 2/4 commands (50%)');
      } finally {
        process.stderr.isTTY = tty;
      }
    });
  });
});
