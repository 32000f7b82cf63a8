// `npm run soak -- N [--hog] [files...]`: run the guest project N times and find the tests whose
// verdict is not stable. A test that passes in some runs and fails in others is flaky; one that
// never passes is failed. A run that breaks outside any test (an unhandled error, a file that
// fails to load) counts as failed too. With --hog a busy loop runs beside every run, because CI
// neighbours are noisy and a deadline that only holds on an idle machine is a flake waiting.
// The last line is `soak: N runs, F flaky, X failed`; the exit status is non-zero unless both are 0.
import { execa } from 'execa';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpText, parse, UsageError, type CommandSpec } from '../harness/cli/args.js';
import type { MatrixRun } from './matrix-reporter.js';
import { soakVerdict, type SoakRun } from './soak-verdict.js';

const SOAK = {
  name: 'soak',
  prog: 'npm run soak --',
  summary: 'Run the guest project N times and list the tests whose verdict changed.',
  positionals: ['N', 'FILES...'],
  options: { hog: { type: 'boolean', help: 'a CPU hog beside every run' } },
} as const satisfies CommandSpec;

let parsed;
try {
  parsed = parse(SOAK, process.argv.slice(2));
  if (!parsed.help && !/^[1-9]\d*$/.test(parsed.positionals[0]!)) throw new UsageError(`${SOAK.prog}: N wants a whole number of runs >= 1, got "${parsed.positionals[0]}"`);
} catch (e) {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(2);
}
if (parsed.help) {
  console.log(helpText(SOAK));
  process.exit(0);
}
const runs = Number(parsed.positionals[0]);
const hog = parsed.values.hog === true;
const files = parsed.positionals.slice(1);
const dir = join('test-results', 'soak');
mkdirSync(dir, { recursive: true });

/** A CPU hog that also ends by itself, so a killed soak cannot leave it spinning for long. */
function startHog(ms: number) {
  return execa(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end) {}`], { reject: false, stdio: 'ignore' });
}

const results: SoakRun[] = [];
for (let i = 1; i <= runs; i++) {
  const out = join(dir, `run-${i}.json`);
  const t0 = performance.now();
  const busy = hog ? startHog(30 * 60_000) : undefined;
  const r = await execa('npx', ['vitest', 'run', '--project', 'guest', '--reporter=dot', '--reporter=./ci/matrix-reporter.ts', `--outputFile.matrix=${out}`, ...files], {
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
    all: true,
  });
  busy?.kill('SIGKILL');
  await busy;
  let report: MatrixRun | undefined;
  try {
    report = JSON.parse(readFileSync(out, 'utf8')) as MatrixRun;
  } catch {
    /* no report: vitest died before its end; counted as a broken run */
  }
  results.push({ exitCode: r.exitCode ?? -1, report });
  const counts = report ? `${report.tests.filter((t) => t.state === 'passed').length} passed, ${report.tests.filter((t) => t.state === 'failed').length} failed` : 'no report';
  console.log(`soak: run ${i}/${runs}${hog ? ' (with a CPU hog)' : ''}: ${counts}, exit ${r.exitCode}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (r.exitCode !== 0) console.log(r.all?.split('\n').filter((l) => /FAIL|Error|×/.test(l)).slice(0, 20).join('\n'));
}

const v = soakVerdict(results);
for (const t of v.flaky) console.log(`flaky: ${t.file} > ${t.name}: passed ${t.passed}/${t.runs}`);
for (const t of v.failed) console.log(`failed: ${t.file} > ${t.name}: passed 0/${t.runs}`);
for (const b of v.brokenRuns) console.log(`failed: run ${b.run}: ${b.why}`);
console.log(`soak: ${runs} runs, ${v.flaky.length} flaky, ${v.failed.length + v.brokenRuns.length} failed`);
process.exit(v.flaky.length || v.failed.length || v.brokenRuns.length ? 1 : 0);
