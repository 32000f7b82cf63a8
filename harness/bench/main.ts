// npm run bench: medians from one run, side by side, with the configuration they came from.
// Not a test: numbers on a shared 2-core host under TCG vary; a test must not depend on them.
import { execa } from 'execa';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot, config, linuxGuest, loadManifest, Stage } from '../index.js';
import { formatTable } from '../cli/timeline.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const reps = Number(process.argv[2] ?? 5);
const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);

async function main() {
  const manifest = loadManifest();
  const qemuVersion = (await execa(config.qemu, ['--version'])).stdout.split('\n')[0];
  const rows: string[][] = [];
  const results: Record<string, number> = {};
  const add = (name: string, samples: number[], unit: string, note: string) => {
    results[name] = median(samples);
    rows.push([name, `${median(samples).toFixed(unit === 'us' ? 1 : 0)} ${unit}`, `${Math.min(...samples).toFixed(1)}-${Math.max(...samples).toFixed(1)}`, String(samples.length), note]);
  };

  progress(`L1 boot x${reps}`);
  const bootMs: number[] = [];
  const uptimeMs: number[] = [];
  for (let i = 0; i < reps; i++) {
    await using stage = await Stage.start();
    bootMs.push(stage.bootMs);
    uptimeMs.push(stage.l1UptimeMs);
  }
  add('L1 boot: QEMU spawn -> agent ready', bootMs, 'ms', 'host clock');
  add('L1 boot: kernel uptime at agent ready', uptimeMs, 'ms', 'L1 CLOCK_BOOTTIME');

  progress(`hello on a warm stage x${reps * 2}, cold (stage + hello) x${reps}`);
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
  const cold: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await using vm = await boot('hello-dbcn');
    await vm.result();
    cold.push(performance.now() - t);
  }
  add('hello-dbcn: boot() -> verdict, warm stage', warm, 'ms', 'host clock, stage already up');
  add('hello-dbcn: boot() -> verdict, cold (own stage)', cold, 'ms', 'host clock, includes L1 boot');
  add('hello-dbcn: first KVM_RUN -> end', guestMs, 'ms', 'VMM clock in L1');

  progress(`per-exit cost x${reps}`);
  const sbi: number[] = [];
  const mmio: number[] = [];
  const inKernel: number[] = [];
  for (let i = 0; i < reps; i++) {
    await using vm = await boot('bench', { stage, timeoutMs: 30_000 });
    const run = await vm.result();
    const m = run.marks;
    const per = (a: number, b: number) => ((m.get(b) ?? NaN) - (m.get(a) ?? NaN)) / 1000;
    sbi.push(per(0, 1));
    mmio.push(per(1, 2));
    inKernel.push(per(2, 3));
  }
  add('SBI exit to VMM and back (BOOTCASE NOP)', sbi, 'us', 'per call, 1000 per run');
  add('MMIO exit to VMM and back (UART SCR read)', mmio, 'us', 'per access, 1000 per run');
  add('SBI call answered in L1 KVM (BASE)', inKernel, 'us', 'per call, no VMM exit');

  progress(`L2 Linux (tiny config, 1 vCPU) boot to the init marker x${reps}`);
  const linuxHost: number[] = [];
  const linuxUptime: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await using vm = await boot(linuxGuest({ cpus: 1 }), { stage });
    const m = await vm.waitForLine(/BOOTCASE-READY uptime_ms=(\d+)/);
    linuxHost.push(performance.now() - t);
    linuxUptime.push(Number(m[1]));
    await vm.result();
  }
  add('L2 Linux tiny: boot() -> init marker', linuxHost, 'ms', 'host clock, warm stage, image already uploaded after run 1');
  add('L2 Linux tiny: kernel uptime at init', linuxUptime, 'ms', 'guest CLOCK_BOOTTIME');

  console.log(`\nbootcase bench, medians of one run (${reps} or more samples each)`);
  console.log(`config: host ${cpus()[0]?.model ?? '?'} x${cpus().length}; ${qemuVersion}; L1 -smp 1 -m 1024M, kernel ${stage.kernelRelease} (${manifest.l1Kernel}); guest 128 MiB, 1 vCPU; timeout scale ${config.timeoutScale}\n`);
  console.log(formatTable(['measure', 'median', 'range', 'n', 'how'], rows));
  const out = join(config.outDir, 'bench.json');
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), qemu: qemuVersion, kernel: stage.kernelRelease, results }, null, 2));
  console.log(`\nwrote ${out}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
