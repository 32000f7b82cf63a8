/*
 * uart16550.h - a 16550A UART model (the QEMU virt "serial" node, ns16550a).
 */
#ifndef BOOTCASE_UART16550_H
#define BOOTCASE_UART16550_H

#include <stddef.h>
#include <stdint.h>
#include "dev.h"

#define UART16550_FIFO 16 /* the 16550A receive FIFO depth */

struct uart16550 {
	uint8_t ier, fcr, lcr, mcr, lsr_err, msr_delta, scr, dll, dlm;
	int thre_pending; /* THR-empty interrupt armed (cleared by IIR read or THR write) */
	/*
	 * The xv6 profile's quirk (set by devices.c): the THR-empty interrupt is a pulse per THR
	 * write on irq.pulse, not a level. See uart16550.c for why; off, a plain 16550A.
	 */
	int thre_pulses;
	int irq_level;
	uint8_t rx[UART16550_FIFO];
	unsigned rx_head, rx_count;
	struct byte_sink out;
	struct irq_line irq;
};

extern const struct dev_ops uart16550_ops;

void uart16550__init(struct uart16550 *u, struct byte_sink out, struct irq_line irq);
/* Queue received bytes; returns how many fit (the rest stay with the caller). */
size_t uart16550__push_input(struct uart16550 *u, const uint8_t *buf, size_t len);
size_t uart16550__rx_space(const struct uart16550 *u);
/* Is the "received data available" interrupt (IER bit 0) enabled? A driver that sleeps until
 * that interrupt needs input pushed to it; a polling one pulls it through LSR/RBR reads. */
int uart16550__rx_irq_enabled(const struct uart16550 *u);

#endif
