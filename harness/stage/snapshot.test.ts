import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { L0 } from './l0.js';
import { snapshotPlan } from './snapshot.js';

describe('which stages use an L1 snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootcase-snapshot-'));
  const qemu = join(dir, 'qemu-system-riscv64');
  writeFileSync(qemu, 'a QEMU');
  const l0 = (snapshots: boolean): L0 => ({ name: snapshots ? '10' : '7.2', qemu, firmwareArgs: [], describe: qemu, snapshots });
  const argv = ['-M', 'virt', '-chardev', 'socket,id=ctl,path=/tmp/bootcase-X/ctl.sock'];

  test('an L0 with file migration and mapped-ram: one snapshot per machine, whatever its sockets folder', () => {
    const a = snapshotPlan({}, l0(true), argv, '/tmp/bootcase-X');
    const b = snapshotPlan({}, l0(true), argv.map((s) => s.replace('bootcase-X', 'bootcase-Y')), '/tmp/bootcase-Y');
    expect(a?.path).toMatch(/l1-[0-9a-f]{24}\.mig$/);
    expect(b?.path).toBe(a?.path);
    expect(snapshotPlan({}, l0(true), [...argv, '-m', '1024M'], '/tmp/bootcase-X')?.path).not.toBe(a?.path);
  });

  test('none on an L0 without them (QEMU 7.2 refuses the mapped-ram option and would not start), with disks, or when turned off', () => {
    expect(snapshotPlan({}, l0(false), argv, '/tmp/bootcase-X')).toBeUndefined();
    expect(snapshotPlan({ disks: [{ path: '/dev/null', id: 'd' } as never] }, l0(true), argv, '/tmp/bootcase-X')).toBeUndefined();
    expect(snapshotPlan({ snapshot: false }, l0(true), argv, '/tmp/bootcase-X')).toBeUndefined();
  });
});
