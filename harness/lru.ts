// The harness's caches (stage archives, L1 snapshots, the installed package's builds) keep what
// was used last. An entry's mtime is its last use: markUsed sets it, and pastKeep picks what a
// cache may drop. Imports nothing of the harness, so any module may use it.
import { statSync, utimesSync } from 'node:fs';

/**
 * Mark `path` used now. To the minute: a touch on every use would be a write per stage start,
 * and a stage archive's new mtime makes the snapshot key hash it again (stage/snapshot.ts).
 */
export function markUsed(path: string): void {
  try {
    if (Date.now() - statSync(path).mtimeMs > 60_000) utimesSync(path, new Date(), new Date());
  } catch {
    /* gone, or a read-only cache: nothing to prune there either */
  }
}

/**
 * Of `items` (`t`: last use, ms), those past the `keep` most recently used, and, with `idleMs`,
 * only those unused for longer than that.
 */
export function pastKeep<T extends { t: number }>(items: readonly T[], keep: number, idleMs?: number, now = Date.now()): T[] {
  const rest = [...items].sort((a, b) => b.t - a.t).slice(keep);
  return idleMs === undefined ? rest : rest.filter(({ t }) => now - t > idleMs);
}
