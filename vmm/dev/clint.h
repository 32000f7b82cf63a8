/*
 * clint.h - the SiFive CLINT (core-local interruptor) at QEMU virt's address, as the xv6
 * profile models it: mtime is the guest's own time CSR, and an expired mtimecmp does what
 * xv6's M-mode timervec would do, raise the hart's supervisor software interrupt.
 */
#ifndef BOOTCASE_CLINT_H
#define BOOTCASE_CLINT_H

#include <stdint.h>

#include "dev.h"

#define CLINT_MAX_HARTS 8
#define CLINT_NEVER UINT64_MAX /* an arm() deadline that never comes */

/* Register offsets (SiFive CLINT, QEMU hw/intc/riscv_aclint.c "sifive,clint0" layout). */
#define CLINT_MSIP(h) (0x0000 + 4 * (h))
#define CLINT_MTIMECMP(h) (0x4000 + 8 * (h))
#define CLINT_MTIME 0xbff8

/*
 * What the model needs from the VMM; every hook is called with the device lock held.
 *   now(ctx)            the guest's time, in timebase ticks (what rdtime returns in the guest)
 *   soft_irq(ctx, hart) raise hart's supervisor software interrupt (sip.SSIP)
 *   arm(ctx, deadline)  call clint__tick() once now() >= deadline; CLINT_NEVER cancels. Each
 *                       call replaces the previous deadline (one timer for all harts).
 */
struct clint_hooks {
	uint64_t (*now)(void *ctx);
	void (*soft_irq)(void *ctx, unsigned hart);
	void (*arm)(void *ctx, uint64_t deadline);
	void *ctx;
};

struct clint {
	unsigned nr_harts;
	uint32_t msip[CLINT_MAX_HARTS];
	uint64_t mtimecmp[CLINT_MAX_HARTS];
	/* mtimecmp - mtime when the guest last wrote mtimecmp: timervec's re-arm step */
	uint64_t interval[CLINT_MAX_HARTS];
	int armed[CLINT_MAX_HARTS]; /* written since reset, and not yet expired for good */
	uint64_t fired[CLINT_MAX_HARTS]; /* expiries delivered (tests and statistics) */
	struct clint_hooks hooks;
	const char *err;
};

extern const struct dev_ops clint_ops;

/* nr_harts 1..CLINT_MAX_HARTS; returns 0 or -EINVAL. */
int clint__init(struct clint *c, unsigned nr_harts, struct clint_hooks hooks);
/* The arm() deadline came: deliver every expired timer and arm the next deadline. */
void clint__tick(struct clint *c);

#endif
