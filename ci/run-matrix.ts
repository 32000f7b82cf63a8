// npm run matrix [-- [--build-only] [--list] <entry>...]
//
// For each matrix entry (ci/matrix.ts; all of them unless some are named): build or fetch what
// it needs (images/build.ts, cached), run its suites with `vitest run` and the environment that
// selects its kernels, a JUnit report per entry in test-results/matrix/<entry>.xml, then write
// test-results/matrix/summary.md and print it. Exit 1 on an unexpected failure only.
import { execa } from 'execa';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { config, repoRoot, type L1Kernel } from '../harness/config.js';
import { build, buildL1, LINUX_CONFIGS, recordL1 } from '../images/build.js';
import { classify, parseJunit, renderSummary, unexpectedFailures, type EntryResult } from './junit.js';
import { entryEnv, L1_KERNELS, MATRIX, selectEntries, SUITES, validateMatrix, type L1Name } from './matrix.js';

const outDir = join(repoRoot, 'test-results', 'matrix');
const say = (m: string) => console.error(`matrix: ${m}`);
const seconds = (t0: number) => (performance.now() - t0) / 1000;
const errText = (e: unknown) => {
  const err = e as { stderr?: string; shortMessage?: string; message?: string };
  return (err.stderr?.trim() || err.shortMessage || err.message || String(e)).split('\n').slice(-6).join('\n');
};

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const names = argv.filter((a) => !a.startsWith('--'));
  for (const f of flags) if (!['--build-only', '--list'].includes(f)) throw new Error(`unknown option ${f} (use --build-only, --list, or entry names)`);
  const problems = validateMatrix(MATRIX, Object.keys(LINUX_CONFIGS));
  if (problems.length) throw new Error(`ci/matrix.ts is invalid:\n  ${problems.join('\n  ')}`);
  if (flags.has('--list')) {
    for (const e of MATRIX) console.log(`${e.name.padEnd(22)} L1 ${e.l1.padEnd(10)} guest ${e.guestConfig}, ${e.cpus} vCPU; ${e.suites.join(' ')}`);
    return 0;
  }
  const entries = selectEntries(MATRIX, names);
  mkdirSync(outDir, { recursive: true });

  say(`building the VMM, guests and guest kernels (images/build.ts)`);
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

  const results: EntryResult[] = [];
  for (const entry of entries) {
    const l1 = l1s.get(entry.l1)!;
    const result: EntryResult = { entry, l1Describe: l1.l1?.describe, buildSeconds: l1.seconds, buildCached: l1.cached, cases: [], staleDeviations: [] };
    results.push(result);
    if (l1.error) {
      result.error = `L1 ${entry.l1} could not be built: ${l1.error}`;
      continue;
    }
    const xml = join(outDir, `${entry.name}.xml`);
    const artifacts = join(outDir, entry.name);
    rmSync(xml, { force: true });
    rmSync(artifacts, { recursive: true, force: true });
    const files = entry.suites.map((s) => SUITES[s]);
    say(`${entry.name}: vitest run ${files.join(' ')} (${Object.entries(entryEnv(entry)).map(([k, v]) => `${k}=${v}`).join(' ')})`);
    t0 = performance.now();
    const run = await execa('vitest', ['run', '--project', 'guest', ...files, '--reporter=default', '--reporter=junit', `--outputFile.junit=${xml}`], {
      cwd: repoRoot,
      preferLocal: true,
      reject: false,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...entryEnv(entry), BOOTCASE_ARTIFACTS: artifacts },
    });
    result.testSeconds = seconds(t0);
    if (!existsSync(xml)) {
      result.error = `vitest wrote no JUnit report (exit ${run.exitCode ?? run.signal})`;
      continue;
    }
    const classified = classify(entry, parseJunit(readFileSync(xml, 'utf8')));
    result.cases = classified.cases;
    result.staleDeviations = classified.staleDeviations;
    if (!result.cases.length) result.error = `no tests ran (vitest exit ${run.exitCode})`;
  }

  const commit = (await execa('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, reject: false })).stdout || '?';
  const summary = renderSummary(results, {
    notes: [
      `Commit ${commit}${(await execa('git', ['status', '--porcelain'], { cwd: repoRoot, reject: false })).stdout ? ' + local changes' : ''}; ` +
        `${availableParallelism()} host CPUs; BOOTCASE_TIMEOUT_SCALE=${config.timeoutScale}; shared build (VMM, guests, guest kernels) ${baseBuild.toFixed(1)} s.`,
      `"build" is the entry's L1 kernel build or fetch; "tests" the wall time of its vitest run. JUnit reports: ${relative(repoRoot, outDir)}/<entry>.xml.`,
    ],
  });
  writeFileSync(join(outDir, 'summary.md'), summary);
  console.log(`\n${summary}`);
  say(`wrote ${relative(repoRoot, join(outDir, 'summary.md'))}`);
  return results.some((r) => unexpectedFailures(r) > 0) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`matrix: ${errText(e)}`);
    process.exit(2);
  },
);
