/*
 * sbi-illegal: two unknown SBI calls.
 * 1. EID 0x0a000000 is outside every range KVM forwards, so KVM itself must answer
 *    SBI_ERR_NOT_SUPPORTED (-2); anything else is a failure (exit code 2).
 * 2. EID 0x09000042 is in the vendor range, which KVM forwards to the VMM. The VMM implements
 *    no vendor extension, so it must end the run with an sbi-unknown fault naming EID and FID 3.
 */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	sbi_call 0x0a000000, 0
	li t0, -2
	bne a0, t0, 1f
	la a0, msg
	call dbcn_puts
	sbi_call 0x09000042, 3
	bootcase_exit 1         /* the VMM returned to us: the call was ignored */
1:	bootcase_exit 2
	.section .rodata
msg:	.asciz "KVM answered EID 0x0a000000 with NOT_SUPPORTED\n"
