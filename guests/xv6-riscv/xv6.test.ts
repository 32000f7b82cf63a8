// xv6-riscv (#5, #10): an unmodified, user-built xv6 boots to its shell under our VMM.
// Supply the build with XV6_KERNEL and XV6_FS_IMG; without both these tests are skipped, and
// with one but not the other (or a name that is no file) the file fails, saying which.
// XV6_USERTESTS picks the usertests (-q, all, or names) and XV6_KNOWN_FAILING lists the ones
// this xv6 is known to fail (harness/guest/xv6-usertests.ts; README, "xv6-riscv").
//
// The virtio-mmio transport comes from the kernel (xv6 before October 2021 drives version 1).
// Budgets come from runs on the 2-core dev host (L1 has one vCPU, see harness/stage/qemu.ts):
// 1 hart boots in ~5 s and runs `usertests -q` in ~2 min; 3 harts boot in ~16 s and take ~6 min,
// because xv6's idle harts spin in scheduler() (no wfi) on the one L1 CPU the busy hart also
// needs. xv6 before August 2022 has no -q: there the quick suite is the whole suite.
import { type StartedGuest } from '../../harness/index.js';
import { XV6_HOWTO, xv6Disk, xv6Paths } from '../../harness/guest/xv6.js';
import { bootXv6, xv6Sh as sh, xv6TestTimeout } from '../../harness/guest/xv6-shell.js';
import { judgeUsertests, planUsertests, usertestsHasQuick } from '../../harness/guest/xv6-usertests.js';
import { readFileSync } from 'node:fs';
import { config } from '../../harness/config.js';
import { describe, expect, test } from 'vitest';
import { fileStage } from '../../harness/vitest/tap-suite.js';

const paths = xv6Paths();
const usertests = planUsertests(config.xv6Usertests, config.xv6KnownFailing, !paths || usertestsHasQuick(readFileSync(paths.fsImg)));
/** One private copy of fs.img per group of tests, so no test sees another's files. */
const DISKS = { 1: 'xv6-fs-1hart', 3: 'xv6-fs-3harts', uart: 'xv6-fs-uart' } as const;
const stage = fileStage(paths ? { disks: Object.values(DISKS).map((id) => xv6Disk(paths.fsImg, id)) } : {});
/** usertests budget per hart count: the quick suite, everything, one test. */
const BUDGET: Record<1 | 3, { '-q': number; '': number; one: number }> = {
  1: { '-q': 600_000, '': 1_800_000, one: 120_000 },
  3: { '-q': 1_200_000, '': 3_600_000, one: 240_000 },
};
/** Boot to the prompt, before the commands of a test. */
const BOOT_MS = 120_000;

const boot = async (cpus: number, disk: string, runMs: number): Promise<StartedGuest> =>
  bootXv6({ kernel: paths!.kernel, cpus, disk, timeoutMs: runMs }, await stage());

describe.skipIf(!paths)(`xv6-riscv${paths ? '' : ` (skipped: ${XV6_HOWTO})`}`, () => {
  for (const cpus of [1, 3] as const) {
    describe(`${cpus} hart${cpus > 1 ? 's' : ''}`, () => {
      const bootTestMs = BOOT_MS + (cpus === 1 ? 60_000 : 180_000);
      test(
        'boots to the shell prompt; ls, echo > file, cat, forktest',
        async () => {
          await using vm = await boot(cpus, DISKS[cpus], bootTestMs);
          for (let hart = 1; hart < cpus; hart++) expect(vm.console).toContain(`hart ${hart} starting`);

          const ls = await sh(vm, 'ls');
          expect(ls).toMatch(/^README\s+2 \d+ \d+$/m); // name, type (file), inode, size
          expect(ls).toMatch(/^usertests\s+2 \d+ \d+$/m);
          expect(ls).toMatch(/^console\s+3 \d+ 0$/m); // the device file
          expect(await sh(vm, 'echo hi > f')).toBe('');
          expect(await sh(vm, 'cat f')).toBe('hi\n');
          expect(await sh(vm, 'forktest', 120_000)).toMatch(/^fork test OK$/m);
        },
        xv6TestTimeout(bootTestMs),
      );

      for (const run of usertests.runs) {
        const budget = run.name ? BUDGET[cpus].one : BUDGET[cpus][run.args as '-q' | ''];
        const known = run.name && usertests.knownFailing.get(run.name);
        test(
          `usertests ${run.args || '(all)'}${known ? ` (known to fail: ${known})` : ''}${usertests.note ? ` (${usertests.note})` : ''}`,
          async () => {
            await using vm = await boot(cpus, DISKS[cpus], BOOT_MS + budget);
            const out = await sh(vm, `usertests ${run.args}`.trim(), budget);
            const verdict = judgeUsertests(out, run, usertests.knownFailing);
            expect(verdict.ok, `${verdict.message}\n--- usertests printed ---\n${out.slice(-4000)}`).toBe(true);
          },
          xv6TestTimeout(BOOT_MS + budget),
        );
      }
    });
  }

  test(
    'a scripted console session through the UART',
    async () => {
      await using vm = await boot(2, DISKS.uart, 300_000);
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
      await vm.waitForLine(new RegExp(`^[\\s\\S]{${before}}[\\s\\S]*\\n1 sleep +init\\n2 sleep +sh\\n`), { timeoutMs: 30_000 });
      expect(await sh(vm, 'rm d/a')).toBe('');
      expect(await sh(vm, 'ls d')).not.toMatch(/^a\s/m);
    },
    xv6TestTimeout(300_000),
  );
});
