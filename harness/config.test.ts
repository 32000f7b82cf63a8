import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { selectL1, type Manifest } from './config.js';
import { BuildMissingError } from './errors.js';

test('selectL1: the default L1, one by name (BOOTCASE_L1), and a clear error for one not built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'select-l1-'));
  const file = (n: string) => (writeFileSync(join(dir, n), n), join(dir, n));
  const m = {
    l1Kernel: file('Image-6.12'),
    l1Kernels: { trixie: { kernel: file('Image-trixie'), modules: [file('kvm.ko')] }, gone: { kernel: join(dir, 'nope') } },
  } as unknown as Manifest;
  expect(selectL1(m, undefined)).toEqual({ kernel: join(dir, 'Image-6.12') });
  expect(selectL1(m, '6.12-tiny')).toEqual({ kernel: join(dir, 'Image-6.12') });
  expect(selectL1(m, 'trixie').modules).toEqual([join(dir, 'kvm.ko')]);
  expect(() => selectL1(m, 'sid')).toThrow(BuildMissingError);
  expect(() => selectL1(m, 'sid')).toThrow('L1 kernel "sid" (BOOTCASE_L1) is not built; built: trixie, gone.');
  expect(() => selectL1(m, 'gone')).toThrow(`L1 kernel "gone": ${join(dir, 'nope')} from`);
});
