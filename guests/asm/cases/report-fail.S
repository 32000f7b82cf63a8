/* report-fail: end the run through the BOOTCASE EXIT hypercall with failure code 7. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
	bootcase_exit 7
	.section .rodata
msg:	.asciz "check 7 failed\n"
