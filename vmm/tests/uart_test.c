/*
 * uart_test.c - the 16550 model driven through its dev_ops, as mmio.c would.
 */
#include "test.h"
#include "uart16550.h"

struct irq_probe {
	int level, changes, pulses;
};

static void irq_set(void *ctx, int level)
{
	struct irq_probe *p = ctx;

	p->level = level;
	p->changes++;
}

static void irq_pulse(void *ctx)
{
	struct irq_probe *p = ctx;

	p->pulses++;
}

static struct capture out;
static struct irq_probe irq;

static struct uart16550 *fresh(void)
{
	static struct uart16550 u;

	memset(&out, 0, sizeof(out));
	memset(&irq, 0, sizeof(irq));
	uart16550__init(&u, (struct byte_sink){ capture__write, &out },
			(struct irq_line){ irq_set, &irq, irq_pulse });
	return &u;
}

static int wr(struct uart16550 *u, uint64_t off, uint8_t v)
{
	return uart16550_ops.write(u, off, &v, 1);
}

static uint8_t rd(struct uart16550 *u, uint64_t off)
{
	uint8_t v = 0xaa;

	if (uart16550_ops.read(u, off, &v, 1))
		return 0xee;
	return v;
}

static void test_thr_output(void)
{
	struct uart16550 *u = fresh();

	CHECK_EQ(wr(u, 0, 'h'), 0);
	CHECK_EQ(wr(u, 0, 'i'), 0);
	CHECK_EQ(out.len, 2);
	CHECK(!memcmp(out.buf, "hi", 2));
	CHECK_EQ(rd(u, 5) & 0x60, 0x60); /* THRE | TEMT always */
	CHECK_EQ(rd(u, 5) & 0x01, 0);    /* no data ready */
}

static void test_dlab(void)
{
	struct uart16550 *u = fresh();

	CHECK_EQ(wr(u, 3, 0x83), 0); /* DLAB */
	CHECK_EQ(wr(u, 0, 0x01), 0); /* DLL, not THR */
	CHECK_EQ(wr(u, 1, 0x02), 0); /* DLM, not IER */
	CHECK_EQ(out.len, 0);
	CHECK_EQ(rd(u, 0), 0x01);
	CHECK_EQ(rd(u, 1), 0x02);
	CHECK_EQ(wr(u, 3, 0x03), 0);
	CHECK_EQ(rd(u, 1), 0); /* IER untouched */
	CHECK_EQ(rd(u, 3), 0x03);
}

static void test_rx_and_irq(void)
{
	struct uart16550 *u = fresh();
	uint8_t in[20];

	memset(in, 'x', sizeof(in));
	CHECK_EQ(rd(u, 2) & 0x0f, 0x01); /* no interrupt */
	CHECK_EQ(wr(u, 1, 0x01), 0);     /* IER: received data */
	CHECK_EQ(irq.level, 0);
	CHECK_EQ(uart16550__push_input(u, (const uint8_t *)"ab", 2), 2);
	CHECK_EQ(irq.level, 1);
	CHECK_EQ(rd(u, 2) & 0x0f, 0x04);
	CHECK_EQ(rd(u, 5) & 0x01, 0x01);
	CHECK_EQ(rd(u, 0), 'a');
	CHECK_EQ(rd(u, 0), 'b');
	CHECK_EQ(rd(u, 5) & 0x01, 0);
	CHECK_EQ(irq.level, 0);
	/* the FIFO holds 16 bytes; the rest stays with the caller */
	CHECK_EQ(uart16550__push_input(u, in, sizeof(in)), UART16550_FIFO);
	CHECK_EQ(uart16550__rx_space(u), 0);
	CHECK_EQ(rd(u, 0), 'x');
	CHECK_EQ(uart16550__rx_space(u), 1);
	/* FCR clear-RX empties it */
	CHECK_EQ(wr(u, 2, 0x03), 0);
	CHECK_EQ(rd(u, 5) & 0x01, 0);
	CHECK_EQ(rd(u, 2) & 0xc0, 0xc0); /* FIFOs enabled */
	CHECK_EQ(rd(u, 0), 0);           /* empty RBR reads 0 */
}

static void test_thre_irq(void)
{
	struct uart16550 *u = fresh();

	CHECK_EQ(wr(u, 1, 0x02), 0); /* enabling ETBEI fires at once */
	CHECK_EQ(irq.level, 1);
	CHECK_EQ(rd(u, 2) & 0x0f, 0x02);
	CHECK_EQ(irq.level, 0); /* IIR read acknowledged it */
	CHECK_EQ(rd(u, 2) & 0x0f, 0x01);
	CHECK_EQ(wr(u, 0, 'z'), 0); /* THR write: empty again -> interrupt */
	CHECK_EQ(irq.level, 1);
	CHECK_EQ(wr(u, 1, 0x00), 0);
	CHECK_EQ(irq.level, 0);
}

/*
 * The xv6 profile: THR-empty is one pulse per THR write (and per enable), never a level, so
 * a driver that never reads IIR (xv6 before 2024) gets no storm, and each byte it sends
 * interrupts once. Received data still drives the level.
 */
static void test_thre_pulses(void)
{
	struct uart16550 *u = fresh();

	CHECK_EQ(wr(u, 1, 0x03), 0); /* plain 16550: a level, and an LSR read leaves it */
	rd(u, 5);
	CHECK_EQ(irq.level, 1);
	CHECK_EQ(irq.pulses, 0);
	u = fresh();
	u->thre_pulses = 1;
	CHECK_EQ(wr(u, 1, 0x03), 0); /* RX and TX interrupts, as xv6's uartinit() */
	CHECK_EQ(irq.level, 0);
	CHECK_EQ(irq.pulses, 1);
	CHECK_EQ(rd(u, 2) & 0x0f, 0x02); /* IIR still says THR empty */
	CHECK_EQ(wr(u, 0, 'x'), 0);
	CHECK_EQ(wr(u, 0, 'y'), 0);
	CHECK_EQ(irq.pulses, 3); /* one per byte */
	CHECK_EQ(irq.level, 0);
	CHECK_EQ(wr(u, 1, 0x01), 0); /* TX interrupt off: THR writes are silent */
	CHECK_EQ(wr(u, 0, 'z'), 0);
	CHECK_EQ(irq.pulses, 3);
	CHECK_EQ(uart16550__push_input(u, (const uint8_t *)"a", 1), 1);
	CHECK_EQ(irq.level, 1); /* received data holds the line until RBR is read */
	rd(u, 5);
	CHECK_EQ(irq.level, 1);
	CHECK_EQ(rd(u, 0), 'a');
	CHECK_EQ(irq.level, 0);
}

static void test_loopback_and_msr(void)
{
	struct uart16550 *u = fresh();

	CHECK_EQ(rd(u, 6) & 0xb0, 0xb0); /* DCD DSR CTS on a connected line */
	CHECK_EQ(wr(u, 4, 0x10 | 0x03), 0); /* loopback, DTR, RTS */
	CHECK_EQ(rd(u, 6) & 0xf0, 0x30);    /* DSR, CTS */
	CHECK_EQ(wr(u, 0, 'L'), 0);
	CHECK_EQ(out.len, 0); /* looped, not sent */
	CHECK_EQ(rd(u, 0), 'L');
	CHECK_EQ(uart16550__rx_space(u), 0); /* receiver cut off from the line */
	CHECK_EQ(wr(u, 7, 0x5a), 0);
	CHECK_EQ(rd(u, 7), 0x5a);
}

static void test_refusals(void)
{
	struct uart16550 *u = fresh();
	uint8_t d[8] = { 0 };

	CHECK(uart16550_ops.write(u, 0, d, 4) != 0); /* not a byte access */
	CHECK(uart16550_ops.read(u, 0, d, 2) != 0);
	CHECK(uart16550_ops.read(u, 8, d, 1) != 0); /* past the 8 registers */
	CHECK(uart16550_ops.write(u, 0xff, d, 1) != 0);
	CHECK(wr(u, 5, 0) != 0); /* LSR is read-only */
	CHECK(wr(u, 6, 0) != 0); /* MSR is read-only */
	CHECK_EQ(out.len, 0);
}

static void test_overrun(void)
{
	struct uart16550 *u = fresh();
	uint8_t in[UART16550_FIFO];

	memset(in, 'o', sizeof(in));
	CHECK_EQ(uart16550__push_input(u, in, sizeof(in)), UART16550_FIFO);
	CHECK_EQ(uart16550__push_input(u, in, 1), 0); /* never overruns: caller keeps it */
	CHECK_EQ(rd(u, 5) & 0x02, 0);
}

const struct test uart_tests[] = {
	{ "uart: THR writes reach the sink, LSR THRE|TEMT", test_thr_output },
	{ "uart: DLAB selects DLL/DLM", test_dlab },
	{ "uart: RX FIFO, LSR.DR, RDI interrupt, FCR clear", test_rx_and_irq },
	{ "uart: THRE interrupt armed/acknowledged", test_thre_irq },
	{ "uart: xv6 profile, THR empty is a pulse per byte, never a level", test_thre_pulses },
	{ "uart: loopback, MSR, SCR", test_loopback_and_msr },
	{ "uart: refuses wide, out-of-window and read-only writes", test_refusals },
	{ "uart: push_input never overruns", test_overrun },
	{ NULL, NULL },
};
