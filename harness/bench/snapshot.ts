// A stage restored from an L1 snapshot (harness/stage/snapshot.ts) beside a booted one. The
// host is shared and loaded, so the two are measured in interleaved pairs (the order swapped
// every pair): a load burst then hits both sides instead of one row.
import { boot, Stage, type StageOptions } from '../index.js';
import { selectL0 } from '../stage/l0.js';
import { snapshotsOn } from '../stage/snapshot.js';

export interface SnapshotFigures {
  /** The first stage of the run, which booted and saved the snapshot: undefined if one was there. */
  firstSaveMs: number | undefined;
  bootMs: number[];
  restoreMs: number[];
  helloBootedMs: number[];
  helloRestoredMs: number[];
}

const BOOTED: StageOptions = { snapshot: false };
const RESTORED: StageOptions = {};

/** boot() -> verdict of hello-dbcn on a stage of its own, the stage's start included. */
async function helloOwnStage(opts: StageOptions): Promise<number> {
  const t = performance.now();
  await using stage = await Stage.start(opts);
  await using vm = await boot('hello-dbcn', { stage });
  await vm.result();
  return performance.now() - t;
}

/** The figures; on an L0 without snapshots (or BOOTCASE_SNAPSHOT=0) only the booted side's. */
export async function snapshotFigures(reps: number): Promise<SnapshotFigures> {
  const t = performance.now();
  let firstSaveMs: number | undefined;
  const on = snapshotsOn(selectL0());
  if (on) {
    await using first = await Stage.start(RESTORED);
    if (!first.snapshot) throw new Error('the default stage takes no snapshot (BOOTCASE_SNAPSHOT=0?)');
    if (!first.snapshot.restored) firstSaveMs = performance.now() - t;
  }
  const f: SnapshotFigures = { firstSaveMs, bootMs: [], restoreMs: [], helloBootedMs: [], helloRestoredMs: [] };
  for (let i = 0; i < reps; i++) {
    const sides = on ? (i % 2 ? [true, false] : [false, true]) : [false];
    for (const restored of sides) {
      await using stage = await Stage.start(restored ? RESTORED : BOOTED);
      if (!!stage.snapshot?.restored !== restored) throw new Error(`stage ${i}: expected ${restored ? 'a restore' : 'a boot'}`);
      (restored ? f.restoreMs : f.bootMs).push(stage.bootMs);
    }
    for (const restored of sides) {
      (restored ? f.helloRestoredMs : f.helloBootedMs).push(await helloOwnStage(restored ? RESTORED : BOOTED));
    }
  }
  return f;
}

/** "min / median" of each side, for the interleaved-pairs lines. */
export function minMedian(xs: number[], median: (v: number[]) => number): string {
  return `min ${Math.min(...xs).toFixed(0)} / median ${median(xs).toFixed(0)} ms`;
}
