/*
 * devices_test.c - the device table: which model answers at each layout.h window, the PLIC
 * wiring of the UART and the virtio slots, and where console input goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "devices.h"
#include "loader.h"
#include "test.h"

static uint8_t ram_buf[1 << 16];
static struct guest_ram ram = { ram_buf, LAYOUT_DRAM_BASE, sizeof(ram_buf) };
static int notified[PLIC_MAX_CONTEXTS];

static void *translate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest_ram *r = ctx;

	if (gpa < r->base || gpa - r->base > r->size || len > r->size - (gpa - r->base))
		return NULL;
	return r->host + (gpa - r->base);
}

static void notify(void *ctx, unsigned context, int level)
{
	(void)ctx;
	notified[context] = level;
}

static uint32_t rd32(struct devices *d, uint64_t addr)
{
	struct mmio_miss miss;
	uint8_t b[8] = { 0 };

	if (mmio__dispatch(&d->bus, addr, b, 4, 0, &miss))
		return 0xdeadbeef;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int wr(struct devices *d, uint64_t addr, uint32_t v, uint32_t len)
{
	struct mmio_miss miss;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return mmio__dispatch(&d->bus, addr, b, len, 1, &miss);
}

static uint8_t rd8(struct devices *d, uint64_t addr)
{
	struct mmio_miss miss;
	uint8_t b = 0xff;

	mmio__dispatch(&d->bus, addr, &b, 1, 0, &miss);
	return b;
}

/* A 1 MiB disk file, a console on a pipe (in) and /dev/null (out). */
static int setup(struct devices *d, struct console *con, struct vm_config *cfg, int *in_w,
		 char *disk)
{
	struct guest_mem mem = { translate, &ram };
	int in[2], fd;
	char err[256];

	snprintf(disk, 64, "/tmp/bootcase-devtest-XXXXXX");
	fd = mkstemp(disk);
	if (fd < 0 || ftruncate(fd, 1 << 20) < 0 || pipe(in) < 0)
		return -1;
	close(fd);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	*in_w = in[1];
	console__init(con, open("/dev/null", O_WRONLY | O_CLOEXEC), in[0], NULL);
	cfg->disks[0].path = disk;
	cfg->nr_disks = 1;
	memset(notified, 0, sizeof(notified));
	if (devices__init(d, cfg, con, mem, notify, NULL, NULL, NULL, "", err, sizeof(err))) {
		printf("      devices__init: %s\n", err);
		return -1;
	}
	return 0;
}

static void teardown(struct devices *d, struct console *con, int in_w, const char *disk)
{
	devices__close(d);
	close(con->in_fd);
	close(con->out_fd);
	close(in_w);
	unlink(disk);
}

static void test_slots(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 2, .virtio_console = 1 };
	struct console con;
	struct mmio_miss miss;
	uint8_t b[4] = { 0 };
	uint64_t v0 = layout[LAYOUT_VIRTIO0].base;
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	for (unsigned i = 0; i < LAYOUT_VIRTIO_SLOTS; i++) {
		uint64_t base = v0 + i * LAYOUT_VIRTIO_STRIDE;

		CHECK_EQ(rd32(&d, base + VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC_NUMBER);
		CHECK_EQ(rd32(&d, base + VIRTIO_MMIO_VERSION), 2);
		CHECK_EQ(rd32(&d, base + VIRTIO_MMIO_DEVICE_ID),
			 i == 0 ? VIRTIO_ID_BLOCK : i == 1 ? VIRTIO_ID_CONSOLE : 0);
	}
	/* capacity: 1 MiB = 2048 sectors */
	CHECK_EQ(rd32(&d, v0 + VIRTIO_MMIO_CONFIG), 2048);
	/* a refused access names the slot */
	CHECK(mmio__dispatch(&d.bus, v0 + VIRTIO_MMIO_MAGIC_VALUE, b, 4, 1, &miss) == -EIO);
	CHECK_STR(miss.device, "virtio-blk@10001000");
	CHECK(mmio__dispatch(&d.bus, v0 + 7 * LAYOUT_VIRTIO_STRIDE + VIRTIO_MMIO_STATUS, b, 4, 1,
			     &miss) == -EIO);
	CHECK_STR(miss.device, "virtio-empty@10008000");
	/* past the last slot: nothing */
	CHECK(mmio__dispatch(&d.bus, v0 + 8 * LAYOUT_VIRTIO_STRIDE, b, 4, 0, &miss) == -ENOENT);
	CHECK_EQ(devices__sync(&d), 0);
	teardown(&d, &con, in_w, disk);
}

/* --virtio-transport mmio-legacy: every slot, the empty ones too, is version 1 and named so. */
static void test_legacy_transport(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 1, .virtio_console = 1,
				 .virtio_transport = VIRTIO_TRANSPORT_MMIO_LEGACY };
	uint64_t v0 = layout[LAYOUT_VIRTIO0].base;
	struct console con;
	struct mmio_miss miss;
	uint8_t b[4] = { 0 };
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	for (unsigned i = 0; i < LAYOUT_VIRTIO_SLOTS; i++)
		CHECK_EQ(rd32(&d, v0 + i * LAYOUT_VIRTIO_STRIDE + VIRTIO_MMIO_VERSION), 1);
	CHECK_EQ(rd32(&d, v0 + VIRTIO_MMIO_CONFIG), 2048); /* the disk's capacity, as on version 2 */
	CHECK_EQ(wr(&d, v0 + VIRTIO_MMIO_GUEST_PAGE_SIZE, 4096, 4), 0);
	CHECK(mmio__dispatch(&d.bus, v0 + VIRTIO_MMIO_QUEUE_READY, b, 4, 1, &miss) == -EIO);
	CHECK_STR(miss.device, "virtio-blk@10001000");
	teardown(&d, &con, in_w, disk);
}

/* Source 10 (UART) and 1 + slot (virtio) reach hart 1's S context (3) through the PLIC. */
static void test_plic_wiring(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 2 };
	uint64_t plic = layout[LAYOUT_PLIC].base, uart = layout[LAYOUT_UART0].base;
	struct console con;
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK_EQ(wr(&d, plic + 4 * 10, 1, 4), 0);                /* priority 1 */
	CHECK_EQ(wr(&d, plic + 0x2000 + 0x80 * 3, 1u << 10, 4), 0); /* enable, context 3 */
	CHECK_EQ(wr(&d, uart + 1, 0x02, 1), 0);                  /* IER: THR empty -> line high */
	CHECK_EQ(notified[3], 1);
	CHECK_EQ(notified[1], 0);
	CHECK_EQ(rd32(&d, plic + 0x200004 + 0x1000 * 3), 10); /* claim */
	CHECK_EQ(notified[3], 0);
	CHECK_EQ(wr(&d, uart + 1, 0x00, 1), 0);
	CHECK_EQ(wr(&d, plic + 0x200004 + 0x1000 * 3, 10, 4), 0); /* complete */
	CHECK_EQ(notified[3], 0);
	/* hart 2 does not exist with --cpus 2 */
	CHECK(wr(&d, plic + 0x200000 + 0x1000 * 5, 0, 4) != 0);
	teardown(&d, &con, in_w, disk);
}

static void test_input_to_uart(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 1 };
	uint64_t uart = layout[LAYOUT_UART0].base;
	struct console con;
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK(write(in_w, "hi", 2) == 2);
	/* a guest that has not enabled the receive interrupt gets nothing pushed */
	CHECK_EQ(devices__input_space(&d), 0);
	CHECK_EQ(devices__pump_input(&d), 0);
	CHECK_EQ(d.uart.rx_count, 0);
	/* ... but a polling one pulls through LSR */
	CHECK_EQ(rd8(&d, uart + 5) & 1, 1);
	CHECK_EQ(rd8(&d, uart + 0), 'h');
	CHECK_EQ(rd8(&d, uart + 0), 'i');
	CHECK_EQ(rd8(&d, uart + 5) & 1, 0);
	/* with IER.RDI the main thread pushes input, raising the line */
	CHECK_EQ(wr(&d, layout[LAYOUT_PLIC].base + 4 * 10, 1, 4), 0);
	CHECK_EQ(wr(&d, layout[LAYOUT_PLIC].base + 0x2000 + 0x80 * 1, 1u << 10, 4), 0);
	CHECK_EQ(wr(&d, uart + 1, 0x01, 1), 0);
	CHECK_EQ(devices__input_space(&d), UART16550_FIFO);
	CHECK(write(in_w, "x", 1) == 1);
	CHECK_EQ(devices__pump_input(&d), 0);
	CHECK_EQ(d.uart.rx_count, 1);
	CHECK_EQ(notified[1], 1);
	teardown(&d, &con, in_w, disk);
}

static void test_input_to_virtio_console(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 1, .virtio_console = 1 };
	uint64_t uart = layout[LAYOUT_UART0].base;
	struct console con;
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK(write(in_w, "ping", 4) == 4);
	CHECK_EQ(rd8(&d, uart + 5) & 1, 0); /* the UART does not see it */
	CHECK_EQ(devices__input_space(&d), VIRTIO_CONSOLE_PENDING);
	CHECK_EQ(devices__pump_input(&d), 0);
	CHECK_EQ(d.vcon.pending_count, 4); /* held until the driver posts receive buffers */
	teardown(&d, &con, in_w, disk);
}

/*
 * xv6-riscv's UART driver on 2 harts (uart.c since 2024: uartwrite() writes THR, sets tx_busy
 * and sleeps until a transmit interrupt; uartintr() reads ISR, then LSR to wake the writer,
 * then LSR/RHR for input). Hart 1 writes THR while hart 0 is inside uartintr() for received
 * data, after its LSR read: that transmit interrupt must still reach a claim, or the writer
 * sleeps forever (the shell's output stops). And xv6 before 2024, which enables the THR-empty
 * interrupt but never reads IIR, must not get an interrupt storm from it.
 */
static void test_xv6_uart_tx_interrupts(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 2, .profile = PROFILE_XV6 };
	uint64_t plic = layout[LAYOUT_PLIC].base, uart = layout[LAYOUT_UART0].base;
	uint64_t claim1 = plic + 0x200004 + 0x1000 * 1, claim3 = plic + 0x200004 + 0x1000 * 3;
	unsigned id = layout[LAYOUT_UART0].irq;
	struct console con;
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK_EQ(wr(&d, plic + 4 * id, 1, 4), 0);
	CHECK_EQ(wr(&d, plic + 0x2000 + 0x80 * 1, 1u << id, 4), 0); /* hart 0, S */
	CHECK_EQ(wr(&d, plic + 0x2000 + 0x80 * 3, 1u << id, 4), 0); /* hart 1, S */
	CHECK_EQ(wr(&d, uart + 1, 0x03, 1), 0);                      /* IER: RX and TX */
	CHECK_EQ(rd32(&d, claim1), id);                              /* the enable's own THRE */
	rd8(&d, uart + 2);
	CHECK_EQ(wr(&d, claim1, id, 4), 0);
	CHECK_EQ(rd32(&d, claim1), 0);

	/* a typed key: hart 0 takes the interrupt, reads ISR, then LSR (tx_busy = 0) */
	CHECK_EQ(write(in_w, "k", 1), 1);
	CHECK_EQ(devices__pump_input(&d), 0);
	CHECK_EQ(rd32(&d, claim1), id);
	rd8(&d, uart + 2);
	rd8(&d, uart + 5);
	/* meanwhile hart 1's uartwrite(): THR, tx_busy = 1, sleep */
	CHECK_EQ(wr(&d, uart + 0, '$', 1), 0);
	/* hart 0 reads the key, finds no more (LSR), and completes */
	CHECK_EQ(rd8(&d, uart + 5) & 1, 1);
	CHECK_EQ(rd8(&d, uart + 0), 'k');
	CHECK_EQ(rd8(&d, uart + 5) & 1, 0);
	CHECK_EQ(wr(&d, claim1, id, 4), 0);
	/* the transmit interrupt is due: one of the harts claims it */
	CHECK_EQ(notified[1] | notified[3], 1);
	CHECK_EQ(rd32(&d, claim3), id);
	CHECK_EQ(wr(&d, claim3, id, 4), 0);

	/* xv6 before 2024: uartintr() reads LSR and RHR only, never IIR; no THR write, no storm */
	CHECK_EQ(rd32(&d, claim1), 0);
	CHECK_EQ(wr(&d, uart + 0, '>', 1), 0);
	CHECK_EQ(rd32(&d, claim1), id);
	rd8(&d, uart + 5);
	rd8(&d, uart + 5);
	CHECK_EQ(wr(&d, claim1, id, 4), 0);
	CHECK_EQ(notified[1] | notified[3], 0);
	CHECK_EQ(rd32(&d, claim1), 0);
	teardown(&d, &con, in_w, disk);
}

/* --profile xv6: the CLINT appears, the disk takes a legacy driver, THRE comes as pulses. */
static void test_xv6_profile(void)
{
	static struct devices d;
	struct vm_config cfg = { .cpus = 3 };
	uint64_t clint = layout[LAYOUT_CLINT].base, v0 = layout[LAYOUT_VIRTIO0].base;
	struct console con;
	struct mmio_miss miss;
	uint8_t b[4] = { 0 };
	char disk[64];
	int in_w;

	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK(!d.has_clint && !d.uart.thre_pulses && !d.blk[0].mmio.accept_legacy_driver);
	CHECK(mmio__dispatch(&d.bus, clint, b, 4, 0, &miss) == -ENOENT);
	teardown(&d, &con, in_w, disk);

	cfg = (struct vm_config){ .cpus = 3, .profile = PROFILE_XV6 };
	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	CHECK(d.has_clint && d.uart.thre_pulses && d.blk[0].mmio.accept_legacy_driver);
	CHECK_EQ(rd32(&d, clint + 4 * 2), 0);		  /* msip of hart 2 */
	CHECK_EQ(rd32(&d, clint + 4 * 3), 0xdeadbeef); /* no hart 3 */
	CHECK(mmio__dispatch(&d.bus, clint + 0xbffc, b, 4, 1, &miss) == -EIO);
	CHECK_STR(miss.device, "clint");
	/* xv6's virtio_disk_init(): only the low feature word, no VERSION_1, and FEATURES_OK holds */
	CHECK_EQ(wr(&d, v0 + VIRTIO_MMIO_STATUS, 1 | 2, 4), 0);
	CHECK_EQ(wr(&d, v0 + VIRTIO_MMIO_DRIVER_FEATURES, 0, 4), 0);
	CHECK_EQ(wr(&d, v0 + VIRTIO_MMIO_STATUS, 1 | 2 | 8, 4), 0);
	CHECK_EQ(rd32(&d, v0 + VIRTIO_MMIO_STATUS), 1 | 2 | 8);
	teardown(&d, &con, in_w, disk);
}

/*
 * Issue 12: a disk stuck in host I/O must not stall another hart's console. The disk's pread
 * blocks until the test releases it; meanwhile a UART write through the bus must complete.
 * With one lock over all devices the notify held it across the read and the write waited (the
 * bounded waits turn that into a failure, not a hang).
 */
static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flag_cond = PTHREAD_COND_INITIALIZER;
static int in_read, release_read, uart_done, notify_done;

static void set_flag(int *flag)
{
	pthread_mutex_lock(&flag_lock);
	*flag = 1;
	pthread_cond_broadcast(&flag_cond);
	pthread_mutex_unlock(&flag_lock);
}

static int wait_flag(int *flag, int secs)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	pthread_mutex_lock(&flag_lock);
	while (!*flag && pthread_cond_timedwait(&flag_cond, &flag_lock, &ts) != ETIMEDOUT)
		;
	r = *flag;
	pthread_mutex_unlock(&flag_lock);
	return r;
}

static ssize_t stuck_pread(int fd, void *buf, size_t n, off_t pos)
{
	set_flag(&in_read);
	wait_flag(&release_read, 10); /* bounded: a broken build fails, it does not hang */
	return pread(fd, buf, n, pos);
}

static int bus_wr(struct devices *d, uint64_t addr, uint32_t v, uint32_t len)
{
	struct mmio_miss miss;
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	return devices__mmio(d, addr, b, len, 1, &miss);
}

static void *notify_main(void *d)
{
	bus_wr(d, layout[LAYOUT_VIRTIO0].base + VIRTIO_MMIO_QUEUE_NOTIFY, 0, 4);
	set_flag(&notify_done);
	return NULL;
}

static void *uart_main(void *d)
{
	bus_wr(d, layout[LAYOUT_UART0].base, 'x', 1);
	set_flag(&uart_done);
	return NULL;
}

static void test_busy_disk_spares_console(void)
{
	static struct devices d;
	static volatile sig_atomic_t stop;
	struct vm_config cfg = { .cpus = 1 };
	uint64_t v0 = layout[LAYOUT_VIRTIO0].base, plic = layout[LAYOUT_PLIC].base;
	uint64_t rq = LAYOUT_DRAM_BASE; /* desc +0x000, avail +0x100, used +0x200, request +0x400 */
	struct virtq_desc *desc = (struct virtq_desc *)ram_buf;
	uint16_t *avail = (uint16_t *)(ram_buf + 0x100);
	volatile uint16_t *used_idx = (uint16_t *)(ram_buf + 0x202);
	uint32_t hdr[4] = { VIRTIO_BLK_T_IN, 0, 0, 0 };
	const uint32_t init[][2] = {
		{ VIRTIO_MMIO_STATUS, 3 }, { VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1 },
		{ VIRTIO_MMIO_DRIVER_FEATURES, 1 }, { VIRTIO_MMIO_STATUS, 11 },
		{ VIRTIO_MMIO_QUEUE_NUM, 4 }, { VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)rq },
		{ VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)rq + 0x100 },
		{ VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)rq + 0x200 },
		{ VIRTIO_MMIO_QUEUE_READY, 1 }, { VIRTIO_MMIO_STATUS, 15 },
	};
	pthread_t notifier, writer;
	struct console con;
	int in_w, uart_in_time, completed = 0;
	char disk[64];

	in_read = release_read = uart_done = notify_done = 0;
	memset(ram_buf, 0, sizeof(ram_buf));
	CHECK(setup(&d, &con, &cfg, &in_w, disk) == 0);
	d.blk[0].pread = stuck_pread;
	devices__set_stop(&d, &stop);
	CHECK_EQ(devices__start_io(&d, NULL, NULL), 0);
	/* PLIC source 1 (slot 0): priority 1, enabled for hart 0's S context */
	CHECK_EQ(bus_wr(&d, plic + 4 * 1, 1, 4), 0);
	CHECK_EQ(bus_wr(&d, plic + 0x2000 + 0x80 * 1, 1u << 1, 4), 0);
	for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++)
		CHECK_EQ(bus_wr(&d, v0 + init[i][0], init[i][1], 4), 0);
	/* one T_IN of sector 0: header, 512 data bytes, status */
	memcpy(ram_buf + 0x400, hdr, sizeof(hdr));
	desc[0] = (struct virtq_desc){ rq + 0x400, 16, VIRTQ_DESC_F_NEXT, 1 };
	desc[1] = (struct virtq_desc){ rq + 0x600, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2 };
	desc[2] = (struct virtq_desc){ rq + 0x500, 1, VIRTQ_DESC_F_WRITE, 0 };
	ram_buf[0x500] = 0xff;
	avail[2] = 0; /* ring[0] = head 0 */
	avail[1] = 1; /* idx */

	CHECK(pthread_create(&notifier, NULL, notify_main, &d) == 0);
	if (!wait_flag(&in_read, 5)) { /* the disk is now inside its read */
		set_flag(&release_read);
		pthread_join(notifier, NULL);
		CHECK(!"the disk never read");
	}
	if (pthread_create(&writer, NULL, uart_main, &d)) {
		set_flag(&release_read);
		pthread_join(notifier, NULL);
		CHECK(!"pthread_create");
	}
	uart_in_time = wait_flag(&uart_done, 2);
	set_flag(&release_read);
	pthread_join(writer, NULL);
	pthread_join(notifier, NULL);
	for (int i = 0; i < 500 && !completed; i++) {
		struct timespec ms = { 0, 10 * 1000 * 1000 };

		completed = __atomic_load_n(used_idx, __ATOMIC_ACQUIRE) == 1;
		if (!completed)
			nanosleep(&ms, NULL);
	}
	stop = 1;
	devices__stop_io(&d);
	CHECK(uart_in_time); /* the console write did not wait for the disk */
	CHECK(completed);
	CHECK_EQ(ram_buf[0x500], VIRTIO_BLK_S_OK);
	CHECK_EQ(notified[1], 1); /* the used interrupt reached the hart through the PLIC */
	teardown(&d, &con, in_w, disk);
}

const struct test devices_tests[] = {
	{ "devices: xv6 UART on 2 harts, a THR write during uartintr() still interrupts; no storm", test_xv6_uart_tx_interrupts },
	{ "devices: disks, then the virtio-console, then empty slots", test_slots },
	{ "devices: UART on PLIC source 10, S context of each hart", test_plic_wiring },
	{ "devices: console input to the UART (pushed with IER.RDI, pulled when polled)",
	  test_input_to_uart },
	{ "devices: --virtio-console takes the input instead of the UART",
	  test_input_to_virtio_console },
	{ "devices: --profile xv6 adds the CLINT and the xv6 model quirks", test_xv6_profile },
	{ "devices: --virtio-transport mmio-legacy makes every slot version 1", test_legacy_transport },
	{ "devices: a disk stuck in host I/O does not stall a UART write (issue 12)",
	  test_busy_disk_spares_console },
	{ NULL, NULL },
};
