// What a Stage is started with, and what a run on it receives.
import type { StageEvent } from '../protocol/events.js';
import type { StageFile } from './initramfs.js';
import type { L0Name } from './l0.js';
import type { L1Machine, StageDisk } from './qemu.js';

export interface StageOptions {
  /**
   * L1 RAM (it holds the VMM, the uploaded images and every guest's RAM); default
   * STAGE_MEM_MIB. Ask for more for guests of more than ~256 MiB that touch most of it.
   */
  memMiB?: number;
  /** Deadline for QEMU start to agent-ready, before the timeout scale. */
  bootTimeoutMs?: number;
  /** Extra L1 kernel command line. */
  append?: string;
  /** Override the L1 kernel (default: the manifest's, or the one BOOTCASE_L1 names). */
  kernel?: string;
  /**
   * Kernel modules (host paths to uncompressed .ko files) the agent loads in this order before
   * it opens /dev/kvm and looks for its ports: for an L1 kernel with KVM or virtio modular.
   * Default: those of the selected L1 kernel (none unless `kernel` is defaulted too).
   */
  modules?: readonly string[];
  /**
   * Run QEMU in a process group of its own (the CLI): a terminal's Ctrl-C then reaches only the
   * harness, which stops the run and reports it as stopped by the user, instead of also
   * reaching QEMU, which would quit under the run. QEMU is still killed when Node exits.
   */
  ownProcessGroup?: boolean;
  /** Host files to pass through as disks; a guest gets one with `--disk serial:<id>`. */
  disks?: readonly StageDisk[];
  /**
   * Extra files in the L1 initramfs (`treeFiles(dir)` turns a host tree into a list), e.g. a
   * peer VMM for `execProgram`. They live in L1 RAM, unpacked: mind `memMiB`; and every L1 boot
   * unpacks them under TCG, so keep them off stages that do not need them.
   */
  files?: readonly StageFile[];
  /** The L0 QEMU by name (harness/stage/l0.ts); default BOOTCASE_L0, else QEMU 10. */
  l0?: L0Name;
  /**
   * The L1 machine, for the bench's experiments (npm run bench): vCPUs (default 1; more is
   * MTTCG, one host thread each), the CPU model (default `rv64,h=true`) and machine options
   * (default `virt`, e.g. `virt,aia=aplic-imsic`).
   */
  machine?: L1Machine;
  /**
   * Start from a saved L1 snapshot when one matches this spec exactly, and save one when none
   * does (harness/stage/snapshot.ts); default true, `false` (or BOOTCASE_SNAPSHOT=0) always
   * boots L1. Stages with disks, with a CPU model other than the default, or with more than
   * SNAPSHOT_MAX_MIB of RAM always boot (snapshot.ts says why).
   */
  snapshot?: boolean;
}

/** Receives the events and console bytes of the run currently on the stage. */
export interface RunSink {
  onEvent(e: StageEvent, hostMs: number): void;
  onConsole(chunk: Buffer): void;
  /** The stage died under the run. */
  onStageLost(why: string): void;
  /** An event line broke the protocol while this run had the stage: the run cannot be trusted. */
  onProtocolError(line: string, why: string): void;
}

/** What a run gets from Stage.acquire(). */
export interface StageLease {
  runId: number;
  /**
   * Give the stage back once the run has ended or was abandoned. `consoleOwed`: console bytes
   * the VMM wrote for this run that have not arrived (yet); the stage drops that many before
   * the next run sees any, so a late byte is never blamed on the next guest.
   */
  release: (consoleOwed?: number) => void;
}
