// `bootcase demo`: build what is missing, boot every asm milestone, the device guests, Linux and
// the SBI suite on one stage, and print a results table.
import { asmGuest, boot, linuxGuest, parseTap, Stage, ubootDisk, ubootGuest, ubootStageDisk } from '../index.js';
import { knownDeviations } from '../../guests/asm/sbi-deviations.js';
import { tallyTap } from '../protocol/tap.js';
import { runMismatches } from '../run/expectation.js';
import { cases } from '../../guests/asm/cases.js';
import { build } from '../../images/build.js';
import { buildOnFirstUse, installed } from '../config.js';
import { formatTable } from './table.js';
import { helpText, parse } from './args.js';
import { DEMO } from './specs.js';

const progress = (msg: string) => process.stderr.write(`bootcase: ${msg}\n`);

export async function demo(argv: string[]): Promise<number> {
  if (parse(DEMO, argv).help) {
    console.log(helpText(DEMO));
    return 0;
  }
  progress('building (cached: seconds when nothing changed)');
  await (installed ? buildOnFirstUse() : build());
  const uboot = await ubootDisk({ cpus: 1 }); // the bootloader row's MBR/ext2/extlinux disk
  progress('starting the L1 stage');
  await using stage = await Stage.start({ disks: [ubootStageDisk(uboot.path, 'uboot-disk')] });
  progress(`stage ready in ${stage.bootMs.toFixed(0)} ms; running ${cases.length} asm milestones, 2 device guests, Linux, U-Boot and the SBI suite`);
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
  // the bootloader: Debian's U-Boot autoboots Linux from the disk (guests/uboot/uboot.test.ts)
  const ubootSpec = (() => {
    try {
      return ubootGuest({ disk: 'uboot-disk' });
    } catch (e) {
      row('u-boot (u-boot-qemu)', 'bootloader: distro_bootcmd, extlinux.conf, Linux', (e as Error).message, false, performance.now());
      return undefined;
    }
  })();
  for (const [name, spec] of [
    ['linux tiny, 2 vCPUs', linuxGuest({ cpus: 2 })],
    ...(ubootSpec ? [['u-boot (u-boot-qemu) → extlinux.conf → Linux', ubootSpec] as const] : []),
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
