/*
 * uart-hello: print by storing to the 16550 transmit holding register (UART0 + 0), one MMIO
 * exit per byte, after polling LSR (offset 5) for THRE (bit 5); then SRST shutdown.
 */
#include "bootcase.h"
	.option nopic
	.text
	.globl main
main:
	li t0, UART0
	la t1, msg
1:	lbu t2, 0(t1)
	beqz t2, 3f
2:	lbu t3, 5(t0)
	andi t3, t3, 0x20
	beqz t3, 2b
	sb t2, 0(t0)
	addi t1, t1, 1
	j 1b
3:	li a0, SRST_TYPE_SHUTDOWN
	li a1, 0
	sbi_call SBI_EXT_SRST, 0
	bootcase_exit 1
	.section .rodata
msg:	.asciz "Hello from guest via the 16550 UART\n"
