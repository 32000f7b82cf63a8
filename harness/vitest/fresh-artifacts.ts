// vitest globalSetup: the artifacts folder (test-results/, BOOTCASE_ARTIFACTS) holds the
// evidence of this run only. Each failed run writes a folder there (run/artifacts.ts), and
// tests that check the evidence of a failure write some in every run, so without this the
// folder grew by ~40 folders a run and an error's paths had to be told apart from old ones.
// Only artifact folders go (all of run/artifacts.ts's EVIDENCE_FILES in them); reports
// (junit.xml) and other folders (the matrix's) stay.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../config.js';
import { EVIDENCE_FILES } from '../run/artifacts.js';

/** Remove the artifact folders directly under `root`; returns how many. */
export function clearArtifacts(root: string): number {
  if (!existsSync(root)) return 0;
  let n = 0;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const dir = join(root, e.name);
    if (e.isDirectory() && EVIDENCE_FILES.every((f) => existsSync(join(dir, f)))) {
      rmSync(dir, { recursive: true, force: true });
      n++;
    }
  }
  return n;
}

export default function setup(): void {
  // Every project that extends the root config runs this, and a vitest a test starts inherits
  // the variable: once per run, and never under a run in progress.
  if (process.env.BOOTCASE_ARTIFACTS_RESET === config.artifactsDir) return;
  process.env.BOOTCASE_ARTIFACTS_RESET = config.artifactsDir;
  clearArtifacts(config.artifactsDir);
}
