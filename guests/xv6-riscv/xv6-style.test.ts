// The xv6 profile without xv6 (issue 12): our own small kernel in xv6-riscv's start-up style
// (guests/xv6-riscv/xv6-style/) boots with `--profile xv6` and the M-mode personality shim, so
// CI covers the profile with no user-supplied build. Every hart starts at _entry "in M-mode",
// runs start() (mstatus.MPP, mepc, satp, medeleg/mideleg, PMP, mcounteren, its timer: all
// M-mode CSR accesses the shim emulates), mrets into main() in S-mode and counts 5 timer
// ticks; hart 0 reports the verdict with the BOOTCASE EXIT hypercall.
//
// Two builds, one per xv6 timer era:
//   clint  mtimecmp + mscratch/mtvec = timervec. Nothing in a KVM guest takes a machine
//          interrupt, so the ticks exist only if the VMM's CLINT model (vmm/dev/clint.c,
//          vm-clint.c) plays timervec: re-arms mtimecmp[hart] and raises that hart's sip.SSIP.
//   sstc   menvcfg.STCE + stimecmp: the shim shadows menvcfg and KVM runs the hardware
//          vstimecmp (the VMM checks that L1's KVM offers Sstc, as ours does).
// The guest checks each tick itself (not before its deadline; CLINT: mtimecmp moved on; Sstc:
// stimecmp still holds what the hart wrote, or KVM lost the write) and gives up after 10 s of
// guest time, so a dead timer is a failed report, not a hang. Without the model (soft_irq never
// called) the clint run ends `report` code 1 with "hart N: 0 ticks".
//
// Sstc: a timer interrupt taken while `time` is still below the stimecmp the hart wrote (and
// still holds) is the L0 QEMU's, not a tick: its vstimecmp timer callback raises the pending bit
// without comparing, and one that runs after a newer stimecmp write raises it early (trap.c says
// how). The guest counts those apart and prints the count per hart; a lost write still fails.
// The stress build (1000 ticks 2 ms apart on 2 harts) makes thousands of vCPU switches and
// stimecmp writes a run, where the 5-tick build saw one such interrupt in a full `npm test`.
//
import { dirname, join } from 'node:path';
import { loadManifest } from '../../harness/config.js';
import { xv6Guest } from '../../harness/guest/xv6.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';

// ticks: NTICKS in xv6-style/defs.h, or the stress build's (guests/xv6-riscv/Makefile)
const eras = [
  { era: 'clint', cpus: 2, ticks: 5, build: 'clint' },
  { era: 'sstc', cpus: 2, ticks: 5, build: 'sstc' },
  { era: 'clint', cpus: 1, ticks: 5, build: 'clint' },
  { era: 'sstc', cpus: 2, ticks: 1000, build: 'sstc-stress' },
] as const;

/** images/build.ts builds the guest next to the shim (guests/xv6-riscv/Makefile). */
const image = (build: string) => join(dirname(loadManifest().xv6Shim), `xv6-style-${build}.elf`);

describe('an xv6-style guest on the xv6 profile (shim, CLINT model, Sstc)', () => {
  for (const { era, cpus, ticks: TICKS, build } of eras) {
    const harts = `${cpus} hart${cpus > 1 ? 's' : ''}`;
    const stress = build === era ? '' : `, ${TICKS} ticks each (${build} build)`;
    test(`${era} timer, ${harts}${stress}: start() in M-mode, mret, every hart counts its ticks in S-mode, hart 0 takes UART interrupts`, async ({ boot }) => {
      const timeoutMs = stress ? 60_000 : 30_000; // the stress build gives its ticks 30 s
      await using vm = await boot(xv6Guest({ kernel: image(build), cpus, disk: false, name: `xv6-style-${build}-${cpus}hart`, timeoutMs }));
      const run = await vm.result();
      // first how it ended: on a failure the message carries the artifacts and the console tail,
      // which says why (a hart short of ticks: code 1; an M-mode instruction the shim does not
      // emulate: 0x5EC0 + scause and the shim's own line)
      expect(run).toHaveExited('report', { code: 0 });
      expect(run.console).not.toMatch(/xv6 shim: unsupported trap/);
      expect(run).toPrint(new RegExp(`^xv6-style ${era} guest is booting on ${harts}$`, 'm'));
      for (let hart = 0; hart < cpus; hart++) {
        expect(run).toPrint(new RegExp(`^hart ${hart} starting in S-mode$`, 'm'));
        expect(run).toPrint(new RegExp(`^hart ${hart}: ${TICKS} ticks in \\d+ ms$`, 'm'));
        if (era !== 'sstc') continue;
        // the L0's spurious interrupts, counted apart; more than NTICKS fails in the guest (a storm)
        const spurious = run.console.match(new RegExp(`^hart ${hart}: (\\d+) timer interrupts before stimecmp, spurious$`, 'm'));
        expect(spurious, run.console).not.toBeNull();
        expect(Number(spurious![1])).toBeLessThanOrEqual(TICKS);
      }
      expect(run).toPrint(/^hart 0: this line went out the interrupt-driven way$/m);
      const uart = /^hart 0: (\d+) UART interrupts in \d+ ms$/m;
      expect(run).toPrint(uart);
      expect(Number(uart.exec(run.console)![1])).toBeGreaterThan(0); // sending asks for one; a storm is > 16
      expect(run.console).not.toMatch(/unexpected trap|came before|not moved on|lost a write|only \d+ of|storm|nothing enabled/);
      expect(run).toPrint(new RegExp(`^xv6-style ${era}: ${harts}, ${TICKS} ticks each, UART interrupts: pass$`, 'm'));
    });
  }
});
