/* hello-dbcn: print through the SBI debug console (DBCN write), then SRST shutdown. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	bnez a0, 1f             /* DBCN left disabled by the VMM answers -2 */
	li a0, SRST_TYPE_SHUTDOWN
	li a1, 0
	sbi_call SBI_EXT_SRST, 0
1:	bootcase_exit 1
	.section .rodata
msg:	.asciz "Hello from guest via DBCN\n"
