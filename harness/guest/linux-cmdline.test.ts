// The kernel command line that tells guests/linux/init.c what to check (pure: no images).
import { describe, expect, test } from 'vitest';
import { linuxCmdline } from './linux.js';

describe('linuxCmdline', () => {
  test('the plain guest: console, early console, quiet, the CPU count', () => {
    expect(linuxCmdline({ cpus: 1 })).toBe('console=ttyS0 earlycon=sbi panic=-1 quiet bootcase_cpus=1');
  });

  test('the irqchip check and the timed disk read reach init as parameters', () => {
    const c = linuxCmdline({ cpus: 2, checkIrqchip: 'APLIC-MSI', blkRead: true, diskMarker: 'm' });
    expect(c.split(' ')).toEqual(expect.arrayContaining(['bootcase_cpus=2', 'bootcase_disk=m', 'bootcase_irqchip=APLIC-MSI', 'bootcase_blkread=1']));
    expect(linuxCmdline({ cpus: 1 })).not.toMatch(/bootcase_(irqchip|blkread)/);
  });
});
