/*
 * uart.c - console output on QEMU virt's 16550 at 0x10000000, programmed the way xv6's uart.c
 * programs it. Byte registers, reg-shift 0 (PC16550D datasheet).
 *
 * Two ways out, as in xv6: printf() polls (LSR.THRE, then THR), which is what xv6's kernel
 * printf does; uartwrite() queues bytes and sends what the transmitter takes, and the UART's
 * interrupt (uartintr(), from trap.c) sends the rest, which is xv6's console write path.
 * uartinit() enables the THR-empty and receive interrupts as xv6 does, so every byte sent
 * either way asks for an interrupt; only hart 0's S-mode context takes them (plic.c).
 *
 * The THR-empty interrupt is what the xv6 profile bends (vmm/dev/uart16550.c): on a 16550 it
 * is a level, acknowledged by reading IIR while IIR reports it, or by writing THR. xv6 before
 * 2024 never reads IIR, so the profile's UART sends it as one pulse per byte instead; as a
 * level, a spec PLIC would interrupt again after every completion. The CLINT-era build reads
 * only LSR and RHR in uartintr(), as that xv6 does; the Sstc-era build also reads IIR first.
 */
#include <stdarg.h>

#include "defs.h"

#define UART0 0x10000000UL
#define REG(r) ((volatile unsigned char *)(UART0 + (r)))
#define THR 0 /* transmit holding (write) */
#define RHR 0 /* receive holding (read) */
#define DLL 0 /* divisor latch low, while LCR.DLAB */
#define IER 1 /* interrupt enable */
#define DLM 1 /* divisor latch high, while LCR.DLAB */
#define FCR 2 /* FIFO control (write) */
#define IIR 2 /* interrupt identification (read) */
#define LCR 3 /* line control */
#define LSR 5 /* line status */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* FIFOs on, both cleared */
#define LSR_DR 0x01 /* a received byte waits in RHR */
#define LSR_THRE 0x20 /* room for a byte to send */
#define IER_RX_TX 0x03 /* interrupt on received data and on THR empty */
#define TX_SIZE 32

static volatile uint32 print_lock;

void uartinit(void)
{
	*REG(IER) = 0x00; /* no interrupts */
	*REG(LCR) = LCR_DLAB; /* the next two registers are the baud divisor */
	*REG(DLL) = 0x03; /* 38400 baud */
	*REG(DLM) = 0x00;
	*REG(LCR) = LCR_8N1; /* and DLAB off again */
	*REG(FCR) = FCR_ENABLE_CLEAR;
	*REG(IER) = IER_RX_TX;
}

static void putc(char c)
{
	while (!(*REG(LSR) & LSR_THRE))
		;
	*REG(THR) = (unsigned char)c;
}

static void putnum(uint64 v, unsigned base)
{
	char buf[20];
	int n = 0;

	do
		buf[n++] = "0123456789abcdef"[v % base];
	while ((v /= base) != 0);
	while (n)
		putc(buf[--n]);
}

/* %d (int), %u and %x (uint64), %s: all this guest prints. One hart's line at a time. */
void printf(const char *fmt, ...)
{
	va_list ap;

	while (__sync_lock_test_and_set(&print_lock, 1))
		;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			putc(*fmt);
			continue;
		}
		switch (*++fmt) {
		case 'd': {
			int v = va_arg(ap, int);
			if (v < 0)
				putc('-');
			putnum(v < 0 ? -(uint64)v : (uint64)v, 10);
			break;
		}
		case 'u': putnum(va_arg(ap, uint64), 10); break;
		case 'x': putnum(va_arg(ap, uint64), 16); break;
		case 's': for (const char *s = va_arg(ap, const char *); *s; s++) putc(*s); break;
		case '\0': fmt--; break;
		default: putc('%'); putc(*fmt); break;
		}
	}
	va_end(ap);
	__sync_lock_release(&print_lock);
}

/* uartwrite()'s queue; sent by whoever finds THR empty first, with interrupts off */
static char tx_buf[TX_SIZE];
static volatile uint64 tx_w, tx_r;

static void uartstart(void)
{
	while (tx_r != tx_w && (*REG(LSR) & LSR_THRE)) {
		*REG(THR) = (unsigned char)tx_buf[tx_r % TX_SIZE];
		tx_r++;
	}
}

/* Queue s for the interrupt-driven path. Hart 0 only (the one hart whose context takes the
 * UART's interrupt); interrupts are off while the queue changes, as under xv6's uart_tx_lock. */
void uartwrite(const char *s)
{
	uint64 on = csr_read(sstatus) & SSTATUS_SIE;

	intr_off();
	for (; *s; s++) {
		while (tx_w == tx_r + TX_SIZE)
			uartstart();
		tx_buf[tx_w % TX_SIZE] = *s;
		tx_w++;
		uartstart();
	}
	if (on)
		intr_on();
}

/* The UART interrupted (its PLIC source claimed, trap.c): take input, send what is queued. */
void uartintr(void)
{
#ifdef SSTC
	(void)*REG(IIR); /* the 16550's own acknowledgement of THR empty */
#endif
	while (*REG(LSR) & LSR_DR)
		(void)*REG(RHR); /* this guest has no use for input: dropped */
	uartstart();
}
