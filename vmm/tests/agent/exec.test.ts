// The agent's exec command (docs/protocol.md, "exec: an L1 program as a run"), tested on a real
// stage beside the agent's C unit tests (an agent test, not a guest); this is what the
// benchmarks' QEMU peer runs through. The program here is /init, our own static binary, which
// is a VMM when it is not PID 1.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execProgram, GuestTimeoutError, loadManifest, VmmRejectedError } from '../../../harness/index.js';
import { describe, expect, test } from '../../../harness/vitest/fixtures.js';

describe('exec: an L1 program as a run', () => {
  test('its exit status is the result and its stderr is on the console', async ({ stage }) => {
    await using prog = await execProgram(stage, { path: '/init', args: ['--bogus'] });
    const run = await prog.result();
    expect(run).toHaveExited('report', { code: 3 }); // the VMM's status for a refused run
    expect(run.console).toContain("unknown option '--bogus'");
  });

  test('a program that is not there is refused, naming the path', async ({ stage }) => {
    const prog = await execProgram(stage, { path: '/no/such/program' });
    const err = await prog.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toContain('exec /no/such/program: No such file or directory');
  });

  test('one that outlives its deadline is killed and the stage takes the next run', async ({ stage }) => {
    const bytes = readFileSync(join(loadManifest().asmGuests, 'hang.elf'));
    const hang = await stage.upload('hang.elf', createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes);
    const prog = await execProgram(stage, { path: '/init', args: ['--kernel', hang], timeoutMs: 3000 });
    await prog.waitForLine(/spinning forever/);
    const err = await prog.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GuestTimeoutError);
    await prog[Symbol.asyncDispose]();
    expect(stage.alive).toBe(true);
    await using next = await execProgram(stage, { path: '/init', args: ['--bogus'] });
    expect(await next.result()).toHaveExited('report', { code: 3 });
  });
});
