// The CLI as a user runs it, for the CLI test files: spawned as a process (each run boots its own
// stage), minus the bin's extra process, so signals reach the CLI itself.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { config, loadManifest, repoRoot } from '../../harness/config.js';

/** A scratch folder of the calling test file's own. */
export const scratch = () => mkdtempSync(join(tmpdir(), 'bootcase-cli-'));
export const asm = (name: string) => join(loadManifest().asmGuests, `${name}.elf`);

/** No CLI outlives its test: execa's SIGTERM reaches the CLI, which stops its run. */
export const timeout = 90_000 * config.timeoutScale;
export const cli = (args: string[], opts: { stdin?: 'pipe' } = {}) =>
  execa(process.execPath, ['--import', 'tsx', join(repoRoot, 'harness/cli/main.ts'), ...args], { cwd: repoRoot, reject: false, stdin: opts.stdin ?? 'ignore', timeout });
