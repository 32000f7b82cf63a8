/*
 * paging-ad: does the hart set the Accessed and Dirty bits of a VS-stage (guest) Sv39 PTE
 * itself, or does it raise a page fault? The privileged spec let an implementation do either
 * ("Svade" faults, "Svadu" with henvcfg.ADUE = 1 updates). xv6-riscv relies on the hardware:
 * its mappages() writes PTE_V | perm with A = D = 0, so on a faulting hart the first fetch after
 * it writes satp traps, to a stvec that is not mapped yet (our shim's, in the xv6 profile), and
 * the hart loops there without a single exit.
 *
 * The guest maps DRAM's first GiB four times with gigapages: once with A = D = 1 (code, stack,
 * data, and DBCN's buffers, identity-mapped), and three aliases whose leaf PTE has A = 0 (load
 * and fetch) or A = 1, D = 0 (store). It touches each alias once with paging on, records the
 * page fault (scause) or its absence and the PTE afterwards, turns paging off, reports TAP and
 * shuts down.
 */
#include "tap.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define GIB (1UL << 30)
#define DRAM 0x80000000UL
#define SATP_SV39 (8UL << 60)
/* VPN[2] slots: 2 is DRAM itself; the aliases are 4, 5 and 6 (VA 4, 5, 6 GiB) */
#define LOAD_ALIAS 4
#define STORE_ALIAS 5
#define FETCH_ALIAS 6
#define SCAUSE_FETCH_PF 12
#define SCAUSE_LOAD_PF 13
#define SCAUSE_STORE_PF 15
#define LOAD_READS "the load reads the aliased memory"
#define LOAD_SETS_A "the load sets A in the PTE (got/want: its flags)"
#define STORE_WRITES "the store writes the aliased memory"
#define STORE_SETS_D "the store sets D in the PTE (got/want: its flags)"
#define FETCH_RUNS "the function fetched through the alias runs"
#define FETCH_SETS_A "the fetch sets A in the PTE (got/want: its flags)"

static uint64_t root[512] __attribute__((aligned(4096)));
static volatile unsigned long faulted; /* the scause of the last page fault, 0 = none */
static volatile uint64_t target = 0x5a5a;

void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	if (scause == SCAUSE_LOAD_PF || scause == SCAUSE_STORE_PF) {
		faulted = scause;
		csr_write(sepc, sepc + 4); /* the accesses below are 4-byte (norvc) instructions */
	} else if (scause == SCAUSE_FETCH_PF) {
		faulted = scause;
		csr_write(sepc, stval - (FETCH_ALIAS * GIB - DRAM)); /* run it at its real address */
	} else {
		tap_bail_trap(scause, sepc, stval);
	}
}

static uint64_t gigapage(uint64_t pa, uint64_t flags) { return ((pa >> 12) << 10) | PTE_V | flags; }
static unsigned long alias(unsigned slot, const volatile void *p) { return (unsigned long)p - DRAM + slot * GIB; }

/* A leaf function to call through the fetch alias: PC-relative code only, so it runs anywhere. */
__attribute__((noinline)) static long answer(void) { return 42; }

static void paging_on(void)
{
	root[0] = gigapage(0, PTE_R | PTE_W | PTE_A | PTE_D); /* MMIO, identity */
	root[2] = gigapage(DRAM, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
	root[LOAD_ALIAS] = gigapage(DRAM, PTE_R | PTE_W);
	root[STORE_ALIAS] = gigapage(DRAM, PTE_R | PTE_W | PTE_A);
	root[FETCH_ALIAS] = gigapage(DRAM, PTE_R | PTE_X);
	asm volatile("sfence.vma" ::: "memory");
	csr_write(satp, SATP_SV39 | ((unsigned long)root >> 12));
	asm volatile("sfence.vma" ::: "memory");
}

static void paging_off(void)
{
	csr_write(satp, 0);
	asm volatile("sfence.vma" ::: "memory");
}

/* One check that the access did not fault (got = its scause); if it did, its effects are skipped. */
static int no_fault(const char *what, unsigned long pf, const char *effect1, const char *effect2)
{
	tap_check(pf == 0, "PAGING", what, (long)pf, 0);
	if (pf) {
		tap_skip("PAGING", effect1, "the access faulted");
		tap_skip("PAGING", effect2, "the access faulted");
	}
	return pf == 0;
}

int main(void)
{
	unsigned long load_pf, store_pf, fetch_pf;
	uint64_t v = 0;
	long r;

	trap_init();
	puts("TAP version 14\n");
	paging_on();
	faulted = 0;
	asm volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "=r"(v) : "r"(alias(LOAD_ALIAS, &target)) : "memory");
	load_pf = faulted;
	faulted = 0;
	asm volatile(".option push\n.option norvc\nsd %0, 0(%1)\n.option pop" ::"r"(0x77UL), "r"(alias(STORE_ALIAS, &target)) : "memory");
	store_pf = faulted;
	faulted = 0;
	r = ((long (*)(void))alias(FETCH_ALIAS, (const void *)answer))();
	fetch_pf = faulted;
	paging_off();

	if (no_fault("a load through a PTE with A = 0 does not fault", load_pf, LOAD_READS, LOAD_SETS_A)) {
		tap_check(v == 0x5a5a, "PAGING", LOAD_READS, (long)v, 0x5a5a);
		tap_check((root[LOAD_ALIAS] & PTE_A) != 0, "PAGING", LOAD_SETS_A, (long)(root[LOAD_ALIAS] & 0xff), (long)(PTE_V | PTE_R | PTE_W | PTE_A));
	}
	if (no_fault("a store through a PTE with D = 0 does not fault", store_pf, STORE_WRITES, STORE_SETS_D)) {
		tap_check(target == 0x77, "PAGING", STORE_WRITES, (long)target, 0x77);
		tap_check((root[STORE_ALIAS] & PTE_D) != 0, "PAGING", STORE_SETS_D, (long)(root[STORE_ALIAS] & 0xff), (long)(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
	}
	if (no_fault("a fetch through a PTE with A = 0 does not fault", fetch_pf, FETCH_RUNS, FETCH_SETS_A)) {
		tap_check(r == 42, "PAGING", FETCH_RUNS, r, 42);
		tap_check((root[FETCH_ALIAS] & PTE_A) != 0, "PAGING", FETCH_SETS_A, (long)(root[FETCH_ALIAS] & 0xff), (long)(PTE_V | PTE_R | PTE_X | PTE_A));
	}
	tap_plan();
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown: the TAP lines carry the verdict */
	puts("Bail out! SRST shutdown returned\n");
	return 0x5757;
}
