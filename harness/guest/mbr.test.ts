import { describe, expect, test } from 'vitest';
import { FIRST_LBA, mbrDisk, SECTOR } from './mbr.js';

describe('mbrDisk', () => {
  test('one bootable partition at 1 MiB, LBA fields, signature, then the partition bytes', () => {
    const part = Buffer.alloc(4 * SECTOR, 0xab);
    const d = mbrDisk(part, { type: 0x83, bootable: true });
    expect(d.length).toBe(FIRST_LBA * SECTOR + part.length);
    expect(d[0x1be]).toBe(0x80);
    expect(d[0x1be + 4]).toBe(0x83);
    expect(d.readUInt32LE(0x1be + 8)).toBe(2048);
    expect(d.readUInt32LE(0x1be + 12)).toBe(4);
    expect(d.subarray(0x1ce, 0x1fe).every((b) => b === 0)).toBe(true); // entries 2-4 unused
    expect([d[0x1fe], d[0x1ff]]).toEqual([0x55, 0xaa]);
    expect(d.subarray(FIRST_LBA * SECTOR).equals(part)).toBe(true);
    expect(mbrDisk(part, { type: 0x83 })[0x1be]).toBe(0);
  });

  test('a partition that is not whole sectors is refused', () => {
    expect(() => mbrDisk(Buffer.alloc(100), { type: 0x83 })).toThrow(/not a whole number of 512-byte sectors/);
  });
});
