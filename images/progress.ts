// Progress of a long build step that prints nothing itself (a kernel build runs `make -s` into a
// log; make of the VMM and the guests prints one command per object). Every `everyMs` it says
// how long the step has run, how far along it is, and what it is on. On a terminal that is one
// line rewritten in place; in CI (no TTY) a plain line each time. ci/progress.sh is the same for
// the shell steps (apt, npm, mmdebstrap).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Progress {
  /** Stop reporting (and end the terminal line). */
  stop(): void;
}

/** Where a step is: `done` of `expected` `unit`s (expected unknown on a first build), on `on`. */
export interface StepState {
  done: number;
  expected?: number;
  unit?: string;
  on?: string;
  /** What the step is doing while there is nothing to count yet (extracting, configuring). */
  phase?: string;
}

/** Object files under `dir` (written after `sinceMs`, if given): how many, and the newest (what the build is on). */
export function countObjects(dir: string, sinceMs = 0): { count: number; newest?: string } {
  let count = 0;
  let newest: { path: string; mtime: number } | undefined;
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.o')) {
        const mtime = statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0;
        if (mtime <= sinceMs) continue;
        count++;
        if (!newest || mtime > newest.mtime) newest = { path: p, mtime };
      }
    }
  };
  walk(dir);
  return { count, ...(newest ? { newest: relative(dir, newest.path) } : {}) };
}

/** "2m05s", "15s". */
export function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The progress line: "kernel X: 2m05s, 812/1190 objects (68%), on kernel/fork.o". */
export function progressLine(what: string, elapsedMs: number, done: number, expected: number | undefined, on?: string, unit = 'objects'): string {
  const time = elapsed(elapsedMs);
  const far = expected ? `${done}/${expected} ${unit} (${Math.min(99, Math.floor((100 * done) / expected))}%)` : `${done} ${unit} (first build of this configuration: no total yet)`;
  return `${what}: ${time}, ${far}${on ? `, on ${on}` : ''}`;
}

/** Report a step whose state `probe` reads, every `everyMs` (every second, in place, on a terminal). */
export function watchStep(what: string, probe: () => StepState, log: (line: string) => void, everyMs = 15_000): Progress {
  const t0 = Date.now();
  const tty = process.stderr.isTTY === true;
  const tick = () => {
    const st = probe();
    const ms = Date.now() - t0;
    const line = st.phase ? `${what}: ${elapsed(ms)}, ${st.phase}` : progressLine(what, ms, st.done, st.expected, st.on, st.unit);
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else log(line);
  };
  const timer = setInterval(tick, tty ? Math.min(everyMs, 1000) : everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

/**
 * Report a build whose objects land under `dir`. `expected`: the object count of the last
 * complete build of the same configuration, if there was one. `phase()`: what it does before
 * it compiles, if anything (build-kernel.sh: waiting for another build, extracting, configuring).
 * `stamp`: a file touched when compiling starts; only objects newer than it count, since a
 * rebuild in the same tree overwrites the last build's objects.
 */
export function watchBuild(what: string, dir: string, expected: number | undefined, log: (line: string) => void, everyMs = 15_000, phase?: () => string | undefined, stamp?: string): Progress {
  return watchStep(what, () => {
    const since = stamp ? (statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0) : 0;
    const { count, newest } = countObjects(dir, since);
    const now = phase?.();
    return { done: count, expected, ...(newest ? { on: newest } : {}), ...(now ? { phase: now } : {}) };
  }, log, everyMs);
}
