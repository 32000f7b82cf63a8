// Checks of the SBI compliance and paging guests that fail on this stack (QEMU TCG with H as the L0, L1 Linux
// 6.12 KVM, our VMM) for reasons outside bootcase, with the evidence. Each is keyed by the exact TAP
// point name and pinned to what the guest reports (`got`/`want`, guests/asm/lib/tap.c): only that
// result is excused. Any other failure of the check fails, and so does a pass, so the entry has
// to go once the stack is fixed.
import type { TapDeviations } from '../../harness/protocol/tap.js';
import { l0Name, type L0Name } from '../../harness/stage/l0.js';

/** Deviations that come from one L0 QEMU (harness/stage/l0.ts), not from KVM or the VMM. */
const L0_DEVIATIONS: Readonly<Record<L0Name, TapDeviations>> = {
  '7.2': {
    // got is a bit field (cases/sbi-compliance.c): 1 = STIP pending, 2 = the interrupt was taken.
    // The deviation is "neither" (0); a masked timer that is taken (2 or 3) is a bug, not this.
    'TIME: a masked timer is pending, not taken': {
      reason: "QEMU 7.2 (the L0) hides sip.STIP from VS-mode: its rmw_vsip64 (target/riscv/csr.c) masks VS-mode reads of sip to VSSIP, so a due, masked timer reads as not pending (it is delivered once STIE is set); QEMU 10 shows it",
      diag: { got: 0, want: 1 },
    },
  },
  // The PAGING checks pass on both: QEMU 10 has Svadu and updates a guest PTE's A/D only when
  // henvcfg.ADUE = 1, which stock KVM 6.12 never sets (a load/store/fetch through a PTE with
  // A or D clear then page-faults: real xv6 hung so). Our L1 patch sets it
  // (images/kernels/patches/6.12-sbi-user.patch); 7.2 always set A/D.
  '10': {},
};

const STACK_DEVIATIONS: TapDeviations = {
  'SRST: a reserved reset_type is INVALID_PARAM': {
    reason: 'KVM 6.12 answers NOT_SUPPORTED (-2); SBI v2.0 §10.1 asks for INVALID_PARAM (-3)',
    diag: { got: -2, want: -3 },
  },
};

/** The known deviations on an L0 (BOOTCASE_L0 by default): KVM's plus that L0's own. */
export function deviationsOn(l0: L0Name = l0Name()): TapDeviations {
  return { ...STACK_DEVIATIONS, ...L0_DEVIATIONS[l0] };
}

export const knownDeviations: TapDeviations = deviationsOn();
