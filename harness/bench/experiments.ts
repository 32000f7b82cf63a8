// The bench's L1 experiments (issue 13 §2): what QEMU 10 might make worth it, measured side by
// side with the default L1 in the same run, kept or not by these figures. And the bare KVM_RUN
// loop (vmm/bench/kvm-loop.c), the floor under the VMM's exit cost.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asmGuest, boot, execProgram, linuxGuest, Stage, type StageOptions } from '../index.js';
import { contentHash } from '../guest/guest.js';
import { oursOnce } from './peer.js';

export const median = (xs: number[]) => {
  const s = [...xs].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** The bench guest's per-call figures (guests/asm/cases/bench.S): NOP exit to the VMM, MMIO exit, BASE in KVM. */
export async function exitCosts(stage: Stage, init: Parameters<typeof asmGuest>[1] = {}) {
  await using vm = await boot(asmGuest('bench', { timeoutMs: 30_000, ...init }), { stage });
  const m = (await vm.result()).marks;
  const per = (a: number, b: number) => ((m.get(b) ?? NaN) - (m.get(a) ?? NaN)) / 1000;
  return { nop: per(0, 1), mmio: per(1, 2), inKernel: per(2, 3), hsm: per(3, 4) };
}

const LOOP_N = 1000;

/** µs per exit of the bare loop: the same NOP exit as bench.S's first loop, answered with nothing else. */
export async function kvmLoopUs(stage: Stage, vmm: string): Promise<number> {
  const bin = join(dirname(vmm), 'kvm-loop');
  const bytes = readFileSync(bin);
  const path = await stage.upload('kvm-loop', contentHash(bytes), bytes);
  await using vm = await execProgram(stage, { path, args: [String(LOOP_N)], name: 'kvm-loop', timeoutMs: 60_000 });
  const run = await vm.result();
  const m = /kvm-loop: \d+ exits in \d+ us: ([\d.]+) us\/exit/.exec(run.console);
  if (!run.passed || !m) throw new Error(`kvm-loop failed (${run.describe()}): ${run.consoleTail(5)}`);
  return Number(m[1]);
}

export interface Experiment {
  name: string;
  /** How the L1 differs from the default one. */
  stage: StageOptions;
  /** vCPUs of the L2 Linux it boots. */
  l2Cpus: number;
}

export const EXPERIMENTS: Experiment[] = [
  { name: 'default: L1 -smp 1, -cpu rv64,h=true', stage: {}, l2Cpus: 1 },
  { name: 'L1 -smp 2 (MTTCG), L2 1 vCPU', stage: { machine: { smp: 2 } }, l2Cpus: 1 },
  { name: 'L1 -smp 2 (MTTCG), L2 2 vCPUs', stage: { machine: { smp: 2 } }, l2Cpus: 2 },
  { name: 'L1 -cpu max (every extension QEMU 10 has)', stage: { machine: { cpu: 'max' } }, l2Cpus: 1 },
];

export interface ExperimentResult {
  name: string;
  l1BootMs: number;
  nopUs: number;
  l2InitMs: number;
  error?: string;
}

/** One L1 configuration: its boots, then NOP exits and L2 Linux run→init on one of them. */
export async function runExperiment(x: Experiment, reps: number): Promise<ExperimentResult> {
  const boots: number[] = [];
  const nops: number[] = [];
  const l2: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      // booted, never restored: these rows compare L1 configurations' boots (snapshot.ts has its own)
      await using s = await Stage.start({ ...x.stage, snapshot: false });
      boots.push(s.bootMs);
    }
    await using stage = await Stage.start({ ...x.stage, snapshot: false });
    for (let i = 0; i < reps; i++) nops.push((await exitCosts(stage)).nop);
    const spec = linuxGuest({ cpus: x.l2Cpus });
    await oursOnce(stage, spec); // the stage's first boot of it (TCG translation): not a sample, as in main.ts
    for (let i = 0; i < reps; i++) l2.push((await oursOnce(stage, spec)).hostMs);
  } catch (e) {
    return { name: x.name, l1BootMs: median(boots), nopUs: median(nops), l2InitMs: median(l2), error: (e as Error).message.split('\n')[0] };
  }
  return { name: x.name, l1BootMs: median(boots), nopUs: median(nops), l2InitMs: median(l2) };
}

/**
 * Two stages at once (vitest file parallelism) against one after the other: each stage boots
 * and runs `hellos` hello guests and one L2 Linux, the work of a small test file. Wall time.
 */
export async function twoStages(machine: StageOptions, hellos: number): Promise<{ sequentialMs: number; parallelMs: number }> {
  const file = async () => {
    await using stage = await Stage.start({ ...machine, snapshot: false });
    for (let i = 0; i < hellos; i++) {
      await using vm = await boot('hello-dbcn', { stage });
      await vm.result();
    }
    await oursOnce(stage, linuxGuest({ cpus: 1 }));
  };
  let t = performance.now();
  await file();
  await file();
  const sequentialMs = performance.now() - t;
  t = performance.now();
  await Promise.all([file(), file()]);
  return { sequentialMs, parallelMs: performance.now() - t };
}
