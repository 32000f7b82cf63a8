// Linux guests under our VMM (#4): each TAP line the guest's init prints is its own vitest test.
import { boot, ext2Image, GuestImageError, kernelPanic, linuxGuest } from '../../harness/index.js';
import { describe, expect, test } from 'vitest';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';

const disk = await ext2Image({ marker: 'disk-ok-42\n' });
const stage = fileStage({ disks: [{ id: 'linux-disk', path: disk }] });

describeTap('tiny kernel, 1 vCPU', async (signal) => {
  await using vm = await boot(linuxGuest({ cpus: 1 }), { stage: await stage(), signal });
  return await vm.result();
});

describeTap('tiny kernel, 2 vCPUs started through SBI HSM', async (signal) => {
  await using vm = await boot(linuxGuest({ cpus: 2 }), { stage: await stage(), signal });
  return await vm.result();
});

// The VMM, not KVM, answers Linux's HSM (secondary bring-up), IPI and TIME calls (--sbi-serve,
// which needs our patched L1): a real SMP kernel is the strongest test of those services.
// With Sstc in the DT Linux programs stimecmp itself and never calls TIME (KVM 6.12 cannot
// switch Sstc off), so TIME is served here only if called; the compliance guest covers it.
describeTap('tiny kernel, 2 vCPUs, HSM/IPI/TIME served by the VMM', async (signal) => {
  const spec = linuxGuest({ cpus: 2, sbiServe: ['hsm', 'ipi', 'time'], name: 'linux-tiny-2cpu-served', trace: ['sbi'] });
  await using vm = await boot(spec, { stage: await stage(), signal });
  const run = await vm.result();
  // CPU 1's hart_start and the scheduler's IPIs came to the VMM (timer ticks go to Sstc), and the
  // complete trace (KVM reports what it answers) shows KVM answered none of them
  for (const ext of ['hsm', 'ipi']) expect(run.sbiCounts[ext], ext).toBeGreaterThan(0);
  expect(run.sbiTraceComplete).toBe(true);
  const servedByKvm = run.sbiCalls.filter((c) => ['HSM', 'IPI', 'TIME'].includes(c.ext ?? '') && c.by === 'kvm');
  expect(servedByKvm.map((c) => `hart ${c.hart} ${c.ext}.${c.fn}`)).toEqual([]);
  return run;
});

describeTap('tiny kernel with a virtio-blk disk and console input on ttyS0', async (signal) => {
  await using vm = await boot(linuxGuest({ disk: 'serial:linux-disk', diskMarker: 'disk-ok-42', checkInput: true }), { stage: await stage(), signal });
  await vm.waitForLine(/BOOTCASE-INPUT\?/);
  vm.input('ping\n');
  return await vm.result();
});

describeTap('virtio-console config: the console is a virtio-console (hvc0)', async (signal) => {
  await using vm = await boot(linuxGuest({ config: 'virtio-console', console: 'hvc0', virtioConsole: true, checkInput: true }), { stage: await stage(), signal });
  await vm.waitForLine(/BOOTCASE-INPUT\?/);
  vm.input('ping\n');
  return await vm.result();
});

describe('the ISA the guest sees', () => {
  // The DT lists what KVM enabled (its ISA_EXT registers), as riscv,isa and
  // riscv,isa-extensions. With Sstc in it, Linux programs stimecmp itself: not one SBI TIME
  // call in the whole boot. (With "rv64imafdc" only, every tick was an SBI set_timer.)
  test('Linux sees Sstc and the Z extensions, and sets no timer through SBI', async ({ signal }) => {
    await using vm = await boot(linuxGuest({ trace: ['sbi'], name: 'linux-isa' }), { stage: await stage(), signal });
    const run = await vm.result();
    expect(run).toHaveExited('shutdown');
    expect(run).toPrint(/^isa: rv64imafdc_.*zicsr_zifencei.*_sstc/m);
    // only our patched L1 reports the calls KVM answers itself: without it, "no TIME call" means nothing
    expect(run.sbiTraceComplete, 'the SBI trace has the calls KVM answered (an L1 with our patch)').toBe(true);
    expect(run.sbiCalls.filter((c) => c.ext === 'TIME').length).toBe(0);
  });

});

describe('linux failures and options', () => {
  test('a kernel panic is reported with the panic text', async ({ signal }) => {
    await using vm = await boot(linuxGuest({ append: 'rdinit=/no/such/init' }), { stage: await stage(), signal });
    const run = await vm.result();
    // No /no/such/init in the initramfs: the kernel falls back to a root fs it cannot mount.
    expect(kernelPanic(run.console)).toMatch(/Kernel panic - not syncing: VFS: Unable to mount root fs/);
    expect(run).toHaveExited('reboot'); // panic=-1: the kernel reboots at once, via SRST
  });

  test('a missing initrd is a clear error before boot', async () => {
    const err = await boot(linuxGuest({ initrd: '/no/such/initrd.cpio' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestImageError);
    expect((err as Error).message).toBe('/no/such/initrd.cpio: cannot read initrd file (ENOENT)');
  });

  test('the kernel command line comes from the test', async ({ signal }) => {
    await using vm = await boot(linuxGuest({ append: 'bootcase_hello=from-the-test' }), { stage: await stage(), signal });
    const run = await vm.result();
    expect(run).toPrint(/^cmdline: .*bootcase_hello=from-the-test/m);
    expect(run).toHaveExited('shutdown');
  });
});
