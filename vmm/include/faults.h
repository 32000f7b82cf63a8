/*
 * faults.h - THE fault kinds a run can end with, and the names the end event gives them
 * (docs/protocol.md, "end"). core/ raises them; the harness reads the same list through the
 * native addon (native/), so a kind cannot be added on one side only.
 */
#ifndef BOOTCASE_FAULTS_H
#define BOOTCASE_FAULTS_H

#define VCPU_FAULT_KINDS(X)                        \
	X(FAULT_MMIO_UNMAPPED, "mmio-unmapped")    \
	X(FAULT_SBI_UNKNOWN, "sbi-unknown")        \
	X(FAULT_KVM_RUN, "kvm-run")                \
	X(FAULT_KVM_EXIT, "kvm-exit")              \
	X(FAULT_DEVICE, "device")

#endif
