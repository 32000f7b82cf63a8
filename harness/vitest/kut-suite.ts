// kvm-unit-tests in vitest: describeKvmUnitTests(buildDir, opts) makes one describe per test of
// the build's riscv/unittests.cfg, booted on one stage for the file (harness/kut/suite.ts), and
// in it one vitest test per check line (PASS/FAIL/SKIP/XFAIL/XPASS/KFAIL), judged by the same
// rule and pinned deviations as TAP (checkPoint), plus one test for the run's EXIT: STATUS.
// Tests boot while vitest collects the file, as describeTap's do: the list is known only then.
import { describe, test, type TestContext } from 'vitest';
import { scaled } from '../config.js';
import { loadKutSuite, runKutTest, type KutOutcome, type KutSuite, type KutSuiteOptions } from '../kut/suite.js';
import type { Stage } from '../stage/stage.js';
import { DeadlineExceeded, withDeadline } from '../wait/deadline.js';
import { annotateEvidence } from './evidence.js';
import { checkPoint, fileStage } from './tap-suite.js';

export interface KutDescribeOptions extends KutSuiteOptions {
  /** Why a check skips on this stack, by exact check name: shown with the skip. */
  knownSkips?: Readonly<Record<string, string>>;
}

/** Beyond a test's own timeout (unittests.cfg, default 90 s): the stage, upload and boot. */
const SLACK_MS = 60_000;

function statusTest(o: KutOutcome): (ctx: TestContext) => Promise<void> {
  return async (ctx) => {
    if (o.verdict === 'skip') return ctx.skip(o.why);
    if (o.verdict === 'pass') return;
    if (o.run) {
      const files = o.run.saveArtifacts();
      await annotateEvidence(ctx, { guest: o.run.guest, consoleTail: o.run.consoleTail(50), artifacts: files });
      throw new Error(`${o.test.name}: ${o.why}\nartifacts: ${files.join(', ')}`);
    }
    throw new Error(`${o.test.name}: ${o.why}`);
  };
}

function describeTest(t: KutSuite['tests'][number], stage: () => Promise<Stage>, opts: KutDescribeOptions): void {
  describe(t.name, async () => {
    if (t.skip) {
      test.skip(`${t.name}: ${t.skip}`, () => {});
      return;
    }
    const limit = scaled(t.timeoutMs + SLACK_MS);
    const abort = new AbortController();
    let o: KutOutcome;
    try {
      o = await withDeadline(stage().then((s) => runKutTest(s, t, opts, abort.signal)), limit);
    } catch (e) {
      if (e instanceof DeadlineExceeded) abort.abort(new Error(`${t.name} did not finish within ${limit} ms`));
      const err = e instanceof DeadlineExceeded ? new Error(`${t.name}: did not finish within ${limit} ms (its timeout plus ${SLACK_MS} ms; the run was stopped)`) : e;
      test('boots and runs to its EXIT', () => {
        throw err;
      });
      return;
    }
    const dev = opts.knownDeviations ?? {};
    for (const p of o.report.points) {
      const d = Object.hasOwn(dev, p.name) ? dev[p.name] : undefined;
      test(`${p.id} - ${p.name}${d ? ` [known deviation: ${d.reason}]` : ''}`, async (ctx) => {
        if (p.skip !== undefined && opts.knownSkips?.[p.name]) return ctx.skip(`${p.skip}: ${opts.knownSkips[p.name]}`);
        if (p.todo && p.ok) await ctx.annotate(p.todo);
        try {
          await checkPoint(p, dev, ctx);
        } catch (e) {
          if ((e as { code?: string })?.code === 'VITEST_PENDING' || !o.run) throw e;
          const files = o.run.saveArtifacts();
          await annotateEvidence(ctx, { guest: o.run.guest, consoleTail: o.run.consoleTail(50), artifacts: files });
          throw e;
        }
      });
    }
    test(`EXIT: STATUS (1 pass, 77 skip)`, statusTest(o));
  });
}

/**
 * describe('kvm-unit-tests') over a kvm-unit-tests build folder (the one holding
 * riscv/unittests.cfg). `tests`, `cpus`, `memMiB`, `sbiServe`, `env` and `knownDeviations`
 * are as for `bootcase kvm-unit-tests`.
 */
export function describeKvmUnitTests(buildDir: string, opts: KutDescribeOptions = {}): void {
  describe(`kvm-unit-tests ${buildDir}`, () => {
    let suite: KutSuite;
    try {
      suite = loadKutSuite(buildDir, opts);
    } catch (e) {
      test('reads riscv/unittests.cfg', () => {
        throw e;
      });
      return;
    }
    const biggest = Math.max(128, opts.memMiB ?? 0, ...suite.tests.map((t) => t.memMiB ?? 0));
    const stage = fileStage({ memMiB: Math.max(1024, biggest + 512) });
    for (const t of suite.tests) describeTest(t, stage, opts);
  });
}
