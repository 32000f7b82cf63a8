// Device milestones (#3): every device is exercised by a bare-metal guest through real
// interrupts on real KVM, and hostile guests must end in a typed fault with the host disk intact.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmGuest, memoryMap } from '../../harness/index.js';
import { describe, expect, withStage } from '../../harness/vitest/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'bootcase-disks-'));
const disk = (name: string, bytes: Buffer) => {
  const path = join(dir, `${name}.img`);
  writeFileSync(path, bytes);
  return path;
};
const pattern = Buffer.alloc(1 << 20);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + 7) & 0xff;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const rw = disk('rw', Buffer.alloc(1 << 20));
const ro = disk('ro', pattern);
const victim = disk('victim', pattern);
const test = withStage({
  disks: [
    { id: 'rw', path: rw },
    { id: 'ro', path: ro, readOnly: true },
    { id: 'victim', path: victim },
  ],
});

describe('devices', () => {
  test('16550 UART: typed input arrives by interrupt and is echoed', async ({ boot }) => {
    await using vm = await boot('uart-echo');
    await vm.waitForLine(/type a line> /);
    vm.input('hello uart\n');
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run).toPrint(/^got: hello uart \(\d+ interrupts\)$/m);
    expect(run).toPrint('hello uart\n'); // the echo, byte by byte through THR
  });

  test('timer: an SBI TIME interrupt fires within its deadline', async ({ boot }) => {
    const run = await (await boot('timer')).result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run).toPrint(/^timer interrupt after \d+ us$/m);
  });

  test('PLIC: priorities, thresholds, claim/complete and delivery as an S-mode external interrupt', async ({ boot }) => {
    const run = await (await boot('plic')).result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run.exits.mmio).toBeGreaterThan(10);
  });

  test('virtio-blk: write, flush, read back, and the bytes are in the host file', async ({ boot }) => {
    const run = await (await boot(asmGuest('virtio-blk', { vmmArgs: ['--disk', 'serial:rw'] }))).result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run).toPrint(/capacity 2048 sectors/);
    const sector1 = readFileSync(rw).subarray(512, 1024);
    expect(sector1.subarray(0, 15).toString()).toBe('BOOTCASE-BLK-OK');
    for (let i = 15; i < 512; i++) expect(sector1[i], `byte ${i}`).toBe((i * 7 + 3) & 0xff);
  });

  test('virtio-blk on the legacy transport (version 1, QueuePFN), as xv6 before 2021 drives it; on version 2 it finds no legacy device', async ({ boot }) => {
    const run = await (await boot(asmGuest('virtio-blk-legacy', { vmmArgs: ['--disk', 'serial:rw', '--virtio-transport', 'mmio-legacy'] }))).result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run).toPrint('virtio-blk legacy (version 1, QueuePFN): write/flush/read-back ok\n');
    const sector2 = readFileSync(rw).subarray(1024, 1536);
    expect(sector2.subarray(0, 18).toString()).toBe('BOOTCASE-LEGACY-OK');
    for (let i = 18; i < 512; i++) expect(sector2[i], `byte ${i}`).toBe((i * 5 + 1) & 0xff);
    const v2 = await (await boot(asmGuest('virtio-blk-legacy', { vmmArgs: ['--disk', 'serial:rw'] }))).result();
    expect(v2).toHaveExited('report', { code: 3 }); // Version read 2
  });

  test('virtio-blk read-only: writes fail with IOERR and the file is untouched', async ({ boot }) => {
    const before = sha(ro);
    const run = await (await boot(asmGuest('virtio-blk-ro', { vmmArgs: ['--disk', 'serial:ro,ro'] }))).result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(sha(ro)).toBe(before);
  });

  test('virtio-console: output and typed input', async ({ boot }) => {
    await using vm = await boot(asmGuest('virtio-console', { vmmArgs: ['--virtio-console'] }));
    await vm.waitForLine(/virtio-console input\?/);
    vm.input('ping');
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 0 });
    expect(run).toPrint('hello via virtio-console\n');
    expect(run).toPrint('virtio-console got: ping');
  });

  test('--dump-dtb writes a device tree that dtc decodes, generated from the memory map', async ({ boot }) => {
    await using vm = await boot(asmGuest('report-pass', { vmmArgs: ['--dump-dtb', '-', '--disk', 'serial:rw'] }));
    const run = await vm.result(); // holds every console byte the VMM wrote, or throws
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(vm.consoleRaw.length).toBe(run.consoleBytes);
    const blob = join(dir, 'vmm.dtb');
    writeFileSync(blob, vm.consoleRaw);
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', blob], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(dts).toMatch(/riscv,isa = "rv64[a-z_]+"/);
    // every node where vmm/include/layout.h puts it (read through the addon, not copied here)
    const map = memoryMap();
    expect(dts).toContain(`timebase-frequency = <0x${map.timebaseHz.toString(16)}>`);
    const optional = ['firmware', 'clint', 'aplic', 'imsics']; // --profile xv6, --irqchip aia
    for (const r of map.regions.filter((x) => !optional.includes(x.name))) expect(dts).toContain(`${r.name}@${r.base.toString(16)} {`);
    expect(dts).not.toMatch(/clint@/); // only --profile xv6 has one
    expect(dts).not.toMatch(/aplic@|imsics@/); // only --irqchip aia has them
    expect(dts.match(/virtio_mmio@[0-9a-f]+ \{/g)).toHaveLength(map.virtioSlots);
    expect(dts).toMatch(/interrupt-controller/);
  });

  // The ISA is what KVM enabled (ISA_EXT registers), in both forms; --isa-disable takes away
  // what this KVM lets go of (F and D here), and names what it will not (Sstc on 6.12).
  test('the DT lists the extensions KVM enabled; --isa-disable drops them or names the refusal', async ({ boot }) => {
    const dts = async (args: string[]) => {
      await using vm = await boot(asmGuest('report-pass', { vmmArgs: ['--dump-dtb', '-', ...args] }));
      const run = await vm.result();
      expect(run).toHaveExited('shutdown', { reason: 0 });
      writeFileSync(join(dir, 'isa.dtb'), vm.consoleRaw);
      return execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 'isa.dtb')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    };
    const all = await dts([]);
    // the set depends on the L0's hart (QEMU 10's adds zicbom, zicboz, zfa, ... to 7.2's): the
    // single letters first, Sstc last, and both properties list the same extensions
    const isa = /riscv,isa = "([a-z0-9_]+)"/.exec(all)?.[1] ?? '';
    expect(isa).toMatch(/^rv64imafdc_z[a-z0-9_]*_sstc$/);
    for (const ext of ['zicntr', 'zicsr', 'zifencei']) expect(isa.split('_')).toContain(ext);
    expect(all).toMatch(/riscv,isa-base = "rv64i"/);
    expect(all).toMatch(/riscv,isa-extensions = "i\\0m\\0a\\0f\\0d\\0c\\0z[a-z0-9\\]*\\0sstc"/);
    expect(all).toContain(`riscv,isa-extensions = "${isa.replace(/^rv64/, '').replace(/^([a-z]+)_/, (_, l: string) => [...l].join('\\0') + '\\0').replaceAll('_', '\\0')}"`);
    expect(all).toMatch(/cpu-map \{/);
    expect(all).toMatch(/rng-seed = </);
    const noFp = await dts(['--isa-disable', 'f,d']);
    expect(noFp).toMatch(/riscv,isa = "rv64imac_z/);
    expect(noFp).not.toMatch(/"f\\0d\\0/);
    await using vm = await boot(asmGuest('report-pass', { vmmArgs: ['--isa-disable', 'sstc'] }));
    const refused = await vm.result().catch((e: unknown) => e);
    expect(String(refused)).toMatch(/option --isa-disable sstc: KVM refused on vCPU 0: Invalid argument \(this KVM cannot switch it off\)/);
  });
});

describe('hostile guests end in a typed fault and leave the host disk unharmed', () => {
  const attacks = ['desc-out-of-ram', 'desc-loop', 'huge-len', 'avail-beyond', 'ro-register', 'dma-into-mmio'];
  test.for(attacks)('%s', async (attack, { boot }) => {
    const before = sha(victim);
    const run = await (await boot(asmGuest(`hostile-${attack}`, { vmmArgs: ['--disk', 'serial:victim'] }))).result();
    expect(run).toPrint(`attack: ${attack}`);
    expect(run).toHaveExited('fault');
    expect(run.fault).toMatchObject({ kind: 'device' });
    expect(sha(victim)).toBe(before);
  });
});
