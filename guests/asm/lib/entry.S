/*
 * entry.S - common start: a stack in .bss, then main(hartid, dtb).
 * If main returns, the guest has nothing left to do: report failure code 0xdead so
 * that a case that forgot to end itself is a visible failure, not a hang.
 */
#include "bootcase.h"
	.option nopic
	.section .text.entry
	.globl _start
_start:
	la sp, stack_top
	call main
	bootcase_exit 0xdead
1:	wfi
	j 1b

	.section .bss
	.balign 16
	.skip 8192
stack_top:
