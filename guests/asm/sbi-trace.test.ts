// The SBI call trace, --sbi-disable and --sbi-serve (#6). With our L1 patch
// (images/kernels/patches/6.12-sbi-user.patch) run.sbiCalls holds every SBI call the guest made:
// the ones KVM answers itself are reported afterwards ("kvm"), the rest the VMM answers ("vmm"):
// the console, BOOTCASE, the extensions it serves, and the ones a test took away.
import { asmGuest, isKnownDeviation, parseTap, SBI_EID, VmmRejectedError, type RunResult, type SbiCall, type StartEvent } from '../../harness/index.js';
import { describe, expect, test } from '../../harness/vitest/fixtures.js';
import { knownDeviations } from './sbi-deviations.js';

// guests/asm/cases/sbi-trace.c
const MSG = 'sbi-trace: DBCN write\n';
const MARK_HSM_ABSENT = 0x100n;
const MARK_HSM_PRESENT = 0x101n;
const MARK_SECONDARY = 0x200n;
const hex = (n: bigint) => `0x${n.toString(16)}`;

/** "hart 0 kvm HSM.hart_start(0x1)": who answered which call, with its first argument. */
const describeCall = (c: SbiCall) => `hart ${c.hart} ${c.by} ${c.ext}.${c.fn}(${hex(c.args[0]!)})`;
const calls = (run: RunResult, hart?: number) => run.sbiCalls.filter((c) => hart === undefined || c.hart === hart).map(describeCall);
/** With 2 harts and HSM present: each hart's calls, HSM (and its probe) answered by `hsm`. */
const withSecondary = (hsm: 'kvm' | 'vmm') => ({
  hart0: [
    `hart 0 ${hsm} BASE.probe_extension(0x48534d)`,
    `hart 0 vmm DBCN.write(${hex(BigInt(MSG.length))})`,
    `hart 0 vmm BOOTCASE.MARK(${hex(MARK_HSM_PRESENT)})`,
    `hart 0 ${hsm} HSM.hart_get_status(0x1)`,
    `hart 0 ${hsm} HSM.hart_start(0x1)`,
    'hart 0 vmm DBCN.write_byte(0xa)',
    'hart 0 kvm SRST.system_reset(0x0)',
  ],
  hart1: [`hart 1 vmm BOOTCASE.MARK(${hex(MARK_SECONDARY + 1n)})`, `hart 1 ${hsm} HSM.hart_stop(0x0)`],
});
const start = (run: RunResult) => run.events.find((e): e is StartEvent => e.ev === 'start' && 'sbi_trace' in e)!;

describe('SBI call trace', () => {
  test('every call, in order, with who answered it: KVM (BASE, HSM, SRST) or the VMM (DBCN, BOOTCASE)', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(run.sbiTraceComplete).toBe(true);
    expect(calls(run)).toEqual([
      'hart 0 kvm BASE.probe_extension(0x48534d)',
      `hart 0 vmm DBCN.write(${hex(BigInt(MSG.length))})`,
      `hart 0 vmm BOOTCASE.MARK(${hex(MARK_HSM_PRESENT)})`,
      'hart 0 kvm HSM.hart_get_status(0x1)', // one hart: INVALID_PARAM
      'hart 0 vmm DBCN.write_byte(0xa)',
      'hart 0 kvm SRST.system_reset(0x0)',
    ]);
    const [probe, write, mark, status] = run.sbiCalls;
    expect(probe).toMatchObject({ eid: SBI_EID.BASE, fid: 3n, error: 0, value: 1n });
    expect(write).toMatchObject({ eid: SBI_EID.DBCN, fid: 0n, error: 0, value: BigInt(MSG.length) });
    expect(write!.args[2]).toBe(0n); // base_addr_hi
    expect(status).toMatchObject({ error: -3 });
    expect(write!.tUs).toBeLessThanOrEqual(mark!.tUs);
    // one event per SBI exit, none lost; SRST is the system event that ended the run
    expect(run.sbiCalls).toHaveLength(run.exits.sbi + run.exits.system_event);
    expect(run.sbiCounts.kvm).toBe(2); // SRST is counted as the system event
    expect(start(run)).toMatchObject({ sbi_trace: true, sbi_disabled: [], sbi_served: [] });
    expect(run.console).toBe(`${MSG}\n`);
  });

  test('what a guest author asserts: it probed HSM before using it, and shut down with SRST', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    const hsm = run.sbiCalls.findIndex((c) => c.eid === SBI_EID.HSM);
    const probe = run.sbiCalls.findIndex((c) => c.ext === 'BASE' && c.fn === 'probe_extension' && c.args[0] === SBI_EID.HSM);
    expect(probe).toBeGreaterThanOrEqual(0);
    expect(probe).toBeLessThan(hsm);
    // hart 0's last call; hart 1's reported hart_stop may be logged after it (order is per hart)
    const last = run.sbiCalls.filter((c) => c.hart === 0).at(-1)!;
    expect(last).toMatchObject({ ext: 'SRST', fn: 'system_reset' });
    expect(last.args[0]).toBe(0n); // reset_type 0: shutdown
  });

  test('calls from every hart: hart 0 starts hart 1 (in KVM), hart 1 marks and stops itself', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(calls(run, 0)).toEqual(withSecondary('kvm').hart0);
    expect(calls(run, 1)).toEqual(withSecondary('kvm').hart1);
    // Between harts, a call KVM answered is logged when KVM hands it back, after its effects:
    // hart 1 may already have run by the time hart 0's hart_start shows. Per hart, the order
    // is exact; the VMM's own answers are causal across harts too (see --sbi-serve below).
  });

  test('tracing is off by default: no sbi events, and run.sbiCalls says why', async ({ boot }) => {
    await using vm = await boot('sbi-trace');
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(run.events.filter((e) => e.ev === 'sbi')).toEqual([]);
    expect(() => run.sbiCalls).toThrow(/without SBI tracing/);
    expect(run.sbiCounts.kvm).toBe(0); // without the trace KVM does not stop to report
  });
});

describe('--sbi-disable', () => {
  test('hsm: the probe comes to the VMM and says absent; with 2 harts, hart 1 never starts', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], sbiDisable: ['hsm'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(start(run).sbi_disabled).toEqual(['hsm']);
    expect(calls(run)).toEqual([
      'hart 0 vmm BASE.probe_extension(0x48534d)',
      `hart 0 vmm DBCN.write(${hex(BigInt(MSG.length))})`,
      `hart 0 vmm BOOTCASE.MARK(${hex(MARK_HSM_ABSENT)})`,
      'hart 0 vmm DBCN.write_byte(0xa)',
      'hart 0 kvm SRST.system_reset(0x0)',
    ]);
    expect(run.sbiCalls[0]).toMatchObject({ error: 0, value: 0n });
  });

  test('hsm: the SBI compliance guest skips its HSM checks as "extension absent", nothing else fails', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-compliance', { sbiDisable: ['hsm'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown');
    const tap = parseTap(run.console);
    expect(tap.planned).toBe(tap.points.length);
    const hsm = tap.points.filter((p) => p.name.startsWith('HSM:'));
    expect(hsm.map((p) => [p.name, p.skip])).toEqual([['HSM: hart state management', 'extension absent']]);
    // a failure is excused only as the exact result its known deviation pins (got/want)
    const failed = tap.points.filter((p) => !p.ok && p.skip === undefined && !isKnownDeviation(p, knownDeviations));
    expect(failed.map((p) => `${p.name} ${JSON.stringify(p.diag ?? {})}`)).toEqual([]);
    // the other extensions are untouched: DBCN still answers
    expect(tap.points.find((p) => p.name === 'DBCN: write returns the bytes written')).toMatchObject({ ok: true });
  });

  test('dbcn: a DBCN-printing guest gets NOT_SUPPORTED and reports failure code 1', async ({ boot }) => {
    await using vm = await boot(asmGuest('hello-dbcn', { trace: ['sbi'], sbiDisable: ['dbcn'] }));
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 1 });
    expect(run.console).toBe('');
    expect(calls(run)).toEqual(['hart 0 vmm DBCN.write(0x1a)', 'hart 0 vmm BOOTCASE.EXIT(0x1)']);
    expect(run.sbiCalls[0]!.error).toBe(-2);
    expect(run.sbiCounts.disabled).toBe(1);
  });

  test('srst: SRST returns NOT_SUPPORTED, the guest falls back to BOOTCASE EXIT', async ({ boot }) => {
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], sbiDisable: ['srst'] }));
    const run = await vm.result();
    expect(run).toHaveExited('report', { code: 2 });
    expect(calls(run).slice(-2)).toEqual(['hart 0 vmm SRST.system_reset(0x0)', 'hart 0 vmm BOOTCASE.EXIT(0x2)']);
    expect(run.sbiCalls.at(-2)!.error).toBe(-2);
  });

  test('an unknown extension name is refused, naming the option and the known names', async ({ boot }) => {
    const vm = await boot(asmGuest('hello-dbcn', { vmmArgs: ['--sbi-disable', 'hsm,hsmm'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toContain("option --sbi-disable: unknown SBI extension 'hsmm' (known: v01, time, ipi, rfence, srst, hsm, pmu,");
  });

  test('an extension this KVM does not have is refused by KVM, naming the option', async ({ boot, stage, skip }) => {
    // SUSP came to KVM after 6.12: this L1's KVM answers ENOENT for its register
    const [major = 0, minor = 0] = stage.kernelRelease.split('.').map(Number);
    if (major > 6 || (major === 6 && minor > 12)) skip(`L1 ${stage.kernelRelease} has SUSP, so there is no extension it lacks to test with`);
    const vm = await boot(asmGuest('hello-dbcn', { sbiDisable: ['susp'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toMatch(/option --sbi-disable susp: KVM refused on vCPU 0: .*\(this KVM does not offer the extension\)/);
  });
});

describe('--sbi-serve', () => {
  test('hsm: the VMM answers the probe and every HSM call; hart 1 starts at start_addr and stops', async ({ boot }) => {
    // hsm needs ipi served too (a served suspend would miss KVM's in-kernel IPIs)
    await using vm = await boot(asmGuest('sbi-trace', { trace: ['sbi'], sbiServe: ['hsm', 'ipi'], vmmArgs: ['--cpus', '2'] }));
    const run = await vm.result();
    expect(run).toHaveExited('shutdown', { reason: 0 });
    expect(start(run).sbi_served).toEqual(['ipi', 'hsm']);
    expect(calls(run, 0)).toEqual(withSecondary('vmm').hart0);
    expect(calls(run, 1)).toEqual(withSecondary('vmm').hart1);
    // the VMM logs hart_start under the lock hart 1 needs to leave STOPPED: it comes first
    const all = calls(run);
    expect(all.indexOf('hart 0 vmm HSM.hart_start(0x1)')).toBeLessThan(all.indexOf(calls(run, 1)[0]!));
    const status = run.sbiCalls.find((c) => c.fn === 'hart_get_status')!;
    expect(status).toMatchObject({ error: 0, value: 1n }); // STOPPED
    expect(run.sbiCalls.find((c) => c.fn === 'hart_start')).toMatchObject({ error: 0 });
    expect(run.sbiCounts).toMatchObject({ base: 1, hsm: 3 });
  });

  test('rfence cannot be served from user space: refused, naming the option and the way out', async ({ boot }) => {
    const vm = await boot(asmGuest('hello-dbcn', { vmmArgs: ['--sbi-serve', 'rfence'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toContain('option --sbi-serve: rfence cannot be served outside KVM');
  });

  test('serving and disabling the same extension is refused', async ({ boot }) => {
    const vm = await boot(asmGuest('hello-dbcn', { sbiServe: ['ipi'], sbiDisable: ['ipi'] }));
    const err = await vm.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmmRejectedError);
    expect((err as Error).message).toContain('options --sbi-serve and --sbi-disable name the same extension');
  });
});
