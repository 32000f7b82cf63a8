// vitest globalSetup: one temporary folder for the whole test run, removed at its end. Test
// files, stages and the tools they start make their scratch folders with mkdtemp under
// os.tmpdir(); pointing TMPDIR here before the workers start gathers them, so a run leaves
// nothing in /tmp (each run used to leave ~25 folders). A run with a failed test keeps it, and
// says where, as does BOOTCASE_KEEP_TMP=1: error messages may name files in it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject): () => void {
  // every project that extends the root config runs this; the first one makes the folder
  if (process.env.BOOTCASE_TEST_TMP) return () => {};
  const root = mkdtempSync(join(tmpdir(), 'bootcase-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = process.env.BOOTCASE_TEST_TMP = root;
  return () => {
    delete process.env.BOOTCASE_TEST_TMP;
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    const failed = project.vitest.state.getCountOfFailedTests() > 0;
    if (failed || process.env.BOOTCASE_KEEP_TMP === '1') console.error(`bootcase: kept the run's temporary files in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
