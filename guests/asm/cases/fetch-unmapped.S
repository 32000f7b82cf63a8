/*
 * fetch-unmapped: jump to 0x20000000, which is neither RAM nor a device in layout.h. An
 * instruction fetch there is a guest-page fault KVM cannot emulate (MMIO is loads and stores
 * only), so KVM_RUN fails and the trap registers go to L1's kernel log. The run must end in a
 * kvm-run fault naming the hart, the pc and that trap: scause 0x14 (instruction guest-page
 * fault), stval = the address, htval = the address >> 2.
 */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	li t0, 0x20000000
	jr t0
	.section .rodata
msg:	.asciz "jumping to 0x20000000\n"
