/*
 * console.S - the two SBI console paths a guest can use.
 *   legacy_puts(a0 = string): one legacy putchar ecall (EID 0x01) per byte. KVM forwards it
 *     to the VMM only when the L1 kernel has CONFIG_RISCV_SBI_V01.
 *   dbcn_puts(a0 = string): one DBCN write (EID "DBCN", FID 0) for the whole string; the VMM
 *     reads the bytes from guest memory (num_bytes, base_lo, base_hi).
 * Both return the SBI error of the last call in a0.
 */
#include "bootcase.h"
	.option nopic
	.text
	.globl legacy_puts
legacy_puts:
	mv t0, a0
	li t1, 0                /* the last call's error: loading the NUL below overwrites a0 */
1:	lbu a0, 0(t0)
	beqz a0, 2f
	sbi_call SBI_EXT_LEGACY_PUTCHAR, 0
	mv t1, a0
	addi t0, t0, 1
	j 1b
2:	mv a0, t1
	ret

	.globl dbcn_puts
dbcn_puts:
	mv t0, a0
	mv t1, a0
1:	lbu t2, 0(t1)           /* strlen */
	beqz t2, 2f
	addi t1, t1, 1
	j 1b
2:	sub a0, t1, t0          /* num_bytes */
	mv a1, t0               /* base_addr_lo */
	li a2, 0                /* base_addr_hi */
	sbi_call SBI_EXT_DBCN, 0
	ret
