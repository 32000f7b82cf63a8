/*
 * plic.h - the RISC-V Platform-Level Interrupt Controller as QEMU virt lays it out.
 *
 * Not thread-safe: the VMM serializes every call on one instance (MMIO from any vCPU and
 * plic__set_irq from device code). notify() runs inside those calls and must not re-enter.
 */
#ifndef BOOTCASE_PLIC_H
#define BOOTCASE_PLIC_H

#include <stdint.h>

#include "dev.h"

#define PLIC_MAX_HARTS 8
#define PLIC_MAX_CONTEXTS (2 * PLIC_MAX_HARTS) /* context 2h = M-mode, 2h + 1 = S-mode */
#define PLIC_NR_SOURCES 96		       /* ids 1..95; id 0 means "no interrupt" */
#define PLIC_WORDS (PLIC_NR_SOURCES / 32)      /* 32-bit words of pending/enable bits */
#define PLIC_PRIORITY_MAX 7		       /* 3 priority bits, like QEMU virt */

/* Called when a context's external interrupt output changes (S contexts -> KVM_INTERRUPT). */
typedef void (*plic_notify_fn)(void *ctx, unsigned context, int level);

struct plic;

/* The irq_line handed to a device for one source (see plic__irq_line). */
struct plic_source {
	struct plic *plic;
	unsigned id;
};

struct plic {
	unsigned nr_harts, nr_contexts;
	uint32_t priority[PLIC_NR_SOURCES];
	uint32_t level[PLIC_WORDS];   /* input wires as the devices drive them */
	uint32_t pending[PLIC_WORDS]; /* gateway has forwarded a request, not yet claimed */
	uint32_t claimed[PLIC_WORDS]; /* claimed, gateway closed until complete */
	uint32_t held[PLIC_WORDS];    /* a pulse that came while claimed: pending at completion */
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CONTEXTS];
	int output[PLIC_MAX_CONTEXTS]; /* last level reported through notify */
	plic_notify_fn notify;
	void *notify_ctx;
	struct plic_source sources[PLIC_NR_SOURCES];
	const char *err;
};

extern const struct dev_ops plic_ops;

/* nr_harts 1..PLIC_MAX_HARTS; notify may be NULL. Returns 0 or -EINVAL. */
int plic__init(struct plic *plic, unsigned nr_harts, plic_notify_fn notify, void *notify_ctx);
/* Drive source id's input wire (level-triggered). Returns 0 or -EINVAL for a bad id. */
int plic__set_irq(struct plic *plic, unsigned id, int level);
/*
 * One request from source id that the gateway keeps whatever the wire does: pending now, or,
 * if the source is claimed, pending again as soon as it completes. 0 or -EINVAL for a bad id.
 */
int plic__pulse_irq(struct plic *plic, unsigned id);
/* An irq_line for source id (1..95) that calls plic__set_irq and plic__pulse_irq; valid while
 * plic lives. */
struct irq_line plic__irq_line(struct plic *plic, unsigned id);

#endif
