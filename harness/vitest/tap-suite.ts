// Bridge a guest's TAP output into vitest: one vitest test per TAP line. The guest boots while
// vitest collects the file (a describe callback may be async), because the test list is only
// known once the guest has printed its plan.
import { afterAll, describe, expect, test, type TestContext } from 'vitest';
import { scaled } from '../config.js';
import { GuestPanicError, type RunEvidence } from '../errors.js';
import { kernelPanic } from '../guest/linux.js';
import { parseTap, tapVerdict, type TapDeviations, type TapPoint } from '../protocol/tap.js';
import type { RunResult } from '../run/result.js';
import { StageHolder } from '../stage/holder.js';
import type { Stage, StageOptions } from '../stage/stage.js';
import { DeadlineExceeded, withDeadline } from '../wait/deadline.js';
import { annotateEvidence } from './evidence.js';
import './matchers.js';

/** describeTap's default bound on one TAP guest run (boot to end), before the timeout scale. */
const TAP_RUN_MS = 240_000;

/** One stage for a whole test file, started on first use and disposed after the file. */
export function fileStage(options: StageOptions = {}): () => Promise<Stage> {
  const holder = new StageHolder(options);
  afterAll(() => holder[Symbol.asyncDispose]());
  return () => holder.current();
}

export interface TapSuiteOptions {
  /**
   * TAP points known to fail on this stack, by exact name, each pinned to the diagnostics the
   * guest reports (harness/protocol/tap.ts TapDeviation). That exact failure passes as a known
   * deviation; any other failure of the point fails, and so does a pass, so the list cannot go
   * stale (kvm-unit-tests' "xfail", narrowed to the reported result).
   */
  knownDeviations?: TapDeviations;
  /**
   * What must run on this stack: point groups (the name up to ": ", an SBI extension for the
   * compliance guest) or exact point names. A guest skip is otherwise a vitest skip, so an
   * extension that vanished would turn its checks into skips and the suite would stay green: the
   * suite fails when an entry here matches no point that ran (skipped, or never printed).
   */
  required?: readonly string[];
  /** Bound on the guest run (stage, boot, run to its end), before the timeout scale; default 240 s. */
  timeoutMs?: number;
}

const group = (p: TapPoint) => p.name.split(': ')[0]!;
// On the error's first line, which is what reports (and the matrix's deviations) go by.
const diagText = (p: TapPoint) => (p.diag ? ` ${JSON.stringify(p.diag)}` : '');

/** The body of one TAP point's test: its verdict by the one rule (protocol/tap.ts tapVerdict). */
export async function checkPoint(p: TapPoint, deviations: TapDeviations, ctx: TestContext): Promise<void> {
  const d = Object.hasOwn(deviations, p.name) ? deviations[p.name] : undefined;
  const pinned = JSON.stringify(d?.diag);
  switch (tapVerdict(p, deviations)) {
    case 'skip':
      return ctx.skip(p.skip || 'skipped by the guest');
    case 'pass':
      return;
    case 'deviation':
      await ctx.annotate(`known deviation, reported as pinned (${pinned}): ${d!.reason}`);
      return;
    case 'stale':
      throw new Error(`known deviation no longer reproduces: "${p.name}" passed; remove it from the known deviations (it excused ${pinned}: ${d!.reason})`);
    case 'fail':
      throw new Error(`guest reported not ok: ${p.name}${diagText(p)}${d ? `\nits known deviation excuses only ${pinned} (${d.reason})` : ''}`);
  }
}

/**
 * describe(title) whose tests are the TAP points the guest printed, plus the checks every
 * TAP guest must pass: it booted, did not panic, printed a complete plan, and shut down.
 */
export function describeTap(title: string, run: (signal: AbortSignal) => Promise<RunResult>, opts: TapSuiteOptions = {}): void {
  describe(title, async () => {
    let result: RunResult;
    // The guest runs while vitest collects the file, where no vitest timeout applies: bound it
    // here, and abort the boot (which kills the run and frees the stage) when the bound passes.
    const limitMs = scaled(opts.timeoutMs ?? TAP_RUN_MS);
    const abort = new AbortController();
    try {
      result = await withDeadline(run(abort.signal), limitMs);
    } catch (e) {
      if (e instanceof DeadlineExceeded) abort.abort(new Error(`the TAP guest did not finish within ${limitMs} ms`));
      const err = e instanceof DeadlineExceeded ? new Error(`${title}: the TAP guest did not finish within ${limitMs} ms (describeTap's bound; the run was stopped)`) : e;
      test('boots and runs to the end', (ctx) => {
        const ev = (err as { evidence?: RunEvidence }).evidence;
        if (ev) void annotateEvidence(ctx, ev);
        throw err;
      });
      return;
    }
    /** A failed check of this run names the run's artifacts, in its error and in the report. */
    const withEvidence = (check: (ctx: TestContext) => unknown) => async (ctx: TestContext) => {
      try {
        await check(ctx);
      } catch (e) {
        if ((e as { code?: string })?.code === 'VITEST_PENDING') throw e; // ctx.skip(): not a failure
        const files = result.saveArtifacts();
        await annotateEvidence(ctx, { guest: result.guest, consoleTail: result.consoleTail(50), artifacts: files });
        if (e instanceof Error && !e.message.includes(files[0] ?? '\0')) e.message += `\nartifacts: ${files.join(', ')}`;
        throw e;
      }
    };
    const tap = parseTap(result.console);
    test('the kernel does not panic', () => {
      const panic = kernelPanic(result.console);
      if (panic) throw new GuestPanicError(panic, result.saveArtifacts());
    });
    const deviations = opts.knownDeviations ?? {};
    for (const p of tap.points) {
      const d = Object.hasOwn(deviations, p.name) ? deviations[p.name] : undefined;
      test(`${p.id} - ${p.name}${d ? ` [known deviation: ${d.reason}]` : ''}`, withEvidence((ctx) => checkPoint(p, deviations, ctx)));
    }
    if (opts.required?.length) {
      test(`runs what this stack must run: ${opts.required.join(', ')}`, withEvidence(() => {
        const matches = (p: TapPoint, r: string) => group(p) === r || p.name === r;
        const missing = opts.required!.filter((r) => !tap.points.some((p) => matches(p, r) && p.skip === undefined));
        const why = (r: string) => tap.points.find((p) => matches(p, r))?.skip;
        const text = missing.map((r) => `${r}: ${why(r) !== undefined ? `skipped (${why(r) || 'no reason'})` : 'no TAP point'}`);
        if (text.length) throw new Error(`required checks did not run on this stack: ${text.join('; ')}`);
      }));
    }
    test('prints a complete TAP plan', withEvidence(() => {
      expect(tap.points.length, 'TAP points').toBeGreaterThan(0);
      expect(tap.planned, 'the 1..N plan').toBe(tap.points.length);
    }));
    test('ends with an SRST shutdown', () => {
      expect(result).toHaveExited('shutdown');
    });
  });
}
