// The SBI call trace and --sbi-disable (#6): run.sbiCalls holds every SBI call that reached the
// VMM. With KVM 6.12 that is DBCN, the legacy console and the experimental/vendor ranges
// (BOOTCASE); BASE, HSM, SRST... are answered inside KVM and never show, and an extension
// turned off with --sbi-disable is answered by KVM too, with NOT_SUPPORTED.
import { asmGuest, parseTap, SBI_EID, VmmRejectedError, type RunResult, type SbiCall, type StartEvent } from '../../harness/index.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { knownDeviations } from './sbi-deviations.js';

// guests/asm/cases/sbi-trace.c
const MSG = 'sbi-trace: DBCN write\n';
const MARK_HSM_ABSENT = 0x100n;
const MARK_HSM_PRESENT = 0x101n;
const MARK_SECONDARY = 0x200n;

const calls = (run: RunResult) => run.sbiCalls.map((c: SbiCall) => `hart ${c.hart} ${c.ext}.${c.fn}(0x${c.args[0]!.toString(16)})`);
const start = (run: RunResult) => run.events.find((e): e is StartEvent => e.ev === 'start' && 'sbi_trace' in e)!;
const inKernel: bigint[] = [SBI_EID.BASE, SBI_EID.HSM, SBI_EID.SRST, SBI_EID.TIME, SBI_EID.IPI, SBI_EID.RFENCE];

describe('SBI call trace', () => {
  test('the DBCN write (with its length) comes before the MARK of the HSM probe; SRST ends the run', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 }); // SRST is in-kernel: the end event says so
    expect(calls(run)).toEqual([
      `hart 0 DBCN.write(0x${MSG.length.toString(16)})`,
      `hart 0 BOOTCASE.MARK(0x${MARK_HSM_PRESENT.toString(16)})`, // the guest probed HSM and found it
      'hart 0 DBCN.write_byte(0xa)',
    ]);
    const [write, mark] = run.sbiCalls;
    expect(write).toMatchObject({ eid: SBI_EID.DBCN, fid: 0n, error: 0, value: BigInt(MSG.length) });
    expect(write!.args[2]).toBe(0n); // base_addr_hi
    expect(write!.tUs).toBeLessThanOrEqual(mark!.tUs);
    expect(run.marks.has(Number(MARK_HSM_PRESENT))).toBe(true);
    expect(run.sbiCalls.filter((c) => inKernel.includes(c.eid))).toEqual([]);
    expect(run.sbiCalls).toHaveLength(run.exits.sbi); // one event per forwarded call, none lost
    expect(start(run)).toMatchObject({ sbi_trace: true, sbi_disabled: [] });
    expect(run.console).toBe(`${MSG}\n`);
  });

  test('calls from every hart, in the order the VMM handled them', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    // hart 1 was started with HSM hart_start (in-kernel), made its MARK, then hart 0 went on
    expect(calls(run)).toEqual([
      `hart 0 DBCN.write(0x${MSG.length.toString(16)})`,
      `hart 0 BOOTCASE.MARK(0x${MARK_HSM_PRESENT.toString(16)})`,
      `hart 1 BOOTCASE.MARK(0x${(MARK_SECONDARY + 1n).toString(16)})`,
      'hart 0 DBCN.write_byte(0xa)',
    ]);
  });

  test('tracing is off by default: no sbi events, and run.sbiCalls says why', async ({ boot }) => {
    await using vm = await boot('sbi-trace');
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(run.events.filter((e) => e.ev === 'sbi')).toEqual([]);
    expect(() => run.sbiCalls).toThrow(/without SBI tracing/);
  });
});

describe('--sbi-disable', () => {
  test('hsm: the guest probes HSM and finds it absent; with 2 harts, hart 1 never starts', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], sbiDisable: ['hsm'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(start(run).sbi_disabled).toEqual(['hsm']);
    expect(calls(run)).toEqual([
      `hart 0 DBCN.write(0x${MSG.length.toString(16)})`,
      `hart 0 BOOTCASE.MARK(0x${MARK_HSM_ABSENT.toString(16)})`,
      'hart 0 DBCN.write_byte(0xa)',
    ]);
  });

  test('hsm: the SBI compliance guest skips its HSM checks as "extension absent", nothing else fails', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-compliance', { sbiDisable: ['hsm'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown');
    const tap = parseTap(run.console);
    expect(tap.planned).toBe(tap.points.length);
    const hsm = tap.points.filter((p) => p.name.startsWith('HSM:'));
    expect(hsm.map((p) => [p.name, p.skip])).toEqual([['HSM: hart state management', 'extension absent']]);
    const failed = tap.points.filter((p) => !p.ok && p.skip === undefined).map((p) => p.name);
    expect(failed.filter((name) => !(name in knownDeviations))).toEqual([]);
    // the other extensions are untouched: DBCN still answers
    expect(tap.points.find((p) => p.name === 'DBCN: write returns the bytes written')).toMatchObject({ ok: true });
  });

  test('dbcn: a DBCN-printing guest gets NOT_SUPPORTED from KVM and reports failure code 1', async ({ boot }) => {
    await using vm = await boot(asmGuest('hello-dbcn', { trace: ['sbi'], sbiDisable: ['dbcn'] }));
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 1 });
    expect(run.console).toBe('');
    // the DBCN write never reached the VMM; the EXIT that reports the failure did
    expect(calls(run)).toEqual(['hart 0 BOOTCASE.EXIT(0x1)']);
  });

  test('srst: SRST returns NOT_SUPPORTED, the guest falls back to BOOTCASE EXIT', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], sbiDisable: ['srst'] }));
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 2 });
    expect(calls(run).at(-1)).toBe('hart 0 BOOTCASE.EXIT(0x2)');
  });

  test('an unknown extension name is refused, naming the option and the known names', async ({ boot }) => {
    const vm = await boot(asmGuest('hello-dbcn', { vmmArgs: ['--sbi-disable', 'hsm,hsmm'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toContain("option --sbi-disable: unknown SBI extension 'hsmm' (known: v01, time, ipi, rfence, srst, hsm, pmu,");
  });

  test('an extension this KVM does not have is refused by KVM, naming the option', async ({ boot, stage }) => {
    // SUSP came to KVM after 6.12: this L1's KVM answers ENOENT for its register
    const [major = 0, minor = 0] = stage.kernelRelease.split('.').map(Number);
    if (major > 6 || (major === 6 && minor > 12)) return;
    const vm = await boot(asmGuest('hello-dbcn', { sbiDisable: ['susp'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toMatch(/option --sbi-disable susp: KVM refused on vCPU 0: .*\(this KVM does not offer the extension\)/);
  });
});
