// Where an L1 kernel comes from, as data: ci/matrix.ts names its L1s with it and images/build.ts
// builds them. Kept apart from build.ts so the matrix data does not load the build script (zx,
// execa, the manifest) just to name a kernel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/config.js';

/** Where an L1 kernel comes from (ci/matrix.ts names them). */
export type L1Source =
  /** Debian's linux-source-<version> tarball: tinyconfig + these fragments (paths from the repo root). */
  | {
      kind: 'linux-source';
      version: string;
      fragments: string[];
      /** Objects in a full build of it, for a first build's progress line (the cache's own count wins). */
      objects?: number;
    }
  /** A Debian suite's riscv64 distro kernel, KVM and virtio-mmio as modules the agent loads. */
  | { kind: 'debian'; suite: string };

/**
 * Our L1, and the Linux guest's kernel too: 6.12 tinyconfig + KVM, with the patch that lets the VMM
 * serve and see SBI calls. The list is images/kernels/default.json, which ci/setup.sh reads too
 * (with plain node, before npm install) to start this build first.
 */
export const DEFAULT_L1_SOURCE: L1Source = {
  kind: 'linux-source',
  ...(JSON.parse(readFileSync(join(repoRoot, 'images/kernels/default.json'), 'utf8')) as { version: string; fragments: string[]; objects: number }),
};
