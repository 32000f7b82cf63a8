/* hang: print, then spin forever without exits; only a deadline can end this run. */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	la a0, msg
	call dbcn_puts
1:	j 1b
	.section .rodata
msg:	.asciz "spinning forever\n"
