/*
 * plic.c - RISC-V Platform-Level Interrupt Controller (RISC-V PLIC Specification 1.0.0,
 * chapters "Interrupt Gateways", "Interrupt Priorities", "Interrupt Pending Bits", "Interrupt
 * Enables", "Priority Thresholds", "Interrupt Claim Process", "Interrupt Completion"), with
 * the layout of QEMU virt (hw/riscv/virt.c, sifive_plic): 95 sources, 2 contexts per hart.
 *
 * Register map (32-bit registers, 32-bit accesses only):
 *
 *   0x000000 + 4 * id            priority of source id (id 1..95; there is no source 0),
 *                                0 = never interrupts, max 7
 *   0x001000 + 4 * w             pending bits of ids 32w..32w+31 (read-only), w = 0..2
 *   0x002000 + 0x80 * c + 4 * w  enable bits of context c, w = 0..2
 *   0x200000 + 0x1000 * c        priority threshold of context c (0..7)
 *   0x200004 + 0x1000 * c        read: claim; write: complete
 *
 * Context 2h is hart h's M-mode interrupt, 2h + 1 its S-mode interrupt. A KVM guest runs in
 * (V)S-mode and only uses the odd contexts, but the even ones exist so the device tree that
 * QEMU virt images expect ("interrupts-extended" listing both) describes real registers.
 *
 * Every source sits behind a level-triggered gateway: while its wire is high and it is not
 * claimed, the gateway sets its pending bit. A claim returns the highest-priority pending
 * source enabled for the context whose priority exceeds the threshold (ties: lowest id),
 * clears its pending bit and closes the gateway; the completion (the id written back) reopens
 * it, and a wire that is still high makes the source pending again. As the spec's gateway
 * chapter says, a request stays pending if the wire drops before the claim (QEMU instead
 * drops it); the driver then finds no work, which is harmless.
 *
 * A device may also pulse a source (plic__pulse_irq): one request the gateway keeps even when
 * it comes while the source is claimed, and forwards at the completion, whatever the wire
 * does meanwhile. The xv6 profile's UART sends its THR-empty interrupt that way (uart16550.c).
 *
 * A context's output (the hart's SEIP/MEIP) is high while a claim would return non-zero;
 * notify() reports each change so the VMM can raise or lower the interrupt on the hart.
 * Source 0, the pending registers (writes), unused enable words and undecoded offsets are
 * refused so the VMM ends the run with a fault instead of hiding a guest bug.
 */
#include <errno.h>
#include <string.h>

#include "plic.h"

#define PLIC_PRIORITY 0x000000
#define PLIC_PENDING 0x001000
#define PLIC_ENABLE 0x002000
#define PLIC_ENABLE_STRIDE 0x80
#define PLIC_CONTEXT 0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_THRESHOLD 0x0
#define PLIC_CLAIM 0x4

static int bit(const uint32_t *words, unsigned id)
{
	return (words[id / 32] >> (id % 32)) & 1;
}

static void set_bit(uint32_t *words, unsigned id, int on)
{
	if (on)
		words[id / 32] |= 1U << (id % 32);
	else
		words[id / 32] &= ~(1U << (id % 32));
}

/* The source a claim by context would return, or 0. */
static unsigned plic_best(const struct plic *p, unsigned ctx)
{
	unsigned best = 0;
	uint32_t best_prio = p->threshold[ctx];

	for (unsigned id = 1; id < PLIC_NR_SOURCES; id++) {
		/* strictly greater: equal priority keeps the lower id found first */
		if (bit(p->pending, id) && bit(p->enable[ctx], id) && p->priority[id] > best_prio) {
			best = id;
			best_prio = p->priority[id];
		}
	}
	return best;
}

static void plic_update(struct plic *p)
{
	for (unsigned ctx = 0; ctx < p->nr_contexts; ctx++) {
		int level = plic_best(p, ctx) != 0;

		if (level != p->output[ctx]) {
			p->output[ctx] = level;
			if (p->notify)
				p->notify(p->notify_ctx, ctx, level);
		}
	}
}

int plic__set_irq(struct plic *p, unsigned id, int level)
{
	if (id == 0 || id >= PLIC_NR_SOURCES)
		return -EINVAL;
	set_bit(p->level, id, level != 0);
	/* gateway: forward a request unless one is already being serviced */
	if (level && !bit(p->claimed, id))
		set_bit(p->pending, id, 1);
	plic_update(p);
	return 0;
}

int plic__pulse_irq(struct plic *p, unsigned id)
{
	if (id == 0 || id >= PLIC_NR_SOURCES)
		return -EINVAL;
	set_bit(bit(p->claimed, id) ? p->held : p->pending, id, 1);
	plic_update(p);
	return 0;
}

static void plic_line_set(void *ctx, int level)
{
	struct plic_source *s = ctx;

	plic__set_irq(s->plic, s->id, level);
}

static void plic_line_pulse(void *ctx)
{
	struct plic_source *s = ctx;

	plic__pulse_irq(s->plic, s->id);
}

struct irq_line plic__irq_line(struct plic *p, unsigned id)
{
	struct irq_line line = { NULL, NULL, NULL };

	if (id && id < PLIC_NR_SOURCES) {
		line.set = plic_line_set;
		line.pulse = plic_line_pulse;
		line.ctx = &p->sources[id];
	}
	return line;
}

static uint32_t plic_claim(struct plic *p, unsigned ctx)
{
	unsigned id = plic_best(p, ctx);

	if (id) {
		set_bit(p->pending, id, 0);
		set_bit(p->claimed, id, 1);
		plic_update(p);
	}
	return id;
}

static void plic_complete(struct plic *p, unsigned ctx, uint32_t id)
{
	/* "If the completion ID does not match an interrupt source that is currently enabled
	 * for the target, the completion is silently ignored." */
	if (id == 0 || id >= PLIC_NR_SOURCES || !bit(p->enable[ctx], id) || !bit(p->claimed, id))
		return;
	set_bit(p->claimed, id, 0);
	if (bit(p->level, id) || bit(p->held, id))
		set_bit(p->pending, id, 1);
	set_bit(p->held, id, 0);
	plic_update(p);
}

static uint32_t clamp_prio(uint32_t v)
{
	return v > PLIC_PRIORITY_MAX ? PLIC_PRIORITY_MAX : v; /* WARL: keep a legal value */
}

/* Decode off and perform one 32-bit read (*val out) or write (*val in). 0 or -1 + p->err. */
static int plic_access(struct plic *p, uint64_t off, uint32_t *val, int write)
{
	if (off < PLIC_PENDING) {
		unsigned id = (unsigned)(off / 4);

		if (id == 0 || id >= PLIC_NR_SOURCES)
			return p->err = "priority of a source that does not exist", -1;
		if (write) {
			p->priority[id] = clamp_prio(*val);
			plic_update(p);
		} else {
			*val = p->priority[id];
		}
		return 0;
	}
	if (off < PLIC_ENABLE) {
		if (off >= PLIC_PENDING + 4 * PLIC_WORDS)
			return p->err = "pending word of a source that does not exist", -1;
		if (write)
			return p->err = "write to the read-only pending bits", -1;
		*val = p->pending[(off - PLIC_PENDING) / 4];
		return 0;
	}
	if (off < PLIC_CONTEXT) {
		uint64_t ctx = (off - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
		uint64_t w = (off % PLIC_ENABLE_STRIDE) / 4;

		if (ctx >= p->nr_contexts)
			return p->err = "enable bits of a context that does not exist", -1;
		if (w >= PLIC_WORDS)
			return p->err = "enable word of a source that does not exist", -1;
		if (write) {
			/* source 0 does not exist: its enable bit is hardwired to zero */
			p->enable[ctx][w] = w == 0 ? *val & ~1U : *val;
			plic_update(p);
		} else {
			*val = p->enable[ctx][w];
		}
		return 0;
	}
	{
		uint64_t ctx = (off - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
		uint64_t reg = off % PLIC_CONTEXT_STRIDE;

		if (ctx >= p->nr_contexts)
			return p->err = "threshold/claim of a context that does not exist", -1;
		if (reg == PLIC_THRESHOLD) {
			if (write) {
				p->threshold[ctx] = clamp_prio(*val);
				plic_update(p);
			} else {
				*val = p->threshold[ctx];
			}
			return 0;
		}
		if (reg == PLIC_CLAIM) {
			if (write)
				plic_complete(p, (unsigned)ctx, *val);
			else
				*val = plic_claim(p, (unsigned)ctx);
			return 0;
		}
		return p->err = "undecoded offset in a context's threshold/claim page", -1;
	}
}

static int plic_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct plic *p = state;
	uint32_t val = 0;

	if (len != 4 || (off & 3))
		return p->err = "PLIC registers take aligned 32-bit accesses only", -1;
	if (plic_access(p, off, &val, 0) < 0)
		return -1;
	/* little-endian byte order, independent of the host */
	for (int i = 0; i < 4; i++)
		data[i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static int plic_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct plic *p = state;
	uint32_t val = 0;

	if (len != 4 || (off & 3))
		return p->err = "PLIC registers take aligned 32-bit accesses only", -1;
	for (int i = 0; i < 4; i++)
		val |= (uint32_t)data[i] << (8 * i);
	return plic_access(p, off, &val, 1);
}

static const char *plic_last_error(void *state)
{
	struct plic *p = state;

	return p->err;
}

const struct dev_ops plic_ops = {
	.name = "plic",
	.read = plic_read,
	.write = plic_write,
	.last_error = plic_last_error,
};

int plic__init(struct plic *p, unsigned nr_harts, plic_notify_fn notify, void *notify_ctx)
{
	if (nr_harts < 1 || nr_harts > PLIC_MAX_HARTS)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->nr_harts = nr_harts;
	p->nr_contexts = 2 * nr_harts;
	p->notify = notify;
	p->notify_ctx = notify_ctx;
	for (unsigned id = 0; id < PLIC_NR_SOURCES; id++) {
		p->sources[id].plic = p;
		p->sources[id].id = id;
	}
	return 0;
}
