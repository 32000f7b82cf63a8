/*
 * kvm-aia.h - KVM's in-kernel RISC-V AIA irqchip (an APLIC and one IMSIC per vCPU), which
 * came in Linux 6.5: the Debian bookworm cross headers (Linux 6.1) have none of it. The values
 * are the 6.12 UAPI's (include/uapi/linux/kvm.h: enum kvm_device_type; arch/riscv/include/uapi/
 * asm/kvm.h: "Device Control API: RISC-V AIA"; Documentation/virt/kvm/devices/riscv-aia.rst),
 * so a newer header agrees with them.
 *
 * The device is driven with KVM_{GET,SET}_DEVICE_ATTR on the fd KVM_CREATE_DEVICE returns:
 * the CONFIG group takes a u32, the ADDR group a u64 guest physical address, and CTRL INIT
 * (no value) freezes it all once every vCPU exists. Wired sources are then raised and lowered
 * with KVM_IRQ_LINE (irq = APLIC source number, level 0/1).
 */
#ifndef BOOTCASE_KVM_AIA_H
#define BOOTCASE_KVM_AIA_H

/* enum kvm_device_type: after ARM_PV_TIME (10), the last entry the 6.1 headers have */
#define BOOTCASE_KVM_DEV_TYPE_RISCV_AIA 11

#define BOOTCASE_KVM_AIA_GRP_CONFIG 0
#define BOOTCASE_KVM_AIA_CONFIG_MODE 0 /* EMUL 0, HWACCEL 1, AUTO 2 (KVM picks at create) */
#define BOOTCASE_KVM_AIA_CONFIG_IDS 1  /* MSI identities per IMSIC file: riscv,num-ids */
#define BOOTCASE_KVM_AIA_CONFIG_SRCS 2 /* wired APLIC sources: riscv,num-sources */
#define BOOTCASE_KVM_AIA_CONFIG_HART_BITS 5 /* hart index bits of an IMSIC address */
#define BOOTCASE_KVM_AIA_MODE_EMUL 0
#define BOOTCASE_KVM_AIA_MODE_HWACCEL 1
#define BOOTCASE_KVM_AIA_MODE_AUTO 2

#define BOOTCASE_KVM_AIA_GRP_ADDR 1
#define BOOTCASE_KVM_AIA_ADDR_APLIC 0
#define BOOTCASE_KVM_AIA_ADDR_IMSIC(vcpu) (1 + (vcpu))

#define BOOTCASE_KVM_AIA_GRP_CTRL 2
#define BOOTCASE_KVM_AIA_CTRL_INIT 0

#endif
