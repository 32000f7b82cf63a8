/*
 * uart16550.c - a 16550A UART, the subset guests actually program.
 *
 * Register map (National Semiconductor PC16550D datasheet, table II; byte registers,
 * reg-shift 0 as on QEMU virt):
 *
 *   off  DLAB=0 read   DLAB=0 write   DLAB=1
 *   0    RBR receive   THR transmit   DLL divisor latch low
 *   1    IER           IER            DLM divisor latch high
 *   2    IIR           FCR
 *   3    LCR (bit 7 = DLAB)
 *   4    MCR (bit 4 = loopback)
 *   5    LSR (DR 0x01, OE 0x02, THRE 0x20, TEMT 0x40)
 *   6    MSR (delta bits 0-3, CTS 0x10, DSR 0x20, RI 0x40, DCD 0x80)
 *   7    SCR scratch
 *
 * The transmitter is infinitely fast: THR bytes go straight to the byte sink, so THRE and TEMT
 * always read as set. Interrupts follow the IIR priority order the datasheet gives (receiver
 * line status > received data > THR empty > modem status) and drive a level-triggered line.
 * Offsets 8 and up, accesses wider than a byte and writes to LSR/MSR are refused: the
 * hardware decodes none of them, and guessing would hide guest bugs.
 *
 * THR empty is acknowledged, as on the 16550A, by reading IIR while it reports THRE or by
 * writing THR; with an instant transmitter a THR write re-arms it at once. A driver that
 * enables the THRE interrupt and never reads IIR (xv6-riscv until 2024: uartinit() sets
 * IER_TX_ENABLE, uartintr() only reads LSR and RHR) therefore keeps the line high forever, and
 * the spec PLIC gateway (plic.c) forwards it again on every completion: an interrupt storm.
 * It works on QEMU because QEMU's sifive_plic pends a source each time a device raises its
 * line (its 16550 re-raises on most register accesses), keeps that while the source is
 * claimed, and never re-pends on completion.
 *
 * The xv6 profile sets thre_pulses: the THR-empty interrupt leaves the level alone and is one
 * pulse per THR write (and per enable of IER.ETBEI), which the PLIC keeps until delivered even
 * when it comes while the UART's source is claimed. So xv6 before 2024 gets one interrupt per
 * byte it sends (its uartintr() sends the next one) and no storm, and xv6 from 2024, whose
 * uartwrite() sleeps until that interrupt, gets it even when another hart is inside uartintr()
 * at the time. (An earlier form acknowledged THRE on LSR reads; on 2 harts such a read in
 * uartintr() dropped the line before the PLIC forwarded it, the interrupt was lost and xv6's
 * shell stopped printing.) IIR still reports THRE as a plain 16550A does.
 */
#include <string.h>

#include "uart16550.h"

#define UART_RBR 0
#define UART_IER 1
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define IER_RDI 0x01  /* received data available */
#define IER_THRI 0x02 /* THR empty */
#define IER_RLSI 0x04 /* receiver line status */
#define IER_MSI 0x08  /* modem status */

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02

#define LCR_DLAB 0x80
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* IIR for these causes; thre says whether THR-empty counts among them. */
static uint8_t uart_iir_of(const struct uart16550 *u, int thre)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO_ON : 0;

	if ((u->ier & IER_RLSI) && u->lsr_err)
		return fifo | IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && thre)
		return fifo | IIR_THRI;
	if ((u->ier & IER_MSI) && u->msr_delta)
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

static uint8_t uart_iir(const struct uart16550 *u)
{
	return uart_iir_of(u, u->thre_pending);
}

static void uart_update_irq(struct uart16550 *u)
{
	/*
	 * The INTR pin follows IIR; OUT2 gating is a PC-board detail, not part of the chip. With
	 * THRE as pulses, only the other causes hold the line.
	 */
	int level = !(uart_iir_of(u, u->thre_pending && !u->thre_pulses) & IIR_NO_INT);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->irq.set)
			u->irq.set(u->irq.ctx, level);
	}
}

/* The xv6 profile's THR-empty interrupt: one pulse, kept by the PLIC until delivered. */
static void thre_pulse(struct uart16550 *u)
{
	if (u->thre_pulses && (u->ier & IER_THRI) && u->irq.pulse)
		u->irq.pulse(u->irq.ctx);
}

static int uart_rx_put(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count == UART16550_FIFO) {
		u->lsr_err |= LSR_OE;
		return -1;
	}
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = c;
	u->rx_count++;
	return 0;
}

static uint8_t uart_rx_get(struct uart16550 *u)
{
	uint8_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
	u->rx_count--;
	return c;
}

static uint8_t uart_msr(struct uart16550 *u)
{
	uint8_t msr = u->msr_delta;

	u->msr_delta = 0;
	if (u->mcr & MCR_LOOP) {
		/* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
		msr |= (uint8_t)((u->mcr & 0x01) << 5 | (u->mcr & 0x02) << 3 |
				 (u->mcr & 0x04) << 4 | (u->mcr & 0x08) << 4);
		return msr;
	}
	return msr | MSR_DCD | MSR_DSR | MSR_CTS; /* a connected, ready line */
}

static int uart_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct uart16550 *u = state;
	int dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	if (len != 1 || off > UART_SCR)
		return -1;
	switch (off) {
	case UART_RBR:
		v = dlab ? u->dll : uart_rx_get(u);
		break;
	case UART_IER:
		v = dlab ? u->dlm : u->ier;
		break;
	case UART_IIR:
		v = uart_iir(u);
		/* reading IIR while it reports THR empty acknowledges that interrupt */
		if ((v & 0x0f) == IIR_THRI)
			u->thre_pending = 0;
		break;
	case UART_LCR:
		v = u->lcr;
		break;
	case UART_MCR:
		v = u->mcr;
		break;
	case UART_LSR:
		v = LSR_THRE | LSR_TEMT | u->lsr_err | (u->rx_count ? LSR_DR : 0);
		u->lsr_err = 0; /* error bits clear on read */
		break;
	case UART_MSR:
		v = uart_msr(u);
		break;
	default:
		v = u->scr;
		break;
	}
	data[0] = v;
	uart_update_irq(u);
	return 0;
}

static int uart_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct uart16550 *u = state;
	int dlab = u->lcr & LCR_DLAB;
	uint8_t v = data[0];

	if (len != 1 || off > UART_SCR || off == UART_LSR || off == UART_MSR)
		return -1;
	switch (off) {
	case UART_RBR:
		if (dlab) {
			u->dll = v;
		} else {
			if (u->mcr & MCR_LOOP)
				uart_rx_put(u, v);
			else if (u->out.write)
				u->out.write(u->out.ctx, &v, 1);
			u->thre_pending = 1; /* done at once: THR is empty again */
			thre_pulse(u);
		}
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = v;
		} else {
			/* enabling the THR-empty interrupt fires it at once: THR is empty */
			int arm = (v & IER_THRI) && !(u->ier & IER_THRI);

			u->ier = v & 0x0f;
			if (arm) {
				u->thre_pending = 1;
				thre_pulse(u);
			}
		}
		break;
	case UART_IIR: /* FCR */
		u->fcr = v & (FCR_ENABLE | 0xc0);
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	default:
		u->scr = v;
		break;
	}
	uart_update_irq(u);
	return 0;
}

const struct dev_ops uart16550_ops = {
	.name = "uart16550",
	.read = uart_read,
	.write = uart_write,
};

void uart16550__init(struct uart16550 *u, struct byte_sink out, struct irq_line irq)
{
	memset(u, 0, sizeof(*u));
	u->out = out;
	u->irq = irq;
	u->lcr = 0x03; /* 8N1, as firmware leaves it */
}

size_t uart16550__rx_space(const struct uart16550 *u)
{
	/* loopback disconnects the receiver from the outside line */
	if (u->mcr & MCR_LOOP)
		return 0;
	return UART16550_FIFO - u->rx_count;
}

int uart16550__rx_irq_enabled(const struct uart16550 *u)
{
	return (u->ier & IER_RDI) != 0;
}

size_t uart16550__push_input(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0, room = uart16550__rx_space(u);

	while (n < len && n < room)
		uart_rx_put(u, buf[n++]);
	uart_update_irq(u);
	return n;
}
