// Checks of the SBI compliance guest that fail on this stack (QEMU 7.2 TCG with H, L1 Linux 6.12
// KVM, our VMM) for reasons outside bootcase, with the evidence. Each is an expected failure:
// if the stack is fixed, the test fails until the entry is removed.
export const knownDeviations: Record<string, string> = {
  'TIME: a masked timer is pending, not taken':
    'sip.STIP reads 0 in VS-mode while a masked timer is due (the interrupt is delivered once STIE is set); seen with QEMU 7.2 TCG + KVM 6.12',
  'SRST: a reserved reset_type is INVALID_PARAM': 'KVM 6.12 answers NOT_SUPPORTED (-2); SBI v2.0 §10.1 asks for INVALID_PARAM (-3)',
};
