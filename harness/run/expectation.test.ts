import { describe, expect, test } from 'vitest';
import { parseEvent } from '../protocol/events.js';
import { runMismatches } from './expectation.js';
import { RunResult } from './result.js';

const run = (end: string, console = '') => {
  const e = parseEvent(end);
  if (e.ev !== 'end') throw new Error('not an end event');
  return new RunResult('g', 1, e, console, [e], [], () => []);
};

describe('runMismatches: the one check of a run against its expectation (milestones and demo)', () => {
  const fault = run('{"v":1,"ev":"end","run":1,"exit":"fault","fault":{"kind":"mmio-unmapped","hart":0,"addr":"0x20000000","len":4,"write":true,"pc":"0x80000010"}}');

  test('a run that meets it has no misses', () => {
    expect(runMismatches(fault, { exit: 'fault', fault: { kind: 'mmio-unmapped', addr: 0x2000_0000n, len: 4 } })).toEqual([]);
    expect(runMismatches(run('{"v":1,"ev":"end","run":1,"exit":"shutdown","reason":1}', 'Hi\n'), { exit: 'shutdown', reason: 1, print: /^Hi$/m })).toEqual([]);
  });

  test('exit, code and reason; a missing reason counts as 0', () => {
    expect(runMismatches(run('{"v":1,"ev":"end","run":1,"exit":"report","code":7}'), { exit: 'report', code: 0 })).toEqual(['expected g to exit with report code 0, but it ended with report code 7 (fail)']);
    expect(runMismatches(run('{"v":1,"ev":"end","run":1,"exit":"shutdown"}'), { exit: 'shutdown', reason: 0 })).toEqual([]);
  });

  test('the fault comes before the text, in the order a test stops at', () => {
    const misses = runMismatches(fault, { exit: 'fault', fault: { addr: 0x3000_0000n }, print: /storing/, sbiUsed: ['dbcn'] });
    expect(misses).toHaveLength(3);
    expect(misses[0]).toMatch(/^expected g's fault addr to be 0x30000000, got 0x20000000/);
    expect(misses[1]).toMatch(/^expected g to print \/storing\/ \(it ended with fault/);
    expect(misses[2]).toMatch(/SBI dbcn calls, it made none/);
  });
});
