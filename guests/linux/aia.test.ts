// KVM's in-kernel AIA irqchip for the L2 (issue #13 §2): with --irqchip aia the VMM hands the
// interrupt controller to L1's KVM (an APLIC in MSI mode, an IMSIC file per vCPU) and drives
// the device lines with KVM_IRQ_LINE, instead of modelling a PLIC. It needs an L1 with AIA
// (AIA_MACHINE); on the default L1 the option is refused, naming itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AIA_MACHINE, asmGuest, boot, ext2Image, linuxGuest, memoryMap, VmmRejectedError } from '../../harness/index.js';
import { describe, expect, test } from 'vitest';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';

const disk = await ext2Image({ marker: 'disk-ok-aia\n' });
const aiaStage = fileStage({ machine: AIA_MACHINE, disks: [{ id: 'aia-disk', path: disk }] });
const plainStage = fileStage();

// The disk's and the UART's interrupts both have to arrive for init to mount the disk and read
// "ping"; /proc/interrupts then names the chip they came through (Linux: "APLIC-MSI-<addr>").
describeTap('--irqchip aia: virtio-blk and console input, interrupts through the APLIC', async (signal) => {
  const spec = linuxGuest({ irqchip: 'aia', disk: 'serial:aia-disk', diskMarker: 'disk-ok-aia', checkInput: true, checkIrqchip: 'APLIC-MSI', name: 'linux-aia' });
  await using vm = await boot(spec, { stage: await aiaStage(), signal });
  await vm.waitForLine(/BOOTCASE-INPUT\?/);
  vm.input('ping\n');
  const run = await vm.result();
  // the VMM's phase once L1's KVM accepted the AIA device (KVM_CREATE_DEVICE ... CTRL_INIT)
  expect(run.timeline.map((e) => e.phase)).toContain('irqchip-aia');
  return run;
});

// Two harts: two IMSIC files (hart index bits 1), and Linux sends its IPIs as MSIs into them.
describeTap('--irqchip aia, 2 vCPUs', async (signal) => {
  await using vm = await boot(linuxGuest({ irqchip: 'aia', cpus: 2, checkIrqchip: 'APLIC-MSI', disk: 'serial:aia-disk', diskMarker: 'disk-ok-aia', name: 'linux-aia-2cpu' }), { stage: await aiaStage(), signal });
  return await vm.result();
});

describe('--irqchip aia and the L1 machine', () => {
  // The exit counts are exact (the same in every run): with the PLIC every device interrupt is a
  // claim and a complete through the VMM, and every disk request a QueueNotify exit; with AIA
  // both stay in L1's kernel (ioeventfd), so the same boot and disk read leave a good deal fewer.
  test('the same boot and disk read make fewer VMM exits with AIA', async ({ signal }) => {
    const stage = await aiaStage();
    const exits = async (irqchip: 'plic' | 'aia') => {
      await using vm = await boot(linuxGuest({ irqchip, disk: 'serial:aia-disk', blkRead: true, name: `linux-aia-exits-${irqchip}` }), { stage, signal });
      const run = await vm.result();
      expect(run).toHaveExited('shutdown');
      expect(run).toPrint(/^ok \d+ - virtio-blk read of the whole disk$/m);
      return run.exits.mmio;
    };
    const plic = await exits('plic');
    const aia = await exits('aia');
    // 1060 against 786 here (Linux 6.12 tiny, 128 MiB, a 4 MiB disk; 1319 against 790 while the
    // PLIC's DT named 95 sources, each masked by Linux's probe through the VMM): the boot's other
    // exits (virtio probing, console output) are the same on both
    expect(aia, `MMIO exits: plic ${plic}, aia ${aia}`).toBeLessThan(plic * 0.75);
  });

  test('the device tree: the IMSICs and the APLIC where layout.h puts them, KVM\'s MSI identity count, no PLIC', async ({ signal }) => {
    await using vm = await boot(asmGuest('report-pass', { vmmArgs: ['--dump-dtb', '-', '--irqchip', 'aia', '--cpus', '2'] }), { stage: await aiaStage(), signal });
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-aia-dtb-'));
    try {
      writeFileSync(join(dir, 'aia.dtb'), vm.consoleRaw);
      const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'aia.dtb')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const at = (name: string) => memoryMap().regions.find((r) => r.name === name)!.base.toString(16);
      expect(dts).toContain(`imsics@${at('imsics')} {`);
      expect(dts).toContain(`aplic@${at('aplic')} {`);
      expect(dts).not.toContain(`plic@${at('plic')}`);
      expect(dts).toMatch(/riscv,num-ids = <0x[0-9a-f]+>/); // read back from KVM (CONFIG_IDS)
      expect(dts).toMatch(/riscv,hart-index-bits = <0x01>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on the default L1 (a PLIC, no AIA) the option is refused, naming itself', async ({ signal }) => {
    const stage = await plainStage();
    const vm = await boot(linuxGuest({ irqchip: 'aia', name: 'linux-aia-refused' }), { stage, signal });
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toMatch(/option --irqchip aia: KVM in L1 has no in-kernel AIA irqchip \(KVM_CREATE_DEVICE RISCV_AIA: .*\); it needs Linux >= 6\.5 on an L1 machine with AIA/);
  });
});
