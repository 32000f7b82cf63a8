/* crt0.S - start for C guests: stack, clear .bss, main(hartid, dtb), then EXIT with main's value. */
#include "bootcase.h"
	.option nopic
	.section .text.entry
	.globl _start
_start:
	la sp, stack_top
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call main
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_EXIT   /* a0 = main's return value */
3:	wfi
	j 3b

	.section .stack, "aw", @nobits
	.balign 16
	.skip 16384
stack_top:
