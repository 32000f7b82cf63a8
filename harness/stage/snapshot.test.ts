import { existsSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { L0 } from './l0.js';
import { pruneSnapshots, SNAPSHOT_MAX_MIB, snapshotPlan, startStage, type SnapshotMode } from './snapshot.js';

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

  test('none above SNAPSHOT_MAX_MIB of L1 RAM (saving and restoring walk all of it: a 5.5 GiB one gained nothing)', () => {
    expect(snapshotPlan({ memMiB: SNAPSHOT_MAX_MIB }, l0(true), argv, '/tmp/bootcase-X')).toBeDefined();
    expect(snapshotPlan({ memMiB: SNAPSHOT_MAX_MIB + 1 }, l0(true), argv, '/tmp/bootcase-X')).toBeUndefined();
  });

  test('none for a CPU model other than the default (QEMU 10.0.2 does not restore -cpu max whole)', () => {
    expect(snapshotPlan({ machine: { cpu: 'max' } }, l0(true), argv, '/tmp/bootcase-X')).toBeUndefined();
    expect(snapshotPlan({ machine: { smp: 2 } }, l0(true), argv, '/tmp/bootcase-X')).toBeDefined();
  });
});

describe('a snapshot that does not restore', () => {
  // A stage that records how it was started; a restore fails as an agent that never answers would.
  const fake = (modes: string[], restores: boolean) => async (mode: SnapshotMode) => {
    const how = mode.restore ? 'restore' : mode.save ? 'save' : 'boot';
    modes.push(how);
    if (how === 'restore' && !restores) throw new Error('the agent did not answer the ping');
    const notes: string[] = [];
    return { note: (l: string) => notes.push(l), notes, qmpSocket: '/nonexistent/qmp.sock', stageLog: 'L1 booted' };
  };

  test('is removed and remade; after two failed restores in a row its stages boot without one, until the count is deleted', async () => {
    const plan = { path: join(mkdtempSync(join(tmpdir(), 'bootcase-snapshot-')), 'l1-x.mig') };
    const modes: string[] = [];
    const bad = fake(modes, false);
    writeFileSync(plan.path, 'a snapshot');
    const first = await startStage(plan, bad);
    expect(first.notes[0]).toMatch(/did not restore \(Error: the agent did not answer the ping\); removed it, booting L1/);
    expect(existsSync(plan.path)).toBe(false); // the save failed here (no QMP); QEMU would have remade it
    writeFileSync(plan.path, 'a snapshot');
    await startStage(plan, bad);
    const third = await startStage(plan, bad);
    expect(modes).toEqual(['restore', 'save', 'restore', 'save', 'boot']);
    expect(third.notes).toEqual([`not using an L1 snapshot: 2 restores of ${plan.path} failed in a row (${plan.path}.failed)`]);
  });

  test('a restore that works clears the count', async () => {
    const plan = { path: join(mkdtempSync(join(tmpdir(), 'bootcase-snapshot-')), 'l1-x.mig') };
    const modes: string[] = [];
    writeFileSync(plan.path, 'a snapshot');
    await startStage(plan, fake(modes, false));
    writeFileSync(plan.path, 'a snapshot');
    await startStage(plan, fake(modes, true));
    expect(existsSync(`${plan.path}.failed`)).toBe(false);
    writeFileSync(plan.path, 'a snapshot');
    await startStage(plan, fake(modes, false));
    expect(modes).toEqual(['restore', 'save', 'restore', 'restore', 'save']);
  });
});

describe('which snapshots are kept', () => {
  test('the most recently used: a restore counts as a use, so a snapshot saved long ago but in use stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-snapshot-'));
    const hourAgo = (n: number) => (Date.now() - n * 3600_000) / 1000;
    for (const [name, age] of [['l1-old', 3], ['l1-mid', 2], ['l1-new', 1]] as const) {
      writeFileSync(join(dir, `${name}.mig`), 'a snapshot');
      writeFileSync(join(dir, `${name}.mig.log`), 'its boot log');
      utimesSync(join(dir, `${name}.mig`), hourAgo(age), hourAgo(age));
    }
    // the oldest-saved one is restored now
    await startStage({ path: join(dir, 'l1-old.mig') }, async () => ({ note: () => {}, qmpSocket: '', stageLog: '' }));
    pruneSnapshots(dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['l1-new.mig', 'l1-new.mig.log', 'l1-old.mig', 'l1-old.mig.log']);
  });
});
