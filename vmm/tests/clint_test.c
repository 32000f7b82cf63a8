/*
 * clint_test.c - the CLINT model of the xv6 profile: register decode, mtime from the clock
 * hook, and timervec's effect (SSIP on expiry, re-arm by the programmed interval) driven by a
 * fake clock, the way the VMM's deadline timer drives it.
 */
#include "devtest.h"
#include "clint.h"

/* A fake machine: a clock we move by hand, the SSIPs raised, the deadline asked for. */
struct fake_hw {
	uint64_t now;
	unsigned ssip[CLINT_MAX_HARTS];
	uint64_t deadline;
	unsigned arms;
};

static uint64_t hw_now(void *ctx)
{
	return ((struct fake_hw *)ctx)->now;
}

static void hw_soft_irq(void *ctx, unsigned hart)
{
	((struct fake_hw *)ctx)->ssip[hart]++;
}

static void hw_arm(void *ctx, uint64_t deadline)
{
	struct fake_hw *hw = ctx;

	hw->deadline = deadline;
	hw->arms++;
}

static struct clint clint;
static struct fake_hw hw;
static const struct dev_ops *ops = &clint_ops;

static void setup(unsigned harts)
{
	memset(&hw, 0, sizeof(hw));
	hw.deadline = CLINT_NEVER;
	if (clint__init(&clint, harts, (struct clint_hooks){ hw_now, hw_soft_irq, hw_arm, &hw }))
		abort();
}

static int rd64(uint64_t off, uint64_t *v)
{
	uint8_t b[8] = { 0 };
	int r = ops->read(&clint, off, b, 8);

	*v = 0;
	for (int i = 0; i < 8; i++)
		*v |= (uint64_t)b[i] << (8 * i);
	return r;
}

static int wr64(uint64_t off, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return ops->write(&clint, off, b, 8);
}

/* The deadline came (the VMM's timer fired): move the clock there and tick. */
static void run_to(uint64_t t)
{
	hw.now = t;
	clint__tick(&clint);
}

static void test_hart_count(void)
{
	struct clint_hooks none = { 0 };

	T(clint__init(&clint, 0, none) == -EINVAL);
	T(clint__init(&clint, CLINT_MAX_HARTS + 1, none) == -EINVAL);
	T(clint__init(&clint, CLINT_MAX_HARTS, none) == 0);
}

static void test_mtime_is_the_clock(void)
{
	uint64_t v;

	setup(1);
	hw.now = 0x123456789abcdefULL;
	T(rd64(CLINT_MTIME, &v) == 0 && v == 0x123456789abcdefULL);
	T(rd32(ops, &clint, CLINT_MTIME) == 0x89abcdef);
	T(rd32(ops, &clint, CLINT_MTIME + 4) == 0x01234567);
	T(wr64(CLINT_MTIME, 0) == -1); /* the guest's time CSR cannot be set */
	T(strstr(ops->last_error(&clint), "cannot be written"));
	T(wr32(ops, &clint, CLINT_MTIME, 0) == -1);
}

static void test_decode(void)
{
	uint8_t b[8] = { 0 };
	uint32_t v;

	setup(2);
	T(mmio_rd(ops, &clint, CLINT_MSIP(1), &v) == 0 && v == 0);
	T(mmio_rd(ops, &clint, CLINT_MSIP(2), &v) == -1); /* hart 2 does not exist */
	T(ops->read(&clint, CLINT_MSIP(0), b, 8) == -1);  /* msip is 32-bit */
	T(ops->read(&clint, CLINT_MSIP(0) + 1, b, 1) == -1);
	T(ops->read(&clint, CLINT_MTIMECMP(0) + 2, b, 4) == -1);
	T(ops->read(&clint, CLINT_MTIMECMP(0) + 4, b, 8) == -1);
	T(ops->read(&clint, CLINT_MTIMECMP(0), b, 2) == -1);
	T(mmio_rd(ops, &clint, CLINT_MTIMECMP(2), &v) == -1);
	T(mmio_rd(ops, &clint, 0x8000, &v) == -1);
	T(strstr(ops->last_error(&clint), "undecoded"));
	T(hw.arms == 0); /* reads never arm anything */
}

/* xv6's timerinit(): mtimecmp = mtime + interval, then timervec re-arms by that interval. */
static void test_timervec_model(void)
{
	uint64_t v;

	setup(1);
	hw.now = 5000;
	T(wr64(CLINT_MTIMECMP(0), 5000 + 1000000) == 0);
	T(hw.deadline == 1005000 && hw.ssip[0] == 0);
	run_to(1004999); /* early (the host timer is not exact): nothing yet, same deadline */
	T(hw.ssip[0] == 0 && hw.deadline == 1005000);
	run_to(1005000);
	T(hw.ssip[0] == 1 && hw.deadline == 2005000);
	T(rd64(CLINT_MTIMECMP(0), &v) == 0 && v == 2005000); /* as timervec left it */
	run_to(2005100);
	T(hw.ssip[0] == 2 && hw.deadline == 3005000); /* the grid, not "now + interval" */
	T(clint.fired[0] == 2);
}

/* A late VMM (the host was busy for several intervals) delivers one SSIP, then catches up. */
static void test_missed_ticks_collapse(void)
{
	setup(1);
	hw.now = 0;
	wr64(CLINT_MTIMECMP(0), 100);
	run_to(1050);
	T(hw.ssip[0] == 1);
	T(hw.deadline == 1100);
}

static void test_per_hart_deadlines(void)
{
	setup(3);
	hw.now = 0;
	wr64(CLINT_MTIMECMP(0), 300);
	wr64(CLINT_MTIMECMP(2), 200);
	T(hw.deadline == 200); /* one timer: the earliest armed hart */
	run_to(200);
	T(hw.ssip[2] == 1 && hw.ssip[0] == 0 && hw.ssip[1] == 0);
	T(hw.deadline == 300);
	run_to(300);
	T(hw.ssip[0] == 1 && hw.ssip[2] == 1);
	T(hw.deadline == 400); /* hart 2 again at 400, hart 0 at 600 */
	run_to(400);
	T(hw.ssip[2] == 2 && hw.deadline == 600);
}

/* mtimecmp at or below mtime: the interrupt is due at once, and only once. */
static void test_past_deadline_fires_once(void)
{
	setup(1);
	hw.now = 1000;
	T(wr64(CLINT_MTIMECMP(0), 10) == 0);
	T(hw.ssip[0] == 1 && hw.deadline == CLINT_NEVER);
	run_to(5000);
	T(hw.ssip[0] == 1);
	wr64(CLINT_MTIMECMP(0), 6000); /* rewriting arms it again */
	T(hw.deadline == 6000);
}

/* 32-bit halves (how an RV32 kernel writes it) update one half each. */
static void test_halves(void)
{
	uint64_t v;

	setup(1);
	hw.now = 0;
	T(wr32(ops, &clint, CLINT_MTIMECMP(0) + 4, 0x1) == 0);
	T(wr32(ops, &clint, CLINT_MTIMECMP(0), 0x2) == 0);
	T(rd64(CLINT_MTIMECMP(0), &v) == 0 && v == 0x100000002ULL);
	T(rd32(ops, &clint, CLINT_MTIMECMP(0) + 4) == 1);
	T(hw.deadline == 0x100000002ULL && clint.interval[0] == 0x100000002ULL);
}

static void test_msip_raises_ssip(void)
{
	setup(2);
	T(wr32(ops, &clint, CLINT_MSIP(1), 0xffffffff) == 0);
	T(hw.ssip[1] == 1 && hw.ssip[0] == 0);
	T(rd32(ops, &clint, CLINT_MSIP(1)) == 1); /* only bit 0 exists */
	T(wr32(ops, &clint, CLINT_MSIP(1), 0) == 0 && hw.ssip[1] == 1);
	T(rd32(ops, &clint, CLINT_MSIP(1)) == 0);
	T(hw.arms == 0);
}

int main(void)
{
	RUN(test_hart_count);
	RUN(test_mtime_is_the_clock);
	RUN(test_decode);
	RUN(test_timervec_model);
	RUN(test_missed_ticks_collapse);
	RUN(test_per_hart_deadlines);
	RUN(test_past_deadline_fires_once);
	RUN(test_halves);
	RUN(test_msip_raises_ssip);
	DEVTEST_END();
}
