// `bootcase kvm-unit-tests BUILD-DIR`: a user-built kvm-unit-tests, each test of its
// riscv/unittests.cfg booted on one stage and judged (harness/kut/). Prints one line per test
// as the suite's run_tests.sh does, the failing checks and the known deviations, and ends with
// "kvm-unit-tests: N passed, N failed, N skipped"; exit 1 on any unexpected failure.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../config.js';
import { kutDeviations, kutKnownSkips, kutStackEnv } from '../../guests/kvm-unit-tests/deviations.js';
import { loadKutSuite, parseEnvFile, runKutTest, type KutOutcome, type KutSuiteOptions } from '../kut/suite.js';
import { tapVerdict } from '../protocol/tap.js';
import type { SbiServeName } from '../protocol/sbi.js';
import { Stage } from '../stage/stage.js';
import { helpText, parse, UsageError } from './args.js';
import { KVM_UNIT_TESTS } from './specs.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

function readEnv(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`bootcase kvm-unit-tests: --env ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e)}`);
  }
  return parseEnvFile(text, path);
}

/** The checks worth a line under the test: failures, excused deviations, explained skips. */
function details(o: KutOutcome, opts: KutSuiteOptions): string[] {
  const dev = opts.knownDeviations ?? {};
  return o.report.points.flatMap((p) => {
    const v = tapVerdict(p, dev);
    if (v === 'fail') return [`    FAIL ${p.name}`];
    if (v === 'stale') return [`    FAIL ${p.name} (passed: its known deviation is stale; remove it)`];
    if (v === 'deviation') return [`    known deviation: ${p.name} (${dev[p.name]!.reason})`];
    if (v === 'skip' && kutKnownSkips[p.name]) return [`    SKIP ${p.name} (${kutKnownSkips[p.name]})`];
    return [];
  });
}

export async function kvmUnitTests(args: string[]): Promise<number> {
  const p = parse(KVM_UNIT_TESTS, args);
  if (p.help) {
    console.log(helpText(KVM_UNIT_TESTS));
    return 0;
  }
  const v = p.values;
  const opts: KutSuiteOptions = {
    cpus: v.cpus ?? 2,
    ...(v.tests ? { tests: v.tests.split(',').filter(Boolean) } : {}),
    ...(v.mem !== undefined ? { memMiB: v.mem } : {}),
    ...(v['sbi-serve'] ? { sbiServe: v['sbi-serve'] as SbiServeName[] } : {}),
    env: { ...kutStackEnv, ...(v.env !== undefined ? readEnv(v.env) : {}) },
    knownDeviations: kutDeviations,
  };
  const suite = loadKutSuite(p.positionals[0]!, opts);
  const logs = join(config.artifactsDir, 'kvm-unit-tests');
  mkdirSync(logs, { recursive: true });
  const biggest = Math.max(128, opts.memMiB ?? 0, ...suite.tests.map((t) => t.memMiB ?? 0));
  process.stderr.write(`bootcase: starting the L1 stage for ${suite.tests.length} test(s) from ${suite.cfgPath}\n`);
  // L1 holds the guest's RAM beside its own (the VMM maps it lazily, so only what is touched)
  await using stage = await Stage.start({ memMiB: Math.max(1024, biggest + 512) });
  const n = { passed: 0, failed: 0, skipped: 0 };
  for (const t of suite.tests) {
    let o: KutOutcome;
    try {
      o = await runKutTest(stage, t, opts);
    } catch (e) {
      // one test that cannot boot (a bad image, a refused option) fails alone; the rest run
      o = { test: t, verdict: 'fail', why: e instanceof Error ? e.message : String(e), checks: { pass: 0, skip: 0, deviation: 0, stale: 0, fail: 0 }, report: { points: [] } };
    }
    if (o.run) {
      writeFileSync(join(logs, `${t.name}.log`), o.run.console);
      if (v.verbose) process.stdout.write(o.run.console);
    }
    const summary = o.report.summary ? ` (${o.report.summary})` : '';
    out(`${o.verdict === 'pass' ? 'PASS' : o.verdict === 'skip' ? 'SKIP' : 'FAIL'} ${t.name}${summary}${o.verdict === 'pass' && !o.why.startsWith('STATUS=1 ') ? `: ${o.why}` : o.verdict !== 'pass' ? `: ${o.why}` : ''}`);
    for (const line of details(o, opts)) out(line);
    if (o.run && o.verdict === 'fail') out(`    console: ${join(logs, `${t.name}.log`)}`);
    n[o.verdict === 'pass' ? 'passed' : o.verdict === 'skip' ? 'skipped' : 'failed']++;
  }
  out(`kvm-unit-tests: ${n.passed} passed, ${n.failed} failed, ${n.skipped} skipped`);
  return n.failed ? 1 : 0;
}
