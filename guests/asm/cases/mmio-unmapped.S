/*
 * mmio-unmapped: store to 0x20000000, which is neither RAM nor a device in layout.h.
 * KVM sees a G-stage fault outside every memslot and exits with KVM_EXIT_MMIO; the VMM must
 * end the run with an mmio-unmapped fault naming this address, never ignore the store.
 */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	li t0, 0x20000000
	li t1, 0xbadc0de
	sw t1, 0(t0)
	bootcase_exit 1         /* reaching here means the store was silently dropped */
	.section .rodata
msg:	.asciz "storing to 0x20000000\n"
