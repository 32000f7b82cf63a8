/*
 * plic_test.c - the PLIC model: register decode, gateway, priorities, thresholds, claim and
 * complete, per-context enables and the per-context output notifications.
 */
#include "devtest.h"
#include "plic.h"

#define PRIO(id) (0x000000 + 4 * (id))
#define PENDING(w) (0x001000 + 4 * (w))
#define ENABLE(c, w) (0x002000 + 0x80 * (c) + 4 * (w))
#define THRESHOLD(c) (0x200000 + 0x1000 * (c))
#define CLAIM(c) (0x200004 + 0x1000 * (c))

#define S_CTX(h) (2 * (h) + 1)
#define M_CTX(h) (2 * (h))

struct outputs {
	int level[PLIC_MAX_CONTEXTS];
	int changes;
};

static void note(void *ctx, unsigned context, int level)
{
	struct outputs *o = ctx;

	o->level[context] = level;
	o->changes++;
}

static struct plic plic;
static struct outputs out;
static const struct dev_ops *ops = &plic_ops;

static void setup(unsigned harts)
{
	memset(&out, 0, sizeof(out));
	if (plic__init(&plic, harts, note, &out))
		abort();
}

static void enable(unsigned ctx, unsigned id)
{
	uint32_t v = rd32(ops, &plic, ENABLE(ctx, id / 32));

	wr32(ops, &plic, ENABLE(ctx, id / 32), v | 1U << (id % 32));
}

static void test_hart_count(void)
{
	T(plic__init(&plic, 0, NULL, NULL) == -EINVAL);
	T(plic__init(&plic, PLIC_MAX_HARTS + 1, NULL, NULL) == -EINVAL);
	T(plic__init(&plic, 1, NULL, NULL) == 0 && plic.nr_contexts == 2);
	T(plic__init(&plic, PLIC_MAX_HARTS, NULL, NULL) == 0 && plic.nr_contexts == 16);
}

static void test_priority_registers(void)
{
	uint32_t v;

	setup(1);
	T(wr32(ops, &plic, PRIO(10), 5) == 0 && rd32(ops, &plic, PRIO(10)) == 5);
	T(wr32(ops, &plic, PRIO(95), 0xffffffff) == 0 && rd32(ops, &plic, PRIO(95)) == 7);
	T(mmio_rd(ops, &plic, PRIO(0), &v) == -1); /* source 0 does not exist */
	T(strstr(ops->last_error(&plic), "does not exist"));
	T(wr32(ops, &plic, PRIO(0), 1) == -1);
	T(wr32(ops, &plic, PRIO(96), 1) == -1);
	T(mmio_rd(ops, &plic, 0xffc, &v) == -1);
}

static void test_bad_widths(void)
{
	uint8_t b[8] = { 0 };

	setup(1);
	T(ops->read(&plic, PRIO(1), b, 1) == -1);
	T(ops->read(&plic, PRIO(1), b, 8) == -1);
	T(ops->write(&plic, PRIO(1), b, 2) == -1);
	T(ops->read(&plic, PRIO(1) + 2, b, 4) == -1);
	T(strstr(ops->last_error(&plic), "32-bit"));
}

static void test_pending_read_only(void)
{
	uint32_t v;

	setup(1);
	T(wr32(ops, &plic, PENDING(0), 0xffffffff) == -1);
	T(strstr(ops->last_error(&plic), "read-only"));
	T(rd32(ops, &plic, PENDING(0)) == 0);
	plic__set_irq(&plic, 33, 1);
	T(rd32(ops, &plic, PENDING(1)) == 2);
	T(mmio_rd(ops, &plic, PENDING(3), &v) == -1); /* ids 96+ do not exist */
}

static void test_claim_complete_level(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(10), 1);
	enable(S_CTX(0), 10);
	T(plic__set_irq(&plic, 10, 1) == 0);
	T(out.level[S_CTX(0)] == 1 && out.level[M_CTX(0)] == 0);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 10);
	T(rd32(ops, &plic, PENDING(0)) == 0);	      /* claim clears pending */
	T(out.level[S_CTX(0)] == 0);		      /* nothing else to take */
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 0);    /* a second claim finds nothing */
	wr32(ops, &plic, CLAIM(S_CTX(0)), 10);	      /* complete; the line is still high */
	T(rd32(ops, &plic, PENDING(0)) == 1U << 10); /* so the gateway forwards it again */
	T(out.level[S_CTX(0)] == 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 10);
	plic__set_irq(&plic, 10, 0);
	wr32(ops, &plic, CLAIM(S_CTX(0)), 10);
	T(rd32(ops, &plic, PENDING(0)) == 0 && out.level[S_CTX(0)] == 0);
}

static void test_gateway_holds_until_complete(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(4), 1);
	enable(S_CTX(0), 4);
	plic__set_irq(&plic, 4, 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 4);
	plic__set_irq(&plic, 4, 0);
	plic__set_irq(&plic, 4, 1); /* a new request while claimed waits for the completion */
	T(rd32(ops, &plic, PENDING(0)) == 0 && out.level[S_CTX(0)] == 0);
	wr32(ops, &plic, CLAIM(S_CTX(0)), 4);
	T(rd32(ops, &plic, PENDING(0)) == 1U << 4 && out.level[S_CTX(0)] == 1);
}

static void test_pulse_stays_pending(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(7), 1);
	enable(S_CTX(0), 7);
	plic__set_irq(&plic, 7, 1);
	plic__set_irq(&plic, 7, 0); /* spec: the request stays in the core until claimed */
	T(out.level[S_CTX(0)] == 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 7);
	wr32(ops, &plic, CLAIM(S_CTX(0)), 7);
	T(rd32(ops, &plic, PENDING(0)) == 0 && out.level[S_CTX(0)] == 0);
}

/* plic__pulse_irq: a request kept through a claim, whatever the wire does meanwhile */
static void test_pulse_request_kept_while_claimed(void)
{
	struct irq_line line;

	setup(2);
	wr32(ops, &plic, PRIO(10), 1);
	enable(S_CTX(0), 10);
	enable(S_CTX(1), 10);
	plic__set_irq(&plic, 10, 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 10); /* hart 0 services the level request */
	line = plic__irq_line(&plic, 10);
	line.pulse(line.ctx);			     /* hart 1's THR write, say */
	T(rd32(ops, &plic, PENDING(0)) == 0);	     /* not while claimed */
	T(rd32(ops, &plic, CLAIM(S_CTX(1))) == 0);
	plic__set_irq(&plic, 10, 0);		     /* the wire drops before the completion */
	wr32(ops, &plic, CLAIM(S_CTX(0)), 10);
	T(rd32(ops, &plic, PENDING(0)) == 1U << 10); /* the pulse is forwarded now */
	T(out.level[S_CTX(0)] == 1 && out.level[S_CTX(1)] == 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(1))) == 10);
	wr32(ops, &plic, CLAIM(S_CTX(1)), 10);
	T(rd32(ops, &plic, PENDING(0)) == 0); /* once */
	T(plic__pulse_irq(&plic, 0) == -EINVAL && plic__pulse_irq(&plic, PLIC_NR_SOURCES) == -EINVAL);
}

static void test_priority_order_and_ties(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(3), 2);
	wr32(ops, &plic, PRIO(7), 5);
	wr32(ops, &plic, PRIO(5), 5);
	wr32(ops, &plic, PRIO(40), 6);
	for (unsigned id = 3; id <= 40; id++)
		enable(S_CTX(0), id);
	plic__set_irq(&plic, 3, 1);
	plic__set_irq(&plic, 7, 1);
	plic__set_irq(&plic, 5, 1);
	plic__set_irq(&plic, 40, 1);
	plic__set_irq(&plic, 41, 1); /* priority 0: never interrupts */
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 40);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 5); /* tie at 5: lowest id first */
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 7);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 3);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 0);
	T(out.level[S_CTX(0)] == 0);
}

static void test_threshold(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(9), 3);
	enable(S_CTX(0), 9);
	wr32(ops, &plic, THRESHOLD(S_CTX(0)), 3); /* priority must exceed the threshold */
	plic__set_irq(&plic, 9, 1);
	T(out.level[S_CTX(0)] == 0);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 0);
	T(rd32(ops, &plic, PENDING(0)) == 1U << 9); /* still pending, just masked */
	wr32(ops, &plic, THRESHOLD(S_CTX(0)), 2);
	T(out.level[S_CTX(0)] == 1);
	wr32(ops, &plic, THRESHOLD(S_CTX(0)), 0xffffffff); /* WARL: clamps to 7, masks all */
	T(rd32(ops, &plic, THRESHOLD(S_CTX(0))) == 7 && out.level[S_CTX(0)] == 0);
	wr32(ops, &plic, THRESHOLD(S_CTX(0)), 0);
	wr32(ops, &plic, PRIO(9), 0); /* priority 0 masks too */
	T(out.level[S_CTX(0)] == 0);
}

static void test_per_context_enables(void)
{
	setup(2);
	wr32(ops, &plic, PRIO(1), 1);
	wr32(ops, &plic, PRIO(2), 1);
	enable(S_CTX(1), 1); /* source 1 -> hart 1 only */
	enable(S_CTX(0), 2); /* source 2 -> hart 0 only */
	enable(M_CTX(0), 2); /* ... and hart 0's M context */
	plic__set_irq(&plic, 1, 1);
	T(out.level[S_CTX(1)] == 1 && out.level[S_CTX(0)] == 0 && out.level[M_CTX(1)] == 0);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 0);
	plic__set_irq(&plic, 2, 1);
	T(out.level[S_CTX(0)] == 1 && out.level[M_CTX(0)] == 1);
	T(rd32(ops, &plic, CLAIM(M_CTX(0))) == 2); /* claiming clears it for every context */
	T(out.level[S_CTX(0)] == 0 && out.level[M_CTX(0)] == 0);
	T(rd32(ops, &plic, CLAIM(S_CTX(1))) == 1);
	T(out.level[S_CTX(1)] == 0);
}

static void test_enable_word_rules(void)
{
	uint32_t v;

	setup(1);
	wr32(ops, &plic, ENABLE(S_CTX(0), 0), 0xffffffff);
	T(rd32(ops, &plic, ENABLE(S_CTX(0), 0)) == 0xfffffffe); /* source 0 hardwired off */
	T(wr32(ops, &plic, ENABLE(S_CTX(0), 2), 0xffffffff) == 0);
	T(wr32(ops, &plic, ENABLE(S_CTX(0), 3), 1) == -1);
	T(mmio_rd(ops, &plic, ENABLE(S_CTX(0), 31), &v) == -1);
	T(wr32(ops, &plic, ENABLE(2, 0), 1) == -1); /* one hart: contexts 0 and 1 only */
	T(strstr(ops->last_error(&plic), "context"));
}

static void test_context_registers(void)
{
	uint32_t v;

	setup(2);
	T(wr32(ops, &plic, THRESHOLD(M_CTX(1)), 4) == 0 && rd32(ops, &plic, THRESHOLD(M_CTX(1))) == 4);
	T(mmio_rd(ops, &plic, THRESHOLD(4), &v) == -1);
	T(wr32(ops, &plic, CLAIM(4), 1) == -1);
	T(mmio_rd(ops, &plic, THRESHOLD(0) + 8, &v) == -1); /* undecoded in a context page */
	T(mmio_rd(ops, &plic, 0x5ffffc, &v) == -1);
	T(mmio_rd(ops, &plic, 0x1ffffc, &v) == -1); /* the gap below the contexts */
}

static void test_complete_rules(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(6), 1);
	enable(S_CTX(0), 6);
	plic__set_irq(&plic, 6, 1);
	T(rd32(ops, &plic, CLAIM(S_CTX(0))) == 6);
	T(wr32(ops, &plic, CLAIM(S_CTX(0)), 0) == 0);	 /* bogus ids are ignored */
	T(wr32(ops, &plic, CLAIM(S_CTX(0)), 1000) == 0);
	T(wr32(ops, &plic, CLAIM(M_CTX(0)), 6) == 0); /* not enabled there: ignored */
	T(rd32(ops, &plic, PENDING(0)) == 0);
	T(wr32(ops, &plic, CLAIM(S_CTX(0)), 6) == 0);
	T(rd32(ops, &plic, PENDING(0)) == 1U << 6);
}

static void test_irq_line_and_instances(void)
{
	struct plic *other = malloc(sizeof(*other));
	struct irq_line l, l0 = plic__irq_line(&plic, 0);

	setup(1);
	plic__init(other, 1, NULL, NULL);
	l = plic__irq_line(&plic, 8);
	T(l0.set == NULL && plic__irq_line(&plic, 96).set == NULL);
	T(plic__set_irq(&plic, 0, 1) == -EINVAL && plic__set_irq(&plic, 96, 1) == -EINVAL);
	l.set(l.ctx, 1);
	T(rd32(ops, &plic, PENDING(0)) == 1U << 8);
	T(rd32(ops, other, PENDING(0)) == 0); /* no shared state between instances */
	l.set(l.ctx, 0);
	free(other);
}

static void test_notify_only_on_change(void)
{
	setup(1);
	wr32(ops, &plic, PRIO(2), 1);
	wr32(ops, &plic, PRIO(3), 1);
	enable(S_CTX(0), 2);
	enable(S_CTX(0), 3);
	plic__set_irq(&plic, 2, 1);
	plic__set_irq(&plic, 3, 1);
	plic__set_irq(&plic, 3, 1);
	T(out.changes == 1); /* one rising edge for the context, not one per source */
	rd32(ops, &plic, CLAIM(S_CTX(0)));
	T(out.changes == 1); /* source 3 still pending */
	rd32(ops, &plic, CLAIM(S_CTX(0)));
	T(out.changes == 2 && out.level[S_CTX(0)] == 0);
}

int main(void)
{
	RUN(test_hart_count);
	RUN(test_priority_registers);
	RUN(test_bad_widths);
	RUN(test_pending_read_only);
	RUN(test_claim_complete_level);
	RUN(test_gateway_holds_until_complete);
	RUN(test_pulse_stays_pending);
	RUN(test_pulse_request_kept_while_claimed);
	RUN(test_priority_order_and_ties);
	RUN(test_threshold);
	RUN(test_per_context_enables);
	RUN(test_enable_word_rules);
	RUN(test_context_registers);
	RUN(test_complete_rules);
	RUN(test_irq_line_and_instances);
	RUN(test_notify_only_on_change);
	DEVTEST_END();
}
