/*
 * uart.c - console output on QEMU virt's 16550 at 0x10000000, programmed the way xv6's uart.c
 * programs it, and polled: this guest takes no device interrupts (no PLIC set-up).
 * Byte registers, reg-shift 0 (PC16550D datasheet).
 */
#include <stdarg.h>

#include "defs.h"

#define UART0 0x10000000UL
#define REG(r) ((volatile unsigned char *)(UART0 + (r)))
#define THR 0 /* transmit holding (write) */
#define DLL 0 /* divisor latch low, while LCR.DLAB */
#define IER 1 /* interrupt enable */
#define DLM 1 /* divisor latch high, while LCR.DLAB */
#define FCR 2 /* FIFO control (write) */
#define LCR 3 /* line control */
#define LSR 5 /* line status */
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE_CLEAR 0x07 /* FIFOs on, both cleared */
#define LSR_THRE 0x20 /* room for a byte to send */

static volatile uint32 print_lock;

void uartinit(void)
{
	*REG(IER) = 0x00; /* no interrupts */
	*REG(LCR) = LCR_DLAB; /* the next two registers are the baud divisor */
	*REG(DLL) = 0x03; /* 38400 baud */
	*REG(DLM) = 0x00;
	*REG(LCR) = LCR_8N1; /* and DLAB off again */
	*REG(FCR) = FCR_ENABLE_CLEAR;
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
