import { expect, test } from 'vitest';
import { kernelSpecProblem, kernelsMatch, releaseVersion } from './kernel-version.js';

test('the version of a kernel release, distro suffixes ignored', () => {
  expect(releaseVersion('6.12.107+deb13-riscv64')).toEqual([6, 12, 107]);
  expect(releaseVersion('6.12.117')).toEqual([6, 12, 117]);
  expect(releaseVersion('6.8-rc1')).toEqual([6, 8, 0]);
  expect(releaseVersion('')).toBeUndefined();
});

test('an exact version, a series, and ranges', () => {
  expect(kernelsMatch('6.12.107', '6.12.107+deb13-riscv64')).toBe(true);
  expect(kernelsMatch('6.12.107', '6.12.117+deb13-riscv64')).toBe(false);
  expect(kernelsMatch('6.12', '6.12.117+deb13-riscv64')).toBe(true);
  expect(kernelsMatch('6.1', '6.12.117')).toBe(false);
  expect(kernelsMatch('<6.12.113', '6.12.107+deb13-riscv64')).toBe(true);
  expect(kernelsMatch('<6.12.113', '6.12.113')).toBe(false);
  expect(kernelsMatch('>=6.12 <6.12.113', '6.1.158')).toBe(false);
  expect(kernelsMatch('>=6.1 <=6.1.200', '6.1.158')).toBe(true);
  expect(kernelsMatch('>6.12', '6.12.1')).toBe(true);
  expect(kernelsMatch('6.12', 'unknown')).toBe(false);
});

test('a bad spec is named, never read as "every kernel"', () => {
  expect(kernelSpecProblem('>=6.12 <6.12.113')).toBeUndefined();
  expect(kernelSpecProblem('')).toMatch(/empty/);
  expect(kernelSpecProblem('6.12.x')).toMatch(/"6.12.x"/);
  expect(kernelSpecProblem('=>6.12')).toMatch(/"=>6.12"/);
  expect(() => kernelsMatch('trixie', '6.12.107')).toThrow(/"trixie"/);
});
