// ci/progress.sh: the progress lines of the shell steps (apt, npm, mmdebstrap), run in bash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../harness/config.js';

const sh = (script: string, env: Record<string, string> = {}) =>
  execa('bash', ['-c', `set -euo pipefail; source ${join(repoRoot, 'ci/progress.sh')}; ${script}`], { reject: false, env });

describe('ci/progress.sh', () => {
  test("apt-get's status lines become how far along it is and what it is on", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bootcase-apt-'));
    const status = join(dir, 'status');
    const at = async (lines: string) => {
      writeFileSync(status, lines);
      return (await sh(`apt_progress ${status}`)).stdout;
    };
    expect(await at('')).toBe('resolving packages');
    expect(await at('dlstatus:1:0.0:Retrieving file 1 of 60\ndlstatus:12:45.3193:Retrieving file 12 of 60\n')).toBe('downloading 45% (file 12 of 60)');
    expect(await at('dlstatus:60:99.9:Retrieving file 60 of 60\npmstatus:dpkg-exec:0:Running dpkg\npmstatus:gcc-12-riscv64-linux-gnu:67.5:Unpacking gcc-12-riscv64-linux-gnu (amd64)\n')).toBe(
      'installing 67% (Unpacking gcc-12-riscv64-linux-gnu (amd64))',
    );
  }, 30_000);

  test('a step prints its elapsed time and status every period, and keeps its exit status', async () => {
    // A command of ~2.5 s with a 1 s period: at least two lines, each with the status's words.
    const r = await sh(`st() { echo "3/7 things, on x"; }; with_progress "step" st bash -c 'read -t 2.5 <> <(:) || true; exit 5' || echo "exit $?"`, { BOOTCASE_PROGRESS_S: '1' });
    expect(r.stdout).toBe('exit 5');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length, r.stderr).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(/^step: \ds, 3\/7 things, on x$/);
  }, 30_000);

  test('elapsed time reads as seconds, then minutes', async () => {
    expect((await sh('progress_elapsed 9; echo; progress_elapsed 125')).stdout).toBe('9s\n2m05s');
  }, 30_000);
});
