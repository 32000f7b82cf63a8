// npm run matrix [-- [--build-only] [--list] <entry>...]
//
// For each matrix entry (ci/matrix-entries.ts; all of them unless some are named): build or fetch what
// it needs (images/build.ts, cached), boot its L1 once to learn its release (uname -r: which
// version-bound deviations apply), run its suites with `vitest run` and the environment that
// selects its kernels, then judge what ci/matrix-reporter.ts recorded (ci/verdict.ts) and write
// test-results/matrix/summary.md. Per entry: <entry>.json (the verdict's input), <entry>.xml
// (JUnit, for CI viewers). Exit 1 when an entry has a problem: an unexplained failure, a stale
// deviation, an unhandled error, an unexpected vitest exit, or an entry error.
import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { config, repoRoot, type L1Kernel } from '../harness/config.js';
import { Stage } from '../harness/stage/stage.js';
import { build, buildL1, LINUX_CONFIGS, recordL1 } from '../images/build.js';
import { helpText, parse, UsageError, type CommandSpec } from '../harness/cli/args.js';
import type { MatrixRun } from './matrix-reporter.js';
import type { L0Name } from '../harness/stage/l0.js';
import { MATRIX } from './matrix-entries.js';
import { entryEnv, L1_KERNELS, selectEntries, SUITES, validateMatrix, type L1Name } from './matrix.js';
import { entryStatus, renderSummary, type EntryReport } from './summary.js';
import { judge, type EntryRun } from './verdict.js';

const outDir = join(repoRoot, 'test-results', 'matrix');
const say = (m: string) => console.error(`matrix: ${m}`);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const errText = (e: unknown) => {
  const err = e as { stderr?: string; shortMessage?: string; message?: string };
  return (err.stderr?.trim() || err.shortMessage || err.message || String(e)).split('\n').slice(-6).join('\n');
};
const reporter = join(repoRoot, 'ci', 'matrix-reporter.ts');

/** The L1's kernel release as it reports itself (the agent's hello): one short stage boot on the entry's L0. */
async function kernelRelease(l1: L1Kernel, l0: L0Name): Promise<string> {
  await using stage = await Stage.start({ kernel: l1.kernel, modules: l1.modules, l0 });
  if (!stage.kernelRelease) throw new Error('the L1 booted but reported no kernel release');
  return stage.kernelRelease;
}

/** Run an entry's suites; the run as the verdict needs it (no throw: failures are data). */
async function runEntry(entry: (typeof MATRIX)[number], l1: L1Kernel): Promise<{ run: EntryRun; testSeconds?: number }> {
  let release: string;
  try {
    release = await kernelRelease(l1, entry.l0);
    say(`${entry.name}: L1 kernel ${release}`);
  } catch (e) {
    return { run: { entry, error: `L1 ${entry.l1} did not boot on L0 QEMU ${entry.l0}: ${errText(e)}` } };
  }
  const [json, xml, artifacts] = [join(outDir, `${entry.name}.json`), join(outDir, `${entry.name}.xml`), join(outDir, entry.name)];
  for (const p of [json, xml, artifacts]) rmSync(p, { recursive: true, force: true });
  const files = entry.suites.map((s) => SUITES[s]);
  say(`${entry.name}: vitest run ${files.join(' ')} (${Object.entries(entryEnv(entry)).map(([k, v]) => `${k}=${v}`).join(' ')})`);
  const t0 = performance.now();
  const args = ['--reporter=default', '--reporter=junit', `--outputFile.junit=${xml}`, `--reporter=${reporter}`, `--outputFile.matrix=${json}`];
  const vitest = await execa('vitest', ['run', '--project', 'guest', ...files, ...args], {
    cwd: repoRoot,
    preferLocal: true,
    reject: false,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...entryEnv(entry), BOOTCASE_ARTIFACTS: artifacts },
  });
  const exit = vitest.exitCode ?? vitest.signal ?? 'an unknown cause';
  const [testSeconds, done] = [seconds(t0), { entry, kernelRelease: release, exit }];
  if (!existsSync(json)) return { run: done, testSeconds };
  try {
    return { run: { ...done, run: JSON.parse(readFileSync(json, 'utf8')) as MatrixRun }, testSeconds };
  } catch (e) {
    return { run: { ...done, error: `unreadable ${relative(repoRoot, json)}: ${errText(e)}` }, testSeconds };
  }
}

const MATRIX_CLI = {
  name: 'matrix',
  prog: 'npm run matrix --',
  summary: 'Run the suites across the kernels of ci/matrix.ts (ci/matrix-entries.ts: all entries, or those named).',
  positionals: ['ENTRIES...'],
  options: {
    'build-only': { type: 'boolean', help: 'build or fetch the L1 kernels, run nothing' },
    list: { type: 'boolean', help: 'list the entries' },
  },
} as const satisfies CommandSpec;

async function main(argv: string[]): Promise<number> {
  const p = parse(MATRIX_CLI, argv);
  if (p.help) {
    console.log(helpText(MATRIX_CLI));
    return 0;
  }
  const flags = new Set(Object.keys(p.values).map((k) => `--${k}`));
  const names = p.positionals;
  const problems = validateMatrix(MATRIX, LINUX_CONFIGS);
  if (problems.length) throw new Error(`ci/matrix.ts is invalid:\n  ${problems.join('\n  ')}`);
  if (flags.has('--list')) {
    for (const e of MATRIX) console.log(`${e.name.padEnd(22)} L1 ${e.l1.padEnd(10)} guest ${e.guestConfig}, ${e.cpus} vCPU; ${e.suites.join(' ')}`);
    return 0;
  }
  const entries = selectEntries(MATRIX, names);
  mkdirSync(outDir, { recursive: true });

  say(`building the VMM, the guests and the default kernel, L1 and Linux guest (images/build.ts)`);
  let t0 = performance.now();
  await build();
  const baseBuild = seconds(t0);

  const l1s = new Map<L1Name, { l1?: L1Kernel; seconds: number; cached: boolean; error?: string }>();
  for (const name of new Set(entries.map((e) => e.l1))) {
    say(`L1 ${name}: build or fetch`);
    t0 = performance.now();
    try {
      const { l1, cached } = await buildL1(L1_KERNELS[name]);
      await recordL1(name, l1);
      l1s.set(name, { l1, seconds: seconds(t0), cached });
      say(`L1 ${name}: ${l1.describe} (${cached ? 'cached' : `built in ${seconds(t0).toFixed(1)} s`})`);
    } catch (e) {
      l1s.set(name, { seconds: seconds(t0), cached: false, error: errText(e) });
      say(`L1 ${name}: FAILED: ${errText(e)}`);
    }
  }
  if (flags.has('--build-only')) return [...l1s.values()].some((l) => l.error) ? 1 : 0;

  const reports: EntryReport[] = [];
  for (const entry of entries) {
    const l1 = l1s.get(entry.l1)!;
    const { run, testSeconds } = l1.l1 ? await runEntry(entry, l1.l1) : { run: { entry, error: `L1 ${entry.l1} could not be built: ${l1.error}` }, testSeconds: undefined };
    const report: EntryReport = { ...run, verdict: judge(run), l1Describe: l1.l1?.describe, buildSeconds: l1.seconds, buildCached: l1.cached, testSeconds };
    reports.push(report);
    say(`${entry.name}: ${entryStatus(report)}${report.verdict.problems.length ? ` (${report.verdict.problems.length} problems)` : ''}`);
  }

  const commit = (await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, reject: false })).stdout || '?';
  const summary = renderSummary(reports, {
    notes: [
      `Commit ${commit}${(await execa('git', ['status', '--porcelain'], { cwd: repoRoot, reject: false })).stdout ? ' + local changes' : ''}; ` +
        `${availableParallelism()} host CPUs; BOOTCASE_TIMEOUT_SCALE=${config.timeoutScale}; shared build (VMM, guests, the default L1/guest kernel) ${baseBuild.toFixed(1)} s.`,
      `"build" is the entry's L1 kernel build or fetch; "tests" the wall time of its vitest run; "kernel" the L1's uname -r. ` +
        `Results: ${relative(repoRoot, outDir)}/<entry>.json (what the verdict reads) and <entry>.xml (JUnit).`,
    ],
  });
  writeFileSync(join(outDir, 'summary.md'), summary);
  console.log(`\n${summary}`);
  say(`wrote ${relative(repoRoot, join(outDir, 'summary.md'))}`);
  return reports.some((r) => entryStatus(r) !== 'ok') ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof UsageError ? e.message : `matrix: ${errText(e)}`);
    process.exit(2);
  },
);
