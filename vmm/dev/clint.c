/*
 * clint.c - the SiFive CLINT of QEMU virt (hw/intc/riscv_aclint.c, "sifive,clint0"), as the
 * xv6 profile needs it. Register map (little-endian; 32-bit registers, 64-bit timer registers
 * also as two 32-bit halves):
 *
 *   0x0000 + 4 * h   msip[h]      bit 0: machine software interrupt pending for hart h
 *   0x4000 + 8 * h   mtimecmp[h]  machine timer interrupt when mtime >= mtimecmp[h]
 *   0xbff8           mtime        the time since reset, in timebase ticks (read-only here)
 *
 * The catch is that a KVM guest has no M-mode. On QEMU virt the CLINT's interrupts go to M-mode
 * (mip.MTIP, mip.MSIP); xv6's start() points mtvec at timervec (kernelvec.S), which on every
 * machine timer interrupt adds a fixed interval to mtimecmp[h] and sets sip.SSIP, so the kernel
 * sees its clock tick as a supervisor software interrupt. Here nothing can ever take the
 * machine interrupt, so this model performs timervec's architectural effect itself:
 *
 *   - when mtime reaches mtimecmp[h], hart h's supervisor software interrupt is raised
 *     (hooks.soft_irq) and mtimecmp[h] advances by the interval of the guest's last write
 *     (mtimecmp - mtime at that moment), which is the value xv6 keeps in scratch[4];
 *   - ticks missed while the VMM was late (a loaded host) collapse into one interrupt: on real
 *     hardware timervec would run once per missed interval, but each run only sets the same
 *     SSIP bit again, so the supervisor sees one interrupt either way;
 *   - an mtimecmp written at or below mtime fires once and stays quiet until written again
 *     (an interval of 0 would have timervec loop forever);
 *   - writing 1 to msip[h] raises hart h's SSIP too, the nearest S-mode meaning of an IPI.
 *
 * That is a model of xv6's timervec, not a general M-mode: it assumes the guest enabled the
 * machine timer interrupt (mstatus.MIE, mie.MTIE) right after programming mtimecmp, as xv6's
 * timerinit() does, because the shadow M-mode CSRs live in the guest's shim, out of our sight.
 * A timer counts as armed from the first mtimecmp write after reset.
 *
 * mtime is the guest's time CSR (hooks.now), so mtime and rdtime agree. Writes to mtime and
 * accesses the CLINT does not decode are refused (a device fault), as elsewhere in the VMM.
 */
#include <errno.h>
#include <string.h>

#include "clint.h"

#define CLINT_MSIP_END (4 * CLINT_MAX_HARTS)
#define CLINT_MTIMECMP_BASE 0x4000
#define CLINT_MTIMECMP_END (CLINT_MTIMECMP_BASE + 8 * CLINT_MAX_HARTS)

static uint64_t clint_now(struct clint *c)
{
	return c->hooks.now ? c->hooks.now(c->hooks.ctx) : 0;
}

/* Point the one deadline at the earliest armed mtimecmp. */
static void clint_rearm(struct clint *c)
{
	uint64_t next = CLINT_NEVER;

	for (unsigned h = 0; h < c->nr_harts; h++)
		if (c->armed[h] && c->mtimecmp[h] < next)
			next = c->mtimecmp[h];
	if (c->hooks.arm)
		c->hooks.arm(c->hooks.ctx, next);
}

/* mtime reached mtimecmp[h]: what xv6's timervec would do, then the next deadline. */
static void clint_expire(struct clint *c, unsigned h, uint64_t now)
{
	uint64_t step = c->interval[h];

	c->fired[h]++;
	if (c->hooks.soft_irq)
		c->hooks.soft_irq(c->hooks.ctx, h);
	if (!step) {
		c->armed[h] = 0;
		return;
	}
	/* the smallest whole number of intervals that puts mtimecmp in the future */
	c->mtimecmp[h] += ((now - c->mtimecmp[h]) / step + 1) * step;
}

void clint__tick(struct clint *c)
{
	uint64_t now = clint_now(c);

	for (unsigned h = 0; h < c->nr_harts; h++)
		if (c->armed[h] && c->mtimecmp[h] <= now)
			clint_expire(c, h, now);
	clint_rearm(c);
}

static uint64_t get_le(const uint8_t *data, uint32_t len)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < len; i++)
		v |= (uint64_t)data[i] << (8 * i);
	return v;
}

static void put_le(uint8_t *data, uint32_t len, uint64_t v)
{
	for (uint32_t i = 0; i < len; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

/* A 64-bit register accessed whole (8 bytes) or by 32-bit half: the bits it covers. */
static int clint_part(struct clint *c, uint64_t rel, uint32_t len, unsigned *shift)
{
	if (!((len == 8 && rel == 0) || (len == 4 && (rel == 0 || rel == 4))))
		return c->err = "64-bit CLINT registers take aligned 64-bit or 32-bit accesses", -1;
	*shift = (unsigned)(8 * rel);
	return 0;
}

/* Which hart's register lies at off, for a window of stride bytes; -1 if none. */
static int clint_hart(const struct clint *c, uint64_t off, uint64_t base, uint64_t stride)
{
	uint64_t h = (off - base) / stride;

	return h < c->nr_harts ? (int)h : -1;
}

static int clint_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct clint *c = state;
	unsigned shift;
	int h;

	if (off < CLINT_MSIP_END) {
		if (len != 4 || (off & 3) || (h = clint_hart(c, off, 0, 4)) < 0)
			return c->err = "msip is a 32-bit register per existing hart", -1;
		put_le(data, 4, c->msip[h]);
		return 0;
	}
	if (off >= CLINT_MTIMECMP_BASE && off < CLINT_MTIMECMP_END) {
		if ((h = clint_hart(c, off, CLINT_MTIMECMP_BASE, 8)) < 0)
			return c->err = "mtimecmp of a hart that does not exist", -1;
		if (clint_part(c, (off - CLINT_MTIMECMP_BASE) % 8, len, &shift))
			return -1;
		put_le(data, len, c->mtimecmp[h] >> shift);
		return 0;
	}
	if (off >= CLINT_MTIME && off < CLINT_MTIME + 8) {
		if (clint_part(c, off - CLINT_MTIME, len, &shift))
			return -1;
		put_le(data, len, clint_now(c) >> shift);
		return 0;
	}
	return c->err = "undecoded CLINT offset", -1;
}

static int clint_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct clint *c = state;
	uint64_t v = get_le(data, len), mask, now;
	unsigned shift;
	int h;

	if (off < CLINT_MSIP_END) {
		if (len != 4 || (off & 3) || (h = clint_hart(c, off, 0, 4)) < 0)
			return c->err = "msip is a 32-bit register per existing hart", -1;
		c->msip[h] = (uint32_t)v & 1; /* bits 31:1 are hardwired to zero */
		if (c->msip[h] && c->hooks.soft_irq)
			c->hooks.soft_irq(c->hooks.ctx, (unsigned)h);
		return 0;
	}
	if (off >= CLINT_MTIMECMP_BASE && off < CLINT_MTIMECMP_END) {
		if ((h = clint_hart(c, off, CLINT_MTIMECMP_BASE, 8)) < 0)
			return c->err = "mtimecmp of a hart that does not exist", -1;
		if (clint_part(c, (off - CLINT_MTIMECMP_BASE) % 8, len, &shift))
			return -1;
		mask = len == 8 ? UINT64_MAX : 0xffffffffULL << shift;
		c->mtimecmp[h] = (c->mtimecmp[h] & ~mask) | ((v << shift) & mask);
		now = clint_now(c);
		c->interval[h] = c->mtimecmp[h] > now ? c->mtimecmp[h] - now : 0;
		c->armed[h] = 1;
		clint__tick(c); /* a deadline already passed fires now */
		return 0;
	}
	if (off >= CLINT_MTIME && off < CLINT_MTIME + 8)
		return c->err = "mtime is the guest's time CSR and cannot be written", -1;
	return c->err = "undecoded CLINT offset", -1;
}

static const char *clint_last_error(void *state)
{
	struct clint *c = state;

	return c->err;
}

const struct dev_ops clint_ops = {
	.name = "clint",
	.read = clint_read,
	.write = clint_write,
	.last_error = clint_last_error,
};

int clint__init(struct clint *c, unsigned nr_harts, struct clint_hooks hooks)
{
	if (nr_harts < 1 || nr_harts > CLINT_MAX_HARTS)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	c->nr_harts = nr_harts;
	c->hooks = hooks;
	return 0;
}
