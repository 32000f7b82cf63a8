/*
 * virtio_console_test.c - the single-port virtio console: transmit to a byte sink, input into
 * posted receive buffers, input held while none are posted (and across a reset), and buffers
 * in the wrong direction or outside RAM failing the device.
 */
#include "devtest.h"
#include "virtio-console.h"

#define RXQ (RAM_BASE + 0x10000)
#define TXQ (RAM_BASE + 0x20000)
#define RXBUF (RAM_BASE + 0x100000)
#define TXBUF (RAM_BASE + 0x200000)

struct sink {
	uint8_t buf[16384];
	size_t len;
	int calls;
};

static struct fake_ram ram;
static struct guest_mem mem;
static struct fake_irq irq;
static struct virtio_console con;
static struct fake_vq fq[2];
static struct sink out;
static const struct dev_ops *ops = &virtio_mmio_ops;

static void sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct sink *s = ctx;

	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->calls++;
}

static void setup(int bringup)
{
	memset(ram.host, 0, RAM_SIZE);
	memset(&out, 0, sizeof(out));
	virtio_console__init(&con, (struct byte_sink){ sink_write, &out }, mem, fake_irq_line(&irq));
	fake_vq_init(&fq[0], &ram, 16, RXQ);
	fake_vq_init(&fq[1], &ram, 16, TXQ);
	if (bringup && virtio_bringup(&con.mmio, fq, 2, 0))
		abort();
}

/* Post n receive buffers of size bytes each (one descriptor per chain). */
static void post_rx(int n, uint32_t size)
{
	for (int i = 0; i < n; i++) {
		struct drv_buf b = { RXBUF + 0x1000 * (uint64_t)(fq[0].avail_idx % 16), size, 1 };

		fake_vq_add(&fq[0], &b, 1);
	}
}

static void test_identity_and_config(void)
{
	uint8_t b[4] = { 1, 1, 1, 1 };

	setup(0);
	T(rd32(ops, &con.mmio, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_CONSOLE);
	T(rd32(ops, &con.mmio, VIRTIO_MMIO_DEVICE_FEATURES) == 0); /* no SIZE/MULTIPORT/EMERG */
	wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_SEL, 1);
	T(rd32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) == VIRTIO_CONSOLE_QUEUE_MAX);
	wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_SEL, 2);
	T(rd32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0);
	T(ops->read(&con.mmio, VIRTIO_MMIO_CONFIG + 8, b, 4) == 0 && !b[0] && !b[3]);
	T(ops->read(&con.mmio, VIRTIO_MMIO_CONFIG + 12, b, 1) == -1);
	T(ops->write(&con.mmio, VIRTIO_MMIO_CONFIG, b, 2) == -1);
}

static void test_transmit(void)
{
	struct drv_buf c1[] = { { TXBUF, 6, 0 }, { TXBUF + 0x100, 5, 0 } };
	struct drv_buf c2[] = { { TXBUF + 0x200, 2, 0 } };
	uint32_t id, len;

	setup(1);
	memcpy(gpa_host(&ram, TXBUF), "hello ", 6);
	memcpy(gpa_host(&ram, TXBUF + 0x100), "world", 5);
	memcpy(gpa_host(&ram, TXBUF + 0x200), "!\n", 2);
	fake_vq_add(&fq[1], c1, 2);
	fake_vq_add(&fq[1], c2, 1);
	T(wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 1) == 0);
	T(out.len == 13 && !memcmp(out.buf, "hello world!\n", 13));
	T(fake_vq_used(&fq[1], &id, &len) && id == 0 && len == 0);
	T(fake_vq_used(&fq[1], &id, &len) && id == 2 && !fake_vq_used(&fq[1], &id, &len));
	T(irq.level && rd32(ops, &con.mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING);
}

static void test_input_held_until_buffers(void)
{
	uint32_t id, len;

	setup(0);
	T(virtio_console__push_input(&con, (const uint8_t *)"abcdef", 6) == 6); /* before the driver */
	T(virtio_bringup(&con.mmio, fq, 2, 0) == 0);
	T(virtio_console__input_space(&con) == VIRTIO_CONSOLE_PENDING - 6);
	post_rx(2, 4);
	T(!irq.level);
	T(wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(fake_vq_used(&fq[0], &id, &len) && len == 4 && !memcmp(gpa_host(&ram, RXBUF), "abcd", 4));
	T(fake_vq_used(&fq[0], &id, &len) && len == 2 && !memcmp(gpa_host(&ram, RXBUF + 0x1000), "ef", 2));
	T(irq.level && virtio_console__input_space(&con) == VIRTIO_CONSOLE_PENDING);
}

static void test_input_immediate(void)
{
	uint32_t id, len;

	setup(1);
	post_rx(1, 64);
	wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* nothing to deliver yet */
	T(!fake_vq_used(&fq[0], &id, &len) && !irq.level);
	T(virtio_console__push_input(&con, (const uint8_t *)"ls\n", 3) == 3);
	T(fake_vq_used(&fq[0], &id, &len) && len == 3 && !memcmp(gpa_host(&ram, RXBUF), "ls\n", 3));
	T(irq.level);
}

static void test_input_overflow_and_wrap(void)
{
	static uint8_t in[6000], got[6000];
	uint32_t id, len;
	size_t n = 0;

	setup(1);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	T(virtio_console__push_input(&con, in, 3000) == 3000);
	T(virtio_console__push_input(&con, in + 3000, 3000) == VIRTIO_CONSOLE_PENDING - 3000);
	T(virtio_console__push_input(&con, in, 1) == 0 && virtio_console__input_space(&con) == 0);
	/* drain in 1000-byte buffers, refill: the held ring wraps */
	for (int round = 0; round < 8 && n < sizeof(in); round++) {
		post_rx(4, 1000);
		wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		while (fake_vq_used(&fq[0], &id, &len)) {
			memcpy(got + n, gpa_host(&ram, RXBUF + 0x1000 * id), len);
			n += len;
		}
		if (round == 0)
			T(virtio_console__push_input(&con, in + VIRTIO_CONSOLE_PENDING,
						     sizeof(in) - VIRTIO_CONSOLE_PENDING) ==
			  (long)(sizeof(in) - VIRTIO_CONSOLE_PENDING));
	}
	T(n == sizeof(in) && !memcmp(got, in, sizeof(in)));
}

static void test_input_survives_reset(void)
{
	uint32_t id, len;

	setup(1);
	T(virtio_console__push_input(&con, (const uint8_t *)"keep", 4) == 4);
	T(virtio_bringup(&con.mmio, fq, 2, 0) == 0); /* resets, as a rebooting driver would */
	post_rx(1, 16);
	wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	T(fake_vq_used(&fq[0], &id, &len) && len == 4 && !memcmp(gpa_host(&ram, RXBUF), "keep", 4));
}

static void test_wrong_directions_fail(void)
{
	struct drv_buf rx_readable = { RXBUF, 16, 0 };
	struct drv_buf tx_writable[] = { { TXBUF, 4, 0 }, { TXBUF + 64, 4, 1 } };

	setup(1);
	fake_vq_add(&fq[0], &rx_readable, 1);
	T(virtio_console__push_input(&con, (const uint8_t *)"x", 1) == -EINVAL);
	T(strstr(virtio_mmio__error(&con.mmio), "receive buffer 0 has 16 device-readable"));
	T(rd32(ops, &con.mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);

	setup(1);
	fake_vq_add(&fq[1], tx_writable, 2);
	T(wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 1) == -1);
	T(strstr(ops->last_error(&con.mmio), "transmit buffer 0 has 4 device-writable"));
	T(out.len == 0);
}

static void test_buffers_outside_ram(void)
{
	struct drv_buf tx = { MMIO_GPA, 4, 0 };
	struct drv_buf rx = { RAM_BASE + RAM_SIZE - 2, 4, 1 };

	setup(1);
	fake_vq_add(&fq[1], &tx, 1);
	T(wr32(ops, &con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 1) == -1 && out.len == 0);
	T(strstr(ops->last_error(&con.mmio), "queue 1: descriptor 0 buffer [0x10001000, +0x4)"));
	setup(1);
	fake_vq_add(&fq[0], &rx, 1);
	T(virtio_console__push_input(&con, (const uint8_t *)"x", 1) == -EINVAL);
}

int main(void)
{
	mem = fake_ram_init(&ram);
	RUN(test_identity_and_config);
	RUN(test_transmit);
	RUN(test_input_held_until_buffers);
	RUN(test_input_immediate);
	RUN(test_input_overflow_and_wrap);
	RUN(test_input_survives_reset);
	RUN(test_wrong_directions_fail);
	RUN(test_buffers_outside_ram);
	free(ram.host);
	DEVTEST_END();
}
