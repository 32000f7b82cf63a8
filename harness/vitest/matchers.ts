// vitest matchers over a RunResult. A failing matcher writes the run's artifacts and names them.
import { expect } from 'vitest';
import type { ExitKind } from '../protocol/events.js';
import type { RunResult } from '../run/result.js';

function evidence(run: RunResult): string {
  const save = (run as unknown as { saveArtifacts?: () => string[] }).saveArtifacts;
  const files = save ? save() : run.artifacts();
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
  }
}
