// L1 snapshots (harness/stage/snapshot.ts) on real stages: a stage restored from one runs a
// guest like a booted one, and a snapshot that is corrupt is never trusted: the stage boots L1,
// says so on its log and writes a good snapshot in its place. Each test has a kernel command
// line of its own, so its snapshot key is its own and the shared default snapshot is untouched.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asmGuest, boot, Stage, type StageOptions } from '../../../harness/index.js';
import { selectL0 } from '../../../harness/stage/l0.js';
import { removeSnapshot, saveSnapshot, snapshotsOn } from '../../../harness/stage/snapshot.js';
import { describe, expect, test } from '../../../harness/vitest/fixtures.js';

/** Start a stage; the snapshot file it saved or was restored from. */
async function snapshotOf(opts: StageOptions): Promise<string> {
  await using stage = await Stage.start(opts);
  expect(stage.snapshot).toBeDefined();
  return stage.snapshot!.path;
}

async function hello(stage: Stage): Promise<void> {
  await using vm = await boot('hello-dbcn', { stage });
  const run = await vm.result();
  expect(run).toHaveExited('shutdown');
  expect(run.console).toContain('Hello from guest via DBCN');
}

/**
 * A guest that sleeps in wfi until its timer: KVM then waits on an L1 hrtimer, which works only
 * if the restored L1's own timer interrupt was rearmed (agent-ping.c).
 */
async function timer(stage: Stage): Promise<void> {
  await using vm = await boot('timer', { stage });
  const run = await vm.result();
  expect(run).toHaveExited('report', { code: 0 });
}

/** The device tree the VMM would give a guest, as console text: it differs only in /chosen/rng-seed. */
async function dtbText(stage: Stage): Promise<string> {
  await using vm = await boot(asmGuest('hello-dbcn', { vmmArgs: ['--dump-dtb', '-'] }), { stage });
  const run = await vm.result();
  expect(run).toHaveExited('shutdown');
  return run.console;
}

// BOOTCASE_SNAPSHOT=0 turns snapshots off for every stage, and an L0 without file migration
// (QEMU 7.2) never has them: nothing to test then
describe.skipIf(!snapshotsOn(selectL0()))('L1 snapshots', () => {
  test('a restored stage runs guests (one waits on an L1 timer), and two of them give guests different rng-seeds', async () => {
    const opts: StageOptions = { append: `bootcase.test=restore-${randomBytes(4).toString('hex')}` };
    const path = await snapshotOf(opts);
    try {
      expect(existsSync(path)).toBe(true);
      const dtbs: string[] = [];
      for (let i = 0; i < 2; i++) {
        await using stage = await Stage.start(opts);
        expect(stage.snapshot).toEqual({ path, restored: true });
        expect(stage.kernelRelease).toMatch(/^6\./);
        // its log starts with L1's boot, saved with the snapshot (the firmware's banner is in it)
        expect(stage.stageLog).toContain(`bootcase: L1's boot log, from when the snapshot was saved (${path}.log):`);
        expect(stage.stageLog).toMatch(/^OpenSBI v\d/m);
        expect(stage.stageLog).toContain(`bootcase: restored from the L1 snapshot ${path}\n`);
        // first, before L1's own periodic CRNG reseed: only the ping's seed tells them apart
        dtbs.push(await dtbText(stage));
        await hello(stage);
        await timer(stage);
      }
      expect(dtbs[0]).toContain('rng-seed');
      expect(dtbs[0]).not.toBe(dtbs[1]);
    } finally {
      removeSnapshot({ path });
    }
  });

  test('a corrupt snapshot is not used: L1 boots, the log names the file, a good one replaces it', async () => {
    const opts: StageOptions = { append: `bootcase.test=corrupt-${randomBytes(4).toString('hex')}` };
    const path = await snapshotOf(opts);
    try {
      writeFileSync(path, randomBytes(1 << 16));
      await using stage = await Stage.start(opts);
      expect(stage.snapshot).toEqual({ path, restored: false });
      expect(stage.stageLog).toContain(`snapshot ${path} did not restore`);
      await hello(stage);
      expect(statSync(path).size).toBeGreaterThan(1 << 20);
      await using again = await Stage.start(opts);
      expect(again.snapshot).toEqual({ path, restored: true });
    } finally {
      removeSnapshot({ path });
    }
  });

  test('a save that runs out of time is cancelled, and the stage runs on', async () => {
    // Cut short while QEMU still writes, a migration that went on to complete would stop the
    // machine again (QEMU's postmigrate state), and the stage would hang on its next guest.
    const opts: StageOptions = { append: `bootcase.test=cut-save-${randomBytes(4).toString('hex')}` };
    await using stage = await Stage.start(opts); // it boots and saves, and keeps its QMP socket
    const path = stage.snapshot!.path;
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-save-'));
    try {
      // a whole save on this stage now, then one with half its time: cut during the migration
      const t = performance.now();
      await saveSnapshot({ path: join(dir, 'whole.mig') }, stage.qmpSocket, 60_000, '');
      const whole = performance.now() - t;
      await expect(saveSnapshot({ path: join(dir, 'cut.mig') }, stage.qmpSocket, whole / 2, '')).rejects.toThrow();
      expect(existsSync(join(dir, 'cut.mig'))).toBe(false);
      await hello(stage);
      await timer(stage);
    } finally {
      removeSnapshot({ path });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('snapshot: false always boots', async () => {
    await using stage = await Stage.start({ snapshot: false });
    expect(stage.snapshot).toBeUndefined();
    expect(stage.argv).not.toContain('-incoming');
  });
});
