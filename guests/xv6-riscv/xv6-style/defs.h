/*
 * defs.h - what the files of this guest share. The guest is a small kernel in xv6-riscv's
 * start-up style (entry.S -> start() in M-mode -> mret -> main() in S-mode), written for
 * bootcase's xv6 profile test; no xv6 code is in it.
 *
 * Two builds differ only in the timer, one for each era of xv6:
 *   xv6-style-clint.elf  M-mode timer: the CLINT's mtimecmp, timervec turns it into sip.SSIP
 *   xv6-style-sstc.elf   -DSSTC: the Sstc stimecmp, a supervisor timer interrupt directly
 */
#ifndef XV6_STYLE_DEFS_H
#define XV6_STYLE_DEFS_H

#include "riscv.h"

#ifdef SSTC
#define ERA "sstc"
#else
#define ERA "clint"
#endif

#define STACK_SIZE 4096
/* the stress build (xv6-style-sstc-stress.elf, Makefile) sets these: more, faster ticks */
#ifndef TICK_INTERVAL
#define TICK_INTERVAL 200000UL /* 20 ms of the 10 MHz timebase (xv6 uses 1000000, 100 ms) */
#endif
#ifndef NTICKS
#define NTICKS 5 /* ticks each hart counts before it reports */
#endif
#ifndef TICK_DEADLINE
#define TICK_DEADLINE (10 * TIMEBASE_HZ) /* give up on the ticks after 10 s of mtime */
#endif
#define UART0_IRQ 10 /* the UART's PLIC source on QEMU virt */
#define UART_WINDOW (TIMEBASE_HZ / 50) /* hart 0 takes UART interrupts for 20 ms */
#define UART_STORM 16 /* more UART interrupts than that in the window is a storm */

#ifndef __ASSEMBLER__
/* One hart's tick bookkeeping, written by its own trap handler and read by main(). */
struct hart {
	volatile uint64 ticks;
	uint64 due; /* the deadline last seen in mtimecmp (CLINT) or written to stimecmp (Sstc) */
	const char *volatile bad; /* what the trap handler found wrong, or 0 */
	volatile uint64 bad_at; /* the time CSR then */
	uint64 held, wrote; /* Sstc: a lost write: what stimecmp held, and what we had written */
	volatile uint64 spurious; /* Sstc: interrupts taken with time still below our stimecmp */
	uint64 spurious_after; /* time from our stimecmp write to the first such interrupt */
	long other_past; /* then: time since the other hart's stimecmp was due (< 0: not yet) */
};

extern struct hart harts[NCPU];
extern uint64 boot_dtb;

/* start.c */
void start(uint64 dtb);
/* main.c */
void main(void);
void halt(uint64 code) __attribute__((noreturn));
/* trap.c */
void kerneltrap(void);
/* entry.S */
void timervec(void);
/* uart.c */
void uartinit(void);
void printf(const char *fmt, ...);
void uartwrite(const char *s);
void uartintr(void);
/* plic.c */
void plicinit(void);
void plicinithart(int hart);
int plic_claim(int hart);
void plic_complete(int hart, int irq);
/* trap.c */
extern volatile uint64 uart_intrs;
extern const char *volatile uart_bad;
/* fdt.c */
int fdt_count_harts(uint64 dtb);
#endif

#endif
