import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { countObjects, progressLine } from './progress.js';

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
  });

  test('the line says elapsed time, how far along, and what it is on', () => {
    expect(progressLine('kernel tiny', 125_000, 812, 1190, 'kernel/fork.o')).toBe('kernel tiny: 2m05s, 812/1190 objects (68%), on kernel/fork.o');
    expect(progressLine('kernel tiny', 15_000, 40, undefined)).toBe('kernel tiny: 15s, 40 objects (first build of this configuration: no total yet)');
    expect(progressLine('kernel tiny', 1000, 2000, 1190)).toMatch(/2000\/1190 objects \(99%\)/);
  });
});
