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
/* enum KVM_RISCV_SBI_EXT_ID, the register index of KVM_REG_RISCV_SBI_EXT. The 6.1 headers
 * stop before DBCN; a KVM older than an id answers ENOENT for it. */
#define BOOTCASE_KVM_SBI_EXT_V01 0
#define BOOTCASE_KVM_SBI_EXT_TIME 1
#define BOOTCASE_KVM_SBI_EXT_IPI 2
#define BOOTCASE_KVM_SBI_EXT_RFENCE 3
#define BOOTCASE_KVM_SBI_EXT_SRST 4
#define BOOTCASE_KVM_SBI_EXT_HSM 5
#define BOOTCASE_KVM_SBI_EXT_PMU 6
#define BOOTCASE_KVM_SBI_EXT_EXPERIMENTAL 7
#define BOOTCASE_KVM_SBI_EXT_VENDOR 8
#define BOOTCASE_KVM_SBI_EXT_DBCN 9 /* Linux >= 6.8 */
#define BOOTCASE_KVM_SBI_EXT_STA 10
#define BOOTCASE_KVM_SBI_EXT_SUSP 11 /* SUSP, FWFT, MPXY: after 6.12 */
#define BOOTCASE_KVM_SBI_EXT_FWFT 12
#define BOOTCASE_KVM_SBI_EXT_MPXY 13
#define BOOTCASE_KVM_SBI_EXT__COUNT 14

/* The L1 patch's VM capability (images/kernels/patches/6.12-sbi-user.patch, vm-sbi.c):
 * KVM_ENABLE_CAP args[0] = FORWARD | REPORT; KVM_CHECK_EXTENSION returns the known flags.
 * A REPORT exit is a KVM_EXIT_RISCV_SBI with kvm_run.flags bit 0 set. */
#define BOOTCASE_KVM_CAP_SBI_USER 0x42430001
#define BOOTCASE_KVM_SBI_FORWARD (1u << 0)
#define BOOTCASE_KVM_SBI_REPORT (1u << 1)
/* calls to an extension this KVM lacks (SUSP, FWFT on 6.12) come to us too */
#define BOOTCASE_KVM_SBI_FORWARD_ABSENT (1u << 2)
#define BOOTCASE_KVM_SBI_RUN_REPORTED (1u << 0)
/* With FORWARD on: KVM_INTERRUPT raises the vCPU's VSSIP, from any thread (served IPI). */
#define BOOTCASE_KVM_INTERRUPT_SSIP 0x42435353u

/* struct kvm_riscv_config: isa 0, zicbom_block_size 1, mvendorid 2, marchid 3, mimpid 4,
 * zicboz_block_size 5, satp_mode 6 (Linux >= 6.4) */
#define BOOTCASE_KVM_CONFIG_ISA 0
#define BOOTCASE_KVM_CONFIG_SATP_MODE 6

/*
 * enum KVM_RISCV_ISA_EXT_ID (Linux 6.12 UAPI): the index of each KVM_REG_RISCV_ISA_EXT
 * register, and the extension's name as the device tree spells it (riscv,isa-extensions,
 * Documentation/devicetree/bindings/riscv/extensions.yaml). The 6.1 cross headers stop at
 * ZICBOM (11), so the list lives here; a KVM older than an id answers ENOENT for it.
 */
#define BOOTCASE_KVM_ISA_EXTS(X) \
	X(0, "a") X(1, "c") X(2, "d") X(3, "f") \
	X(4, "h") X(5, "i") X(6, "m") X(7, "svpbmt") \
	X(8, "sstc") X(9, "svinval") X(10, "zihintpause") X(11, "zicbom") \
	X(12, "zicboz") X(13, "zbb") X(14, "ssaia") X(15, "v") \
	X(16, "svnapot") X(17, "zba") X(18, "zbs") X(19, "zicntr") \
	X(20, "zicsr") X(21, "zifencei") X(22, "zihpm") X(23, "smstateen") \
	X(24, "zicond") X(25, "zbc") X(26, "zbkb") X(27, "zbkc") \
	X(28, "zbkx") X(29, "zknd") X(30, "zkne") X(31, "zknh") \
	X(32, "zkr") X(33, "zksed") X(34, "zksh") X(35, "zkt") \
	X(36, "zvbb") X(37, "zvbc") X(38, "zvkb") X(39, "zvkg") \
	X(40, "zvkned") X(41, "zvknha") X(42, "zvknhb") X(43, "zvksed") \
	X(44, "zvksh") X(45, "zvkt") X(46, "zfh") X(47, "zfhmin") \
	X(48, "zihintntl") X(49, "zvfh") X(50, "zvfhmin") X(51, "zfa") \
	X(52, "ztso") X(53, "zacas") X(54, "sscofpmf") X(55, "zimop") \
	X(56, "zca") X(57, "zcb") X(58, "zcd") X(59, "zcf") \
	X(60, "zcmop") X(61, "zawrs")
#define BOOTCASE_KVM_ISA_EXT__COUNT 62

#define RISCV_REG(type, idx) (KVM_REG_RISCV | KVM_REG_SIZE_U64 | (type) | (idx))
#define RISCV_CORE_REG(field) \
	RISCV_REG(KVM_REG_RISCV_CORE, offsetof(struct kvm_riscv_core, field) / sizeof(unsigned long))
#define RISCV_CONFIG_REG(idx) RISCV_REG(KVM_REG_RISCV_CONFIG, idx)
#define RISCV_TIMER_REG(field) \
	RISCV_REG(KVM_REG_RISCV_TIMER, offsetof(struct kvm_riscv_timer, field) / sizeof(__u64))
#define RISCV_SBI_EXT_REG(idx) RISCV_REG(KVM_REG_RISCV_SBI_EXT, KVM_REG_RISCV_SBI_SINGLE | (idx))
/* General CSRs (subtype 0 since Linux 6.6, the same encoding as 6.1's flat list) */
#define RISCV_CSR_REG(field) \
	RISCV_REG(KVM_REG_RISCV_CSR, offsetof(struct kvm_riscv_csr, field) / sizeof(unsigned long))
/* ISA extension enable registers: 1 = the guest has the extension (subtype 0, "single") */
#define RISCV_ISA_EXT_REG(id) RISCV_REG(KVM_REG_RISCV_ISA_EXT, id)

#endif
