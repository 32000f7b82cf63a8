import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { cpioNewc } from './cpio.js';

describe('cpioNewc', () => {
  test('GNU cpio lists and extracts what we wrote', () => {
    const archive = cpioNewc([
      { path: '/bin', type: 'dir' },
      { path: '/bin/init', type: 'file', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
      { path: 'odd', type: 'file', data: Buffer.from('abc') },
      { path: 'link', type: 'symlink', target: 'bin/init' },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'cpio-test-'));
    writeFileSync(join(dir, 'a.cpio'), archive);
    const listing = execFileSync('cpio', ['-itv', '--quiet', '-F', join(dir, 'a.cpio')]).toString();
    expect(listing).toMatch(/^drwxr-xr-x .* bin$/m);
    expect(listing).toMatch(/^-rwxr-xr-x .* bin\/init$/m);
    execFileSync('cpio', ['-idm', '--quiet', '-F', 'a.cpio'], { cwd: dir });
    expect(readFileSync(join(dir, 'bin/init'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(readFileSync(join(dir, 'odd'), 'utf8')).toBe('abc');
    expect(lstatSync(join(dir, 'link')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link'))).toBe('bin/init');
  });

  test('device nodes carry their major and minor', () => {
    const archive = cpioNewc([{ path: 'dev/console', type: 'char', major: 5, minor: 1 }]);
    // rdevmajor and rdevminor are header fields 10 and 11 (after the 6-byte magic, 8 hex digits each)
    const head = archive.subarray(0, 110).toString('ascii');
    expect(parseInt(head.slice(6 + 9 * 8, 6 + 10 * 8), 16)).toBe(5);
    expect(parseInt(head.slice(6 + 10 * 8, 6 + 11 * 8), 16)).toBe(1);
    expect(parseInt(head.slice(6 + 1 * 8, 6 + 2 * 8), 16) & 0o170000).toBe(0o020000);
  });

  test('the archive ends with the trailer and is 4-byte aligned throughout', () => {
    const archive = cpioNewc([{ path: 'x', type: 'file', data: Buffer.from('12345') }]);
    expect(archive.toString('latin1')).toContain('TRAILER!!!');
    expect(archive.length % 4).toBe(0);
    expect(cpioNewc([{ path: 'x', type: 'file', data: Buffer.from('12345') }])).toEqual(archive);
  });

  test('rejects an empty path', () => {
    expect(() => cpioNewc([{ path: '/', type: 'dir' }])).toThrow(/empty path/);
  });
});
