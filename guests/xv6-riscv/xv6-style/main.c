/*
 * main.c - the S-mode part: every hart arrives here by start()'s mret. Hart 0 sets up the
 * console and lets the others in (as xv6's main() does); each hart then takes timer ticks with
 * interrupts on until it has NTICKS. Then hart 0 writes a line the interrupt-driven way and
 * takes UART interrupts for UART_WINDOW, and ends the run with the verdict.
 *
 * The run ends with the BOOTCASE EXIT hypercall (docs/protocol.md): code 0 when every hart
 * counted its ticks, its trap handler found nothing wrong and the UART interrupted at least
 * once but did not storm; 1 otherwise, 3 on an unexpected trap. Each hart's waiting is
 * bounded by TICK_DEADLINE, so a timer that never fires is a report with a message, not a hang.
 */
#include "defs.h"

#define SBI_EXT_BOOTCASE 0x08424354
#define BOOTCASE_FID_EXIT 0

struct hart harts[NCPU];
static volatile int started;
static volatile int finished;

void halt(uint64 code)
{
	register uint64 a0 asm("a0") = code;
	register uint64 a6 asm("a6") = BOOTCASE_FID_EXIT;
	register uint64 a7 asm("a7") = SBI_EXT_BOOTCASE;

	asm volatile("ecall" : "+r"(a0) : "r"(a6), "r"(a7) : "a1", "memory");
	for (;;)
		asm volatile("wfi");
}

/* Interrupts on until this hart has its ticks, its handler flags a problem, or time is up. */
static void count_ticks(struct hart *h, uint64 deadline)
{
#ifdef SSTC
	csr_set(sie, 1UL << IRQ_S_TIMER);
#else
	csr_set(sie, 1UL << IRQ_S_SOFT);
#endif
	intr_on();
	while (h->ticks < NTICKS && !h->bad && r_time() < deadline)
		; /* spin, as xv6's scheduler does: a dead timer must not leave us asleep in wfi */
	intr_off();
	csr_write(sie, 0);
#ifdef SSTC
	csr_write(CSR_STIMECMP, ~0UL); /* no more ticks */
#endif
}

/* Hart 0, after the ticks: xv6's PLIC set-up, then UART interrupts on for UART_WINDOW. */
static void uart_interrupts(void)
{
	uint64 t0, now;

	plicinit();
	plicinithart(0);
	csr_set(sie, 1UL << IRQ_S_EXT);
	intr_on();
	uartwrite("hart 0: this line went out the interrupt-driven way\n");
	/* the window, or longer while none has come yet (a slow host), up to TICK_DEADLINE */
	t0 = now = r_time();
	while (!uart_bad && (now < t0 + UART_WINDOW || (!uart_intrs && now < t0 + TICK_DEADLINE)))
		now = r_time();
	intr_off();
	csr_write(sie, 0);
	printf("hart 0: %u UART interrupts in %u ms\n", uart_intrs, (now - t0) / (TIMEBASE_HZ / 1000));
	if (uart_bad)
		printf("hart 0: %s\n", uart_bad);
}

static int verdict(int nharts)
{
	int ok = nharts > 0 && finished == nharts && uart_intrs > 0 && !uart_bad;

	for (int i = 0; i < nharts; i++)
		if (harts[i].ticks < NTICKS || harts[i].bad)
			ok = 0;
	printf("xv6-style " ERA ": %d hart%s, %d ticks each, UART interrupts: %s\n", nharts, nharts == 1 ? "" : "s", NTICKS,
	       ok ? "pass" : "FAIL");
	return ok ? 0 : 1;
}

void main(void)
{
	int id = cpuid(), nharts = 0;
	struct hart *h = &harts[id];
	uint64 t0, deadline;

	if (id == 0) {
		uartinit();
		nharts = fdt_count_harts(boot_dtb);
		printf("\nxv6-style " ERA " guest is booting on %d hart%s\n", nharts, nharts == 1 ? "" : "s");
		__sync_synchronize();
		started = 1;
	} else {
		while (!started)
			;
		__sync_synchronize();
	}
	printf("hart %d starting in S-mode\n", id);
	csr_write(stvec, kerneltrap); /* from here on, traps are ours, not the shim's */

	t0 = r_time();
	deadline = t0 + TICK_DEADLINE;
	count_ticks(h, deadline);
	printf("hart %d: %u ticks in %u ms\n", id, h->ticks, (r_time() - t0) / (TIMEBASE_HZ / 1000));
#ifdef SSTC
	/* the L0's late timer callbacks (trap.c), told apart from ticks; the test reads the count */
	printf("hart %d: %u timer interrupts before stimecmp, spurious\n", id, h->spurious);
	if (h->spurious)
		printf("hart %d: the first came %u us after this hart wrote stimecmp, %d us after the other's was due\n", id,
		       h->spurious_after / (TIMEBASE_HZ / 1000000), (int)(h->other_past / (long)(TIMEBASE_HZ / 1000000)));
#endif
	if (h->bad)
		printf("hart %d: %s (at time %u, tick %u)\n", id, h->bad, h->bad_at, h->ticks);
	if (h->wrote)
		printf("hart %d: stimecmp held %u, this hart wrote %u\n", id, h->held, h->wrote);
	__sync_fetch_and_add(&finished, 1);

	if (id != 0)
		for (;;)
			asm volatile("wfi"); /* sie is 0: asleep until hart 0 ends the run */
	while (finished < nharts && r_time() < deadline + TIMEBASE_HZ)
		;
	if (finished < nharts)
		printf("only %d of %d harts reported\n", finished, nharts);
	uart_interrupts();
	halt(verdict(nharts));
}
