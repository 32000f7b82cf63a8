/*
 * timer-poll: a TIME set_timer interrupt reaches a hart that busy-polls `time` instead of
 * sleeping in WFI (issue 12: with --sbi-trace it did not). Each hart present (1 or 2) enables
 * sstatus.SIE and sie.STIE, then ROUNDS times asks KVM's TIME extension for an interrupt 1 ms
 * ahead and spins on rdtime, with no WFI and no other SBI call, for up to 500 ms of guest
 * time until its handler has counted the interrupt; the interrupt must not come early, and
 * must come once: the handler's set_timer(far future) must hold for 2 ms more.
 * Exit 0 = pass; 10 + round: hart 0's interrupt never came; 20 + round: hart 1's; 30 + hart:
 * an interrupt came before its compare value; 32 + hart: it came again after the handler
 * pushed the timer out; 40: hart 1 did not finish; 2/3: a call failed. (Codes saturate at
 * the next decade in a -DROUNDS stress build.)
 */
#include "rt.h"

#define TIMEBASE_HZ 10000000UL
#define MS (TIMEBASE_HZ / 1000)
#ifndef ROUNDS /* -DROUNDS=1000 makes a stress build */
#define ROUNDS 4
#endif
#define SSTATUS_SIE (1UL << 1)
#define HSM_GET_STATUS 2
#define ERR_INVALID_PARAM (-3)

static volatile uint64_t fired_at[2];
static volatile unsigned long irqs[2];
static volatile long result[2] = { -1, -1 };

static inline unsigned long this_hart(void)
{
	unsigned long tp;
	asm volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	unsigned long hart = this_hart();

	if (scause != (SCAUSE_INTR | IRQ_S_TIMER) || hart > 1)
		trap_unexpected(scause, sepc, stval);
	fired_at[hart] = rdtime();
	irqs[hart]++;
	sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0); /* push the next event out: clears STIP */
}

/* 0 when every round's interrupt came in time and not early, else the exit code */
static long poll_rounds(unsigned long hart)
{
	asm volatile("mv tp, %0" ::"r"(hart));
	trap_init();
	csr_set(sie, 1UL << IRQ_S_TIMER);
	csr_set(sstatus, SSTATUS_SIE);
	for (int round = 0; round < ROUNDS; round++) {
		unsigned long before = irqs[hart];
		uint64_t start = rdtime(), target = start + MS;

		if (sbi_call(SBI_EXT_TIME, 0, target, 0, 0).error)
			return 2;
		while (irqs[hart] == before && rdtime() - start < 500 * MS)
			; /* busy-poll: no WFI, no SBI call */
		if (irqs[hart] == before)
			return (hart ? 20 : 10) + (round < 9 ? round : 9);
		if (fired_at[hart] < target)
			return 30 + (long)hart;
		for (start = rdtime(); rdtime() - start < 2 * MS;)
			; /* the handler's set_timer(~0) holds: no second interrupt */
		if (irqs[hart] != before + 1)
			return 32 + (long)hart;
	}
	csr_clear(sstatus, SSTATUS_SIE);
	return 0;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	result[1] = hartid == 1 ? poll_rounds(1) : 3;
	barrier();
	hart_stop();
}

int main(void)
{
	struct sbiret st = sbi_call(SBI_EXT_HSM, HSM_GET_STATUS, 1, 0, 0);
	int harts = st.error == ERR_INVALID_PARAM ? 1 : 2;
	long r;

	if (harts == 2 && sbi_call(SBI_EXT_HSM, 0, 1, (unsigned long)secondary_entry, 0).error)
		return 3;
	r = poll_rounds(0);
	if (harts == 2) {
		uint64_t start = rdtime();
		while (result[1] < 0 && rdtime() - start < 5 * TIMEBASE_HZ)
			;
		if (!r)
			r = result[1] < 0 ? 40 : result[1];
	}
	puts("timer-poll: ");
	putdec(harts);
	puts(harts == 1 ? " hart, " : " harts, ");
	putdec(ROUNDS);
	puts(r ? " rounds: FAIL, code " : " rounds each: every interrupt came, code ");
	putdec(r);
	puts("\n");
	return (int)r;
}
