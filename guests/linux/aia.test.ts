// KVM's in-kernel AIA irqchip for the L2 (issue #13 §2): with --irqchip aia the VMM hands the
// interrupt controller to L1's KVM (an APLIC in MSI mode, an IMSIC file per vCPU) and drives
// the device lines with KVM_IRQ_LINE, instead of modelling a PLIC. It needs an L1 with AIA
// (AIA_MACHINE); on the default L1 the option is refused, naming itself.
import { AIA_MACHINE, boot, ext2Image, linuxGuest, VmmRejectedError } from '../../harness/index.js';
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
  test('on the default L1 (a PLIC, no AIA) the option is refused, naming itself', async ({ signal }) => {
    const stage = await plainStage();
    const vm = await boot(linuxGuest({ irqchip: 'aia', name: 'linux-aia-refused' }), { stage, signal });
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toMatch(/option --irqchip aia: KVM in L1 has no in-kernel AIA irqchip \(KVM_CREATE_DEVICE RISCV_AIA: .*\); it needs Linux >= 6\.5 on an L1 machine with AIA/);
  });
});
