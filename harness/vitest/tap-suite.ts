// Bridge a guest's TAP output into vitest: one vitest test per TAP line. The guest boots while
// vitest collects the file (a describe callback may be async), because the test list is only
// known once the guest has printed its plan.
import { afterAll, describe, expect, test } from 'vitest';
import { GuestPanicError } from '../errors.js';
import { kernelPanic } from '../guest/linux.js';
import { parseTap } from '../protocol/tap.js';
import type { RunResult } from '../run/result.js';
import { StageHolder } from '../stage/holder.js';
import type { Stage, StageOptions } from '../stage/stage.js';
import './matchers.js';

const saveArtifacts = (run: RunResult): string[] => (run as unknown as { saveArtifacts?: () => string[] }).saveArtifacts?.() ?? run.artifacts();

/** One stage for a whole test file, started on first use and disposed after the file. */
export function fileStage(options: StageOptions = {}): () => Promise<Stage> {
  const holder = new StageHolder(options);
  afterAll(() => holder[Symbol.asyncDispose]());
  return () => holder.current();
}

/**
 * describe(title) whose tests are the TAP points the guest printed, plus the checks every
 * TAP guest must pass: it booted, did not panic, printed a complete plan, and shut down.
 */
export interface TapSuiteOptions {
  /**
   * TAP points (by name) that are known to fail on this stack, with the reason. They become
   * expected failures: the vitest test fails if the guest suddenly reports them as passing, so
   * the list cannot go stale (kvm-unit-tests' "xfail").
   */
  knownDeviations?: Record<string, string>;
}

export function describeTap(title: string, run: () => Promise<RunResult>, opts: TapSuiteOptions = {}): void {
  describe(title, async () => {
    let result: RunResult;
    try {
      result = await run();
    } catch (e) {
      test('boots and runs to the end', () => {
        throw e;
      });
      return;
    }
    const tap = parseTap(result.console);
    test('the kernel does not panic', () => {
      const panic = kernelPanic(result.console);
      if (panic) throw new GuestPanicError(panic, saveArtifacts(result));
    });
    for (const p of tap.points) {
      const deviation = opts.knownDeviations?.[p.name];
      const declare = deviation ? test.fails : test;
      declare(`${p.id} - ${p.name}${deviation ? ` [known deviation: ${deviation}]` : ''}`, (ctx) => {
        if (p.skip !== undefined) ctx.skip(p.skip || 'skipped by the guest');
        if (!p.ok) throw new Error(`guest reported not ok: ${p.name}${p.diag ? `\n${JSON.stringify(p.diag)}` : ''}`);
      });
    }
    test('prints a complete TAP plan', () => {
      expect(tap.points.length, 'TAP points').toBeGreaterThan(0);
      expect(tap.planned, 'the 1..N plan').toBe(tap.points.length);
    });
    test('ends with an SRST shutdown', () => {
      expect(result).toHaveExited('shutdown');
    });
  });
}
