// Where an L1 kernel comes from, as data: ci/matrix.ts names its L1s with it and images/build.ts
// builds them. Kept apart from build.ts so the matrix data does not load the build script (zx,
// execa, the manifest) just to name a kernel.

/** Where an L1 kernel comes from (ci/matrix.ts names them). */
export type L1Source =
  /** Debian's linux-source-<version> tarball: tinyconfig + these fragments (paths from the repo root). */
  | { kind: 'linux-source'; version: string; fragments: string[] }
  /** A Debian suite's riscv64 distro kernel, KVM and virtio-mmio as modules the agent loads. */
  | { kind: 'debian'; suite: string };

/** Our L1: 6.12 tinyconfig + KVM, with the patch that lets the VMM serve and see SBI calls. */
export const DEFAULT_L1_SOURCE: L1Source = {
  kind: 'linux-source',
  version: '6.12',
  fragments: ['images/kernels/l1-kvm-host.config', 'images/kernels/patches/6.12-sbi-user.patch'],
};
