// The side-by-side half of the bench: one L2 Linux guest (kernel, initramfs, RAM, vCPUs and
// command line from linuxGuest()) under our VMM and under Debian's QEMU -accel kvm, each run
// in the same kind of L1 and timed the same way: from the run command to the init marker on
// the host clock, and the guest's own uptime at that marker.
import { readdirSync, readFileSync } from 'node:fs';
import { execProgram, linuxGuest, Stage, treeFiles, boot, type GuestSpec } from '../index.js';
import { contentHash, readGuestFile } from '../guest/guest.js';
import type { QemuPeer } from '../../images/qemu-peer.js';

// The whole line: the console may arrive a few bytes at a time, and a prefix of the number is not it.
export const READY = /BOOTCASE-READY uptime_ms=(\d+)\r?\n/;

export interface Sample {
  /** Host ms from the run command to the marker on the console. */
  hostMs: number;
  /** The guest's CLOCK_BOOTTIME at its init, in ms. */
  guestMs: number;
  /** Host ms the stage's vCPU thread waited for a host CPU meanwhile: the host's load, not ours. */
  waitMs: number;
}

/**
 * Each thread of the stage's L0 QEMU with its Linux /proc/<pid>/task/<tid>/schedstat ("run ns,
 * wait ns, slices"); none where there is no such file (not Linux, or QEMU is gone).
 */
function schedstat(stage: Stage): Map<string, number[]> {
  const threads = new Map<string, number[]>();
  try {
    for (const tid of readdirSync(`/proc/${stage.qemuPid}/task`)) threads.set(tid, readFileSync(`/proc/${stage.qemuPid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number));
  } catch {
    /* not Linux, or QEMU is gone */
  }
  return threads;
}

/**
 * A gauge of the host's load on one run: the L0 QEMU's busiest thread (its TCG vCPU, which runs
 * L1 and the L2 in it) and the time it spent runnable but not running (schedstat). Start it,
 * then read it. NaN where there is no such file.
 */
export function vcpuWait(stage: Stage): () => number {
  const before = schedstat(stage);
  return () => {
    const after = [...schedstat(stage)].sort((a, b) => b[1][0]! - a[1][0]!)[0];
    return after ? (after[1][1]! - (before.get(after[0])?.[1] ?? 0)) / 1e6 : NaN;
  };
}

/** Host CPU ns that all of the stage's QEMU threads have run so far, or NaN. */
function busyNs(stage: Stage): number {
  const threads = [...schedstat(stage).values()];
  return threads.length ? threads.reduce((sum, t) => sum + t[0]!, 0) : NaN;
}

/**
 * Wait (at most 2 s) until each stage's QEMU is idle: under 10% of a CPU over 50 ms. A stage's L1
 * goes on working for a while after a run (the VMM's exit, freeing the guest's RAM), and on the
 * 2-core host that takes CPU from the next sample on the other stage. With both stages up, the
 * sampled stage's vCPU thread still waits for a CPU for 4-44 ms a sample (0 with one stage up):
 * the vCPU-wait column shows it, and the pairs are what keep the ratio fair.
 */
export async function settle(...stages: Stage[]): Promise<void> {
  const end = performance.now() + 2000;
  for (const stage of stages) {
    while (performance.now() < end) {
      const before = busyNs(stage);
      await new Promise((r) => setTimeout(r, 50));
      if (!(busyNs(stage) - before > 5e6)) break; // NaN (no /proc) counts as idle
    }
  }
}

/** The L2 Linux both sides boot, and its kernel command line. */
export function peerGuest(): { spec: GuestSpec; cmdline: string } {
  const spec = linuxGuest({ cpus: 1 });
  const cmdline = spec.vmmArgs[spec.vmmArgs.indexOf('--append') + 1]!;
  return { spec, cmdline };
}

/** One run of the guest under our VMM on `stage`. */
export async function oursOnce(stage: Stage, spec: GuestSpec): Promise<Sample & { bootMs: number }> {
  const t0 = performance.now();
  await using vm = await boot(spec, { stage });
  const sent = performance.now(); // boot() resolves once the run command is on its way
  const wait = vcpuWait(stage);
  const m = await vm.waitForLine(READY);
  const now = performance.now();
  const waitMs = wait();
  await vm.result();
  return { hostMs: now - sent, guestMs: Number(m[1]), waitMs, bootMs: now - t0 };
}

/** QEMU's argv for the same guest: the probe's peer configuration (-bios none is KVM's default). */
export function qemuPeerArgs(spec: GuestSpec, cmdline: string, kernel: string, initrd: string): string[] {
  return ['-nodefaults', '-M', 'virt', '-accel', 'kvm', '-cpu', 'host', '-smp', '1', '-m', `${spec.memMiB}M`, '-display', 'none', '-serial', 'stdio', '-no-reboot', '-kernel', kernel, '-initrd', initrd, '-append', cmdline];
}

/** A stage that carries the peer QEMU (a bigger initramfs: its own L1 boot) with the guest's files uploaded. */
export async function peerStage(peer: QemuPeer, spec: GuestSpec): Promise<{ stage: Stage; kernel: string; initrd: string }> {
  // 1 GiB: the peer's tree (~50 MiB) is unpacked in L1 RAM beside the guest's
  // no snapshot: a bench-only stage, and its 1 GiB with the peer's files would make a large one
  const stage = await Stage.start({ files: treeFiles(peer.root), memMiB: 1024, bootTimeoutMs: 120_000, snapshot: false });
  const up = async (name: string, path: string) => {
    const bytes = readGuestFile(path, name);
    return stage.upload(name, contentHash(bytes), bytes);
  };
  return { stage, kernel: await up(spec.name, spec.image), initrd: await up(`${spec.name}.initrd`, spec.uploads[0]!.path) };
}

/** One run of the guest under the peer QEMU. */
export async function peerOnce(stage: Stage, peer: QemuPeer, args: string[]): Promise<Sample> {
  await using vm = await execProgram(stage, { path: peer.qemu, args, env: peer.env, name: 'qemu-peer', timeoutMs: 60_000 });
  const sent = performance.now();
  const wait = vcpuWait(stage);
  const m = await vm.waitForLine(READY);
  const hostMs = performance.now() - sent;
  const waitMs = wait();
  const run = await vm.result();
  if (!run.passed) throw new Error(`qemu peer run ended with ${run.describe()}:\n${run.consoleTail(20)}`);
  return { hostMs, guestMs: Number(m[1]), waitMs };
}
