/* reboot: SRST cold reboot; KVM turns it into a RESET system event. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	li a0, SRST_TYPE_COLD_REBOOT
	li a1, 0
	sbi_call SBI_EXT_SRST, 0
	bootcase_exit 1
	.section .rodata
msg:	.asciz "rebooting\n"
