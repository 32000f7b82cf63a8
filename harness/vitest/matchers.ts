// vitest matchers over a RunResult. A failing matcher writes the run's artifacts and names them.
import { expect } from 'vitest';
import type { ExitKind } from '../protocol/events.js';
import { runMismatches, type RunExpectation } from '../run/expectation.js';
import type { RunResult } from '../run/result.js';

function evidence(run: RunResult): string {
  const files = run.saveArtifacts();
  return `\nartifacts: ${files.join(', ') || '(none)'}\n--- console tail ---\n${run.consoleTail(30) || '(no console output)'}`;
}

function isRun(v: unknown): v is RunResult {
  return typeof v === 'object' && v !== null && 'exit' in v && 'console' in v && 'describe' in v;
}

expect.extend({
  /** expect(run).toHaveExited('shutdown') or ('report', { code: 7 }) */
  toHaveExited(received: unknown, kind: ExitKind, fields: { code?: number; reason?: number } = {}) {
    if (!isRun(received)) return { pass: false, message: () => `expected a RunResult, got ${String(received)}` };
    const run = received;
    const pass = run.exit === kind && (fields.code === undefined || run.code === fields.code) && (fields.reason === undefined || (run.reason ?? 0) === fields.reason);
    const want = `${kind}${fields.code !== undefined ? ` code ${fields.code}` : ''}${fields.reason !== undefined ? ` reason ${fields.reason}` : ''}`;
    return {
      pass,
      message: () => (pass ? `expected ${run.guest} not to exit with ${want}` : `expected ${run.guest} to exit with ${want}, but it ended with ${run.describe()}${evidence(run)}`),
    };
  },
  /** expect(run).toEndAs({ exit, code, reason, fault, print, sbiUsed }): run/expectation.ts, as demo checks it */
  toEndAs(received: unknown, want: RunExpectation) {
    if (!isRun(received)) return { pass: false, message: () => `expected a RunResult, got ${String(received)}` };
    const run = received;
    const misses = runMismatches(run, want);
    return {
      pass: misses.length === 0,
      // the first miss only, as a chain of expects would stop at it: an excuse for a later one
      // (a missing print) must not match a message that also holds an earlier one (a wrong fault)
      message: () => (misses.length ? `${misses[0]}${evidence(run)}` : `expected ${run.guest} not to end as expected`),
    };
  },
  /** expect(run).toPrint(/Hello/) */
  toPrint(received: unknown, pattern: RegExp | string) {
    if (!isRun(received)) return { pass: false, message: () => `expected a RunResult, got ${String(received)}` };
    const run = received;
    const pass = typeof pattern === 'string' ? run.console.includes(pattern) : pattern.test(run.console);
    return {
      pass,
      message: () => (pass ? `expected ${run.guest} not to print ${String(pattern)}` : `expected ${run.guest} to print ${String(pattern)} (it ended with ${run.describe()})${evidence(run)}`),
    };
  },
});

declare module 'vitest' {
  interface Matchers<T = any> {
    toHaveExited(kind: ExitKind, fields?: { code?: number; reason?: number }): T;
    toPrint(pattern: RegExp | string): T;
    toEndAs(want: RunExpectation): T;
  }
}
