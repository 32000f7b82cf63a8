// `bootcase run` as a user runs it: the CLI spawned as a process (each run boots its own stage),
// with host files for --initrd/--disk/--fs, the console on stdout, and the exit status (0 pass,
// 1 the guest failed or was stopped, 2 usage or setup error). Input and stopping: run-input.test.ts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadManifest } from '../../harness/config.js';
import { region } from '../../harness/native/addon.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { asm, cli, scratch } from './cli.js';

const dir = scratch();
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('bootcase run: exit status and console', () => {
  test('a passing guest exits 0; its console is stdout, the verdict and timeline stderr', async () => {
    const r = await cli(['run', asm('hello-dbcn')]);
    expect(r.stdout).toBe('Hello from guest via DBCN');
    expect(r.stderr).toContain('hello-dbcn: shutdown (reason 0)');
    expect(r.stderr).toMatch(/guest time \(first KVM_RUN -> end\)/);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('--trace sbi prints each call; --sbi-serve and --sbi-disable reach the VMM', async () => {
    const r = await cli(['run', 'hello-dbcn', '--trace', 'sbi', '--sbi-serve', 'time', '--sbi-disable', 'hsm', '--mem', '64']);
    expect(r.stderr).toMatch(/^ {2}sbi hart 0 vmm DBCN\.write\(0x1a, 0x[0-9a-f]+,/m);
    expect(r.stderr).toMatch(/^ {2}sbi hart 0 kvm SRST\.system_reset/m);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('a failing guest exits 1, by milestone name', async () => {
    const r = await cli(['run', 'report-fail']);
    expect(r.stderr).toContain('report-fail: report code 7 (fail)');
    expect(r.exitCode).toBe(1);
  });

  test('usage errors: one line each, exit 2, before any stage', async () => {
    const cases: [string[], string][] = [
      [['run'], 'bootcase run: missing IMAGE (see bootcase run --help)'],
      [['run', 'report-pass', '--timeout-ms', 'abc'], 'bootcase run: --timeout-ms wants a whole number N (1..31536000000), got "abc"'],
      [['run', 'report-pass', '--bogus'], 'bootcase run: unknown option --bogus (see bootcase run --help)'],
      [['run', 'report-pass', '--mem'], 'bootcase run: --mem needs a value (MiB)'],
      [['run', 'report-pass', '--fs', 'fs.img'], 'bootcase run: --fs needs --profile xv6'],
      [['run', 'report-pass', '--initrd', '/nonexistent/initrd'], 'bootcase run: --initrd /nonexistent/initrd: no such file'],
      [['run', 'no-such-guest'], 'bootcase run: no-such-guest: no such file, and no milestone guest of that name (bootcase list)'],
      [['sbi-check', '--cpus', '9'], 'bootcase sbi-check: --cpus 9 is out of range (1..8)'],
      [['frobnicate'], 'bootcase: unknown command frobnicate (run, list, demo, sbi-check, doctor, build, kvm-unit-tests; bootcase --help)'],
      [['kvm-unit-tests', '--cpus', '9', 'x'], 'bootcase kvm-unit-tests: --cpus 9 is out of range (1..8)'],
      [['kvm-unit-tests'], 'bootcase kvm-unit-tests: missing BUILD-DIR (see bootcase kvm-unit-tests --help)'],
    ];
    // no stage boots: they may run side by side
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      expect(r.stderr, cases[i]![0].join(' ')).toBe(cases[i]![1]);
      expect(r.exitCode, cases[i]![0].join(' ')).toBe(2);
    });
  });

  test('a file the VMM cannot boot is a setup error: exit 2, before any stage', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a kernel\n'.repeat(4096 * 40));
    const [undeclared, tooBig] = await Promise.all([cli(['run', text]), cli(['run', text, '--flat-load', '0x80000000', '--mem', '1'])]);
    expect(undeclared.stderr).toMatch(/^bootcase: .*notes\.txt: neither an ELF nor a RISC-V Linux Image, and not declared a flat binary \(starts with 6e 6f 74 20\) \(unknown-format\)$/m);
    expect(tooBig.stderr).toMatch(/^bootcase: .*notes\.txt: flat image of \d+ bytes at 0x80000000 is outside RAM \[0x80000000, 0x80100000\) \(outside-ram\)$/m);
    for (const r of [undeclared, tooBig]) {
      expect(r.stderr).not.toContain('starting the L1 stage');
      expect(r.exitCode).toBe(2);
    }
    // with --profile xv6 IMAGE must be an ELF (xv6's kernel/kernel), said in the profile's words
    const xv6 = await cli(['run', text, '--profile', 'xv6']);
    expect(xv6.stderr).toMatch(/^bootcase: .*notes\.txt: IMAGE \(--profile xv6\) is not an xv6 kernel: neither an ELF .*\(unknown-format\); xv6's build makes kernel\/kernel, an ELF$/m);
    expect(xv6.stderr).not.toMatch(/starting the L1 stage/);
    expect(xv6.exitCode).toBe(2);
  });

  test('--flat-load declares a flat binary: hello-dbcn.bin boots', async () => {
    const r = await cli(['run', asm('hello-dbcn').replace(/\.elf$/, '.bin'), '--flat-load', '0x80000000']);
    expect(r.stdout).toBe('Hello from guest via DBCN');
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('--help for every subcommand, and list', async () => {
    const cmds = ['run', 'list', 'demo', 'sbi-check'];
    const [list, ...helps] = await Promise.all([cli(['list']), ...cmds.map((cmd) => cli([cmd, '--help']))]);
    helps.forEach((r, i) => {
      expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^usage: bootcase ${cmds[i]}`));
      expect(r.exitCode).toBe(0);
    });
    expect(list!.exitCode).toBe(0);
    expect(list!.stdout).toMatch(/\| report-fail +\| report hypercall, fail code 7 +\| report code 7 +\|/);
    expect(list!.stdout).toContain('uart-echo');
  });
});

describe('bootcase run: host files are uploaded or attached', () => {
  test('--dump-dtb FILE with --initrd, --disk, --append and --cpus: dtc decodes the host file', async () => {
    const initrd = join(dir, 'initrd.img');
    writeFileSync(initrd, Buffer.alloc(4096, 7));
    const disk = join(dir, 'dtb-disk.img');
    writeFileSync(disk, Buffer.alloc(1 << 20));
    const out = join(dir, 'guest.dtb');
    const r = await cli(['run', asm('report-pass'), '--initrd', initrd, '--disk', `${disk},ro`, '--append', 'console=hvc0 bootcase=1', '--cpus', '2', '--dump-dtb', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(''); // the tree went to the file, not the terminal
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(dts).toContain('bootargs = "console=hvc0 bootcase=1"');
    const start = /linux,initrd-start = <0x00 (0x[0-9a-f]+)>/.exec(dts);
    const end = /linux,initrd-end = <0x00 (0x[0-9a-f]+)>/.exec(dts);
    expect(Number(end?.[1]) - Number(start?.[1])).toBe(4096);
    expect(dts).toMatch(/cpu@1 \{/);
    expect(dts).toContain(`virtio_mmio@${region('virtio_mmio').base.toString(16)} {`);
  });

  test('--disk FILE: the guest writes to the host file', async () => {
    const disk = join(dir, 'rw.img');
    writeFileSync(disk, Buffer.alloc(1 << 20));
    const r = await cli(['run', asm('virtio-blk'), '--disk', disk]);
    expect(r.stdout).toMatch(/capacity 2048 sectors/);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(disk).subarray(512, 527).toString()).toBe('BOOTCASE-BLK-OK');
  });

  test('--profile xv6 uploads the shim; --fs attaches a private copy, the file stays as built', async () => {
    const fs = join(dir, 'fs.img');
    writeFileSync(fs, Buffer.alloc(1 << 20, 0x5a));
    const before = sha(fs);
    const image = join(dirname(loadManifest().xv6Shim), 'xv6-style-sstc.elf');
    const r = await cli(['run', image, '--profile', 'xv6', '--fs', fs, '--cpus', '2', '--timeout-ms', '30000']);
    expect(r.stdout).toMatch(/^xv6-style sstc: 2 harts, 5 ticks each, UART interrupts: pass$/m);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(sha(fs)).toBe(before);
  });
});
