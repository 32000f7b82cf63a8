// The SBI compliance suite (#6): one vitest test per check the guest reports in TAP.
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
