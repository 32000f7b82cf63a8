// The `bootcase` bin runs the CLI in its own process: a SIGTERM or SIGHUP sent to the bin alone
// (a CI runner cancelling a job, `timeout`, a closed terminal) reaches the CLI, which stops the
// run and QEMU and exits with the run's status. A bin that spawned the CLI and died on the
// signal left the CLI and its QEMU running. The installed package's bin: guests/package/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { repoRoot, scaled } from '../../harness/config.js';
import { killLeftovers, printed, processesWith } from '../package/procs.js';
import { selectL0 } from '../../harness/stage/l0.js';

/** Each run's stage sockets live under a TMPDIR of its own: the marker of its QEMU. */
const markers: string[] = [];
afterAll(() => {
  for (const m of markers) {
    killLeftovers(m);
    rmSync(m, { recursive: true, force: true });
  }
});

describe('the bootcase bin', () => {
  test.each(['SIGTERM', 'SIGHUP'] as const)('%s to the bin alone stops the run and its QEMU, exit 1', async (signal) => {
    const marker = mkdtempSync(join(tmpdir(), 'bootcase-bin-'));
    markers.push(marker);
    const live = execa(process.execPath, [join(repoRoot, 'harness/bin/bootcase.js'), 'run', 'hang', '--timeout-ms', '60000'], { cwd: repoRoot, env: { TMPDIR: marker }, reject: false, stdin: 'ignore', timeout: scaled(120_000) });
    await printed(live, 'spinning forever');
    expect(processesWith(marker).some((p) => p.cmd.includes(selectL0().qemu)), 'this run\'s QEMU').toBe(true);
    live.kill(signal);
    const r = await live;
    expect(r.stderr).toMatch(/hang: stopped by the user \(hart 0 at pc 0x[0-9a-f]+\)/);
    expect(r.exitCode).toBe(1);
    expect(processesWith(marker)).toEqual([]);
  });

  test('the exit status is the CLI\'s: 0 for a passing guest, 2 for a usage error', async () => {
    const bin = (args: string[]) => execa(process.execPath, [join(repoRoot, 'harness/bin/bootcase.js'), ...args], { cwd: repoRoot, reject: false, stdin: 'ignore', timeout: scaled(120_000) });
    const pass = await bin(['run', 'hello-dbcn']);
    expect(pass.exitCode, pass.stderr).toBe(0);
    expect(pass.stdout).toBe('Hello from guest via DBCN');
    const usage = await bin(['run', 'hello-dbcn', '--cpus', 'many']);
    expect(usage.stderr).toBe('bootcase run: --cpus wants a whole number N (1..8), got "many"');
    expect(usage.exitCode).toBe(2);
  });
});
