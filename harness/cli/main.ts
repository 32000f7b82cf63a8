// bootcase CLI.
//   bootcase run <asm-case | path> [--timeout-ms N] [--mem MiB] [-- <vmm args>]
//       boot one guest, stream its console, print how it ended and a boot-phase timeline
//       (and every SBI call that reached the VMM, with -- --sbi-trace)
//   bootcase demo
//       build what is missing, boot every asm milestone on one stage, print a results table
//   bootcase sbi-check [--cpus N] [--serve time,ipi,hsm]
//       run the SBI compliance guest and print a compliance table for this KVM + VMM stack
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { asmGuest, boot, guest, linuxGuest, parseTap, Stage, BootcaseError, type GuestSpec } from '../index.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { tallyTap } from '../protocol/tap.js';
import { runMismatches } from '../run/expectation.js';
import { cases } from '../../guests/asm/cases.js';
import { build } from '../../images/build.js';
import { formatTable } from './table.js';
import { formatTimeline } from './timeline.js';
import { sbiCheck } from './sbi-check.js';

const progress = (msg: string) => process.stderr.write(`bootcase: ${msg}\n`);

async function runOne(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const { values, positionals } = parseArgs({
    args: dash >= 0 ? argv.slice(0, dash) : argv,
    allowPositionals: true,
    options: { 'timeout-ms': { type: 'string' }, mem: { type: 'string' } },
  });
  const target = positionals[0];
  if (!target) throw new BootcaseError('usage: bootcase run <asm-case | image path> [--timeout-ms N] [--mem MiB] [-- vmm args]');
  const init = {
    timeoutMs: values['timeout-ms'] ? Number(values['timeout-ms']) : undefined,
    memMiB: values.mem ? Number(values.mem) : undefined,
    vmmArgs: dash >= 0 ? argv.slice(dash + 1) : undefined,
  };
  const clean = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
  const spec: GuestSpec = existsSync(target) ? guest({ image: target, ...clean }) : asmGuest(target, clean);
  progress(`starting the L1 stage (QEMU TCG + KVM host kernel)`);
  await using stage = await Stage.start();
  progress(`stage ready in ${stage.bootMs.toFixed(0)} ms (L1 ${stage.kernelRelease}); booting ${spec.name}`);
  await using vm = await boot(spec, { stage });
  vm.followConsole((b) => process.stdout.write(b));
  const run = await vm.result();
  progress(`${spec.name}: ${run.describe()}`);
  process.stderr.write(`${formatTimeline(stage, run)}\n`);
  process.stderr.write(`  exits: ${JSON.stringify(run.exits)}  sbi: ${JSON.stringify(run.sbiCounts)}\n`);
  if (run.events.some((e) => e.ev === 'start' && 'sbi_trace' in e && e.sbi_trace)) {
    const hex = (v: bigint) => `0x${v.toString(16)}`;
    for (const c of run.sbiCalls) {
      const name = `${c.ext ?? `EID ${hex(c.eid)}`}${c.fn ? `.${c.fn}` : c.ext?.startsWith('LEGACY') ? '' : ` FID ${hex(c.fid)}`}`;
      process.stderr.write(`  sbi hart ${c.hart} ${c.by} ${name}(${c.args.map(hex).join(', ')}) -> error ${c.error}, value ${hex(c.value)}\n`);
    }
    if (!run.sbiTraceComplete) process.stderr.write('  (this L1 KVM does not report the calls it answers itself: only forwarded calls and SRST are listed)\n');
  }
  return run.passed ? 0 : 1;
}

async function demo(): Promise<number> {
  progress('building (cached: seconds when nothing changed)');
  await build();
  progress('starting the L1 stage');
  await using stage = await Stage.start();
  progress(`stage ready in ${stage.bootMs.toFixed(0)} ms; running ${cases.length} asm milestones, 2 device guests, Linux and the SBI suite`);
  const rows: string[][] = [];
  let bad = 0;
  const row = (name: string, what: string, ended: string, ok: boolean, t: number) => {
    if (!ok) bad++;
    rows.push([name, what, ended, ok ? 'PASS' : 'FAIL', `${(performance.now() - t).toFixed(0)} ms`]);
  };
  for (const c of cases) {
    const t = performance.now();
    await using vm = await boot(c.name, { stage });
    const run = await vm.result();
    const misses = runMismatches(run, c); // exit, code, reason, fault, print, sbiUsed: as milestones.test.ts
    row(c.name, c.milestone, [run.describe(), ...misses].join('; '), misses.length === 0, t);
  }
  for (const [name, what] of [['timer', 'SBI TIME interrupt'], ['plic', 'PLIC claim/complete, delivery']] as const) {
    const t = performance.now();
    await using vm = await boot(name, { stage });
    const run = await vm.result();
    row(name, what, run.describe(), run.passed, t);
  }
  for (const [name, spec] of [
    ['linux tiny, 2 vCPUs', linuxGuest({ cpus: 2 })],
    ['sbi-compliance', asmGuest('sbi-compliance', { vmmArgs: ['--cpus', '2'] })],
    ['sbi-compliance, TIME/IPI/HSM served by the VMM', asmGuest('sbi-compliance', { vmmArgs: ['--cpus', '2'], sbiServe: ['time', 'ipi', 'hsm'] })],
  ] as const) {
    const t = performance.now();
    await using vm = await boot(spec, { stage });
    const run = await vm.result();
    const tap = parseTap(run.console);
    const n = tallyTap(tap, knownDeviations, run.exit); // the rule of sbi-check and the vitest bridge
    const deviations = n.deviation ? `, ${n.deviation} known deviation${n.deviation === 1 ? '' : 's'}` : '';
    row(name, `TAP: ${n.pass} ok, ${n.fail + n.stale} not ok${deviations}, ${n.skip} skipped`, run.describe(), n.passed, t);
  }
  console.log(formatTable(['guest', 'milestone', 'how it ended', 'verdict', 'host time'], rows));
  console.log(`\n${rows.length - bad} passed, ${bad} failed`);
  return bad ? 1 : 0;
}

const [cmd, ...rest] = process.argv.slice(2);
const commands: Record<string, (a: string[]) => Promise<number>> = { run: runOne, demo, 'sbi-check': sbiCheck };
const fn = cmd ? commands[cmd] : undefined;
if (!fn) {
  console.error('usage: bootcase run <guest> | bootcase demo | bootcase sbi-check [--cpus N] [--serve time,ipi,hsm]');
  process.exit(2);
}
fn(rest).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof BootcaseError ? `bootcase: ${e.message}` : e);
    process.exit(1);
  },
);
