// The bootloader milestone (#10 §2): Debian's S-mode U-Boot for QEMU virt (u-boot-qemu) under
// our VMM boots our tiny Linux from an MBR/ext2 disk with extlinux/extlinux.conf, as a distro
// install would: by itself (distro_bootcmd), and by hand at its prompt. Each TAP line Linux's
// init prints is its own vitest test.
import { boot, UBOOT_AUTOBOOT, UBOOT_DISK_INITRD, UBOOT_DISK_KERNEL, UBOOT_LINK_ADDR, UBOOT_PROMPT, UBOOT_SMODE_BIN, ubootDisk, ubootGuest, ubootStageDisk } from '../../harness/index.js';
import { expect, test } from 'vitest';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';

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

// The same U-Boot as a flat binary: it carries no address, and is linked for 0x80200000.
// Loaded at RAM base it ran at the wrong address and hung without a word.
test('U-Boot as a flat binary at --load-addr 0x80200000 reaches its prompt and powers off', async ({ signal }) => {
  const spec = ubootGuest({ disk: 'uboot-1cpu', image: UBOOT_SMODE_BIN, name: 'uboot-flat', vmmArgs: ['--load-addr', `0x${UBOOT_LINK_ADDR.toString(16)}`] });
  await using vm = await boot(spec, { stage: await stage(), signal });
  await vm.waitForLine(UBOOT_AUTOBOOT);
  vm.input(' ');
  await vm.waitForLine(UBOOT_PROMPT);
  vm.input('poweroff\n'); // U-Boot's sysreset through SBI SRST
  const run = await vm.result();
  expect(run).toHaveExited('shutdown');
  expect(run.events.find((e) => e.ev === 'start')).toMatchObject({ format: 'flat' });
});
