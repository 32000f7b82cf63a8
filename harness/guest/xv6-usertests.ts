// Which of xv6's usertests to run (XV6_USERTESTS) and which are known to fail (XV6_KNOWN_FAILING),
// and the verdict on what usertests printed. Every xv6 since 2019 prints "test NAME: " and then
// "OK" or "FAILED" per test, and "ALL TESTS PASSED" or "SOME TESTS FAILED" at the end; it stops at
// the first failure (there is no "go on" flag), and `usertests NAME` runs just that test.
import { BootcaseError } from '../errors.js';

export class Xv6UsertestsError extends BootcaseError {
  override readonly code = 'XV6_USERTESTS';
}

/** One `usertests` command line to type, as one vitest test. */
export interface UsertestsRun {
  /** Its arguments: `-q`, `` (all) or one test's name. */
  args: string;
  /** A test name when the run is one test. */
  name?: string;
}

export interface UsertestsPlan {
  runs: UsertestsRun[];
  /** Why the runs differ from what was asked (an xv6 whose usertests has no -q). */
  note?: string;
  /** Test name -> why it fails on this xv6 (a lab's unfinished part, say). */
  knownFailing: ReadonlyMap<string, string>;
}

const NAME = /^[A-Za-z0-9_]+$/;

/**
 * Does this fs.img's usertests take -q? The flag came with the quick/slow split (August 2022);
 * older ones print "Usage: usertests [-c] [testname]" for it and run nothing.
 */
export function usertestsHasQuick(fsImg: Buffer): boolean {
  return fsImg.includes('[-q] [testname]');
}

/**
 * XV6_USERTESTS: unset or `-q` the quick suite, `all` the whole suite (the slow tests too), or
 * test names separated by commas, each run on its own. An xv6 whose usertests has no -q
 * (`quick` false) runs the whole suite for -q. XV6_KNOWN_FAILING: `name[:reason]`, by commas.
 */
export function planUsertests(select: string | undefined, knownFailing: string | undefined, quick = true): UsertestsPlan {
  const known = new Map<string, string>();
  for (const entry of (knownFailing ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name = '', ...why] = entry.split(':');
    if (!NAME.test(name.trim())) throw new Xv6UsertestsError(`XV6_KNOWN_FAILING: '${entry}' is not a test name (name or name:reason)`);
    known.set(name.trim(), why.join(':').trim() || 'listed in XV6_KNOWN_FAILING');
  }
  const s = (select ?? '-q').trim();
  if ((s === '-q' || s === 'quick') && !quick) {
    return { runs: [{ args: '' }], knownFailing: known, note: "this xv6's usertests has no -q (before August 2022): all of them" };
  }
  if (s === '-q' || s === 'quick') return { runs: [{ args: '-q' }], knownFailing: known };
  if (s === 'all') return { runs: [{ args: '' }], knownFailing: known };
  const names = s.split(',').map((n) => n.trim()).filter(Boolean);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined || !names.length) {
    throw new Xv6UsertestsError(`XV6_USERTESTS: '${bad ?? s}' is not a test name (use -q, all, or names separated by commas)`);
  }
  return { runs: names.map((name) => ({ args: name, name })), knownFailing: known };
}

export interface UsertestsVerdict {
  ok: boolean;
  /** What went wrong, or what the known failure excused. */
  message: string;
  passed: string[];
  failed: string[];
}

/** Judge usertests' output: every failure must be a known one, and a known one must fail. */
export function judgeUsertests(out: string, run: UsertestsRun, known: ReadonlyMap<string, string>): UsertestsVerdict {
  // a test may print lines of its own between its name and its verdict
  const results = [...out.replace(/\r/g, '').matchAll(/^test (\w+): [\s\S]*?(OK|FAILED)$/gm)];
  const passed = results.filter((m) => m[2] === 'OK').map((m) => m[1]!);
  const failed = results.filter((m) => m[2] === 'FAILED').map((m) => m[1]!);
  const verdict = (ok: boolean, message: string) => ({ ok, message, passed, failed });
  const unknown = failed.filter((n) => !known.has(n));
  if (unknown.length) return verdict(false, `usertests ${run.args}: ${unknown.join(', ')} FAILED`);
  if (run.name && known.has(run.name)) {
    if (passed.includes(run.name)) return verdict(false, `usertests ${run.name} passed, but XV6_KNOWN_FAILING lists it (${known.get(run.name)}): take it off the list`);
    if (!failed.includes(run.name)) return verdict(false, `usertests ${run.name}: no "test ${run.name}: ... FAILED" line (is it a test of this xv6?)`);
    return verdict(true, `usertests ${run.name} failed as known: ${known.get(run.name)}`);
  }
  if (failed.length) {
    // the suite stops at its first failure: what came after never ran
    return verdict(false, `usertests ${run.args} stopped at ${failed[0]}, a known failure (${known.get(failed[0]!)}), after ${passed.length} passed; ` +
      'the tests after it did not run: name the ones to run with XV6_USERTESTS=name,name,...');
  }
  if (run.name && !passed.includes(run.name)) return verdict(false, `usertests ${run.name}: no "test ${run.name}: OK" line (is it a test of this xv6?)`);
  if (!/^ALL TESTS PASSED$/m.test(out)) return verdict(false, `usertests ${run.args}: no "ALL TESTS PASSED" line`);
  return verdict(true, `usertests ${run.args}: ${passed.length} passed`);
}
