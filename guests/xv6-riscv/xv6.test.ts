// xv6-riscv (#5): an unmodified, user-built xv6 boots to its shell under our VMM.
// Supply the build with XV6_KERNEL and XV6_FS_IMG; without them these tests are skipped.
//
// Budgets come from runs on the 2-core dev host (L1 has one vCPU, see harness/stage/qemu.ts),
// with the CLINT-era xv6 (2022): 1 hart boots in ~5 s and runs `usertests -q` in ~2 min; 3 harts
// boot in ~16 s and take ~6 min, because xv6's idle harts spin in scheduler() (no wfi) on the one
// L1 CPU the busy hart also needs. Both run the whole quick suite.
import { boot, type StartedGuest } from '../../harness/index.js';
import { XV6_HOWTO, xv6Disk, xv6Guest, xv6Paths } from '../../harness/guest/xv6.js';
import { scaled } from '../../harness/config.js';
import { describe, expect, test } from 'vitest';
import { fileStage } from '../../harness/vitest/tap-suite.js';

const paths = xv6Paths();
/** One private copy of fs.img per group of tests, so no test sees another's files. */
const DISKS = { 1: 'xv6-fs-1hart', 3: 'xv6-fs-3harts', uart: 'xv6-fs-uart' } as const;
const stage = fileStage(paths ? { disks: Object.values(DISKS).map((id) => xv6Disk(paths.fsImg, id)) } : {});
/** usertests per hart count (`-q`: every quick test, ~60 of them; or a test's name). */
const USERTESTS: Record<1 | 3, { args: string; budgetMs: number }> = {
  1: { args: '-q', budgetMs: 600_000 },
  3: { args: '-q', budgetMs: 1_200_000 },
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Type a line at the xv6 shell and wait for the next prompt; returns what the command printed
 * (the console after the echo of the line, up to the prompt). Only console output that comes
 * after `before` counts, so an earlier prompt or an earlier echo cannot satisfy the wait.
 */
async function sh(vm: StartedGuest, line: string, timeoutMs = 60_000, echo = line): Promise<string> {
  const before = vm.console.length;
  vm.input(`${line}\n`);
  const m = await vm.waitForLine(new RegExp(`^[\\s\\S]{${before}}[\\s\\S]*?${escape(echo)}\\n([\\s\\S]*)\\$ $`), {
    timeoutMs: scaled(timeoutMs),
  });
  return m[1] ?? '';
}

async function bootXv6(cpus: number, disk: string): Promise<StartedGuest> {
  const vm = await boot(xv6Guest({ kernel: paths!.kernel, cpus, disk, timeoutMs: 1_500_000 }), { stage: await stage() });
  await vm.waitForLine(/xv6 kernel is booting/, { timeoutMs: scaled(30_000) });
  await vm.waitForLine(/\n\$ $/, { timeoutMs: scaled(90_000) });
  return vm;
}

describe.skipIf(!paths)(`xv6-riscv${paths ? '' : ` (skipped: ${XV6_HOWTO})`}`, () => {
  for (const cpus of [1, 3] as const) {
    describe(`${cpus} hart${cpus > 1 ? 's' : ''}`, () => {
      test(
        'boots to the shell prompt; ls, echo > file, cat, forktest',
        async () => {
          await using vm = await bootXv6(cpus, DISKS[cpus]);
          for (let hart = 1; hart < cpus; hart++) expect(vm.console).toContain(`hart ${hart} starting`);

          const ls = await sh(vm, 'ls');
          expect(ls).toMatch(/^README\s+2 \d+ \d+$/m); // name, type (file), inode, size
          expect(ls).toMatch(/^usertests\s+2 \d+ \d+$/m);
          expect(ls).toMatch(/^console\s+3 \d+ 0$/m); // the device file
          expect(await sh(vm, 'echo hi > f')).toBe('');
          expect(await sh(vm, 'cat f')).toBe('hi\n');
          expect(await sh(vm, 'forktest', 120_000)).toMatch(/^fork test OK$/m);
        },
        scaled(cpus === 1 ? 120_000 : 300_000),
      );

      const ut = USERTESTS[cpus];
      test(
        `usertests ${ut.args}`,
        async () => {
          await using vm = await bootXv6(cpus, DISKS[cpus]);
          const out = await sh(vm, `usertests ${ut.args}`, ut.budgetMs);
          expect(out).not.toMatch(/FAILED/);
          expect(out).toMatch(/^ALL TESTS PASSED$/m);
        },
        scaled(ut.budgetMs + 120_000),
      );
    });
  }

  test(
    'a scripted console session through the UART',
    async () => {
      await using vm = await bootXv6(2, DISKS.uart);
      expect(await sh(vm, 'mkdir d')).toBe('');
      await sh(vm, 'echo one > d/a');
      await sh(vm, 'echo two > d/b');
      const ls = await sh(vm, 'ls d');
      expect(ls).toMatch(/^a\s+2 \d+ 4$/m);
      expect(ls).toMatch(/^b\s+2 \d+ 4$/m);
      expect(await sh(vm, 'grep two d/a d/b')).toBe('two\n');
      expect(await sh(vm, 'cat d/a d/b | wc')).toMatch(/^2 2 8 ?$/m);
      // line editing happens in xv6's console driver: DEL erases the typed "oops"
      expect(await sh(vm, 'echo oops\x7f\x7f\x7f\x7fgood', 60_000, 'good')).toBe('good\n');
      // ^P is xv6's process listing: the console driver answers it without a newline
      const before = vm.console.length;
      vm.input('\x10');
      await vm.waitForLine(new RegExp(`^[\\s\\S]{${before}}[\\s\\S]*\\n1 sleep +init\\n2 sleep +sh\\n`), { timeoutMs: scaled(30_000) });
      expect(await sh(vm, 'rm d/a')).toBe('');
      expect(await sh(vm, 'ls d')).not.toMatch(/^a\s/m);
    },
    scaled(300_000),
  );
});
