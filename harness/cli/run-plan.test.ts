import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from './args.js';
import { DEFAULT_TIMEOUT_MS, INTERACTIVE_TIMEOUT_MS, planRun, type RunPlan } from './run-plan.js';

const dir = mkdtempSync(join(tmpdir(), 'bootcase-plan-'));
const file = (name: string) => {
  const p = join(dir, name);
  writeFileSync(p, 'x');
  return p;
};
const initrd = file('initrd.cpio');
const fw = file('fw.bin');
const d0 = file('d0.img');
const d1 = file('d1,with,commas.img');
const fs = file('fs.img');
mkdirSync(join(dir, 'a-dir'));

const plan = (...argv: string[]): RunPlan => {
  const p = planRun(['guest.elf', ...argv]);
  if (!p) throw new Error('unexpected --help');
  return p;
};
const bad = (...argv: string[]) => {
  try {
    planRun(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`planRun(${argv.join(' ')}) did not fail`);
};

describe('bootcase run: options to a plan', () => {
  test('IMAGE alone: no VMM options, the default deadline, a longer one on a terminal', () => {
    expect(plan()).toEqual({ target: 'guest.elf', init: { vmmArgs: [], uploads: [], timeoutMs: DEFAULT_TIMEOUT_MS }, disks: [] });
    expect(planRun(['guest.elf'], { interactive: true })!.init.timeoutMs).toBe(INTERACTIVE_TIMEOUT_MS);
  });

  test('--initrd and --firmware are host files, uploaded', () => {
    expect(plan('--initrd', initrd, '--firmware', fw).init.uploads).toEqual([
      { flag: '--initrd', path: initrd },
      { flag: '--firmware', path: fw },
    ]);
  });

  test('--flat-load and --flat-entry declare IMAGE a flat binary (the guest spec, not raw VMM options)', () => {
    expect(plan('--flat-load', '0x80200000').init).toMatchObject({ format: 'flat', loadAddr: 0x8020_0000n, vmmArgs: [] });
    expect(plan('--flat-load', '0x80200000', '--flat-entry', '2149580804').init).toMatchObject({ format: 'flat', loadAddr: 0x8020_0000n, entry: 0x8020_0004n });
  });

  test('--append, --cpus, --mem, --timeout-ms', () => {
    const p = plan('--append', 'console=hvc0 quiet', '--cpus', '4', '--mem', '256', '--timeout-ms', '5000');
    expect(p.init).toMatchObject({ vmmArgs: ['--append', 'console=hvc0 quiet', '--cpus', '4'], memMiB: 256, timeoutMs: 5000 });
  });

  test('--disk (repeatable, ,ro) becomes a stage disk and --disk serial:<id>', () => {
    const p = plan('--disk', d0, '--disk', `${d1},ro`);
    expect(p.disks).toEqual([
      { id: 'disk0', path: d0 },
      { id: 'disk1', path: d1, readOnly: true },
    ]);
    expect(p.init.vmmArgs).toEqual(['--disk', 'serial:disk0', '--disk', 'serial:disk1,ro']);
  });

  test('--trace sbi, --sbi-serve, --sbi-disable', () => {
    expect(plan('--trace', 'sbi', '--sbi-serve', 'time,hsm', '--sbi-disable', 'dbcn,srst').init).toMatchObject({
      trace: ['sbi'],
      sbiServe: ['time', 'hsm'],
      sbiDisable: ['dbcn', 'srst'],
    });
  });

  test('--profile xv6 [--fs FILE]', () => {
    expect(plan('--profile', 'xv6').xv6).toEqual({});
    expect(plan('--profile', 'xv6', '--fs', fs).xv6).toEqual({ fs });
    expect(plan().xv6).toBeUndefined();
  });

  test('--dump-dtb FILE: the VMM writes to its console, the plan keeps the host path', () => {
    const p = plan('--dump-dtb', join(dir, 'out.dtb'));
    expect(p.dumpDtb).toBe(join(dir, 'out.dtb'));
    expect(p.init.vmmArgs).toEqual(['--dump-dtb', '-']);
  });

  test('arguments after -- go to the VMM as they are, after the ones from options', () => {
    expect(plan('--cpus', '2', '--', '--virtio-console', '--harts-running').init.vmmArgs).toEqual(['--cpus', '2', '--virtio-console', '--harts-running']);
    expect(plan('--', '--disk', 'serial:rw').init.vmmArgs).toEqual(['--disk', 'serial:rw']); // a stage disk by serial is fine
  });

  test('--help', () => {
    expect(planRun(['--help'])).toBeUndefined();
    expect(planRun(['img', '-h'])).toBeUndefined();
  });
});

describe('bootcase run: bad input is one line and a usage error', () => {
  test.for([
    [['guest.elf', '--bogus'], 'bootcase run: unknown option --bogus (see bootcase run --help)'],
    [['guest.elf', '--timeout-ms', 'abc'], /--timeout-ms wants a whole number N .*, got "abc"/],
    [['guest.elf', '--mem', '0'], '--mem 0 is out of range (1..65536)'],
    [['guest.elf', '--cpus', '9'], '--cpus 9 is out of range (1..8)'],
    [['guest.elf', '--cpus', 'two'], /--cpus wants a whole number/],
    [['guest.elf', '--mem'], 'bootcase run: --mem needs a value (MiB)'],
    [['guest.elf', '--initrd', '--cpus', '2'], '--initrd needs a value (FILE)'],
    [[], 'bootcase run: missing IMAGE (see bootcase run --help)'],
    [['a.elf', 'b.elf'], 'bootcase run: unexpected argument b.elf'],
    [['guest.elf', '--fs', 'fs.img'], 'bootcase run: --fs needs --profile xv6'],
    [['guest.elf', '--profile', 'linux'], '--profile linux is not one of xv6'],
    [['guest.elf', '--profile', 'xv6', '--firmware', 'fw.bin'], '--firmware and --profile xv6 both give the firmware'],
    [['guest.elf', '--trace', 'mmio'], '--trace mmio is not one of sbi'],
    [['u-boot.bin', '--flat-load', '0x8g'], "bootcase run: --flat-load '0x8g' is not a guest address (0x80200000)"],
    [['u-boot.bin', '--flat-load', '0'], "--flat-load '0' is not a guest address"],
    [['u-boot.bin', '--flat-entry', '0x80200000'], 'bootcase run: --flat-entry needs --flat-load ADDR'],
    [['guest.elf', '--sbi-serve', 'time,rfence'], '--sbi-serve rfence is not one of time, ipi, hsm'],
    [['guest.elf', '--sbi-disable', 'nope'], '--sbi-disable nope is not one of'],
    [['guest.elf', '--initrd', join(dir, 'missing')], `--initrd ${join(dir, 'missing')}: no such file`],
    [['guest.elf', '--disk', join(dir, 'a-dir')], `--disk ${join(dir, 'a-dir')}: not a regular file`],
    [['guest.elf', '--disk', `${join(dir, 'missing')},ro`], `--disk ${join(dir, 'missing')}: no such file`],
    [['guest.elf', '--profile', 'xv6', '--fs', join(dir, 'missing')], '--fs'],
    [['guest.elf', '--dump-dtb='], '--dump-dtb needs a file name'],
    [['guest.elf', '--cpus', '1', '--cpus', '2'], '--cpus is given more than once'],
    [['guest.elf', '--', '--initrd', initrd], 'bootcase run: --initrd after -- names a path inside L1; give --initrd before -- with a host file'],
    [['guest.elf', '--', '--disk', d0], '--disk after -- names a path inside L1'],
    [['guest.elf', '--', '--kernel', d0], 'give IMAGE before --'],
    [['guest.elf', ...Array.from({ length: 9 }, () => ['--disk', d0]).flat()], 'at most 8 --disk'],
  ] as const)('%j', ([argv, want]) => {
    const msg = bad(...argv);
    if (typeof want === 'string') expect(msg).toContain(want);
    else expect(msg).toMatch(want);
  });
});
