// The L1 machine: qemu-system-riscv64 "virt" under TCG with the H extension, so the riscv64
// Linux inside can run KVM. The three virtio-serial ports are the harness's only data path;
// ttyS0 (QEMU stdout) is the stage log: L1 kernel messages plus agent diagnostics.
import { execa, type ResultPromise } from 'execa';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StageError } from '../errors.js';
import { PORTS } from './channels.js';

/** A host file passed through to L1 as a virtio-blk disk, found there by its serial. */
export interface StageDisk {
  /** Name the VMM uses for it: `--disk serial:<id>`. */
  id: string;
  path: string;
  readOnly?: boolean;
  /**
   * Attach a copy, not the file: the stage copies it into its own temporary folder when it
   * starts and deletes it with that folder when it stops, so the guest's writes never reach
   * `path` and nothing is left behind (an xv6 fs.img).
   */
  privateCopy?: boolean;
}

/** The disks as QEMU gets them: a privateCopy one copied into dir (removed with it on failure). */
export function privateCopies(disks: readonly StageDisk[], dir: string): StageDisk[] {
  try {
    return disks.map((d) => {
      if (!d.privateCopy) return d;
      const copy = join(dir, `disk-${d.id}.img`);
      copyFileSync(d.path, copy);
      return { ...d, path: copy };
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    throw new StageError(`cannot copy a stage disk: ${err.code === 'ENOENT' ? `${err.path}: no such file` : String(e)}`, '', [], { cause: e });
  }
}

/** The L1 machine QEMU emulates (StageOptions.machine). */
export interface L1Machine {
  smp?: number;
  cpu?: string;
  machine?: string;
}

/**
 * An L1 with the AIA (QEMU virt's APLIC in MSI mode and an IMSIC per hart, and the Smaia/Ssaia
 * CSRs): L1's KVM then offers its in-kernel AIA irqchip ("AIA available" in L1's log), which the
 * VMM's `--irqchip aia` needs. The default L1 keeps the PLIC.
 */
export const AIA_MACHINE: L1Machine = { machine: 'virt,aia=aplic-imsic' };

/**
 * The default L1 RAM. Every boot pays for the RAM it has: L1 Linux initialises a struct page
 * per 4 KiB before its clock even starts (~18M instructions per GiB under TCG), and QEMU backs
 * what it touches with zeroed 2 MiB pages. 512 MiB holds a 256 MiB guest with room to spare;
 * 1024 cost ~85 ms more QEMU CPU time to agent-ready (median of 8 interleaved boots, loaded host).
 */
export const STAGE_MEM_MIB = 512;

export interface QemuSpec {
  kernel: string;
  disks?: readonly StageDisk[];
  initrd: string;
  sockDir: string;
  memMiB: number;
  append: string;
  /** How the L0 finds OpenSBI (l0.ts firmwareArgs). */
  firmwareArgs: readonly string[];
  machine?: L1Machine;
}

export function qemuArgs(spec: QemuSpec): string[] {
  const port = (id: string, name: string) => [
    '-chardev', `socket,id=${id},path=${join(spec.sockDir, `${id}.sock`)}`,
    '-device', `virtserialport,chardev=${id},name=bootcase.${name}`,
  ];
  return [
    '-M', spec.machine?.machine ?? 'virt',
    '-cpu', spec.machine?.cpu ?? 'rv64,h=true',
    // One vCPU by default: on a 2-core host MTTCG with 2 vCPUs did not pay under 7.2 (probe,
    // §6); npm run bench measures -smp 2 under the L0 in use beside it (harness/bench/experiments.ts).
    '-smp', String(spec.machine?.smp ?? 1),
    '-m', `${spec.memMiB}M`,
    // No display and no sound: without an audiodev, QEMU 10 probes every audio backend at start,
    // and loads (here: 7.2's, which it then refuses) audio and ui-opengl modules to do it.
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-audiodev', 'none,id=noaudio',
    ...spec.firmwareArgs,
    // A panic or a poweroff must end the process, never reboot into a second run.
    '-no-reboot',
    '-kernel', spec.kernel,
    '-initrd', spec.initrd,
    '-append', spec.append,
    // Our three ports and nothing more: by default the device offers 31 (62 virtqueues plus the
    // control pair), which L1's virtio_console sets up one by one at every boot. Port 0 is
    // reserved for a virtconsole, so three ports need max_ports=4.
    '-device', `virtio-serial-device,max_ports=${PORTS.length + 1}`,
    ...port('ctl', 'ctl'),
    ...port('console', 'console'),
    ...port('events', 'events'),
    // Host disk files reach L1 as virtio-blk; the L1 kernel exposes each one's serial in
    // /sys/block/vdX/serial, which is how the VMM finds it whatever order the kernel probed in.
    ...(spec.disks ?? []).flatMap((d, i) => [
      '-drive', `file=${d.path},if=none,id=disk${i},format=raw,cache=writethrough${d.readOnly ? ',readonly=on' : ''}`,
      '-device', `virtio-blk-device,drive=disk${i},serial=${d.id}`,
    ]),
  ];
}

const QEMU_SPAWN = {
  stdin: 'ignore',
  stdout: 'pipe',
  stderr: 'pipe',
  buffer: false,
  reject: false,
  cleanup: true, // killed if this Node process exits
  forceKillAfterDelay: 2000,
} as const;

export type QemuProcess = ResultPromise<typeof QEMU_SPAWN>;

/**
 * Start the L0. ownProcessGroup (the CLI): a process group of its own, out of reach of a
 * terminal's Ctrl-C, which is for the CLI to handle; execa's cleanup skips a detached child, so
 * an exit hook of ours kills it.
 */
export function spawnQemu(qemu: string, argv: readonly string[], ownProcessGroup: boolean): QemuProcess {
  if (!ownProcessGroup) return execa(qemu, argv, QEMU_SPAWN);
  const proc = execa(qemu, argv, { ...QEMU_SPAWN, detached: true }) as unknown as QemuProcess;
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  void proc.finally(() => process.off('exit', kill));
  return proc;
}
