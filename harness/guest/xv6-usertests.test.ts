import { describe, expect, test } from 'vitest';
import { judgeUsertests, planUsertests, usertestsHasQuick } from './xv6-usertests.js';

describe('planUsertests: XV6_USERTESTS and XV6_KNOWN_FAILING', () => {
  test('default -q, all, and a list of names (one run each)', () => {
    expect(planUsertests(undefined, undefined).runs).toEqual([{ args: '-q' }]);
    expect(planUsertests('all', undefined).runs).toEqual([{ args: '' }]);
    expect(planUsertests(' copyin, sbrkbasic ', undefined).runs).toEqual([
      { args: 'copyin', name: 'copyin' },
      { args: 'sbrkbasic', name: 'sbrkbasic' },
    ]);
  });

  test('an xv6 whose usertests has no -q (before August 2022) runs them all for -q', () => {
    expect(usertestsHasQuick(Buffer.from('\0Usage: usertests [-c] [-C] [-q] [testname]\n\0'))).toBe(true);
    expect(usertestsHasQuick(Buffer.from('\0Usage: usertests [-c] [testname]\n\0'))).toBe(false);
    expect(planUsertests(undefined, undefined, false)).toMatchObject({ runs: [{ args: '' }], note: expect.stringContaining('no -q') });
    expect(planUsertests('copyin', undefined, false).runs).toEqual([{ args: 'copyin', name: 'copyin' }]);
  });

  test('known failures with and without a reason', () => {
    const { knownFailing } = planUsertests(undefined, 'sbrkmuch:lab 5 lazy allocation: not done yet,bigdir');
    expect([...knownFailing]).toEqual([
      ['sbrkmuch', 'lab 5 lazy allocation: not done yet'],
      ['bigdir', 'listed in XV6_KNOWN_FAILING'],
    ]);
  });

  test('what is not a test name is refused, naming the variable', () => {
    expect(() => planUsertests('copyin;rm -rf', undefined)).toThrow("XV6_USERTESTS: 'copyin;rm -rf' is not a test name");
    expect(() => planUsertests(',', undefined)).toThrow('XV6_USERTESTS');
    expect(() => planUsertests(undefined, 'a b:why')).toThrow("XV6_KNOWN_FAILING: 'a b:why' is not a test name");
  });
});

describe('judgeUsertests', () => {
  const known = new Map([['sbrkmuch', 'lab 5']]);
  const suite = 'usertests starting\ntest copyin: OK\ntest sbrkbasic: fork failed\nOK\ntest bigdir: OK\nALL TESTS PASSED\n';

  test('a suite that passed, with a test that printed lines of its own', () => {
    const v = judgeUsertests(suite, { args: '-q' }, known);
    expect(v).toMatchObject({ ok: true, passed: ['copyin', 'sbrkbasic', 'bigdir'], failed: [] });
  });

  test('an unknown failure fails; a suite stopped by a known one says what did not run', () => {
    const failed = 'test copyin: OK\ntest truncate1: FAILED\nSOME TESTS FAILED\n';
    expect(judgeUsertests(failed, { args: '-q' }, known)).toMatchObject({ ok: false, message: 'usertests -q: truncate1 FAILED' });
    const stopped = 'test copyin: OK\ntest sbrkmuch: sbrk test failed\nFAILED\nSOME TESTS FAILED\n';
    expect(judgeUsertests(stopped, { args: '-q' }, known).message).toMatch(/stopped at sbrkmuch, a known failure \(lab 5\), after 1 passed; the tests after it did not run/);
  });

  test('a known failure run by name: its failure passes, a pass fails (the list cannot go stale)', () => {
    const run = { args: 'sbrkmuch', name: 'sbrkmuch' };
    expect(judgeUsertests('test sbrkmuch: FAILED\nSOME TESTS FAILED\n', run, known)).toMatchObject({ ok: true, message: 'usertests sbrkmuch failed as known: lab 5' });
    expect(judgeUsertests('test sbrkmuch: OK\nALL TESTS PASSED\n', run, known).message).toMatch(/passed, but XV6_KNOWN_FAILING lists it \(lab 5\): take it off the list/);
  });

  test('a name this xv6 does not have, and a suite with no final line, fail', () => {
    expect(judgeUsertests('ALL TESTS PASSED\n', { args: 'nosuch', name: 'nosuch' }, known).message).toMatch(/no "test nosuch: OK" line/);
    expect(judgeUsertests('test copyin: OK\n', { args: '-q' }, known).message).toBe('usertests -q: no "ALL TESTS PASSED" line');
  });
});
