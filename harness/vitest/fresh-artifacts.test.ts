import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { EVIDENCE_FILES } from '../run/artifacts.js';
import { clearArtifacts } from './fresh-artifacts.js';

test("a run's start removes the artifact folders of earlier runs, and nothing else", () => {
  const root = mkdtempSync(join(tmpdir(), 'bootcase-artifacts-'));
  const old = join(root, 'hello-123-1');
  mkdirSync(old);
  for (const f of EVIDENCE_FILES) writeFileSync(join(old, f), '');
  mkdirSync(join(root, 'matrix'));
  writeFileSync(join(root, 'matrix', 'summary.md'), '');
  writeFileSync(join(root, 'junit.xml'), '');
  mkdirSync(join(root, 'half')); // not all four files: not ours to remove
  writeFileSync(join(root, 'half', 'console.log'), '');
  expect(clearArtifacts(root)).toBe(1);
  expect(existsSync(old)).toBe(false);
  for (const kept of ['matrix/summary.md', 'junit.xml', 'half/console.log']) expect(existsSync(join(root, kept)), kept).toBe(true);
  expect(clearArtifacts(join(root, 'absent'))).toBe(0);
});
