/*
 * plic.c - the PLIC of QEMU virt at 0x0c000000, set up as xv6 sets it up: the UART's source
 * gets a non-zero priority (0 would mean never), and the hart's S-mode context enables it
 * with threshold 0. Context 2h + 1 is hart h's S-mode (context 2h its M-mode), so that
 * context's enable word is at 0x2000 + 0x80 * (2h + 1), its threshold at
 * 0x200000 + 0x1000 * (2h + 1) and its claim/complete register 4 bytes after that.
 */
#include "defs.h"

#define PLIC 0x0c000000UL
#define PLIC_PRIORITY(irq) (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart) (PLIC + 0x2080 + 0x100 * (hart))
#define PLIC_STHRESHOLD(hart) (PLIC + 0x201000 + 0x2000 * (hart))
#define PLIC_SCLAIM(hart) (PLIC + 0x201004 + 0x2000 * (hart))
#define R32(a) (*(volatile uint32 *)(a))

void plicinit(void)
{
	R32(PLIC_PRIORITY(UART0_IRQ)) = 1;
}

void plicinithart(int hart)
{
	R32(PLIC_SENABLE(hart)) = 1U << UART0_IRQ;
	R32(PLIC_STHRESHOLD(hart)) = 0;
}

/* the highest-priority pending source for this hart's S-mode (0: none); it stays claimed,
 * its gateway closed, until plic_complete() */
int plic_claim(int hart)
{
	return (int)R32(PLIC_SCLAIM(hart));
}

void plic_complete(int hart, int irq)
{
	R32(PLIC_SCLAIM(hart)) = (uint32)irq;
}
