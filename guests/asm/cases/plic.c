/*
 * plic: PLIC gateway and target semantics, with the UART's "transmitter holding register
 * empty" interrupt as a source that is high as soon as it is enabled (IER bit 1; THR is
 * always empty in our model). Checks, in order:
 *   priority 0 never interrupts; priority must exceed the threshold; a claim returns the source
 *   and clears pending; a second claim returns 0 while the first is in service; a disabled
 *   context sees nothing; and the same source is delivered as a real S-mode external interrupt.
 */
#include "plic.h"

#define CTX PLIC_S_CTX(0)
static volatile uint32_t trapped_src;

void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	if (scause != (SCAUSE_INTR | IRQ_S_EXT))
		trap_unexpected(scause, sepc, stval);
	trapped_src = plic_claim(CTX);
	mmio_write8(UART0 + 1, 0); /* quiet the source before completing, or it fires again */
	plic_complete(CTX, trapped_src);
}

int main(void)
{
	trap_init();
	mmio_write8(UART0 + 1, 0x02); /* IER: THR empty -> line high */
	CHECK(plic_pending(UART0_IRQ), 2);

	plic_enable(CTX, UART0_IRQ);
	plic_priority(UART0_IRQ, 0);
	plic_threshold(CTX, 0);
	CHECK(plic_claim(CTX) == 0, 3); /* priority 0 = never */

	plic_priority(UART0_IRQ, 3);
	plic_threshold(CTX, 3);
	CHECK(plic_claim(CTX) == 0, 4); /* priority must be > threshold */

	plic_threshold(CTX, 2);
	CHECK(plic_claim(CTX) == UART0_IRQ, 5);
	CHECK(!plic_pending(UART0_IRQ), 6); /* claimed: pending cleared */
	CHECK(plic_claim(CTX) == 0, 7);     /* in service: not delivered again */
	plic_complete(CTX, UART0_IRQ);
	CHECK(plic_pending(UART0_IRQ), 8); /* line still high: pending again */

	CHECK(plic_claim(PLIC_S_CTX(0) - 1) == 0, 9); /* the M context has nothing enabled */

	csr_set(sie, 1UL << IRQ_S_EXT);
	for (long i = 0; i < 1000000 && !trapped_src; i++)
		wait_for_interrupt();
	CHECK(trapped_src == UART0_IRQ, 10);
	CHECK(!plic_pending(UART0_IRQ), 11); /* source quiet now */
	puts("plic: claim/complete, priorities, thresholds and delivery ok\n");
	return 0;
}
