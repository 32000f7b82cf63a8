// make as a build step with progress: `make -n` first counts the commands this run will execute
// (0: nothing to do, no output at all), then make runs with its commands on a pipe, one line
// each, which is how far along it is and what it is on (the target after -o).
import { execa } from 'execa';
import { watchStep, type StepState } from './progress.js';

/** The target a make command line builds ("-o build/core/vm.o"), or the line's start. */
export function commandTarget(line: string): string {
  return /\s-o\s+(\S+)/.exec(line)?.[1] ?? line.trim().slice(0, 60);
}

/**
 * The commands `make -n` prints that a real run prints too: not make's own lines ("make[1]: ...")
 * and not the silent (@) `mkdir -p` before each object, which -n shows anyway.
 */
export function countCommands(dryRun: string): number {
  return dryRun.split('\n').filter((l) => l.trim() && !/^make(\[\d+\])?: /.test(l) && !/^mkdir -p /.test(l)).length;
}

/** Run `make args` as step `what` (a progress line every 15 s while it runs); throws with make's output on failure. */
export async function makeStep(what: string, args: string[], log: (line: string) => void): Promise<void> {
  const dry = await execa('make', ['-n', ...args], { reject: false, stdin: 'ignore' });
  const expected = dry.exitCode === 0 ? countCommands(dry.stdout) : undefined;
  if (expected === 0) return;
  const st: StepState = { done: 0, unit: 'commands', ...(expected ? { expected } : {}) };
  const progress = watchStep(what, () => st, log);
  const child = execa('make', ['--no-print-directory', ...args], { all: true, reject: false, stdin: 'ignore', lines: false });
  child.stdout?.on('data', (b: Buffer) => {
    for (const l of b.toString().split('\n').filter((x) => x.trim())) {
      st.done++;
      st.on = commandTarget(l);
    }
  });
  try {
    const r = await child;
    if (r.exitCode !== 0) throw new Error(`make ${args.join(' ')} failed (exit ${r.exitCode}):\n${r.all ?? ''}`);
  } finally {
    progress.stop();
  }
}
