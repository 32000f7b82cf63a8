/*
 * timer: a supervisor timer interrupt through SBI TIME set_timer (answered inside KVM, which
 * programs the vCPU's timer). The guest asks for an interrupt 10 ms ahead, sleeps in wfi, and
 * checks that the interrupt came, not early, and within 1 s (timebase 10 MHz, from the DT).
 */
#include "rt.h"

#define TIMEBASE_HZ 10000000UL
static volatile uint64_t fired_at;

void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	if (scause != (SCAUSE_INTR | IRQ_S_TIMER))
		trap_unexpected(scause, sepc, stval);
	fired_at = rdtime();
	sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0); /* push the next event out: clears STIP */
}

int main(void)
{
	trap_init();
	uint64_t start = rdtime();
	uint64_t target = start + TIMEBASE_HZ / 100;
	struct sbiret r = sbi_call(SBI_EXT_TIME, 0, target, 0, 0);
	CHECK(r.error == 0, 2);
	csr_set(sie, 1UL << IRQ_S_TIMER);
	while (!fired_at && rdtime() - start < TIMEBASE_HZ) /* bounded: 1 s of guest time */
		wait_for_interrupt();
	CHECK(fired_at != 0, 3);
	CHECK(fired_at >= target, 4);
	puts("timer interrupt after ");
	putdec((long)((fired_at - start) / (TIMEBASE_HZ / 1000000)));
	puts(" us\n");
	return 0;
}
