// Read vitest's JUnit XML, classify each test against an entry's expected deviations, and
// render the matrix summary (markdown). Pure functions: ci/run-matrix.ts does the I/O.
import { matchDeviation, type MatrixEntry } from './matrix.js';

export interface JunitCase {
  /** The test file (vitest's classname). */
  file: string;
  /** "describe > test", as vitest names it. */
  name: string;
  seconds: number;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure message (first line), for failed tests. */
  message?: string;
}

const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name]!;
  });

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

/** The test cases of a JUnit XML report (vitest's junit reporter; other producers of the same shape work too). */
export function parseJunit(xml: string): JunitCase[] {
  const cases: JunitCase[] = [];
  for (const m of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const a = attrs(m[1]!);
    const body = m[2] ?? '';
    const fail = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    const status = fail ? 'failed' : /<skipped\b/.test(body) ? 'skipped' : 'passed';
    const c: JunitCase = { file: a.classname ?? '', name: a.name ?? '', seconds: Number(a.time ?? '0') || 0, status };
    if (fail) {
      const fa = attrs(fail[2]!);
      const text = fa.message || unescapeXml(fail[3] ?? '').trim() || fa.type || 'failed';
      c.message = text.split('\n')[0]!.slice(0, 300);
    }
    cases.push(c);
  }
  return cases;
}

export type Verdict = 'passed' | 'failed' | 'skipped' | 'expected-failure' | 'unexpected-pass';

export interface ClassifiedCase extends JunitCase {
  verdict: Verdict;
  /** The matching deviation (its `test` pattern) and why it is expected. */
  deviation?: string;
  reason?: string;
}

export interface EntryResult {
  entry: MatrixEntry;
  /** What the L1 is (version, package), from the build step. */
  l1Describe?: string;
  /** Seconds to build or fetch what the entry needs, and whether it was all cached. */
  buildSeconds?: number;
  buildCached?: boolean;
  /** Wall-clock seconds of the vitest run. */
  testSeconds?: number;
  cases: ClassifiedCase[];
  /** Deviations that matched no test at all (renamed or removed tests). */
  staleDeviations: string[];
  /** A failure outside any test: the build failed, vitest wrote no report... */
  error?: string;
}

export function classify(entry: MatrixEntry, cases: readonly JunitCase[]): { cases: ClassifiedCase[]; staleDeviations: string[] } {
  const used = new Set<string>();
  const out = cases.map((c): ClassifiedCase => {
    const d = matchDeviation(entry, c.file, c.name);
    if (!d) return { ...c, verdict: c.status };
    used.add(d.test);
    const why = { deviation: d.test, reason: d.reason };
    if (c.status === 'failed') return { ...c, verdict: 'expected-failure', ...why };
    if (c.status === 'passed') return { ...c, verdict: 'unexpected-pass', ...why };
    return { ...c, verdict: 'skipped', ...why };
  });
  return { cases: out, staleDeviations: entry.expected.filter((d) => !used.has(d.test)).map((d) => d.test) };
}

export const count = (r: EntryResult, v: Verdict) => r.cases.filter((c) => c.verdict === v).length;

/** Unexpected failures: failed tests that no deviation explains, plus an entry-level error. */
export const unexpectedFailures = (r: EntryResult) => count(r, 'failed') + (r.error ? 1 : 0);

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const secs = (s: number | undefined) => (s === undefined ? '-' : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

export function entryStatus(r: EntryResult): string {
  if (r.error) return 'ERROR';
  if (unexpectedFailures(r)) return 'FAIL';
  if (r.cases.length === 0) return 'EMPTY';
  return 'ok';
}

/** The markdown summary: one row per entry, then the expected deviations and every unexpected result. */
export function renderSummary(results: readonly EntryResult[], meta: { title?: string; notes?: string[] } = {}): string {
  const lines: string[] = [`# ${meta.title ?? 'bootcase kernel-config matrix'}`, ''];
  for (const n of meta.notes ?? []) lines.push(n);
  if (meta.notes?.length) lines.push('');
  lines.push('| entry | result | L1 | guest | vCPUs | suites | passed | failed | expected failures | skipped | build | tests |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const build = r.buildSeconds === undefined ? '-' : `${secs(r.buildSeconds)}${r.buildCached ? ' (cached)' : ''}`;
    const unexpectedPass = count(r, 'unexpected-pass');
    lines.push(
      `| ${cell(r.entry.name)} | ${entryStatus(r)} | ${cell(r.entry.l1)} | ${cell(r.entry.guestConfig)} | ${r.entry.cpus} | ${r.entry.suites.join(', ')} | ` +
        `${count(r, 'passed') + unexpectedPass}${unexpectedPass ? ` (${unexpectedPass} unexpectedly)` : ''} | ${unexpectedFailures(r)} | ${count(r, 'expected-failure')} | ${count(r, 'skipped')} | ${build} | ${secs(r.testSeconds)} |`,
    );
  }
  lines.push('');
  const l1s = results.filter((r) => r.l1Describe);
  if (l1s.length) {
    lines.push('## Entries', '');
    for (const r of results) lines.push(`* **${r.entry.name}**: ${r.entry.about}.${r.l1Describe ? ` L1: ${r.l1Describe}.` : ''}`);
    lines.push('');
  }
  // One line per deviation rule: a prefix may stand for several tests.
  const expected = new Map<string, { entry: string; file: string; deviation: string; reason: string; n: number }>();
  for (const r of results) {
    for (const c of r.cases) {
      if (c.verdict !== 'expected-failure') continue;
      const key = `${r.entry.name}\0${c.file}\0${c.deviation}`;
      const g = expected.get(key) ?? { entry: r.entry.name, file: c.file, deviation: c.deviation ?? c.name, reason: c.reason ?? '', n: 0 };
      g.n++;
      expected.set(key, g);
    }
  }
  if (expected.size) {
    lines.push('## Expected deviations (failed as expected)', '');
    for (const g of expected.values()) lines.push(`* ${g.entry}: \`${g.file}\` "${g.deviation}"${g.n > 1 ? ` (${g.n} tests)` : ''}: ${g.reason}`);
    lines.push('');
  }
  const problems: string[] = [];
  for (const r of results) {
    if (r.error) problems.push(`* ${r.entry.name}: **error**: ${cell(r.error)}`);
    for (const c of r.cases) {
      if (c.verdict === 'failed') problems.push(`* ${r.entry.name}: **failed** \`${c.file}\` ${c.name}${c.message ? `: ${c.message}` : ''}`);
      if (c.verdict === 'unexpected-pass') problems.push(`* ${r.entry.name}: **passed although expected to fail** (update ci/matrix.ts): \`${c.file}\` ${c.name}`);
    }
    for (const t of r.staleDeviations) problems.push(`* ${r.entry.name}: expected deviation "${t}" matched no test (update ci/matrix.ts)`);
  }
  if (problems.length) lines.push('## Unexpected', '', ...problems, '');
  return lines.join('\n');
}
