// The L2 Linux on an L1 hart with every extension QEMU has (-cpu max): KVM passes Zkr to the
// guest, Linux reads the `seed` CSR for early randomness, and KVM 6.12 leaves that access to user
// space (KVM_EXIT_RISCV_CSR). The VMM answers it as an entropy source (vmm/core/vcpu.c); before,
// the run ended in "unhandled exit reason 36" before init.
import { boot, linuxGuest } from '../../harness/index.js';
import { expect } from 'vitest';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';

const maxStage = fileStage({ machine: { cpu: 'max' } });

describeTap('Linux on -cpu max: the seed CSR reads reach the VMM and are answered', async (signal) => {
  await using vm = await boot(linuxGuest({ name: 'linux-cpu-max' }), { stage: await maxStage(), signal });
  const run = await vm.result();
  expect(run.console).toMatch(/^isa: .*_zkr_/m); // the guest was told of Zkr
  expect(run.exits.other).toBeGreaterThan(0); // and its seed reads came to the VMM
  return run;
});
