// Guest Sv39 Accessed/Dirty updates (guests/asm/cases/paging-ad.c): a load, a store and a fetch
// through guest PTEs with A (or D) clear either succeed and set the bit in hardware, as xv6-riscv
// needs (its page tables never set A or D), or raise a page fault. That is why real xv6 hangs
// right after "xv6 kernel is booting" on the QEMU 10 L0: see the deviation's reason.
import { asmGuest, boot } from '../../harness/index.js';
import { describeTap, fileStage } from '../../harness/vitest/tap-suite.js';
import { knownDeviations } from './sbi-deviations.js';

const stage = fileStage();

describeTap(
  'guest Sv39 paging: the hart updates A and D in guest PTEs',
  async (signal) => {
    await using vm = await boot(asmGuest('paging-ad'), { stage: await stage(), signal });
    return await vm.result();
  },
  { knownDeviations },
);
