import { describe, expect, test } from 'vitest';
import { RunResult } from '../run/result.js';
import { addon } from '../native/addon.js';
import { describeFault, FAULT_KINDS, parseEvent, ProtocolError } from './events.js';

describe('FAULT_KINDS', () => {
  test('are the kinds of vmm/include/faults.h, and each parses', () => {
    expect([...FAULT_KINDS]).toEqual(addon().faultKinds);
    for (const kind of addon().faultKinds) {
      const e = parseEvent(JSON.stringify({ v: 1, ev: 'end', run: 1, exit: 'fault', fault: { kind, addr: '0x0', eid: '0x0', fid: '0x0', pc: null } }));
      expect(e).toMatchObject({ fault: { kind } });
    }
  });
});

describe('parseEvent', () => {
  test('an end event with a fault keeps 64-bit addresses exact', () => {
    const e = parseEvent(
      '{"v":1,"ev":"end","run":2,"t_us":10,"exit":"fault","fault":{"kind":"mmio-unmapped","addr":"0xffffffffffff0000","len":4,"write":true,"pc":"0x80000010"},"exits":{"total":3,"mmio":1},"sbi":{"dbcn":1},"guest_us":7}',
    );
    expect(e).toMatchObject({ ev: 'end', exit: 'fault', run: 2, guest_us: 7 });
    if (e.ev !== 'end' || e.fault?.kind !== 'mmio-unmapped') throw new Error('wrong type');
    expect(e.fault.addr).toBe(0xffff_ffff_ffff_0000n);
    expect(e.exits).toEqual({ total: 3, sbi: 0, mmio: 1, system_event: 0, intr: 0, other: 0 });
    expect(describeFault(e.fault)).toBe('unmapped MMIO write of 4 bytes at 0xffffffffffff0000 (pc 0x80000010)');
  });

  test('sbi-unknown faults name EID and FID', () => {
    const e = parseEvent('{"v":1,"ev":"end","run":1,"exit":"fault","fault":{"kind":"sbi-unknown","eid":"0x9000042","fid":"0x3","pc":"0x80000020"}}');
    if (e.ev !== 'end' || !e.fault) throw new Error('wrong type');
    expect(describeFault(e.fault)).toBe('unknown SBI call EID 0x9000042 FID 0x3 (pc 0x80000020)');
  });

  test('kvm-run faults name the hart, the pc and the trap KVM logged', () => {
    const e = parseEvent('{"v":1,"ev":"end","run":1,"exit":"fault","fault":{"kind":"kvm-run","hart":1,"errno":95,"msg":"Operation not supported","scause":"0x14","stval":"0x20000000","htval":"0x8000000","htinst":"0x0","pc":"0x20000000"}}');
    if (e.ev !== 'end' || !e.fault) throw new Error('wrong type');
    expect(e.fault).toMatchObject({ kind: 'kvm-run', hart: 1, pc: 0x2000_0000n, scause: 0x14n, htval: 0x800_0000n });
    expect(describeFault(e.fault)).toBe('KVM_RUN failed: Operation not supported (errno 95) on hart 1 at pc 0x20000000; trap scause 0x14 stval 0x20000000 htval 0x8000000 htinst 0x0');
    // a host failure outside any vCPU: no hart, pc null, no trap
    const h = parseEvent('{"v":1,"ev":"end","run":1,"exit":"fault","fault":{"kind":"kvm-run","errno":4,"msg":"x","pc":null}}');
    if (h.ev !== 'end' || !h.fault) throw new Error('wrong type');
    expect(describeFault(h.fault)).toBe('KVM_RUN failed: x (errno 4)');
  });

  test('report and system events carry code and reason', () => {
    expect(parseEvent('{"v":1,"ev":"end","run":1,"exit":"report","code":7}')).toMatchObject({ exit: 'report', code: 7 });
    expect(parseEvent('{"v":1,"ev":"end","run":1,"exit":"shutdown","reason":1,"console_bytes":12}')).toMatchObject({ exit: 'shutdown', reason: 1, console_bytes: 12 });
  });

  test('a timeout says what stopped it and where each hart was', () => {
    const e = parseEvent('{"v":1,"ev":"end","run":1,"exit":"timeout","by":"sigterm","hart_pcs":["0x80000078","0xffffffff80001234"]}');
    expect(e).toMatchObject({ exit: 'timeout', by: 'sigterm', hart_pcs: [0x8000_0078n, 0xffff_ffff_8000_1234n] });
    if (e.ev !== 'end') throw new Error('wrong type');
    const run = new RunResult('hang', 1, e, '', [e], [], () => []);
    expect(run.describe()).toBe('timeout (killed at the harness deadline; hart 0 at pc 0x80000078, hart 1 at pc 0xffffffff80001234)');
    const plain = parseEvent('{"v":1,"ev":"end","run":1,"exit":"timeout","by":"deadline","hart_pcs":[]}');
    if (plain.ev !== 'end') throw new Error('wrong type');
    expect(new RunResult('hang', 1, plain, '', [plain], [], () => []).describe()).toBe('timeout (VMM deadline)');
  });

  test('rejects malformed lines, other protocol versions and unknown exits', () => {
    expect(() => parseEvent('not json')).toThrow(ProtocolError);
    expect(() => parseEvent('{"v":2,"ev":"end"}')).toThrow(/protocol version 2/);
    expect(() => parseEvent('{"v":1,"ev":"end","exit":"exploded"}')).toThrow(/unknown exit "exploded"/);
    expect(() => parseEvent('{"v":1,"ev":"end","exit":"fault","fault":{"kind":"mmio-unmapped","addr":12.5}}')).toThrow(/hex string/);
  });

  test('every event kind is checked field by field, so a malformed one fails instead of passing as garbage', () => {
    expect(parseEvent('{"v":1,"ev":"run-exit","run":3,"status":0,"signal":0}')).toEqual({ v: 1, ev: 'run-exit', run: 3, status: 0, signal: 0 });
    expect(() => parseEvent('{"v":1,"ev":"run-exit","run":3,"status":"0","signal":0}')).toThrow('run-exit event: field status should be int, got "0"');
    expect(() => parseEvent('{"v":1,"ev":"phase","t_us":5}')).toThrow('phase event: field name should be str, got undefined');
    expect(() => parseEvent('{"v":1,"ev":"mark","t_us":5,"id":1.5}')).toThrow(/field id should be int/);
    expect(() => parseEvent('{"v":1,"ev":"start","run":1,"t_us":2,"mem_mib":128,"cpus":1,"image":"x","format":"elf","sbi_served":[1]}')).toThrow(/field sbi_served should be strs/);
    expect(parseEvent('{"v":1,"ev":"start","run":1,"t_us":2,"path":"/init","pid":42}')).toMatchObject({ ev: 'start', path: '/init' });
    expect(() => parseEvent('{"v":1,"ev":"agent-ready","uptime_us":1,"kvm_api":12}')).toThrow(/field kernel should be str/);
    expect(parseEvent('{"v":1,"ev":"pong","uptime_us":9,"token":"a1","kernel":"6.12.117"}')).toMatchObject({ ev: 'pong', token: 'a1' });
    expect(() => parseEvent('{"v":1,"ev":"pong","uptime_us":9,"token":7,"kernel":"6.12.117"}')).toThrow(/pong event: field token should be str/);
  });

  test('unknown event kinds are kept, not dropped', () => {
    expect(parseEvent('{"v":1,"ev":"future-thing","x":1}')).toEqual({ ev: 'unknown', raw: { v: 1, ev: 'future-thing', x: 1 } });
  });
});
