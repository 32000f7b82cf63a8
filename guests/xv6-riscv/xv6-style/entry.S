/*
 * entry.S - where every hart starts, in M-mode, and the M-mode timer handler (CLINT era).
 *
 * QEMU virt with `-bios none` jumps every hart to 0x80000000 with a0 = mhartid and a1 = the
 * DTB. Under `vmm --profile xv6` the shim does the same from the firmware window, so this code
 * is where xv6's entry.S would be: nothing is set up yet, not even a stack.
 */
#include "defs.h"

	.option nopic
	.section .text.entry
	.globl _entry
_entry:
	/* one STACK_SIZE slice of stack0 per hart; sp starts at the top of its slice */
	csrr t0, mhartid            /* an M-mode CSR: under the profile, the shim answers */
	li t1, NCPU
	bgeu t0, t1, park           /* a hart beyond our tables has nothing to do */
	addi t0, t0, 1
	li t1, STACK_SIZE
	mul t0, t0, t1
	la sp, stack0
	add sp, sp, t0
	mv a0, a1                   /* start(dtb) */
	call start                  /* start() leaves by mret and never returns */
park:
	wfi
	j park

/*
 * timervec: mtvec in the CLINT era. The CLINT raises the machine timer interrupt (mip.MTIP)
 * once mtime >= mtimecmp[hart]; only M-mode can take it, and only a new mtimecmp clears it.
 * So this handler pushes the deadline one interval on and hands the tick to S-mode as a
 * supervisor software interrupt (sip.SSIP), which main()'s trap handler counts and clears.
 *
 * M-mode has no stack here (the interrupted S-mode sp belongs to S-mode), so mscratch holds
 * this hart's timer_scratch (start.c): [0] the address of its mtimecmp, [1] the interval,
 * [2..4] room for the three registers the handler uses.
 *
 * Under the xv6 profile this never runs: nothing in a KVM guest takes a machine interrupt,
 * and the VMM's CLINT model (vmm/dev/clint.c) performs these same two effects instead.
 */
	.balign 4
	.globl timervec
timervec:
	csrrw a0, mscratch, a0      /* a0 = scratch, mscratch = the interrupted a0 */
	sd a1, 16(a0)
	sd a2, 24(a0)
	sd a3, 32(a0)
	ld a1, 0(a0)                /* &mtimecmp[hart] */
	ld a2, 8(a0)                /* interval */
	ld a3, 0(a1)
	add a3, a3, a2
	sd a3, 0(a1)                /* the next deadline; this also lowers mip.MTIP */
	li a1, 1 << IRQ_S_SOFT
	csrs sip, a1                /* the tick, for S-mode */
	ld a3, 32(a0)
	ld a2, 24(a0)
	ld a1, 16(a0)
	csrrw a0, mscratch, a0
	mret
