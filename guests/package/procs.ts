// Processes of one test's own run, found by a marker in their command line (a private TMPDIR the
// stage's socket folder lives in, so QEMU's -chardev paths carry it). Never anyone else's.
import { readdirSync, readFileSync } from 'node:fs';
import { type ResultPromise } from 'execa';

export function processesWith(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.includes(marker)) found.push({ pid: Number(name), cmd: cmd.trim() });
  }
  return found;
}

/** Kill what a failed test left behind (only processes carrying its own marker). */
export function killLeftovers(marker: string): void {
  for (const p of processesWith(marker)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Resolve once the process's stdout has printed `text`. */
export const printed = (proc: ResultPromise, text: string) =>
  new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(text)) resolve();
    });
    proc.then(() => reject(new Error(`exited before printing ${text}: ${out}`)), reject);
  });
