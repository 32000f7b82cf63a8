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
// The guest checks each tick itself (not before its deadline; CLINT: mtimecmp moved on) and
// gives up after 10 s of guest time, so a dead timer is a failed report, not a hang. Without
// the model (soft_irq never called) the clint run ends `report` code 1 with "hart N: 0 ticks".
//
// Then hart 0 sets up the PLIC as xv6 does and takes the UART's interrupts for 20 ms after
// writing a line the interrupt-driven way (uartinit() enabled the THR-empty interrupt, as
// xv6's does). The clint build's uartintr() reads only LSR and RHR, like xv6 before 2024, so
// it relies on the profile's UART taking an LSR read as the THR-empty acknowledgement; without
// that, the level-triggered PLIC interrupts again after every completion and the guest reports
// a storm. The sstc build also reads IIR, the 16550's own acknowledgement.
import { dirname, join } from 'node:path';
import { loadManifest } from '../../harness/config.js';
import { xv6Guest } from '../../harness/guest/xv6.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';

const TICKS = 5; // NTICKS in xv6-style/defs.h
const eras = [
  { era: 'clint', cpus: 2 },
  { era: 'sstc', cpus: 2 },
  { era: 'clint', cpus: 1 },
] as const;

/** images/build.ts builds the guest next to the shim (guests/xv6-riscv/Makefile). */
const image = (era: string) => join(dirname(loadManifest().xv6Shim), `xv6-style-${era}.elf`);

describe('an xv6-style guest on the xv6 profile (shim, CLINT model, Sstc)', () => {
  for (const { era, cpus } of eras) {
    const harts = `${cpus} hart${cpus > 1 ? 's' : ''}`;
    test(`${era} timer, ${harts}: start() in M-mode, mret, every hart counts its ticks in S-mode, hart 0 takes UART interrupts`, async ({ boot }) => {
      await using vm = await boot(xv6Guest({ kernel: image(era), cpus, disk: false, name: `xv6-style-${era}-${cpus}hart`, timeoutMs: 30_000 }));
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
      }
      expect(run).toPrint(/^hart 0: this line went out the interrupt-driven way$/m);
      const uart = /^hart 0: (\d+) UART interrupts in \d+ ms$/m;
      expect(run).toPrint(uart);
      expect(Number(uart.exec(run.console)![1])).toBeGreaterThan(0); // sending asks for one; a storm is > 16
      expect(run.console).not.toMatch(/unexpected trap|came before|not moved on|only \d+ of|storm|nothing enabled/);
      expect(run).toPrint(new RegExp(`^xv6-style ${era}: ${harts}, ${TICKS} ticks each, UART interrupts: pass$`, 'm'));
    });
  }
});
