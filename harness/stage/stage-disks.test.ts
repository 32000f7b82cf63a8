// Stage disks marked privateCopy: the stage copies them into its own temporary folder (which it
// removes when it stops), and a missing file is a StageError naming it, leaving no folder behind.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { StageError } from '../errors.js';
import { privateCopies } from './qemu.js';

test('a privateCopy disk is copied into the stage folder; others are attached as they are', () => {
  const src = mkdtempSync(join(tmpdir(), 'disks-src-'));
  const fs = join(src, 'fs.img');
  writeFileSync(fs, 'xv6 file system');
  const dir = mkdtempSync(join(tmpdir(), 'disks-stage-'));
  const disks = privateCopies([{ id: 'xv6-fs', path: fs, privateCopy: true }, { id: 'raw', path: fs }], dir);
  expect(disks).toEqual([{ id: 'xv6-fs', path: join(dir, 'disk-xv6-fs.img'), privateCopy: true }, { id: 'raw', path: fs }]);
  expect(readFileSync(disks[0]!.path, 'utf8')).toBe('xv6 file system');
  for (const d of [src, dir]) rmSync(d, { recursive: true, force: true });
});

test('a missing file: a StageError naming it, and the stage folder is gone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'disks-stage-'));
  const missing = join(dir, 'no-such-fs.img');
  expect(() => privateCopies([{ id: 'xv6-fs', path: missing, privateCopy: true }], dir)).toThrow(StageError);
  expect(existsSync(dir)).toBe(false);
  const again = mkdtempSync(join(tmpdir(), 'disks-stage-'));
  expect(() => privateCopies([{ id: 'xv6-fs', path: missing, privateCopy: true }], again)).toThrow(`cannot copy a stage disk: ${missing}: no such file`);
  expect(existsSync(again)).toBe(false);
});
