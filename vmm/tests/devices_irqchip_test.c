/*
 * devices_irqchip_test.c - the device table with an external irqchip (--irqchip aia): no
 * PLIC window, and each source's level changes (only changes) reach the irqchip's set().
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "devices.h"
#include "test.h"

static uint8_t ram_buf[4096];

static void *translate(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa >= LAYOUT_DRAM_BASE && gpa - LAYOUT_DRAM_BASE + len <= sizeof(ram_buf)
		       ? ram_buf + (gpa - LAYOUT_DRAM_BASE) : NULL;
}

struct calls {
	unsigned n, source[8];
	int level[8];
};

static void record(void *ctx, unsigned source, int level)
{
	struct calls *c = ctx;

	if (c->n < 8) {
		c->source[c->n] = source;
		c->level[c->n] = level;
	}
	c->n++;
}

static void test_uart_to_irqchip(void)
{
	static struct devices d;
	struct calls calls = { 0 };
	struct devices_irqchip chip = { record, &calls };
	struct vm_config cfg = { .cpus = 1 };
	struct guest_mem mem = { translate, NULL };
	uint64_t uart = layout[LAYOUT_UART0].base;
	struct mmio_miss miss;
	struct console con;
	uint8_t b = 0;
	char err[256];
	int in[2];

	CHECK(pipe(in) == 0);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	console__init(&con, open("/dev/null", O_WRONLY | O_CLOEXEC), in[0], NULL);
	CHECK_EQ(devices__init(&d, &cfg, &con, mem, NULL, NULL, NULL, &chip, "", err, sizeof(err)), 0);
	/* KVM has the interrupt controller: nothing of ours answers at the PLIC's window */
	CHECK_EQ(mmio__dispatch(&d.bus, layout[LAYOUT_PLIC].base + 4, &b, 1, 0, &miss), -ENOENT);

	/* receive interrupt on (IER bit 0), a byte of input: source 10 goes high, once */
	b = 1;
	CHECK_EQ(mmio__dispatch(&d.bus, uart + 1, &b, 1, 1, &miss), 0);
	CHECK(write(in[1], "xy", 2) == 2);
	pthread_mutex_lock(&d.lock);
	CHECK_EQ(devices__pump_input(&d), 0);
	pthread_mutex_unlock(&d.lock);
	CHECK_EQ(calls.n, 1);
	CHECK_EQ(calls.source[0], layout[LAYOUT_UART0].irq);
	CHECK_EQ(calls.level[0], 1);
	/* the first RBR read leaves a byte: still high, no call; the second empties the FIFO */
	CHECK_EQ(mmio__dispatch(&d.bus, uart, &b, 1, 0, &miss), 0);
	CHECK_EQ(b, 'x');
	CHECK_EQ(calls.n, 1);
	CHECK_EQ(mmio__dispatch(&d.bus, uart, &b, 1, 0, &miss), 0);
	CHECK_EQ(b, 'y');
	CHECK_EQ(calls.n, 2);
	CHECK_EQ(calls.level[1], 0);
	devices__close(&d);
	close(con.in_fd);
	close(con.out_fd);
	close(in[1]);
}

/* An ioeventfd's notify goes where the MMIO write would: disk 0's QueueNotify, refused like
 * that write while the queue is not ready, with the reason in d->err. */
static void test_blk_notify(void)
{
	static struct devices d;
	char disk[] = "/tmp/bootcase-notify-XXXXXX", err[256];
	struct vm_config cfg = { .cpus = 1, .nr_disks = 1 };
	struct guest_mem mem = { translate, NULL };
	struct console con;
	int fd = mkstemp(disk);

	CHECK(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
	close(fd);
	cfg.disks[0].path = disk;
	console__init(&con, open("/dev/null", O_WRONLY | O_CLOEXEC), open("/dev/null", O_RDONLY | O_CLOEXEC), NULL);
	CHECK_EQ(devices__init(&d, &cfg, &con, mem, NULL, NULL, NULL, NULL, "", err, sizeof(err)), 0);
	CHECK_EQ(devices__blk_notify_addr(&d, 0), LAYOUT_VIRTIO_BASE + 0x050);
	CHECK_EQ(devices__blk_notify_addr(&d, 2), LAYOUT_VIRTIO_BASE + 2 * LAYOUT_VIRTIO_STRIDE + 0x050);
	CHECK_EQ(devices__blk_notify(&d, 0, 0), -1);
	CHECK_CONTAINS(d.err, "QueueNotify 0 (by ioeventfd): ");
	CHECK_CONTAINS(d.err, "not ready");
	devices__close(&d);
	close(con.in_fd);
	close(con.out_fd);
	unlink(disk);
}

const struct test devices_irqchip_tests[] = {
	{ "devices: a notify from an ioeventfd is disk i's QueueNotify write", test_blk_notify },
	{ "devices: --irqchip aia: no PLIC window, UART level changes go to the irqchip", test_uart_to_irqchip },
	{ NULL, NULL },
};
