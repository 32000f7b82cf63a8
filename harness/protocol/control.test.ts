import { expect, test } from 'vitest';
import { control } from './control.js';

test('exec puts the environment before the absolute path, and refuses what the agent would misread', () => {
  expect(control.exec(7, '/usr/bin/qemu', ['-m', '256M'], { LD_LIBRARY_PATH: '/usr/lib' }).toString()).toBe('exec\t7\tLD_LIBRARY_PATH=/usr/lib\t/usr/bin/qemu\t-m\t256M\n');
  expect(control.exec(8, '/bin/true', []).toString()).toBe('exec\t8\t/bin/true\n');
  expect(() => control.exec(1, 'qemu', [])).toThrow('absolute path');
  expect(() => control.exec(1, '/q', [], { 'A=B': 'x' })).toThrow('bad environment variable name');
  expect(() => control.exec(1, '/q', ['a\tb'])).toThrow('TAB or LF');
});
