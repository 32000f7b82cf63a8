/*
 * kmsg.h - KVM's report of a failed guest exit, read back from the kernel log.
 *
 * When KVM cannot handle a guest trap (RISC-V: a guest instruction fetch from an address no
 * memslot backs, say), KVM_RUN fails with an errno and nothing else: the trap registers go
 * only to the kernel log (arch/riscv/kvm/vcpu_exit.c, kvm_riscv_vcpu_exit()):
 *
 *   kvm [<tid>]: VCPU exit error -95
 *   kvm [<tid>]: SEPC=0x20000000 SSTATUS=0x200000120 HSTATUS=0x200200080
 *   kvm [<tid>]: SCAUSE=0x14 STVAL=0x20000000 HTVAL=0x8000000 HTINST=0x0
 *
 * <tid> is the vCPU thread's id, so the lines of one thread are told apart from the rest.
 */
#ifndef BOOTCASE_KMSG_H
#define BOOTCASE_KMSG_H

#include <stdint.h>

struct kvm_trap_regs {
	int have; /* the SCAUSE line was found */
	uint64_t sepc, scause, stval, htval, htinst;
};

/* Take what one log record (a /dev/kmsg record, or a dmesg line) says about thread tid into
 * t; 1 if it was one of KVM's exit-error lines for that thread, else 0. */
int kmsg__parse_trap(const char *record, long tid, struct kvm_trap_regs *t);
/* Read the kernel log (/dev/kmsg) for thread tid's latest report; 0, or -errno when the log
 * cannot be read or holds no report (t->have stays 0). */
int kmsg__read_trap(long tid, struct kvm_trap_regs *t);

#endif
