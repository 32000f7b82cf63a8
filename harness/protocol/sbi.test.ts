import { describe, expect, test } from 'vitest';
import { RunResult } from '../run/result.js';
import { parseEvent, ProtocolError, type EndEvent, type StageEvent } from './events.js';
import { addon } from '../native/addon.js';
import { SBI_EID, SBI_EID_NAMES, sbiCallName } from './sbi.js';

// Lines as vmm/sbi/sbi-ext.c writes them (vmm/tests/sbi_ext_test.c checks that side).
const START = '{"v":1,"ev":"start","run":4,"t_us":5,"mem_mib":128,"cpus":2,"image":"/x.elf","format":"elf","sbi_disabled":["hsm"],"sbi_served":["time"],"sbi_trace":true}';
const WRITE = '{"v":1,"ev":"sbi","run":4,"t_us":900,"hart":0,"eid":"0x4442434e","fid":"0x0","args":["0x16","0x80001000","0x0","0x0","0x0","0xffffffffffffffff"],"error":0,"value":"0x16","by":"vmm"}';
const MARK = '{"v":1,"ev":"sbi","run":4,"t_us":950,"hart":1,"eid":"0x8424354","fid":"0x1","args":["0x100","0x0","0x0","0x0","0x0","0x0"],"error":0,"value":"0x0","by":"vmm"}';
const PROBE = '{"v":1,"ev":"sbi","run":4,"t_us":970,"hart":0,"eid":"0x10","fid":"0x3","args":["0x48534d","0x0","0x0","0x0","0x0","0x0"],"error":0,"value":"0x1","by":"kvm"}';
const GETC = '{"v":1,"ev":"sbi","run":4,"t_us":990,"hart":0,"eid":"0x2","fid":"0x0","args":["0x0","0x0","0x0","0x0","0x0","0x0"],"error":-1,"value":"0x0","by":"vmm"}';
const END: EndEvent = { ev: 'end', run: 4, t_us: 1000, exit: 'shutdown', reason: 0, exits: { total: 3, sbi: 3, mmio: 0, system_event: 1, intr: 0, other: 0 }, sbi: {}, sbi_trace_kvm: true };

const runOf = (events: StageEvent[]) => new RunResult('sbi-trace', 4, END, '', events, [], () => []);

describe('SBI_EID', () => {
  test('names exactly the extensions of vmm/include/sbi-ids.h, with its values', () => {
    expect([...SBI_EID_NAMES]).toEqual(Object.keys(addon().sbiEids));
    for (const name of SBI_EID_NAMES) expect(SBI_EID[name]).toBe(addon().sbiEids[name]);
    expect(Object.keys(SBI_EID)).toEqual([...SBI_EID_NAMES]);
  });
});

describe('sbi events', () => {
  test('parse with 64-bit args and a signed error', () => {
    const e = parseEvent(WRITE);
    expect(e).toEqual({ ev: 'sbi', run: 4, t_us: 900, hart: 0, eid: SBI_EID.DBCN, fid: 0n, args: [22n, 0x8000_1000n, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn], error: 0, value: 22n, by: 'vmm' });
    expect(parseEvent(GETC)).toMatchObject({ error: -1 });
    expect(parseEvent(PROBE)).toMatchObject({ eid: SBI_EID.BASE, value: 1n, by: 'kvm' });
    expect(parseEvent(START)).toMatchObject({ ev: 'start', sbi_disabled: ['hsm'], sbi_served: ['time'], sbi_trace: true });
  });

  test('malformed sbi events are protocol errors', () => {
    expect(() => parseEvent(WRITE.replace('"0x16","0x80001000",', ''))).toThrow(ProtocolError);
    expect(() => parseEvent(WRITE.replace('"error":0', '"error":"0"'))).toThrow(/hart or error/);
    expect(() => parseEvent(WRITE.replace('"eid":"0x4442434e"', '"eid":"DBCN"'))).toThrow(/hex string/);
    expect(() => parseEvent(WRITE.replace('"by":"vmm"', '"by":"opensbi"'))).toThrow(/who answered/);
  });

  test('names of extensions and functions, when known', () => {
    expect(sbiCallName(SBI_EID.DBCN, 0n)).toEqual({ ext: 'DBCN', fn: 'write' });
    expect(sbiCallName(SBI_EID.DBCN, 2n)).toEqual({ ext: 'DBCN', fn: 'write_byte' });
    expect(sbiCallName(SBI_EID.BOOTCASE, 1n)).toEqual({ ext: 'BOOTCASE', fn: 'MARK' });
    expect(sbiCallName(SBI_EID.BOOTCASE, 0x77n)).toEqual({ ext: 'BOOTCASE' });
    expect(sbiCallName(0x01n, 0n)).toEqual({ ext: 'LEGACY_PUTCHAR' });
    expect(sbiCallName(0x0900_0042n, 3n)).toEqual({});
  });

  test('run.sbiCalls: every traced call in order, typed and named', () => {
    const run = runOf([START, WRITE, MARK, PROBE, GETC].map(parseEvent));
    expect(run.sbiCalls.map((c) => [c.hart, c.by, c.ext, c.fn])).toEqual([
      [0, 'vmm', 'DBCN', 'write'],
      [1, 'vmm', 'BOOTCASE', 'MARK'],
      [0, 'kvm', 'BASE', 'probe_extension'],
      [0, 'vmm', 'LEGACY_GETCHAR', undefined],
    ]);
    expect(run.sbiTraceComplete).toBe(true);
    expect(runOf([]).sbiTraceComplete).toBe(true);
    expect(new RunResult('x', 4, { ...END, sbi_trace_kvm: false }, '', [], [], () => []).sbiTraceComplete).toBe(false);
    expect(run.sbiCalls[0]).toMatchObject({ args: [22n, 0x8000_1000n, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn], error: 0, value: 22n, tUs: 900 });
  });

  test('run.sbiCalls refuses a run without tracing rather than report no calls', () => {
    const untraced = parseEvent(START.replace('"sbi_trace":true', '"sbi_trace":false'));
    expect(() => runOf([untraced]).sbiCalls).toThrow(/ran without SBI tracing; boot it with trace: \['sbi'\]/);
  });
});
