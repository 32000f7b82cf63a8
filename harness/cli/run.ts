// `bootcase run IMAGE [options]`: boot one guest on a stage of its own, with the user's host
// files uploaded or attached, the console live both ways, and the verdict as the exit status.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnFirstUse, loadManifest } from '../config.js';
import { guest, loadImage, type GuestSpec } from '../guest/guest.js';
import type { StartedGuest } from '../guest/started-guest.js';
import { xv6Disk } from '../guest/xv6.js';
import type { RunResult } from '../run/result.js';
import type { Stage } from '../stage/stage.js';
import { helpText, UsageError } from './args.js';
import { attachInput, ESCAPE_HELP } from './console.js';
import { planRun, RUN, type RunPlan } from './run-plan.js';
import { formatTimeline } from './timeline.js';

const progress = (msg: string) => process.stderr.write(`bootcase: ${msg}\n`);

/** IMAGE is a host path or a milestone guest's name; the xv6 profile adds its shim and disk. */
function resolveGuest(plan: RunPlan): { spec: GuestSpec; disks: RunPlan['disks'] } {
  let image = plan.target;
  if (!existsSync(image)) {
    const asm = /^[\w-]+$/.test(image) ? join(loadManifest().asmGuests, `${image}.elf`) : '';
    if (!asm || !existsSync(asm)) throw new UsageError(`bootcase run: ${image}: no such file, and no milestone guest of that name (bootcase list)`);
    image = asm;
  }
  const init = { ...plan.init, image, vmmArgs: [...(plan.init.vmmArgs ?? [])], uploads: [...(plan.init.uploads ?? [])] };
  const disks = [...plan.disks];
  if (plan.xv6) {
    init.vmmArgs.unshift('--profile', 'xv6');
    init.uploads.push({ flag: '--firmware', path: loadManifest().xv6Shim });
    if (plan.xv6.fs) {
      // a private copy: xv6 writes to its disk, and the user's fs.img stays as built
      disks.push(xv6Disk(plan.xv6.fs));
      init.vmmArgs.push('--disk', 'serial:xv6-fs');
    }
  }
  return { spec: guest(init), disks };
}

function report(stage: Stage, run: RunResult): void {
  progress(`${run.guest}: ${run.describe()}`);
  process.stderr.write(`${formatTimeline(stage, run)}\n`);
  process.stderr.write(`  exits: ${JSON.stringify(run.exits)}  sbi: ${JSON.stringify(run.sbiCounts)}\n`);
  if (!run.events.some((e) => e.ev === 'start' && 'sbi_trace' in e && e.sbi_trace)) return;
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  for (const c of run.sbiCalls) {
    const name = `${c.ext ?? `EID ${hex(c.eid)}`}${c.fn ? `.${c.fn}` : c.ext?.startsWith('LEGACY') ? '' : ` FID ${hex(c.fid)}`}`;
    process.stderr.write(`  sbi hart ${c.hart} ${c.by} ${name}(${c.args.map(hex).join(', ')}) -> error ${c.error}, value ${hex(c.value)}\n`);
  }
  if (!run.sbiTraceComplete) process.stderr.write('  (this L1 KVM does not report the calls it answers itself: only forwarded calls and SRST are listed)\n');
}

/** The VMM's tree went to its console (`--dump-dtb -`): save exactly those bytes on the host. */
async function dumpDtb(vm: StartedGuest, file: string): Promise<number> {
  const run = await vm.result();
  if (!run.passed || vm.consoleRaw.length !== run.consoleBytes) {
    progress(`--dump-dtb: ${run.describe()}`);
    return 1;
  }
  writeFileSync(file, vm.consoleRaw);
  progress(`wrote the device tree (${vm.consoleRaw.length} bytes) to ${file}`);
  return 0;
}

export async function runCommand(argv: string[]): Promise<number> {
  const interactive = process.stdin.isTTY === true;
  const plan = planRun(argv, { interactive });
  if (!plan) {
    console.log(helpText(RUN));
    return 0;
  }
  await buildOnFirstUse(); // the installed package, once: the VMM, the guests, the kernels
  const { spec, disks } = resolveGuest(plan);
  loadImage(spec); // the VMM loader's verdict on IMAGE: a bad one is refused before the stage boots
  // loaded only now: a usage error above should not wait seconds for the stage's modules
  const [{ boot }, { Stage }] = await Promise.all([import('../boot.js'), import('../stage/stage.js')]);
  // Ctrl-C (or a SIGTERM, SIGHUP) is the user ending the run: the result says so, not "deadline".
  // Before the run exists there is only the stage to stop, once it is up (half a second).
  // A second signal does not wait: exit now (the stage's exit hook kills QEMU).
  let vm: StartedGuest | undefined;
  let stopRequested = false;
  const stop = () => {
    if (stopRequested) process.exit(1);
    stopRequested = true;
    if (vm) void vm.kill('user');
  };
  // SIGHUP too: the terminal went away; QEMU is in a group of its own and would outlive us
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, stop);
  try {
    progress('starting the L1 stage (QEMU TCG + KVM host kernel)');
    // L1 holds the guest's RAM beside its own: a large --mem needs a larger stage
    await using stage = await Stage.start({ disks, memMiB: Math.max(1024, spec.memMiB + 512), ownProcessGroup: true });
    if (stopRequested) {
      progress('stopped by the user before the guest started');
      return 1;
    }
    progress(`stage ready in ${stage.bootMs.toFixed(0)} ms (L1 ${stage.kernelRelease}); booting ${spec.name}`);
    await using started = await boot(spec, { stage });
    vm = started;
    if (stopRequested) void started.kill('user');
    if (plan.dumpDtb) return await dumpDtb(started, plan.dumpDtb);
    started.followConsole((b) => process.stdout.write(b));
    if (interactive) progress(`console is raw: ${ESCAPE_HELP}`);
    const detach = attachInput(started, process.stdin, () => void started.kill('user'));
    let run: RunResult;
    try {
      run = await started.result();
    } finally {
      detach();
    }
    report(stage, run);
    return run.passed ? 0 : 1;
  } finally {
    for (const s of signals) process.off(s, stop);
  }
}
