/*
 * plic.h - the guest's view of the PLIC (QEMU virt layout). A KVM guest runs in (V)S-mode, so it
 * uses the S-mode context of its hart: context 2*hart + 1.
 *   priority[src]      PLIC + 4*src
 *   pending bits       PLIC + 0x1000
 *   enable[ctx]        PLIC + 0x2000 + 0x80*ctx
 *   threshold[ctx]     PLIC + 0x200000 + 0x1000*ctx
 *   claim/complete     PLIC + 0x200004 + 0x1000*ctx
 */
#ifndef GUEST_PLIC_H
#define GUEST_PLIC_H
#include "rt.h"

#define PLIC_S_CTX(hart) (2 * (hart) + 1)

static inline void plic_priority(unsigned src, uint32_t prio) { mmio_write32(PLIC + 4 * src, prio); }
static inline void plic_enable(unsigned ctx, unsigned src)
{
	unsigned long reg = PLIC + 0x2000 + 0x80 * ctx + 4 * (src / 32);
	mmio_write32(reg, mmio_read32(reg) | (1u << (src % 32)));
}
static inline void plic_threshold(unsigned ctx, uint32_t t) { mmio_write32(PLIC + 0x200000 + 0x1000 * ctx, t); }
static inline uint32_t plic_claim(unsigned ctx) { return mmio_read32(PLIC + 0x200004 + 0x1000 * ctx); }
static inline void plic_complete(unsigned ctx, uint32_t src) { mmio_write32(PLIC + 0x200004 + 0x1000 * ctx, src); }
static inline int plic_pending(unsigned src) { return (mmio_read32(PLIC + 0x1000 + 4 * (src / 32)) >> (src % 32)) & 1; }

#endif
