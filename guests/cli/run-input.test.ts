// `bootcase run` taking input and being stopped, as a user does it: stdin piped in, a terminal
// (script(1)), Ctrl-C, Ctrl-a x, and a signal to the whole process group.
import { join } from 'node:path';
import { execa } from 'execa';
import { loadManifest, repoRoot } from '../../harness/config.js';
import { linuxInitramfs } from '../../harness/guest/linux.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { printed } from '../package/procs.js';
import { cli, timeout } from './cli.js';

describe('bootcase run: input and stopping', () => {
  test('piped stdin reaches the guest console as it comes', async () => {
    const live = cli(['run', 'uart-echo'], { stdin: 'pipe' });
    await printed(live, 'type a line>');
    live.stdin!.write('hello from a pipe\n');
    const r = await live;
    expect(r.stdout).toMatch(/^got: hello from a pipe \(\d+ interrupts\)$/m);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('a Linux Image with an --initrd: typed input reaches its userspace', async () => {
    const image = loadManifest().linuxKernels.tiny!;
    const append = 'console=ttyS0 earlycon=sbi panic=-1 quiet bootcase_input=1';
    const live = cli(['run', image, '--initrd', linuxInitramfs(), '--append', append, '--mem', '256', '--timeout-ms', '60000'], { stdin: 'pipe' });
    await printed(live, 'BOOTCASE-INPUT?');
    live.stdin!.write('ping\n');
    const r = await live;
    expect(r.stdout).toMatch(/^ok \d+ - console input round trip/m);
    expect(r.stdout).not.toMatch(/^not ok/m);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  test('Ctrl-C is the user stopping the run: "stopped by the user", exit 1', async () => {
    const live = cli(['run', 'hang', '--timeout-ms', '60000']);
    await printed(live, 'spinning forever');
    live.kill('SIGINT');
    const r = await live;
    expect(r.stderr).toMatch(/hang: stopped by the user \(hart 0 at pc 0x[0-9a-f]+\)/);
    expect(r.stderr).not.toContain('deadline');
    expect(r.exitCode).toBe(1);
  });

  // script(1) gives the CLI a terminal; `stty -g` before and after shows it was restored
  const onTerminal = (cmd: string) =>
    execa('script', ['-qec', `stty -g; ${process.execPath} --import tsx harness/cli/main.ts ${cmd}; echo status=$?; stty -g`, '/dev/null'], { cwd: repoRoot, reject: false, timeout });
  const ttyResult = (out: string) => {
    const lines = out.replace(/\r/g, '').split('\n');
    return { before: lines[0], after: lines.filter((l) => l).at(-1), status: /status=(\d+)/.exec(out)?.[1], out };
  };

  test('on a terminal the console is raw: Enter is a CR to the guest, and the terminal is restored', async () => {
    const live = onTerminal('run uart-echo');
    await printed(live, 'type a line>');
    live.stdin!.write('typed\r');
    const t = ttyResult((await live).stdout);
    expect(t.out).toMatch(/got: typed \(\d+ interrupts\)/);
    expect(t.out).toContain('Ctrl-a x quits');
    expect(t.status).toBe('0');
    expect(t.after).toBe(t.before);
  });

  test('on a terminal Ctrl-a x quits (stopped by the user, exit 1); Ctrl-C and Ctrl-a Ctrl-a go to the guest', async () => {
    const live = onTerminal('run uart-echo');
    await printed(live, 'type a line>');
    live.stdin!.write('a\x03b\x01\x01c');
    await printed(live, 'a\x03b\x01c'); // the guest's echo: Ctrl-C and one Ctrl-a arrived as bytes, nothing stopped
    live.stdin!.write('\x01x');
    const t = ttyResult((await live).stdout);
    expect(t.out).toMatch(/uart-echo: stopped by the user/);
    expect(t.status).toBe('1');
    expect(t.after).toBe(t.before);
  });

  test('vm.kill() from the API: run.stoppedBy is user', async ({ boot }) => {
    await using vm = await boot('hang', { timeoutMs: 30_000 });
    await vm.waitForLine('spinning forever');
    await vm.kill();
    const run = await vm.result();
    expect(run).toHaveExited('timeout');
    expect(run.stoppedBy).toBe('user');
    expect(run.describe()).toMatch(/^stopped by the user \(hart 0 at pc 0x/);
  });

  test('a terminal Ctrl-C signals the whole process group (the bin, the CLI, QEMU): still stopped by the user', async () => {
    // detached: a group of its own, as a shell gives a foreground job; the signal goes to all of it
    const live = execa(process.execPath, [join(repoRoot, 'harness/bin/bootcase.js'), 'run', 'hang', '--timeout-ms', '60000'], { cwd: repoRoot, reject: false, stdin: 'ignore', detached: true, timeout });
    await printed(live, 'spinning forever');
    process.kill(-live.pid!, 'SIGINT');
    const r = await live;
    expect(r.stderr).toMatch(/hang: stopped by the user \(hart 0 at pc 0x[0-9a-f]+\)/);
    expect(r.stderr).not.toMatch(/went away|QEMU exited/);
    expect(r.exitCode).toBe(1);
  });
});
