/* shutdown: SRST system shutdown with reset reason 1 ("system failure"), which the VMM reports. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	li a0, SRST_TYPE_SHUTDOWN
	li a1, 1
	sbi_call SBI_EXT_SRST, 0
	bootcase_exit 1         /* SRST must not return */
	.section .rodata
msg:	.asciz "shutting down with reason 1\n"
