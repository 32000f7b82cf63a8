/*
 * uart-echo: interrupt-driven 16550 input. The guest enables the UART's "received data
 * available" interrupt (IER bit 0), routes source 10 through the PLIC to its S-mode context,
 * and sleeps in wfi. Each byte the harness types raises the line; the external-interrupt trap
 * claims it, drains RBR while LSR.DR is set, echoes, and completes. A full line ends the run.
 */
#include "plic.h"

static char line[64];
static volatile unsigned len;
static volatile int done;
static volatile unsigned irqs;

void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	if (scause != (SCAUSE_INTR | IRQ_S_EXT))
		trap_unexpected(scause, sepc, stval);
	uint32_t src = plic_claim(PLIC_S_CTX(0));
	if (src == UART0_IRQ) {
		irqs++;
		while (mmio_read8(UART0 + 5) & 1) { /* LSR.DR: a byte is waiting in RBR */
			char c = (char)mmio_read8(UART0 + 0);
			if (c == '\r' || c == '\n') {
				done = 1;
			} else if (len < sizeof line - 1) {
				line[len++] = c;
				mmio_write8(UART0 + 0, (uint8_t)c); /* echo */
			}
		}
	}
	if (src)
		plic_complete(PLIC_S_CTX(0), src);
}

int main(void)
{
	trap_init();
	plic_priority(UART0_IRQ, 1);
	plic_enable(PLIC_S_CTX(0), UART0_IRQ);
	plic_threshold(PLIC_S_CTX(0), 0);
	mmio_write8(UART0 + 1, 0x01); /* IER: received data available */
	csr_set(sie, 1UL << IRQ_S_EXT);
	puts("type a line> \n");
	while (!done)
		wait_for_interrupt();
	line[len] = 0;
	puts("\ngot: ");
	puts(line);
	puts(" (");
	putdec(irqs);
	puts(" interrupts)\n");
	return irqs > 0 ? 0 : 3;
}
