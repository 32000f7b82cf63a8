// Linux guests: a guest kernel Image from images/build.ts, an initramfs written here around
// guests/linux/init.c, and the kernel command line that tells init what to check.
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { config, loadManifest } from '../config.js';
import { BootcaseError, ToolMissingError } from '../errors.js';
import { cpioNewc } from '../stage/cpio.js';
import { contentHash, guest, type GuestSpec } from './guest.js';
import { LINUX_GUEST_CONFIGS, type LinuxGuestConfig } from './linux-configs.js';

export interface LinuxGuestInit extends Pick<GuestSpec, 'trace' | 'sbiDisable' | 'sbiServe'> {
  /** Guest configuration (./linux-configs.ts), default BOOTCASE_GUEST_CONFIG or "tiny". */
  config?: string;
  /** vCPUs, default BOOTCASE_GUEST_CPUS or 1. */
  cpus?: number;
  /**
   * Guest RAM, default 128 MiB (the tiny guest uses a few). Every MiB costs boot time: the
   * guest initialises its struct pages before its clock starts, and each page it touches is a
   * stage-2 fault that L1 KVM serves under TCG.
   */
  memMiB?: number;
  timeoutMs?: number;
  /** Which console the kernel uses: the 16550 (ttyS0) or hvc0 (the virtio-console). Default: the config's. */
  console?: 'ttyS0' | 'hvc0';
  /** Add a virtio-console device (console hvc0 needs it). Default: the config's. */
  virtioConsole?: boolean;
  /** Extra kernel command line. */
  append?: string;
  /** Full kernel log instead of `quiet` (every console byte is a VM exit: slower). */
  verbose?: boolean;
  /** A stage disk (`serial:<id>`) attached as virtio-blk; `diskMarker` is what init expects in /marker. */
  disk?: string;
  diskMarker?: string;
  /** init reads one console line and expects "ping" (the test types it). */
  checkInput?: boolean;
  /** The VMM's interrupt controller (--irqchip): its PLIC model (default) or KVM's in-kernel AIA (needs an AIA stage: AIA_MACHINE). */
  irqchip?: 'plic' | 'aia';
  /** init checks that /proc/interrupts shows the virtio interrupts on a chip of this name (e.g. "APLIC"). */
  checkIrqchip?: string;
  /** init times an O_DIRECT read of all of /dev/vda and prints `blk-read: bytes=N us=M` (the bench). */
  blkRead?: boolean;
  /** ISA extensions to switch off (VMM --isa-disable), as far as KVM lets them go (6.12: not Sstc, Zb*, Zicsr...). */
  isaDisable?: readonly string[];
  /** Override the initramfs (default: the one built around guests/linux/init.c). */
  initrd?: string;
  name?: string;
}

/** The initramfs holding /init, cached by content. */
export function linuxInitramfs(): string {
  const init = readFileSync(loadManifest().linuxInit);
  const dir = join(config.outDir, 'guests/linux');
  const path = join(dir, `initramfs-${contentHash(init)}.cpio`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path,
      cpioNewc([
        { path: 'dev', type: 'dir' },
        { path: 'dev/console', type: 'char', major: 5, minor: 1 },
        { path: 'proc', type: 'dir' },
        { path: 'sys', type: 'dir' },
        { path: 'mnt', type: 'dir' },
        { path: 'init', type: 'file', data: init, mode: 0o755 },
      ]),
    );
  }
  return path;
}

/** The kernel command line that tells guests/linux/init.c what to check (also for a bootloader's config). */
export function linuxCmdline(init: Pick<LinuxGuestInit, 'console' | 'verbose' | 'diskMarker' | 'checkInput' | 'checkIrqchip' | 'blkRead' | 'append'> & { cpus: number }): string {
  return [
    init.console === 'hvc0' ? 'console=hvc0' : 'console=ttyS0',
    'earlycon=sbi',
    'panic=-1',
    init.verbose ? '' : 'quiet',
    `bootcase_cpus=${init.cpus}`,
    init.diskMarker ? `bootcase_disk=${init.diskMarker}` : '',
    init.checkInput ? 'bootcase_input=1' : '',
    init.checkIrqchip ? `bootcase_irqchip=${init.checkIrqchip}` : '',
    init.blkRead ? 'bootcase_blkread=1' : '',
    init.append ?? '',
  ].filter(Boolean).join(' ');
}

export function linuxGuest(init: LinuxGuestInit = {}): GuestSpec {
  const manifest = loadManifest();
  const cfg = init.config ?? config.guestConfig ?? 'tiny';
  const defaults: LinuxGuestConfig | undefined = (LINUX_GUEST_CONFIGS as Record<string, LinuxGuestConfig>)[cfg];
  if (!defaults) throw new BootcaseError(`no guest config "${cfg}" (harness/guest/linux-configs.ts: ${Object.keys(LINUX_GUEST_CONFIGS).join(', ')})`);
  const image = manifest.linuxKernels[cfg];
  if (!image) throw new BootcaseError(`no guest kernel for config "${cfg}" in the manifest (built: ${Object.keys(manifest.linuxKernels).join(', ')}): run \`npm run build\``);
  const cpus = init.cpus ?? config.guestCpus ?? 1;
  if (!Number.isInteger(cpus) || cpus < 1) throw new BootcaseError(`bad vCPU count ${cpus} (BOOTCASE_GUEST_CPUS must be a whole number >= 1)`);
  const cmdline = linuxCmdline({ ...init, cpus, console: init.console ?? defaults.console });
  const vmmArgs = ['--cpus', String(cpus), '--append', cmdline];
  if (init.disk) vmmArgs.push('--disk', init.disk);
  if (init.virtioConsole ?? defaults.virtioConsole) vmmArgs.push('--virtio-console');
  if (init.isaDisable?.length) vmmArgs.push('--isa-disable', init.isaDisable.join(','));
  if (init.irqchip) vmmArgs.push('--irqchip', init.irqchip);
  return guest({
    name: init.name ?? `linux-${cfg}-${cpus}cpu`,
    image,
    memMiB: init.memMiB ?? 128,
    timeoutMs: init.timeoutMs ?? 60_000,
    vmmArgs,
    uploads: [{ flag: '--initrd', path: init.initrd ?? linuxInitramfs() }],
    ...(init.trace ? { trace: init.trace } : {}),
    ...(init.sbiDisable ? { sbiDisable: init.sbiDisable } : {}),
    ...(init.sbiServe ? { sbiServe: init.sbiServe } : {}),
  });
}

/** The panic line and what follows it, when the kernel panicked. */
export function kernelPanic(console: string): string | undefined {
  const i = console.search(/Kernel panic - not syncing/);
  return i < 0 ? undefined : console.slice(i).split('\n').slice(0, 12).join('\n');
}

/** An ext2 disk image holding these files, made with mke2fs -d (e2fsprogs). */
export async function ext2Image(files: Record<string, string>, sizeMiB = 4): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bootcase-ext2-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(root, name), body);
  const img = join(dir, 'disk.img');
  const r = await execa('mke2fs', ['-q', '-F', '-t', 'ext2', '-d', root, img, `${sizeMiB}M`], { reject: false });
  if (r.failed) {
    if ((r as { code?: string }).code === 'ENOENT') throw new ToolMissingError('mke2fs not found: install e2fsprogs (bash ci/setup.sh)');
    throw new BootcaseError(`mke2fs failed: ${r.stderr}`);
  }
  return img;
}
