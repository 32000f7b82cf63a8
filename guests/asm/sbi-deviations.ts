// Checks of the SBI compliance and paging guests that fail on this stack (QEMU TCG with H as the L0, L1 Linux
// 6.12 KVM, our VMM) for reasons outside bootcase, with the evidence. Each is keyed by the exact TAP
// point name and pinned to what the guest reports (`got`/`want`, guests/asm/lib/tap.c): only that
// result is excused. Any other failure of the check fails, and so does a pass, so the entry has
// to go once the stack is fixed.
import type { TapDeviations } from '../../harness/protocol/tap.js';
import { l0Name, type L0Name } from '../../harness/stage/l0.js';

// QEMU 10 implements Svadu; 7.2 always set A/D. Found chasing real xv6's hang on QEMU 10 (README, xv6).
const ADUE_REASON =
  'QEMU 10 (the L0) sets A/D in a VS-stage (guest) PTE only when henvcfg.ADUE = 1 (Svadu; its target/riscv/cpu_helper.c ' +
  'get_physical_address ANDs menvcfg.ADUE with henvcfg.ADUE for the VS stage), else the access page-faults (Svade). ' +
  'KVM 6.12 never sets henvcfg.ADUE (its csr.h has no ENVCFG_ADUE; upstream 97eccf7db4f2 added Svadu for guests later), ' +
  'and an L0 -cpu svadu=off does not help (henvcfg.ADUE is then read-only 0). QEMU 7.2 always set A/D. ' +
  'Real xv6 never sets A/D: it faults on its first fetch after writing satp, into the shim stvec it has not mapped, and loops there';

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
  '10': {
    // got is the access's scause (12 fetch, 13 load, 15 store page fault); 0 would be no fault.
    'PAGING: a load through a PTE with A = 0 does not fault': { reason: ADUE_REASON, diag: { got: 13, want: 0 } },
    'PAGING: a store through a PTE with D = 0 does not fault': { reason: ADUE_REASON, diag: { got: 15, want: 0 } },
    'PAGING: a fetch through a PTE with A = 0 does not fault': { reason: ADUE_REASON, diag: { got: 12, want: 0 } },
  },
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
