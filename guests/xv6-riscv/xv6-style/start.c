/*
 * start.c - the M-mode part of the boot, in xv6's style: set up what S-mode needs, arm this
 * hart's clock, then mret into main() in S-mode. Every hart runs it, on its own stack0 slice.
 *
 * Under `vmm --profile xv6` each M-mode CSR access here traps to the shim, which applies it to
 * this hart's shadow registers, and the mret becomes an sret to the shadow mepc in the shadow
 * MPP mode (guests/xv6-riscv/shim.S). The S-mode CSRs (satp, stimecmp) are real.
 */
#include "defs.h"

__attribute__((aligned(16))) char stack0[STACK_SIZE * NCPU];
uint64 boot_dtb;

#ifndef SSTC
/* timervec's per-hart area (entry.S): &mtimecmp, interval, three register saves */
static uint64 timer_scratch[NCPU][5];

/* CLINT era: the machine timer, forwarded to S-mode by timervec. */
static void timerinit(int id)
{
	volatile uint64 *mtimecmp = (volatile uint64 *)CLINT_MTIMECMP(id);
	uint64 *scratch = timer_scratch[id];

	harts[id].due = *(volatile uint64 *)CLINT_MTIME + TICK_INTERVAL;
	*mtimecmp = harts[id].due;
	scratch[0] = (uint64)mtimecmp;
	scratch[1] = TICK_INTERVAL;
	csr_write(mscratch, scratch);
	csr_write(mtvec, timervec);
	csr_set(mstatus, MSTATUS_MIE); /* for M-mode itself; below M they always are */
	csr_set(mie, 1UL << IRQ_M_TIMER);
}
#else
/* Sstc era: S-mode gets its own timer compare, stimecmp; M-mode only has to allow it. */
static void timerinit(int id)
{
	csr_set(mie, 1UL << IRQ_S_TIMER);
	csr_set(CSR_MENVCFG, MENVCFG_STCE); /* stimecmp exists for S-mode */
	harts[id].due = r_time() + TICK_INTERVAL;
	csr_write(CSR_STIMECMP, harts[id].due);
}
#endif

void start(uint64 dtb)
{
	int id = (int)csr_read(mhartid);
	uint64 mstatus = csr_read(mstatus);

	/* mret goes to main() in S-mode */
	csr_write(mstatus, (mstatus & ~MSTATUS_MPP_MASK) | MSTATUS_MPP_S);
	csr_write(mepc, main); /* where main() is: the guest runs where it was linked */
	csr_write(satp, 0); /* no paging */

	/* Traps and interrupts go to S-mode, except an ecall from S-mode: that is how main()
	 * ends the run (the BOOTCASE EXIT hypercall, answered below us by the VMM). */
	csr_write(medeleg, 0xffffUL & ~(1UL << 9));
	csr_write(mideleg, 0xffffUL);

	/* PMP entry 0: top-of-range (A = TOR) up to the largest address, R, W and X, so S-mode
	 * may touch all of physical memory. Without any PMP entry, S-mode could touch nothing. */
	csr_write(pmpaddr0, 0x3fffffffffffffUL);
	csr_write(pmpcfg0, 0xfUL);

	/* S-mode may read the time CSR: the Sstc era needs it for stimecmp, and main() reads it
	 * in both eras for its deadlines (xv6 before 2024 never read time in S-mode) */
	csr_set(mcounteren, MCOUNTEREN_TM);
	timerinit(id);

	if (id == 0)
		boot_dtb = dtb;
	asm volatile("mv tp, %0" : : "r"((uint64)id)); /* cpuid() in S-mode */
	asm volatile("mret");
}
