// The SBI compliance suite (#6): one vitest test per check the guest reports in TAP, against
// KVM's SBI and against the extensions the VMM serves itself.
import { asmGuest, boot } from '../../harness/index.js';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';
import { knownDeviations } from './sbi-deviations.js';

const stage = fileStage();

describeTap(
  'SBI compliance, 1 hart',
  async () => {
    await using vm = await boot(asmGuest('sbi-compliance'), { stage: await stage() });
    return await vm.result();
  },
  { knownDeviations },
);

describeTap(
  'SBI compliance, 2 harts (HSM start/stop of a secondary)',
  async () => {
    await using vm = await boot(asmGuest('sbi-compliance', { vmmArgs: ['--cpus', '2'] }), { stage: await stage() });
    return await vm.result();
  },
  { knownDeviations },
);

// The same checks against the VMM's own TIME, IPI and HSM (--sbi-serve; our patched L1), so the
// extensions bootcase serves are held to the spec exactly as KVM's are.
describeTap(
  'SBI compliance, 2 harts, TIME/IPI/HSM served by the VMM',
  async () => {
    await using vm = await boot(asmGuest('sbi-compliance', { sbiServe: ['time', 'ipi', 'hsm'], vmmArgs: ['--cpus', '2'] }), { stage: await stage() });
    return await vm.result();
  },
  { knownDeviations },
);
