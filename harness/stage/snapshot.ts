// An L1 snapshot: the state of a stage saved once at agent-ready, so later stages start by
// restoring it (QEMU's incoming migration from a file) instead of booting: no OpenSBI, no L1
// kernel boot under TCG. It is keyed by every input that shapes that state; a stage it does not
// exactly match boots normally. docs/protocol.md ("ping") says how a restored agent is found live.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { config, scaled } from '../config.js';
import { StageError } from '../errors.js';
import { markUsed, pastKeep } from '../lru.js';
import type { L0 } from './l0.js';
import { STAGE_MEM_MIB } from './qemu.js';
import type { StageOptions } from './types.js';
import { qmpConnect } from './qmp.js';

/** Bump when what a snapshot holds or how it is written changes: old files are then never read. */
const FORMAT = 'bootcase-l1-snapshot-2';
/**
 * Snapshots kept, the most recently used. One `npm test` from an empty cache saved five (RAM
 * sizes, the installed package's own VMM), and each clone or worktree of the repo builds its own
 * VMM, so it adds keys of its own: with 8 kept by save time, a run could evict snapshots that
 * the next run then saved again, one of them a 5.5 GiB L1's (~19 s; no longer saved at all).
 */
const KEEP = 16;

/**
 * QEMU 10's mapped-ram: each RAM page has its own place in the file and zero pages are not
 * written at all. The plain stream writes a marker per zero page, and loading one touches the
 * page: restoring 512 MiB took ~1.8 s of QEMU CPU that way against ~0.2 s with mapped-ram
 * (the file is sparse: ~22 MiB on disk). Both sides must have it on.
 */
const MAPPED_RAM = ['-global', 'migration.mapped-ram=on'];

/** Whether stages on this L0 start from snapshots at all: it can (L0_QEMUS) and BOOTCASE_SNAPSHOT is not 0. */
export const snapshotsOn = (l0: L0): boolean => config.snapshots && l0.snapshots;

/**
 * The largest L1 RAM that gets a snapshot. QEMU walks all of a machine's RAM to save and to
 * restore it, used or not, and that outgrows the boot it saves: for the 5.5 GiB stage of the
 * kvm-unit-tests sample (a guest above 4 GiB), saving took ~19 s, and its nested vitest run took
 * 3.8 s restored against 3.9 s booted (2026-12-02). At 512 MiB, restoring takes 180 ms against
 * a 580 ms boot (npm run bench).
 */
export const SNAPSHOT_MAX_MIB = 1024;

/** Where the snapshot for a stage spec lives, or undefined if the spec cannot use one (why: see snapshotPlan). */
export interface SnapshotPlan {
  path: string;
}

/**
 * Stages with disks never use a snapshot: L1 probed the disk at boot (partition table, size,
 * serial in sysfs) and holds its blocks in its page cache, so a restored L1 would show the
 * snapshot's disk, not this one. Everything else that shapes L1 is on the QEMU command line or
 * in the files it names, which the key covers.
 *
 * Only the default CPU model (`rv64,h=true`) is restored. On another, the L0 may not carry all
 * of the hart's state across: with `-cpu max`, QEMU 10.0.2 restores Smepmp's PMP rules into a
 * hart that then overwrites L1's own kernel text within a second (the trap vector reads
 * 0xffffffff and L1 loops in illegal-instruction traps); `max,smepmp=false` restores cleanly,
 * so the likely gap is mseccfg in the migration stream. A stage like that would wait out the
 * restore deadline on every start before booting.
 */
export function snapshotPlan(opts: StageOptions, l0: L0, argv: readonly string[], sockDir: string): SnapshotPlan | undefined {
  if (opts.snapshot === false || !snapshotsOn(l0) || opts.disks?.length || opts.machine?.cpu !== undefined) return undefined;
  if ((opts.memMiB ?? STAGE_MEM_MIB) > SNAPSHOT_MAX_MIB) return undefined;
  const h = createHash('sha256').update(`${FORMAT}\0${fileDigest(l0.qemu)}\0`);
  // The sockets' folder is new for every stage and is no part of the machine.
  for (const a of argv) h.update(a.replaceAll(sockDir, '<sockdir>')).update('\0');
  for (const f of inputFiles(argv)) h.update(`${f}\0${fileDigest(f)}\0`);
  return { path: join(config.cacheDir, 'snapshot', `l1-${h.digest('hex').slice(0, 24)}.mig`) };
}

/**
 * The files QEMU reads into the machine: firmware, kernel, initramfs. (Only L0s with snapshots
 * get here, and those name their firmware by path, never `-bios default`.)
 */
function inputFiles(argv: readonly string[]): string[] {
  const after = (flag: string) => (argv.includes(flag) ? [argv[argv.indexOf(flag) + 1]!] : []);
  return [...after('-bios'), ...after('-kernel'), ...after('-initrd')].filter((f) => existsSync(f));
}

const digests = new Map<string, string>();

/** sha256 of a file's bytes, once per process per (path, inode, size, mtime). */
function fileDigest(path: string): string {
  const st = statSync(path);
  const id = `${path}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
  let d = digests.get(id);
  if (!d) digests.set(id, (d = createHash('sha256').update(readFileSync(path)).digest('hex')));
  return d;
}

export const QMP_SOCKET = 'qmp.sock';

/** Extra QEMU arguments of the stage that makes the snapshot: a QMP socket to ask for it. */
export function saveArgs(qmpSocket: string): string[] {
  return ['-qmp', `unix:${qmpSocket},server=on,wait=off`, ...MAPPED_RAM,
    // The source is stopped while it saves (no dirty-page rounds: ~0.1 s instead of ~2-4 s).
    // Without the global state section the destination does not inherit "paused" from it and
    // runs as soon as the state is in.
    '-global', 'migration.store-global-state=off'];
}

/** Extra QEMU arguments of a restored stage. */
export function restoreArgs(plan: SnapshotPlan): string[] {
  return [...MAPPED_RAM, '-incoming', `file:${plan.path}`];
}

/** How a stage starts: boot (and save a snapshot when `save`), or restore one. */
export interface SnapshotMode {
  save?: SnapshotPlan;
  restore?: SnapshotPlan;
}

/** What startStage needs of a stage. */
export interface SnapshotStage {
  note(line: string): void;
  readonly qmpSocket: string;
  /** The stage log so far: at save time, L1's boot up to agent-ready. */
  readonly stageLog: string;
}

/** L1's boot log, saved beside the snapshot, so a restored stage's log still has it. */
const bootLogFile = (plan: SnapshotPlan) => `${plan.path}.log`;

/** The boot log saved with the snapshot and its file, if any (a restored stage puts it first in its log). */
export function savedBootLog(plan: SnapshotPlan): { path: string; text: string } | undefined {
  const path = bootLogFile(plan);
  return existsSync(path) ? { path, text: readFileSync(path, 'utf8') } : undefined;
}

/** Remove a snapshot and the boot log saved with it. */
export const removeSnapshot = (plan: SnapshotPlan) => {
  rmSync(plan.path, { force: true });
  rmSync(bootLogFile(plan), { force: true });
};

/** Restores of a spec's snapshot that may fail in a row before its stages just boot. */
const TRIES = 2;

/** The file beside a snapshot that counts its failed restores in a row. */
const failedFile = (plan: SnapshotPlan) => `${plan.path}.failed`;
const failedRestores = (plan: SnapshotPlan) => (existsSync(failedFile(plan)) ? Number(readFileSync(failedFile(plan), 'utf8')) || 0 : 0);

/**
 * Start a stage: restore the snapshot when there is one, else boot and save one. A snapshot
 * that does not restore (QEMU refused it: corrupt, cut short, another QEMU's format; or the
 * agent did not answer in time) is removed and remade by the normal boot that follows, and the
 * stage log says so. After TRIES failed restores in a row, the spec is one this L0 cannot
 * restore, and its stages boot without saving, rather than each paying the restore deadline
 * first; deleting the `.failed` file beside the snapshot's path lets them try again. A
 * snapshot that cannot be saved leaves the stage as it is, with a note.
 */
export async function startStage<S extends SnapshotStage>(plan: SnapshotPlan | undefined, launch: (mode: SnapshotMode) => Promise<S>): Promise<S> {
  if (!plan) return launch({});
  if (failedRestores(plan) >= TRIES) {
    const stage = await launch({});
    stage.note(`not using an L1 snapshot: ${TRIES} restores of ${plan.path} failed in a row (${failedFile(plan)})`);
    return stage;
  }
  let note = '';
  if (existsSync(plan.path)) {
    try {
      const stage = await launch({ restore: plan });
      rmSync(failedFile(plan), { force: true });
      // its mtime is its last use, which pruneSnapshots goes by
      markUsed(plan.path);
      return stage;
    } catch (e) {
      removeSnapshot(plan);
      writeFileSync(failedFile(plan), `${failedRestores(plan) + 1}\n`);
      // the first line says what failed, the log's last one why (QEMU's "load of migration failed: ...")
      const why = e instanceof StageError ? `${e.message.split('\n')[0]}; ${e.stageLogTail.trim().split('\n').at(-1)}` : String(e);
      note = `snapshot ${plan.path} did not restore (${why}); removed it, booting L1`;
    }
  }
  const stage = await launch({ save: plan });
  // the boot log as it was, without this stage's note on an earlier snapshot
  const bootLog = stage.stageLog;
  if (note) stage.note(note);
  try {
    await saveSnapshot(plan, stage.qmpSocket, scaled(20_000), bootLog);
  } catch (e) {
    stage.note(`could not save the L1 snapshot ${plan.path}: ${(e as Error).message}`);
  }
  return stage;
}

/**
 * Save the running stage's L1 into plan.path and let it run on. Written to a file of its own
 * and renamed into place, so a reader never sees half a snapshot (two stages saving at once
 * just both write one). Throws with the reason; the caller keeps the stage either way, running:
a save that runs out of time is cancelled first.
 */
export async function saveSnapshot(plan: SnapshotPlan, qmpSocket: string, ms: number, bootLog: string): Promise<void> {
  const dir = dirname(plan.path);
  mkdirSync(dir, { recursive: true });
  const tmp = `${plan.path}.tmp${process.pid}-${Date.now()}`;
  const qmp = await qmpConnect(qmpSocket, ms);
  const status = async () => (await qmp.cmd('query-migrate')) as { status?: string; 'error-desc'?: string };
  try {
    try {
      await qmp.cmd('stop');
      await qmp.cmd('migrate', { uri: `file:${tmp}` });
      await qmp.until(async () => {
        const r = await status();
        if (r.status === 'failed' || r.status === 'cancelled') throw new Error(`migration ${r.status}: ${r['error-desc'] ?? 'no reason given'}`);
        return r.status === 'completed';
      });
    } catch (e) {
      // A migration still running must end before the cont: when it completed later, QEMU would
      // stop the machine again (postmigrate), and the stage would hang on its next upload.
      // (Its own deadline: the save's may be spent.)
      qmp.deadline(scaled(10_000));
      await qmp.cmd('migrate_cancel');
      await qmp.until(async () => ['cancelled', 'failed', 'completed', 'none'].includes((await status()).status ?? 'none'));
      throw e;
    } finally {
      qmp.deadline(scaled(10_000));
      await qmp.cmd('cont');
    }
    // the log first: a reader that finds the snapshot finds its log
    writeFileSync(`${tmp}.log`, bootLog);
    renameSync(`${tmp}.log`, bootLogFile(plan));
    renameSync(tmp, plan.path);
    pruneSnapshots(dir);
  } finally {
    qmp.close();
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.log`, { force: true });
  }
}

/**
 * Keep the `keep` most recently used snapshots (saved or restored; every VMM or kernel change
 * makes a new key), their boot logs and `keep` failure counts, and drop temporary files an hour
 * old (a saver that was killed).
 */
export function pruneSnapshots(dir: string, keep = KEEP): void {
  const files = readdirSync(dir).map((f) => join(dir, f)).map((f) => ({ f, t: statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  const ending = (suffix: string) => files.filter(({ f }) => f.endsWith(suffix));
  const stale = files.filter(({ f, t }) => f.includes('.mig.tmp') && t < Date.now() - 3600_000);
  for (const { f } of [...pastKeep(ending('.mig'), keep), ...pastKeep(ending('.failed'), keep), ...stale]) rmSync(f, { force: true });
  // a boot log goes with its snapshot
  for (const { f } of ending('.mig.log')) if (!existsSync(f.slice(0, -'.log'.length))) rmSync(f, { force: true });
}
