import { describe, expect, test } from 'vitest';
import { deviationsOn } from '../../guests/asm/sbi-deviations.js';
import { DEFAULT_L0, l0Name, L0_QEMUS } from './l0.js';

const MASKED = 'TIME: a masked timer is pending, not taken';

describe('L0 QEMU', () => {
  test('QEMU 10 is the default; 7.2 stays selectable; an unknown name is refused by name', () => {
    expect(DEFAULT_L0).toBe('10');
    expect(l0Name(undefined)).toBe('10');
    expect(l0Name('7.2')).toBe('7.2');
    expect(() => l0Name('9.0')).toThrow(/BOOTCASE_L0=9.0: unknown L0 QEMU \(known: 10, 7.2\)/);
    expect(Object.keys(L0_QEMUS).sort()).toEqual(['10', '7.2']);
  });

  test("the masked-timer deviation is 7.2's only: on QEMU 10 the check must pass", () => {
    expect(deviationsOn('7.2')[MASKED]?.diag).toEqual({ got: 0, want: 1 });
    expect(deviationsOn('10')[MASKED]).toBeUndefined();
    // KVM's own deviation holds on every L0
    for (const l0 of ['10', '7.2'] as const) expect(deviationsOn(l0)['SRST: a reserved reset_type is INVALID_PARAM']).toBeDefined();
  });

  test('no PAGING check is excused on either L0: the L1 patch sets henvcfg.ADUE for QEMU 10, and 7.2 always sets A/D', () => {
    for (const l0 of ['10', '7.2'] as const) expect(Object.keys(deviationsOn(l0)).filter((n) => n.startsWith('PAGING'))).toEqual([]);
  });
});
