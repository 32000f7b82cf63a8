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

  test("the guest-PTE A/D page faults are QEMU 10's only (Svadu without henvcfg.ADUE): on 7.2 the hart sets A/D", () => {
    const faults = { load: 13, store: 15, fetch: 12 };
    for (const [access, scause] of Object.entries(faults)) {
      const name = `PAGING: a ${access} through a PTE with ${access === 'store' ? 'D' : 'A'} = 0 does not fault`;
      expect(deviationsOn('10')[name]?.diag).toEqual({ got: scause, want: 0 });
      expect(deviationsOn('7.2')[name]).toBeUndefined();
    }
  });
});
