/* hello-legacy: print through legacy SBI putchar (EID 0x01), then SRST shutdown. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call legacy_puts
	bnez a0, 1f             /* KVM without SBI v0.1 answers -2: say so by failing */
	li a0, SRST_TYPE_SHUTDOWN
	li a1, 0
	sbi_call SBI_EXT_SRST, 0
1:	bootcase_exit 1
	.section .rodata
msg:	.asciz "Hello from guest via legacy putchar\n"
