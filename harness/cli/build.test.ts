import { describe, expect, test, vi } from 'vitest';
import { buildCommand } from './build.js';

describe('bootcase build', () => {
  test('--help says what it builds, and builds nothing', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await buildCommand(['--help'])).toBe(0);
      expect(out.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/^usage: bootcase build[\s\S]*the VMM, the milestone guests, the kernels/m);
    } finally {
      out.mockRestore();
    }
  });

  test('bad input: an argument or an unknown option is a usage error naming it, before any build', async () => {
    await expect(buildCommand(['all'])).rejects.toThrow(/^bootcase build: unexpected argument all$/);
    await expect(buildCommand(['--force'])).rejects.toThrow(/^bootcase build: unknown option --force \(see bootcase build --help\)$/);
  });
});
