// The SBI compliance suite (#6): one vitest test per check the guest reports in TAP, against
// KVM's SBI and against the extensions the VMM serves itself.
import { DEFAULT_L1 } from '../../harness/config.js';
import { asmGuest, boot, config } from '../../harness/index.js';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';
import { knownDeviations } from './sbi-deviations.js';

const stage = fileStage();

/**
 * The extensions the guest probes that our default stack (L1 6.12 + the VMM) provides: a skip of
 * any of them there is a regression, not an absent extension. Not here: SUSP and FWFT, which
 * KVM 6.12 does not have (arch/riscv/kvm has no vcpu_sbi_system.c or FWFT), and PMU, which KVM
 * offers only with CONFIG_RISCV_PMU_SBI, off in our tinyconfig L1. Other L1s (the matrix) differ,
 * e.g. 6.1's KVM has no DBCN or STA, so the floor holds on the default L1 only.
 */
const DEFAULT_STACK_EXTENSIONS = ['BASE', 'TIME', 'IPI', 'RFENCE', 'HSM', 'SRST', 'DBCN', 'STA'];
const onDefaultStack = (config.l1 ?? DEFAULT_L1) === DEFAULT_L1;
const required = onDefaultStack ? DEFAULT_STACK_EXTENSIONS : [];
/** With 2 harts the secondary-hart checks must run too (on 1 hart the guest skips them). */
const requiredSmp = onDefaultStack ? [...DEFAULT_STACK_EXTENSIONS, 'HSM: hart_start of the secondary succeeds'] : [];

describeTap(
  'SBI compliance, 1 hart',
  async (signal) => {
    await using vm = await boot(asmGuest('sbi-compliance'), { stage: await stage(), signal });
    return await vm.result();
  },
  { knownDeviations, required },
);

describeTap(
  'SBI compliance, 2 harts (HSM start/stop of a secondary)',
  async (signal) => {
    await using vm = await boot(asmGuest('sbi-compliance', { vmmArgs: ['--cpus', '2'] }), { stage: await stage(), signal });
    return await vm.result();
  },
  { knownDeviations, required: requiredSmp },
);

// The same checks against the VMM's own TIME, IPI and HSM (--sbi-serve; our patched L1), so the
// extensions bootcase serves are held to the spec exactly as KVM's are.
describeTap(
  'SBI compliance, 2 harts, TIME/IPI/HSM served by the VMM',
  async (signal) => {
    await using vm = await boot(asmGuest('sbi-compliance', { sbiServe: ['time', 'ipi', 'hsm'], vmmArgs: ['--cpus', '2'] }), { stage: await stage(), signal });
    return await vm.result();
  },
  { knownDeviations, required: requiredSmp },
);

// SUSP and FWFT, which KVM 6.12 lacks, served by the VMM (the patch's FORWARD_ABSENT): a real
// system suspend to RAM with the secondary stopped, and FWFT's answers for every feature.
describeTap(
  'SBI compliance, 2 harts, TIME/IPI/HSM/SUSP/FWFT served by the VMM',
  async (signal) => {
    await using vm = await boot(asmGuest('sbi-compliance', { sbiServe: ['time', 'ipi', 'hsm', 'susp', 'fwft'], vmmArgs: ['--cpus', '2'] }), { stage: await stage(), signal });
    return await vm.result();
  },
  { knownDeviations, required: onDefaultStack ? [...requiredSmp, 'SUSP', 'FWFT'] : [] },
);
