// The L2's interrupt controller side by side (issue 13 §2): the VMM's PLIC model (default)
// against KVM's in-kernel AIA irqchip (--irqchip aia), both on one AIA stage, so the L1 is the
// same and only the VMM option differs. Per run: L2 Linux run -> init marker, an O_DIRECT read
// of a whole virtio-blk disk in the guest (guests/linux/init.c blk_read), and the VMM's exit
// counts for the run. The two alternate, so load on the shared host falls on both alike.
// Two L1s: AIA_MACHINE, whose IMSIC has no guest interrupt files (L1's KVM then emulates the
// L2's IMSIC, mode EMUL: the L2's IMSIC CSR accesses trap to L1), and the same with one guest
// file per hart (aia-guests=1: KVM's mode AUTO puts the L2 on it, no trap).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIA_MACHINE, boot, linuxGuest, Stage, type L1Machine } from '../index.js';
import type { ExitCounts } from '../protocol/events.js';
import { median } from './experiments.js';
import { READY } from './peer.js';

export const IRQCHIPS = ['plic', 'aia'] as const;
export type Irqchip = (typeof IRQCHIPS)[number];
const DISK_MIB = 64;

export const IRQCHIP_L1S: { name: string; machine: L1Machine }[] = [
  { name: 'IMSIC emulated by L1 KVM', machine: AIA_MACHINE },
  { name: 'IMSIC guest file (aia-guests=1)', machine: { machine: `${AIA_MACHINE.machine},aia-guests=1` } },
];

export interface IrqchipSample {
  /** Host ms from the run command to the init marker. */
  initMs: number;
  /** The guest's read of all of /dev/vda. */
  blkMiBs: number;
  exits: ExitCounts;
}

/** One boot: L2 Linux with the disk, reading it whole, under `irqchip`. */
export async function irqchipOnce(stage: Stage, irqchip: Irqchip): Promise<IrqchipSample> {
  const spec = linuxGuest({ irqchip, disk: 'serial:bench-blk,ro', blkRead: true, name: `linux-bench-${irqchip}` });
  await using vm = await boot(spec, { stage });
  const sent = performance.now();
  await vm.waitForLine(READY);
  const initMs = performance.now() - sent;
  const run = await vm.result();
  const m = /blk-read: bytes=(\d+) us=(\d+)/.exec(run.console);
  if (!run.passed || !m) throw new Error(`--irqchip ${irqchip}: ${run.describe()}: ${run.consoleTail(8)}`);
  return { initMs, blkMiBs: Number(m[1]) / 2 ** 20 / (Number(m[2]) / 1e6), exits: run.exits };
}

/** `reps` runs of each irqchip, alternating, on one `machine` stage with a DISK_MIB MiB random disk. */
export async function irqchipSideBySide(reps: number, machine: L1Machine): Promise<Record<Irqchip, IrqchipSample[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'bootcase-bench-blk-'));
  try {
    const disk = join(dir, 'blk.img');
    writeFileSync(disk, randomBytes(DISK_MIB << 20));
    await using stage = await Stage.start({ machine, disks: [{ id: 'bench-blk', path: disk, readOnly: true }] });
    const out: Record<Irqchip, IrqchipSample[]> = { plic: [], aia: [] };
    for (const c of IRQCHIPS) await irqchipOnce(stage, c); // first boots (TCG translation, main.ts): not samples
    for (let i = 0; i < reps; i++) for (const c of IRQCHIPS) out[c].push(await irqchipOnce(stage, c));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table rows and the bench.json figures of a side-by-side run. */
export function irqchipRows(l1: string, s: Record<Irqchip, IrqchipSample[]>): { rows: string[][]; results: Record<string, number> } {
  const rows: string[][] = [];
  const results: Record<string, number> = {};
  for (const c of IRQCHIPS) {
    const xs = s[c];
    const med = (f: (x: IrqchipSample) => number) => median(xs.map(f));
    const r = { initMs: med((x) => x.initMs), blkMiBs: med((x) => x.blkMiBs), exits: med((x) => x.exits.total), mmio: med((x) => x.exits.mmio), sbi: med((x) => x.exits.sbi) };
    const range = (f: (x: IrqchipSample) => number) => `${Math.min(...xs.map(f)).toFixed(1)}-${Math.max(...xs.map(f)).toFixed(1)}`;
    rows.push([l1, `--irqchip ${c}`, `${r.initMs.toFixed(0)} ms`, `${r.blkMiBs.toFixed(1)} MiB/s (${range((x) => x.blkMiBs)})`, `${r.exits.toFixed(0)}`, `${r.mmio.toFixed(0)}`, `${r.sbi.toFixed(0)}`, String(xs.length)]);
    const k = `irqchip ${c} (${l1})`;
    Object.assign(results, { [`${k}: L2 run->init ms`]: r.initMs, [`${k}: blk read MiB/s`]: r.blkMiBs, [`${k}: VMM exits`]: r.exits, [`${k}: MMIO exits`]: r.mmio });
  }
  return { rows, results };
}
