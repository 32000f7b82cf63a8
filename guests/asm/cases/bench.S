/*
 * bench: timestamps (BOOTCASE MARK, taken by the VMM) around three loops of N operations:
 *   mark 0 .. mark 1   N BOOTCASE NOP calls: each one is an SBI exit to the VMM and back
 *   mark 1 .. mark 2   N reads of the UART scratch register: each one is an MMIO exit
 *   mark 2 .. mark 3   N SBI BASE get_spec_version calls, answered inside KVM (no VMM exit)
 *   mark 3 .. mark 4   N HSM hart_get_status(0) calls: inside KVM, or in the VMM with
 *                      --sbi-serve hsm
 * The harness divides each interval by N.
 */
#include "bootcase.h"
#define N 1000
	.option nopic
	.text
	.globl main
main:
	li a0, 0
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK
	li s1, N
1:	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_NOP
	addi s1, s1, -1
	bnez s1, 1b
	li a0, 1
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK
	li s1, N
	li s2, UART0
2:	lbu t0, 7(s2)
	addi s1, s1, -1
	bnez s1, 2b
	li a0, 2
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK
	li s1, N
3:	sbi_call SBI_EXT_BASE, 0
	addi s1, s1, -1
	bnez s1, 3b
	li a0, 3
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK
	li s1, N
4:	li a0, 0
	sbi_call SBI_EXT_HSM, 2
	addi s1, s1, -1
	bnez s1, 4b
	li a0, 4
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK
	bootcase_exit 0
