// The bootloader milestone (#10 §2): Debian's S-mode U-Boot for QEMU virt (u-boot-qemu) under
// our VMM boots our tiny Linux from an MBR/ext2 disk with extlinux/extlinux.conf, as a distro
// install would: by itself (distro_bootcmd), and by hand at its prompt. Each TAP line Linux's
// init prints is its own vitest test.
import { readFileSync } from 'node:fs';
import { boot, checkGuestImage, UBOOT_AUTOBOOT, UBOOT_SMODE_ELF, UBOOT_DISK_INITRD, UBOOT_DISK_KERNEL, UBOOT_LINK_ADDR, UBOOT_PROMPT, UBOOT_SMODE_BIN, ubootDisk, ubootGuest, ubootStageDisk } from '../../harness/index.js';
import { expect, test } from 'vitest';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';
import { traceArgs } from '../../harness/guest/guest.js';

const one = await ubootDisk({ cpus: 1 });
const two = await ubootDisk({ cpus: 2 });
const stage = fileStage({ disks: [ubootStageDisk(one.path, 'uboot-1cpu'), ubootStageDisk(two.path, 'uboot-2cpu')] });

for (const [cpus, disk] of [[1, 'uboot-1cpu'], [2, 'uboot-2cpu']] as const) {
  describeTap(`U-Boot autoboot: distro_bootcmd finds extlinux.conf on virtio0 and boots Linux on ${cpus} vCPU(s)`, async (signal) => {
    await using vm = await boot(ubootGuest({ disk, cpus }), { stage: await stage(), signal });
    const run = await vm.result();
    // U-Boot found the disk, read the config, loaded what it names and handed over, untouched
    expect(run).toPrint(/Found \/extlinux\/extlinux\.conf/);
    expect(run).toPrint(/Starting kernel \.\.\./);
    expect(run).toPrint(/^cmdline: .*bootcase_cpus=/m);
    expect(run).toHaveExited('shutdown');
    return run;
  });
}

describeTap('U-Boot by hand: a key stops autoboot, typed commands load and boot Linux', async (signal) => {
  await using vm = await boot(ubootGuest({ disk: 'uboot-1cpu', name: 'uboot-typed' }), { stage: await stage(), signal });
  await vm.waitForLine(UBOOT_AUTOBOOT);
  vm.input(' ');
  await vm.waitForLine(UBOOT_PROMPT);
  // Each load ends with "N bytes read in ..." and a new prompt: the waits count those.
  vm.input(`load virtio 0:1 \${kernel_addr_r} ${UBOOT_DISK_KERNEL}\n`);
  await vm.waitForLine(/bytes read in [^]*=> $/);
  vm.input(`load virtio 0:1 \${ramdisk_addr_r} ${UBOOT_DISK_INITRD}\n`);
  await vm.waitForLine(/bytes read in [^]*bytes read in [^]*=> $/);
  // ${filesize} is the initrd's (the last load); the tree is U-Boot's own copy of ours
  vm.input(`setenv bootargs ${one.cmdline} bootcase_typed=1; booti \${kernel_addr_r} \${ramdisk_addr_r}:\${filesize} \${fdtcontroladdr}\n`);
  const run = await vm.result();
  expect(run).not.toPrint(/Found \/extlinux\/extlinux\.conf/); // autoboot never ran
  expect(run).toPrint(/^cmdline: .*bootcase_typed=1/m);
  expect(run).toHaveExited('shutdown');
  return run;
});

// Both U-Boot images go through the VMM loader's check (the native addon) as any guest does:
// the ELF says where it goes; the flat binary boots only when declared, and only as flat.
test('the loader check: uboot.elf is an ELF entered at 0x80200000; u-boot.bin only when declared flat', () => {
  const elf = ubootGuest({ disk: 'uboot-1cpu' });
  expect(checkGuestImage(elf, readFileSync(UBOOT_SMODE_ELF))).toMatchObject({ ok: true, format: 'elf', entry: UBOOT_LINK_ADDR });
  const bin = readFileSync(UBOOT_SMODE_BIN);
  expect(checkGuestImage(ubootGuest({ disk: 'uboot-1cpu', image: UBOOT_SMODE_BIN }), bin)).toMatchObject({ ok: false, reason: 'unknown-format' });
  expect(checkGuestImage(ubootGuest({ disk: 'uboot-1cpu', image: UBOOT_SMODE_BIN, format: 'flat' }), bin)).toMatchObject({ ok: true, format: 'flat', entry: UBOOT_LINK_ADDR });
  // the ELF declared flat would run its ELF header as code: refused
  expect(checkGuestImage(ubootGuest({ disk: 'uboot-1cpu', format: 'flat' }), readFileSync(UBOOT_SMODE_ELF))).toMatchObject({ ok: false, reason: 'flat-not-raw' });
});

// The same U-Boot as a flat binary: it carries no address, and is linked for 0x80200000.
// Loaded at RAM base it ran at the wrong address and hung without a word.
test('U-Boot as a flat binary declared at 0x80200000 (--flat-load) reaches its prompt and powers off', async ({ signal }) => {
  const spec = ubootGuest({ disk: 'uboot-1cpu', image: UBOOT_SMODE_BIN, name: 'uboot-flat', format: 'flat' });
  expect(spec.vmmArgs).not.toContain('--flat-load'); // the spec declares it; traceArgs() makes the option
  expect(traceArgs(spec)).toEqual(['--flat-load', `0x${UBOOT_LINK_ADDR.toString(16)}`]);
  await using vm = await boot(spec, { stage: await stage(), signal });
  await vm.waitForLine(UBOOT_AUTOBOOT);
  vm.input(' ');
  await vm.waitForLine(UBOOT_PROMPT);
  vm.input('poweroff\n'); // U-Boot's sysreset through SBI SRST
  const run = await vm.result();
  expect(run).toHaveExited('shutdown');
  expect(run.events.find((e) => e.ev === 'start')).toMatchObject({ format: 'flat' });
});
