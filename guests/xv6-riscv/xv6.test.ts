// xv6-riscv (#5): an unmodified, user-built xv6 boots to its shell under our VMM.
// Supply the build with XV6_KERNEL and XV6_FS_IMG; without them these tests are skipped.
import { boot, type StartedGuest } from '../../harness/index.js';
import { XV6_HOWTO, xv6Disk, xv6Guest, xv6Paths } from '../../harness/guest/xv6.js';
import { describe, expect, test } from 'vitest';
import { fileStage } from '../../harness/vitest/tap-suite.js';

const paths = xv6Paths();
/** A named subset of usertests (the whole -q run takes minutes under nested TCG). */
const USERTESTS = ['copyin', 'copyout', 'sbrkbasic', 'exitwait', 'forkfork', 'pipe1', 'createdelete'];
const stage = fileStage(paths ? { disks: [xv6Disk(paths.fsImg)] } : {});

/** Type a command at the xv6 shell and wait for the next prompt; returns what it printed. */
async function sh(vm: StartedGuest, cmd: string, timeoutMs = 60_000): Promise<string> {
  const before = vm.console.length;
  vm.input(`${cmd}\n`);
  await vm.waitForLine(new RegExp(`${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*\\$ $`), { timeoutMs });
  return vm.console.slice(before);
}

describe.skipIf(!paths)(`xv6-riscv${paths ? '' : ` (skipped: ${XV6_HOWTO})`}`, () => {
  for (const cpus of [1, 3]) {
    describe(`${cpus} hart${cpus > 1 ? 's' : ''}`, () => {
      test('boots to the shell prompt, runs ls, echo > file, cat, forktest and usertests', async () => {
        await using vm = await boot(xv6Guest({ kernel: paths!.kernel, cpus }), { stage: await stage() });
        await vm.waitForLine(/xv6 kernel is booting/);
        await vm.waitForLine(/^\$ $/m);
        for (let hart = 1; hart < cpus; hart++) expect(vm.console).toContain(`hart ${hart} starting`);

        expect(await sh(vm, 'ls')).toMatch(/^README\s+2 \d+ \d+$/m);
        await sh(vm, 'echo hi > f');
        expect(await sh(vm, 'cat f')).toMatch(/^hi$/m);
        expect(await sh(vm, 'forktest', 120_000)).toMatch(/forktest: OK/);
        for (const name of USERTESTS) expect(await sh(vm, `usertests ${name}`, 120_000), `usertests ${name}`).toMatch(/ALL TESTS PASSED/);
      });
    });
  }

  test('a scripted console session through the UART', async () => {
    await using vm = await boot(xv6Guest({ kernel: paths!.kernel, cpus: 2 }), { stage: await stage() });
    await vm.waitForLine(/^\$ $/m);
    await sh(vm, 'mkdir d');
    await sh(vm, 'echo one > d/a');
    await sh(vm, 'echo two > d/b');
    const out = await sh(vm, 'ls d');
    expect(out).toMatch(/^a\s+2 /m);
    expect(out).toMatch(/^b\s+2 /m);
    expect(await sh(vm, 'grep two d/b')).toMatch(/^two$/m);
  });
});
