// The matrix summary (markdown): one row per entry, then the deviations that held, those that
// did not apply to the L1 that ran, and every problem. Pure: ci/run-matrix.ts writes it.
import { SUITES } from './matrix.js';
import { count, type EntryRun, type EntryVerdict } from './verdict.js';

/** One entry's run and verdict, with what the summary tells about its build. */
export interface EntryReport extends EntryRun {
  verdict: EntryVerdict;
  /** What the L1 is (version, package), from the build step. */
  l1Describe?: string;
  /** Seconds to build or fetch what the entry needs, and whether it was all cached. */
  buildSeconds?: number;
  buildCached?: boolean;
  /** Wall-clock seconds of the vitest run. */
  testSeconds?: number;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (s: number | undefined) => (s === undefined ? '-' : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

export function entryStatus(r: EntryReport): 'ok' | 'FAIL' | 'ERROR' {
  if (r.error || !r.run) return 'ERROR';
  return r.verdict.problems.length ? 'FAIL' : 'ok';
}

export function renderSummary(reports: readonly EntryReport[], meta: { title?: string; notes?: string[] } = {}): string {
  const lines: string[] = [`# ${meta.title ?? 'bootcase kernel-config matrix'}`, ''];
  for (const n of meta.notes ?? []) lines.push(n);
  if (meta.notes?.length) lines.push('');
  lines.push('| entry | result | L0 QEMU | L1 | kernel | guest | vCPUs | suites | passed | problems | expected failures | skipped | build | tests |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    const e = r.entry;
    const build = r.buildSeconds === undefined ? '-' : `${secs(r.buildSeconds)}${r.buildCached ? ' (cached)' : ''}`;
    const v = r.verdict;
    lines.push(
      `| ${cell(e.name)} | ${entryStatus(r)} | ${cell(e.l0)} | ${cell(e.l1)} | ${cell(r.kernelRelease ?? '?')} | ${cell(e.guestConfig)} | ${e.cpus} | ${e.suites.join(', ')} | ` +
        `${count(v, 'passed')} | ${v.problems.length} | ${count(v, 'expected-failure')} | ${count(v, 'skipped')} | ${build} | ${secs(r.testSeconds)} |`,
    );
  }
  lines.push('');
  if (reports.some((r) => r.l1Describe)) {
    lines.push('## Entries', '');
    for (const r of reports) lines.push(`* **${r.entry.name}**: ${r.entry.about}.${r.l1Describe ? ` L1: ${r.l1Describe}.` : ''}`);
    lines.push('');
  }
  const held = reports.flatMap((r) => r.verdict.tests.filter((t) => t.verdict === 'expected-failure').map((t) => `* ${r.entry.name}: \`${t.file}\` ${t.name}: ${t.deviation!.reason}`));
  if (held.length) lines.push('## Expected deviations (failed as expected)', '', ...held, '');
  const spared = reports.flatMap((r) => r.verdict.tests.filter((t) => t.verdict === 'passed' && t.deviation?.intermittent).map((t) => `* ${r.entry.name}: \`${t.file}\` ${t.name}: ${t.deviation!.intermittent}`));
  if (spared.length) lines.push('## Intermittent deviations that passed this run', '', ...spared, '');
  const skipped = reports.flatMap((r) =>
    r.verdict.notApplied.map((d) => `* ${r.entry.name}: \`${SUITES[d.suite]}\` ${d.test}: holds for kernels ${d.kernels}, the L1 ran ${r.kernelRelease ?? 'an unknown release'}`),
  );
  if (skipped.length) lines.push('## Deviations not applied (another kernel version)', '', ...skipped, '');
  const problems = reports.flatMap((r) => r.verdict.problems.map((p) => `* ${r.entry.name}: ${cell(p)}`));
  if (problems.length) lines.push('## Problems', '', ...problems, '');
  return lines.join('\n');
}
