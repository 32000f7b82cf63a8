// The matrix's entries (ci/matrix.ts describes what an entry is): each L1 kernel and L0 QEMU
// with the suites it runs and the deviations it is known for, each with its reason.
import { DEFAULT_L0 } from '../harness/stage/l0.js';
import type { Deviation, MatrixEntry } from './matrix.js';

/**
 * Why the assembly guests print nothing on a 6.1 L1: they print through DBCN (lib/console.S
 * dbcn_puts, on purpose). The C guests fall back to legacy putchar (lib/rt.c puts).
 */
const NO_DBCN = "6.1's KVM has no SBI DBCN (added in 6.8) and answers it NOT_SUPPORTED itself, so the assembly guests' DBCN output never reaches the console";

/**
 * trixie's kernel (6.12.107) predates "[riscv64] KVM: Fix HSM hart status error propagation"
 * (Debian changelog, linux 6.12.113-1; the linux-source-6.12 of the other L1s has it).
 */
const HSM_STATUS_BUG = "trixie's KVM (6.12.107) lacks \"KVM: Fix HSM hart status error propagation\" (Debian 6.12.113-1): hart_get_status of an absent hart succeeds instead of INVALID_PARAM";

/** Why 6.1's DT lacks the Zi* extensions: the DT lists what KVM's ISA_EXT registers report. */
const NO_Z_REGS = "6.1's KVM has ISA_EXT registers for A, C, D, F, H, I, M, Svpbmt, Sstc, Svinval, Zihintpause and Zicbom only (Zicntr, Zicsr, Zifencei and Zihpm came in later kernels), so the DT the VMM builds from them cannot list those";

/** The Linux test that needs both a complete SBI trace (our patch) and the Zi* extensions in the DT. */
const ISA_TEST = 'the ISA the guest sees > Linux sees Sstc and the Z extensions, and sets no timer through SBI';

/** What the VMM says when it refuses --sbi-serve (vmm/core/vm-sbi.c). */
const NO_FORWARD_ERROR = 'needs an L1 kernel with images/kernels/patches/6.12-sbi-user.patch';
/** Why --sbi-serve is refused on an L1 we did not build from linux-source-6.12 with our patch. */
const NO_FORWARD = 'a stock KVM answers disabled SBI extensions itself; serving them needs images/kernels/patches/6.12-sbi-user.patch, which only our 6.12 L1 carries, so the VMM refuses --sbi-serve with an error naming the patch';

/**
 * The runs that need the patched L1 (--sbi-serve, and the SBI trace of what KVM answers
 * itself): on a stock KVM each is one refused boot, or a trace that is not complete.
 */
const SERVED_RUNS: readonly Deviation[] = [
  { suite: 'sbi', test: 'SBI compliance, 2 harts, TIME/IPI/HSM served by the VMM > boots and runs to the end', reason: NO_FORWARD, failure: NO_FORWARD_ERROR },
  { suite: 'sbi', test: 'SBI compliance, 2 harts, TIME/IPI/HSM/SUSP/FWFT served by the VMM > boots and runs to the end', reason: NO_FORWARD, failure: NO_FORWARD_ERROR },
  {
    suite: 'linux',
    test: ISA_TEST,
    reason: 'a stock KVM does not report the SBI calls it answers itself (KVM_BOOTCASE_SBI_REPORT comes with images/kernels/patches/6.12-sbi-user.patch), so the trace cannot show that Linux made no TIME call',
    failure: 'the SBI trace has the calls KVM answered (an L1 with our patch)',
  },
  { suite: 'linux', test: 'tiny kernel, 2 vCPUs, HSM/IPI/TIME served by the VMM > boots and runs to the end', reason: NO_FORWARD, failure: NO_FORWARD_ERROR },
];

/**
 * A stock KVM with Sstc loses a set_timer now and then (issue 12; the L1 patch fixes it in
 * vcpu_timer.c): the TIME handler writes vstimecmp but not its saved copy, and the next
 * vcpu_load writes the old compare value back. A guest that pushed its timer out then takes
 * the old interrupt again, and one that waits for a new one waits forever.
 */
const LOST_SET_TIMER = "a stock KVM with Sstc loses a guest's set_timer when the vCPU is loaded again before the timer fires (the L1 patch's vcpu_timer.c fix)";
const lostSetTimer = (seen: string): Deviation[] => [
  { suite: 'milestones', test: MILESTONE['timer-poll'], reason: `${LOST_SET_TIMER}: the old compare value fires again after the handler pushed it out`, failure: 'but it ended with report code 32 (fail)', intermittent: seen },
  { suite: 'devices', test: 'devices > timer: an SBI TIME interrupt fires within its deadline', reason: `${LOST_SET_TIMER}: the guest then waits in WFI for its interrupt forever`, failure: 'timed out after', intermittent: seen },
  ...SBI_RUNS.flatMap((run) => [
    {
      suite: 'sbi' as const,
      test: `${run} > boots and runs to the end`,
      reason: `${LOST_SET_TIMER}: the guest then waits for its timer interrupt forever`,
      failure: 'timed out after',
      intermittent: seen,
    },
    {
      suite: 'sbi' as const,
      test: `${run} > 12 - TIME: a masked timer is pending, not taken`,
      reason: `${LOST_SET_TIMER}: the lost set_timer never becomes pending`,
      failure: '{"got":0,"want":1}',
      intermittent: seen,
    },
    {
      suite: 'sbi' as const,
      test: `${run} > 13 - TIME: set_timer(far future) clears the pending timer`,
      reason: `${LOST_SET_TIMER}: the lost set_timer(far future) leaves the old one pending`,
      failure: '{"got":1,"want":0}',
      intermittent: seen,
    },
  ]),
];

/** The two runs of the SBI compliance guest against KVM (guests/asm/sbi-compliance.test.ts describes). */
const SBI_RUNS = ['SBI compliance, 1 hart', 'SBI compliance, 2 harts (HSM start/stop of a secondary)'] as const;

/** A milestone test's name (guests/asm/milestones.test.ts): test.for('$name: $milestone') over cases.ts. */
const MILESTONE = {
  'hello-legacy': "asm milestones > 'hello-legacy': 'hello via legacy SBI putchar'",
  'hello-dbcn': "asm milestones > 'hello-dbcn': 'hello via SBI DBCN'",
  reboot: "asm milestones > 'reboot': 'SRST cold reboot'",
  'timer-poll': "asm milestones > 'timer-poll': 'set_timer interrupt reaches a hart bu…'",
  'fetch-unmapped': "asm milestones > 'fetch-unmapped': 'fetch from unmapped memory: KVM_RUN f…'",
  'mmio-unmapped': "asm milestones > 'mmio-unmapped': 'store to unmapped MMIO faults with it…'",
  'sbi-illegal': "asm milestones > 'sbi-illegal': 'unknown SBI EID: KVM says NOT_SUPPORT…'",
} as const;

/** How a milestone that expected a shutdown fails when its guest saw an SBI error and reported it (matchers.ts toHaveExited). */
const REPORTED_FAILURE = 'but it ended with report code 1 (fail)';

/** The trixie kernel series: what a deviation that comes from trixie's kernel config holds for. */
const TRIXIE_SERIES = '6.12';

/**
 * The trixie kernels with the HSM status bug: the fix came with Debian's 6.12.113-1; 6.12.107
 * has the bug, 6.12.117 does not.
 */
const TRIXIE_HSM_BUG = '>=6.12 <6.12.113';

/**
 * The L1 variants run every suite with the tiny guest; the L0 variant runs the baseline on QEMU 7.2;
 * the guest variants run the Linux suite on the default L1 and L0.
 */
export const MATRIX: MatrixEntry[] = [
  {
    name: '6.12-tiny',
    l0: DEFAULT_L0,
    l1: '6.12-tiny',
    guestConfig: 'tiny',
    cpus: 1,
    suites: ['milestones', 'devices', 'sbi', 'paging', 'trace', 'xv6', 'linux'],
    about: 'baseline: the default L1 and the tiny guest (also the guest "tiny" entry)',
    expected: [],
  },
  {
    name: '6.1-tiny',
    l0: DEFAULT_L0,
    l1: '6.1-tiny',
    guestConfig: 'tiny',
    cpus: 1,
    suites: ['milestones', 'devices', 'sbi', 'linux'],
    about: 'L1 on linux-source-6.1 (tinyconfig): an older KVM, without SBI DBCN',
    expected: [
      { suite: 'milestones', test: MILESTONE['hello-dbcn'], reason: `${NO_DBCN}; the guest sees the error and reports failure`, failure: REPORTED_FAILURE },
      { suite: 'milestones', test: 'asm milestones > events and console travel apart: the console holds only guest bytes', reason: `${NO_DBCN}; it checks hello-dbcn's console bytes`, failure: "expected '' to be 'Hello from guest via DBCN" },
      { suite: 'milestones', test: MILESTONE.reboot, reason: `${NO_DBCN}: the reboot is right, its DBCN message is missing`, failure: 'to print /rebooting/ (it ended with reboot' },
      { suite: 'milestones', test: MILESTONE['mmio-unmapped'], reason: `${NO_DBCN}: the fault is right, the DBCN message before it is missing`, failure: 'to print /storing to 0x20000000/ (it ended with fault' },
      { suite: 'milestones', test: MILESTONE['sbi-illegal'], reason: `${NO_DBCN}: the fault is right, the DBCN message before it is missing`, failure: 'to print /KVM answered EID 0x0a000000 with NOT_SUPPORTED/ (it ended with fault' },
      { suite: 'milestones', test: 'asm milestones > a guest that hangs fails at its deadline with the transcript tail and artifacts', reason: `${NO_DBCN}: the line the test waits for never arrives`, failure: '/spinning forever/' },
      ...SBI_RUNS.map((run) => ({ suite: 'sbi' as const, test: `${run} > 1 - BASE: get_spec_version reports v2.0 or later`, reason: "6.1's KVM implements SBI v1.0 (KVM_SBI_VERSION_MAJOR 1; v2.0 came with 6.8)", failure: '{"got":1,"want":2}' })),
      ...SBI_RUNS.map((run) => ({ suite: 'sbi' as const, test: `${run} > 19 - IPI: a mask naming an absent hart is INVALID_PARAM`, reason: "6.1's KVM send_ipi skips harts that do not exist and returns SUCCESS (vcpu_sbi_replace.c); SBI v2.0 asks for INVALID_PARAM", failure: '{"got":0,"want":-3}' })),
      { suite: 'milestones', test: MILESTONE['fetch-unmapped'], reason: `${NO_DBCN}: the fault is right, the DBCN message before it is missing`, failure: 'to print /jumping to 0x20000000/ (it ended with fault' },
      { suite: 'devices', test: 'devices > the DT lists the extensions KVM enabled; --isa-disable drops them or names the refusal', reason: NO_Z_REGS, failure: "to include 'zicntr'" },
      { suite: 'linux', test: ISA_TEST, reason: `${NO_Z_REGS}; so Linux's isa line has no zicsr_zifencei (and the trace of KVM's own answers would need our patch too)`, failure: 'to print /^isa: rv64imafdc_.*zicsr_zifencei.*_sstc/m' },
      ...SERVED_RUNS.filter((d) => d.test !== ISA_TEST),
      ...lostSetTimer('seen 2026-12-01 on 6.1.192 in 14 runs of the entry: the 1-hart compliance guest hung in 4, the 2-hart one in 5; check 12 (the new timer never pending) failed in 2 runs, check 13 (the old one still pending) in 1; 6.1 has the same vcpu_timer.c code'),
    ],
  },
  {
    name: 'trixie',
    l0: DEFAULT_L0,
    l1: 'trixie',
    guestConfig: 'tiny',
    cpus: 1,
    suites: ['milestones', 'devices', 'sbi', 'linux'],
    about: 'L1 = the Debian trixie distro kernel, KVM and virtio as modules the agent loads',
    expected: [
      {
        suite: 'milestones',
        test: MILESTONE['hello-legacy'],
        reason: 'trixie has RISCV_SBI_V01 off, so KVM itself answers the legacy putchar (EID 0x01) with NOT_SUPPORTED and the VMM never sees it; the guest reports failure',
        failure: REPORTED_FAILURE,
        kernels: TRIXIE_SERIES,
      },
      ...SBI_RUNS.map((run) => ({ suite: 'sbi' as const, test: `${run} > 27 - HSM: hart_get_status of an absent hart is INVALID_PARAM`, reason: HSM_STATUS_BUG, failure: '{"got":0,"want":-3}', kernels: TRIXIE_HSM_BUG })),
      ...[
        '32 - HSM: a secondary hart waits STOPPED until started',
        '33 - HSM: hart_start of the secondary succeeds',
        '34 - HSM: the secondary starts at start_addr with a0 = hartid, a1 = opaque',
        '35 - HSM: hart_stop returns the secondary to STOPPED',
      ].map((t) => ({
        suite: 'sbi' as const,
        test: `${SBI_RUNS[0]} > ${t}`,
        reason: `${HSM_STATUS_BUG}; so with one hart the guest takes hart 1 for present and runs the secondary-hart checks against a hart that does not exist`,
        kernels: TRIXIE_HSM_BUG,
      })),
      ...SERVED_RUNS.map((d) => ({ ...d, kernels: TRIXIE_SERIES })),
      ...lostSetTimer('seen 2026-12-01 on 6.12.117+deb13 in 7 runs of the entry: timer-poll failed in 1, the devices timer guest hung in 1, the 1-hart compliance guest in 1, the 2-hart one in 2').map((d) => ({ ...d, kernels: TRIXIE_SERIES })),
    ],
  },
  {
    name: 'qemu-7.2',
    l0: '7.2',
    l1: '6.12-tiny',
    guestConfig: 'tiny',
    cpus: 1,
    suites: ['milestones', 'devices', 'sbi', 'paging', 'trace', 'xv6', 'linux'],
    about: "L0 = Debian 12's own QEMU 7.2 (qemu-system-misc) instead of bookworm-backports' QEMU 10: the baseline's L1 and suites; its masked-timer deviation is in guests/asm/sbi-deviations.ts, by L0",
    expected: [],
  },
  {
    name: 'guest-smp',
    l0: DEFAULT_L0,
    l1: '6.12-tiny',
    guestConfig: 'tiny',
    cpus: 2,
    suites: ['linux'],
    about: 'guest SMP: the guest kernel (SMP=y, NR_CPUS=8) with 2 vCPUs in every Linux test that does not name a count',
    expected: [],
  },
  {
    name: 'guest-virtio-console',
    l0: DEFAULT_L0,
    l1: '6.12-tiny',
    guestConfig: 'virtio-console',
    cpus: 1,
    suites: ['linux'],
    about: 'guest console on virtio-console (hvc0): the virtio-console guest config in every Linux test that does not name one',
    expected: [],
  },
];

