import { describe, expect, test } from 'vitest';
import { buildCommand } from './build.js';

describe('bootcase build', () => {
  test('bad input: an argument or an unknown option is a usage error naming it, before any build', async () => {
    await expect(buildCommand(['all'])).rejects.toThrow(/^bootcase build: unexpected argument all$/);
    await expect(buildCommand(['--force'])).rejects.toThrow(/^bootcase build: unknown option --force \(see bootcase build --help\)$/);
  });
});
