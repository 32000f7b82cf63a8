import { describe, expect, test } from 'vitest';
import { cases } from '../../guests/asm/cases.js';
import { BuildMissingError, GuestImageError, GuestTimeoutError, StageError, VmmCrashedError, VmmRejectedError } from '../errors.js';
import { parseEvent } from '../protocol/events.js';
import { RunResult } from '../run/result.js';
import { UsageError } from './args.js';
import { exitStatus } from './exit-status.js';
import { expectedEnd } from './list.js';

const ev = { guest: 'g', consoleTail: '', artifacts: [] };

describe('CLI exit status: 0 pass, 1 the guest failed, 2 usage or setup', () => {
  test('usage and setup errors are 2; a usage error prints as it is', () => {
    expect(exitStatus(new UsageError('bootcase run: missing IMAGE'))).toEqual({ code: 2, message: 'bootcase run: missing IMAGE' });
    for (const e of [new GuestImageError('x.elf', 'empty'), new BuildMissingError('no manifest'), new StageError('no stage', ''), new VmmRejectedError('bad option', ev)]) {
      expect(exitStatus(e).code).toBe(2);
      expect(exitStatus(e).message).toMatch(/^bootcase: /);
    }
  });
  test('a run that failed under way is 1', () => {
    expect(exitStatus(new GuestTimeoutError('the guest to end', 10, ev)).code).toBe(1);
    expect(exitStatus(new VmmCrashedError('gone', ev)).code).toBe(1);
  });
  test('anything else is a bug of the CLI: 2, with its stack', () => {
    const { code, message } = exitStatus(new TypeError('x is undefined'));
    expect(code).toBe(2);
    expect(message).toMatch(/^TypeError: x is undefined\n\s+at /);
  });
});

describe('a run the user stopped', () => {
  const end = parseEvent('{"v":1,"ev":"end","run":1,"exit":"timeout","by":"sigterm","hart_pcs":["0x80000078"]}');
  if (end.ev !== 'end') throw new Error('wrong type');
  test('is reported as stopped by the user, not as the harness deadline', () => {
    const run = new RunResult('hang', 1, end, '', [end], [], () => [], { stoppedByUser: true });
    expect(run.stoppedBy).toBe('user');
    expect(run.describe()).toBe('stopped by the user (hart 0 at pc 0x80000078)');
    expect(run.passed).toBe(false);
  });
  test('a kill at the deadline stays one', () => {
    expect(new RunResult('hang', 1, end, '', [end], [], () => []).stoppedBy).toBe('sigterm');
    const own = parseEvent('{"v":1,"ev":"end","run":1,"exit":"timeout","by":"deadline","hart_pcs":[]}');
    if (own.ev !== 'end') throw new Error('wrong type');
    // the VMM's own deadline came first: the user's kill found nothing to stop
    expect(new RunResult('hang', 1, own, '', [own], [], () => [], { stoppedByUser: true }).stoppedBy).toBe('deadline');
  });
});

test('bootcase list: every milestone has how it must end', () => {
  const ends = Object.fromEntries(cases.map((c) => [c.name, expectedEnd(c)]));
  expect(ends).toMatchObject({ 'report-fail': 'report code 7', shutdown: 'shutdown (reason 1)', 'hello-dbcn': 'shutdown', reboot: 'reboot' });
  expect(ends['mmio-unmapped']).toBe('fault mmio-unmapped addr 0x20000000, len 4, write true');
});
