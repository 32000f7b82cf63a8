/*
 * kvm-riscv.h - RISC-V KVM ONE_REG ids, including the ones the Debian bookworm cross
 * headers (Linux 6.1) do not have yet. Values are the kernel's UAPI (arch/riscv/include/
 * uapi/asm/kvm.h), so defining them here is compatible with newer headers.
 */
#ifndef BOOTCASE_KVM_RISCV_H
#define BOOTCASE_KVM_RISCV_H

#include <stddef.h>
#include <linux/kvm.h>

#ifndef KVM_REG_RISCV_SUBTYPE_SHIFT
#define KVM_REG_RISCV_SUBTYPE_SHIFT 16
#endif
/* SBI extension enable/disable registers: type 8 (Linux >= 6.6) */
#ifndef KVM_REG_RISCV_SBI_EXT
#define KVM_REG_RISCV_SBI_EXT (0x08 << KVM_REG_RISCV_TYPE_SHIFT)
#endif
#ifndef KVM_REG_RISCV_SBI_SINGLE
#define KVM_REG_RISCV_SBI_SINGLE (0x0 << KVM_REG_RISCV_SUBTYPE_SHIFT)
#endif
/* enum KVM_RISCV_SBI_EXT_ID: V01 0, TIME, IPI, RFENCE, SRST, HSM, PMU, EXPERIMENTAL,
 * VENDOR, DBCN 9 (Linux >= 6.8) */
#define BOOTCASE_KVM_SBI_EXT_DBCN 9

/* struct kvm_riscv_config: isa 0, zicbom_block_size 1, mvendorid 2, marchid 3, mimpid 4,
 * zicboz_block_size 5, satp_mode 6 (Linux >= 6.4) */
#define BOOTCASE_KVM_CONFIG_ISA 0
#define BOOTCASE_KVM_CONFIG_SATP_MODE 6

#define RISCV_REG(type, idx) (KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (idx))
#define RISCV_CORE_REG(field) \
	RISCV_REG(KVM_REG_RISCV_CORE, offsetof(struct kvm_riscv_core, field) / sizeof(unsigned long))
#define RISCV_CONFIG_REG(idx) RISCV_REG(KVM_REG_RISCV_CONFIG, idx)
#define RISCV_TIMER_REG(field) \
	RISCV_REG(KVM_REG_RISCV_TIMER, offsetof(struct kvm_riscv_timer, field) / sizeof(__u64))
#define RISCV_SBI_EXT_REG(idx) RISCV_REG(KVM_REG_RISCV_SBI_EXT, KVM_REG_RISCV_SBI_SINGLE | (idx))

#endif
