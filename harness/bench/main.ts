// npm run bench: medians from one run, side by side, with the configuration they came from;
// then the same L2 Linux under our VMM and under Debian's QEMU -accel kvm (bench/peer.ts).
// Not a test: numbers on a shared 2-core host under TCG vary; a test must not depend on them.
import { execa } from 'execa';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AIA_MACHINE, asmGuest, boot, config, loadManifest, Stage } from '../index.js';
import { formatTable } from '../cli/table.js';
import { selectL0 } from '../stage/l0.js';
import { STAGE_MEM_MIB } from '../stage/qemu.js';
import { fetchQemuPeer } from '../../images/qemu-peer.js';
import { oursOnce, peerGuest, peerOnce, peerStage, qemuPeerArgs, settle, type Sample } from './peer.js';
import { EXPERIMENTS, exitCosts, kvmLoopUs, median, runExperiment, twoStages } from './experiments.js';
import { KEYS, targetLines } from './targets.js';
import { hostGauge } from './gauge.js';
import { IRQCHIP_L1S, irqchipRows, irqchipSideBySide } from './irqchip.js';
import { minMedian, snapshotFigures } from './snapshot.js';

// npm run bench [N] [--no-experiments] [--irqchip]: N samples per row (5); the L1 experiments take
// a few minutes; --irqchip runs only the PLIC / in-kernel AIA comparison (irqchip.ts)
const args = process.argv.slice(2);
const reps = Number(args.find((a) => /^\d+$/.test(a)) ?? 5);
const experiments = !args.includes('--no-experiments');
const irqchipOnly = args.includes('--irqchip');
const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);

async function main() {
  const manifest = loadManifest();
  const l0 = selectL0();
  const qemuVersion = (await execa(l0.qemu, ['--version'])).stdout.split('\n')[0];
  if (irqchipOnly) {
    console.log(`config: host ${cpus()[0]?.model ?? '?'} x${cpus().length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; L0 ${l0.name}: ${qemuVersion}; timeout scale ${config.timeoutScale}`);
    await runIrqchip({});
    return;
  }
  const rows: string[][] = [];
  const results: Record<string, number> = {};
  const add = (name: string, samples: number[], unit: string, note: string) => {
    results[name] = median(samples);
    rows.push([name, `${median(samples).toFixed(unit === 'us' ? 1 : 0)} ${unit}`, `${Math.min(...samples).toFixed(1)}-${Math.max(...samples).toFixed(1)}`, String(samples.length), note]);
  };

  const gaugeStart = hostGauge();
  progress(`L1 boot x${reps}`);
  const bootMs: number[] = [];
  const uptimeMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    await using stage = await Stage.start({ snapshot: false });
    bootMs.push(stage.bootMs);
    uptimeMs.push(stage.l1UptimeMs);
  }
  add('L1 boot: QEMU spawn -> agent ready', bootMs, 'ms', 'host clock');
  add('L1 boot: kernel uptime at agent ready', uptimeMs, 'ms', 'L1 CLOCK_BOOTTIME');

  progress(`hello on a warm stage x${reps * 2}`);
  await using stage = await Stage.start();
  const warm: number[] = [];
  const guestMs: number[] = [];
  for (let i = 0; i < reps * 2; i++) {
    const t = performance.now();
    await using vm = await boot('hello-dbcn', { stage });
    const run = await vm.result();
    warm.push(performance.now() - t);
    guestMs.push(run.guestMs ?? NaN);
  }
  add('hello-dbcn: boot() -> verdict, warm stage', warm, 'ms', 'host clock, stage already up');
  progress(`L1 booted vs restored from a snapshot, interleaved: x${reps} stages and x${reps} hellos on their own stage each`);
  const snap = await snapshotFigures(reps);
  if (snap.restoreMs.length) add('L1 restore from a snapshot: QEMU spawn -> agent live', snap.restoreMs, 'ms', 'host clock, spawn -> pong (interleaved with boots)');
  add(KEYS.helloOwnStage, snap.helloBootedMs, 'ms', 'host clock, includes L1 boot (interleaved)');
  if (snap.restoreMs.length) add(KEYS.helloOwnStageRestored, snap.helloRestoredMs, 'ms', 'host clock, includes the restore (interleaved)');
  add('hello-dbcn: first KVM_RUN -> end', guestMs, 'ms', 'VMM clock in L1');

  progress(`per-exit cost x${reps}, plain, with --sbi-serve hsm,ipi and with --sbi-trace`);
  const sbi: number[] = [];
  const mmio: number[] = [];
  const inKernel: number[] = [];
  const hsmKvm: number[] = [];
  const hsmServed: number[] = [];
  const reported: number[] = [];
  const loop: number[] = [];
  for (let i = 0; i < reps; i++) {
    // guests/asm/cases/bench.S: marks 0..4 around loops of 1000 NOP, MMIO, BASE, HSM status calls
    // The NOP exit and the bare loop back to back, in turn first: the host's speed drifts
    // (gauge.ts), and a pair measured seconds apart once put the ratio at 1.22x.
    const bare = i % 2 ? await kvmLoopUs(stage, manifest.vmm) : NaN;
    const per = await exitCosts(stage);
    loop.push(i % 2 ? bare : await kvmLoopUs(stage, manifest.vmm));
    sbi.push(per.nop);
    mmio.push(per.mmio);
    inKernel.push(per.inKernel);
    hsmKvm.push(per.hsm);
    hsmServed.push((await exitCosts(stage, { sbiServe: ['hsm', 'ipi'] })).hsm); // hsm needs ipi served too
    reported.push((await exitCosts(stage, { trace: ['sbi'] })).inKernel);
  }
  add('SBI exit to VMM and back (BOOTCASE NOP)', sbi, 'us', 'per call, 1000 per run');
  add('the same NOP exit, bare KVM_RUN loop (vmm/bench/kvm-loop.c)', loop, 'us', 'per exit, 1000 per run: the floor under the VMM');
  // each rep ran both back to back: their ratio is steadier on a loaded host than a ratio of medians
  results[KEYS.vmmOverBare] = median(sbi.map((v, i) => v / loop[i]!));
  add('MMIO exit to VMM and back (UART SCR read)', mmio, 'us', 'per access, 1000 per run');
  add('SBI call answered in L1 KVM (BASE)', inKernel, 'us', 'per call, no VMM exit');
  add('HSM hart_get_status answered in L1 KVM', hsmKvm, 'us', 'per call, no VMM exit');
  add('HSM hart_get_status served by the VMM (--sbi-serve hsm,ipi)', hsmServed, 'us', 'per call, patched L1 (FORWARD)');
  add('SBI call answered in KVM, traced (--sbi-trace)', reported, 'us', 'per BASE call: KVM reports it to the VMM (REPORT)');

  progress(`L2 Linux (tiny config, 1 vCPU) boot to the init marker: a first boot on each side, then x${reps} pairs, ours and the peer's alternating`);
  const { spec: l2, cmdline } = peerGuest();
  const l1 = `L1 -smp 1 -m ${STAGE_MEM_MIB}M, kernel ${stage.kernelRelease} (${manifest.l1Kernel})`;
  // A stage's first boot of this kernel costs ~200 ms more: L0's TCG translates the guest's boot
  // path then (~35K blocks; ~1.8K on each later boot), and a stage keeps that code for its life.
  // It is shown on its own, and the samples are the boots after it, on both sides.
  const oursFirst = await oursOnce(stage, l2);
  // The side by side runs in pairs, ours then the peer's, on two stages up at once: the host's
  // speed drifts over minutes (gauge.ts), and all of ours then all of theirs once gave 2.2x in
  // one run and 5.7x in the next. An idle stage costs little (210 ms of CPU in 5 s), and the
  // host has a core for it. The ratio is the median of the pairs' ratios.
  const ours: Array<Sample & { bootMs: number }> = [];
  const theirs: Sample[] = [];
  const gauges: number[] = [];
  let peerWhat = '';
  let peerError: unknown;
  let peer: Awaited<ReturnType<typeof fetchQemuPeer>>['peer'] | undefined;
  let peerSide: Awaited<ReturnType<typeof peerStage>> | undefined;
  try {
    peer = (await fetchQemuPeer('trixie', progress)).peer;
    peerWhat = peer.describe;
    progress(`peer stage (${peer.describe} in the L1 initramfs)`);
    peerSide = await peerStage(peer, l2);
    progress(`peer stage up in ${(peerSide.stage.bootMs / 1000).toFixed(1)} s`);
  } catch (e) {
    peerError = e;
  }
  await using peerL1 = peerSide?.stage;
  const peerArgs = peerSide ? qemuPeerArgs(l2, cmdline, peerSide.kernel, peerSide.initrd) : [];
  const peerRun = async () => {
    if (!peer || !peerL1 || peerError) return undefined;
    try {
      return await peerOnce(peerL1, peer, peerArgs);
    } catch (e) {
      peerError = e;
      return undefined;
    }
  };
  const theirsFirst = await peerRun();
  for (let i = 0; i < reps; i++) {
    const both = peerL1 ? [stage, peerL1] : [stage];
    await settle(...both);
    gauges.push(hostGauge());
    ours.push(await oursOnce(stage, l2));
    await settle(...both);
    const b = await peerRun();
    if (b) theirs.push(b);
  }
  add('L2 Linux tiny: first boot on the stage, run -> init marker', [oursFirst.hostMs], 'ms', 'host clock: L0 TCG translates its boot path; not in the other rows');
  add('L2 Linux tiny: boot() -> init marker', ours.map((s) => s.bootMs), 'ms', 'host clock, warm stage, the boots after the first');
  add('L2 Linux tiny: kernel uptime at init', ours.map((s) => s.guestMs), 'ms', 'guest CLOCK_BOOTTIME');
  add(KEYS.gaugeL2, gauges, 'ms', 'before each pair of L2 boots (gauge.ts)');
  // idle or not, each is a TCG process: not during the experiments
  await peerL1?.[Symbol.asyncDispose]();
  await stage[Symbol.asyncDispose]();

  console.log(`\nbootcase bench, medians of one run (${reps} or more samples each)`);
  console.log(`config: host ${cpus()[0]?.model ?? '?'} x${cpus().length}; L0 ${l0.name}: ${qemuVersion} (${l0.describe}); ${l1}; guest 128 MiB, 1 vCPU; timeout scale ${config.timeoutScale}\n`);
  console.log(formatTable(['measure', 'median', 'range', 'n', 'how'], rows));
  if (!snap.restoreMs.length) console.log(`\nL1 snapshot: not used on this L0 (${l0.name}) or with BOOTCASE_SNAPSHOT=0; stages boot`);
  else {
    console.log(`\nL1 snapshot, interleaved pairs: stage spawn -> live, boot ${minMedian(snap.bootMs, median)} vs restore ${minMedian(snap.restoreMs, median)}; hello on its own stage, booted ${minMedian(snap.helloBootedMs, median)} vs restored ${minMedian(snap.helloRestoredMs, median)}`);
    console.log(snap.firstSaveMs === undefined ? 'the snapshot was there already' : `the first stage booted and saved the snapshot: ${snap.firstSaveMs.toFixed(0)} ms from start to saved (once per key)`);
  }

  console.log(`\nL2 Linux boot, side by side: run command -> BOOTCASE-READY (host clock) and the guest's uptime at that marker (its own clock); the L0 QEMU's vCPU thread's wait for a host CPU meanwhile (load, per sample: a quiet host waits ~0)`);
  console.log(`config: both in ${l1}; guest ${l2.image} + ${l2.uploads[0]!.path}, ${l2.memMiB} MiB, 1 vCPU, cmdline "${cmdline}"`);
  console.log(`peer: ${peerWhat || 'Debian trixie qemu-system-riscv'}, on its own stage: qemu-system-riscv64 ${qemuPeerArgs(l2, cmdline, '<Image>', '<initramfs>').join(' ')}\n`);
  const side = sideBySideTable(ours, theirs);
  console.log(side.table);
  console.log(`the first run on each stage, not in the medians (L0 TCG translates it): ours ${oursFirst.hostMs.toFixed(0)} ms (waited ${oursFirst.waitMs.toFixed(0)}), the peer's ${theirsFirst ? `${theirsFirst.hostMs.toFixed(0)} ms (waited ${theirsFirst.waitMs.toFixed(0)})` : '-'}`);
  if (peerError) console.log(`\nQEMU peer: ${theirs.length ? `failed after ${theirs.length} pairs` : 'not measured'}: ${(peerError as Error).message ?? String(peerError)}`);
  Object.assign(results, side.results);

  if (experiments) await runExperiments(results);
  if (experiments) await runIrqchip(results);

  results[KEYS.gaugeStart] = gaugeStart;
  results[KEYS.gaugeEnd] = hostGauge();
  console.log(`\ntargets (issue 13 §3), from this run's medians:\n${targetLines(results).join('\n')}`);
  const out = join(config.outDir, 'bench.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), l0: l0.name, qemu: qemuVersion, kernel: stage.kernelRelease, peer: peerWhat || undefined, results }, null, 2));
  console.log(`\nwrote ${out}`);
  if (peerError) process.exitCode = 1;
}

/** The L1 experiments side by side (experiments.ts), and two stages at once; their figures go into `results`. */
async function runExperiments(results: Record<string, number>) {
  progress(`L1 experiments (${EXPERIMENTS.length} configurations) x${reps}, then two stages at once`);
  const xs = [];
  for (const x of EXPERIMENTS) xs.push(await runExperiment(x, reps));
  console.log(`\nL1 experiments, side by side in this run (${reps} samples each): L1 boot, the NOP exit, L2 tiny Linux run -> init marker (host clock)`);
  console.log(formatTable(['L1', 'L1 boot', 'NOP exit', 'L2 run -> init', 'note'], xs.map((x) => [x.name, `${x.l1BootMs.toFixed(0)} ms`, `${x.nopUs.toFixed(1)} us`, `${x.l2InitMs.toFixed(0)} ms`, x.error ?? ''])));
  for (const x of xs) Object.assign(results, { [`experiment ${x.name}: L1 boot ms`]: x.l1BootMs, [`experiment ${x.name}: NOP us`]: x.nopUs, [`experiment ${x.name}: L2 ms`]: x.l2InitMs });
  const two = [{ name: 'L1 -smp 1', r: await twoStages({}, 5) }, { name: 'L1 -smp 2 (MTTCG)', r: await twoStages({ machine: { smp: 2 } }, 5) }];
  console.log('\ntwo stages at once (vitest file parallelism): two "files" (L1 boot, 5 hellos, one L2 Linux), wall time');
  console.log(formatTable(['L1', 'one after the other', 'at once', 'at once / sequential'], two.map(({ name, r }) => [name, `${r.sequentialMs.toFixed(0)} ms`, `${r.parallelMs.toFixed(0)} ms`, `${(r.parallelMs / r.sequentialMs).toFixed(2)}x`])));
  const best = two.reduce((a, b) => (b.r.parallelMs / b.r.sequentialMs < a.r.parallelMs / a.r.sequentialMs ? b : a));
  Object.assign(results, { [KEYS.twoSequential]: best.r.sequentialMs, [KEYS.twoParallel]: best.r.parallelMs });
  console.log(`(the two-stages target below takes the better row: ${best.name})`);
}

/** The L2 irqchip side by side on one AIA stage (irqchip.ts); its figures go into `results`. */
async function runIrqchip(results: Record<string, number>) {
  const rows: string[][] = [];
  for (const l1 of IRQCHIP_L1S) {
    progress(`L2 --irqchip plic and aia, alternating x${reps}, on one L1 -M ${l1.machine.machine}`);
    const t = irqchipRows(l1.name, await irqchipSideBySide(reps, l1.machine));
    rows.push(...t.rows);
    Object.assign(results, t.results);
  }
  console.log(`\nL2 interrupt controller, side by side on one L1 each (-M ${AIA_MACHINE.machine}, ${reps} runs each, alternating): L2 tiny Linux run -> init marker (host clock), the guest's O_DIRECT read of a 64 MiB virtio-blk disk, the VMM's exits for the whole run (medians)`);
  console.log(formatTable(['L1 AIA', 'L2 irqchip', 'run -> init', 'blk read', 'VMM exits', 'MMIO', 'SBI', 'n'], rows));
}

/** Medians of both sides and the ratio QEMU / ours, the median of the pairs' (targets.ts judges it). */
function sideBySideTable(ours: Sample[], theirs: Sample[]) {
  const m = (xs: Sample[], k: keyof Sample) => (xs.length ? median(xs.map((s) => s[k])) : NaN);
  const range = (xs: Sample[], k: keyof Sample) => (xs.length ? `${Math.min(...xs.map((s) => s[k])).toFixed(0)}-${Math.max(...xs.map((s) => s[k])).toFixed(0)}` : '-');
  const ms = (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(0)} ms`);
  const row = (name: string, xs: Sample[]) => [name, ms(m(xs, 'hostMs')), range(xs, 'hostMs'), ms(m(xs, 'guestMs')), range(xs, 'guestMs'), range(xs, 'waitMs'), String(xs.length)];
  // theirs[i] ran right after ours[i] (a failed peer run ends theirs early): the ratio is the pairs' median
  const ratio = (k: keyof Sample) => (theirs.length ? median(theirs.map((t, i) => t[k] / ours[i]![k])) : NaN);
  const x = (v: number) => (Number.isNaN(v) ? '-' : `${v.toFixed(2)}x`);
  const table = formatTable(
    ['L2 VMM', 'host: run -> marker', 'range', 'guest uptime at init', 'range', 'vCPU thread waited (ms)', 'n'],
    [row('bootcase vmm', ours), row('Debian QEMU -accel kvm', theirs), ['QEMU / ours', x(ratio('hostMs')), '', x(ratio('guestMs')), '', '', '']],
  );
  const results = {
    'side-by-side: ours host ms': m(ours, 'hostMs'),
    'side-by-side: ours guest uptime ms': m(ours, 'guestMs'),
    'side-by-side: qemu host ms': m(theirs, 'hostMs'),
    'side-by-side: qemu guest uptime ms': m(theirs, 'guestMs'),
    'side-by-side: ratio host': ratio('hostMs'),
    'side-by-side: ratio guest': ratio('guestMs'),
  };
  return { table, results };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
