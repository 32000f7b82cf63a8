/*
 * virtio_blk_test.c - virtio-blk over a real temporary file: config space, T_OUT then T_IN
 * with the file checked byte for byte, read-only mode, FLUSH, GET_ID, UNSUPP, requests past
 * the capacity, and malformed chains that must fail the device without touching the file.
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "devtest.h"
#include "virtio-blk.h"

#define QGPA (RAM_BASE + 0x10000)
#define HDR (RAM_BASE + 0x100000)
#define STATUS (RAM_BASE + 0x100100)
#define DATA (RAM_BASE + 0x200000)
#define DISK_BYTES (64 * 1024 + 100) /* 128 whole sectors and a tail nobody may touch */

static struct fake_ram ram;
static struct guest_mem mem;
static struct fake_irq irq;
static struct virtio_blk blk;
static struct fake_vq fq;
static const struct dev_ops *ops = &virtio_mmio_ops;
static int fd = -1;
static char path[64];

static void setup(bool ro)
{
	uint8_t pattern[DISK_BYTES];

	memset(ram.host, 0, RAM_SIZE);
	if (fd >= 0)
		close(fd);
	strcpy(path, "/tmp/bootcase-blk-XXXXXX");
	fd = mkstemp(path);
	unlink(path);
	for (int i = 0; i < DISK_BYTES; i++)
		pattern[i] = (uint8_t)(i * 7 + 1);
	if (fd < 0 || pwrite(fd, pattern, sizeof(pattern), 0) != sizeof(pattern))
		abort();
	if (virtio_blk__init(&blk, fd, ro, "bootcase-disk0", mem, fake_irq_line(&irq)))
		abort();
	fake_vq_init(&fq, &ram, 16, QGPA);
	if (virtio_bringup(&blk.mmio, &fq, 1, 1U << VIRTIO_BLK_F_FLUSH))
		abort();
}

static void put_hdr(uint32_t type, uint64_t sector)
{
	uint8_t *h = gpa_host(&ram, HDR);
	uint32_t t = htole32(type);
	uint64_t s = htole64(sector);

	memset(h, 0, 16);
	memcpy(h, &t, 4);
	memcpy(h + 8, &s, 8);
	*(uint8_t *)gpa_host(&ram, STATUS) = 0xff;
}

/* Submit header [+ one data buffer] + status and kick; the status byte, or -1 on device fault. */
static int request(uint32_t type, uint64_t sector, uint32_t len, int data_write, uint32_t *used_len)
{
	struct drv_buf b[3] = { { HDR, 16, 0 }, { DATA, len, data_write }, { STATUS, 1, 1 } };
	uint32_t id;

	put_hdr(type, sector);
	if (len)
		fake_vq_add(&fq, b, 3);
	else
		fake_vq_add(&fq, (struct drv_buf[]){ b[0], b[2] }, 2);
	if (wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0))
		return -1;
	if (!fake_vq_used(&fq, &id, used_len ? used_len : &id))
		return -2;
	return *(uint8_t *)gpa_host(&ram, STATUS);
}

static int file_is(size_t off, const void *want, size_t len)
{
	uint8_t *got = malloc(len);
	int same = pread(fd, got, len, (off_t)off) == (ssize_t)len && !memcmp(got, want, len);

	free(got);
	return same;
}

static void test_config_and_features(void)
{
	setup(false);
	T(blk.capacity == 128);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_DEVICE_ID) == VIRTIO_ID_BLOCK);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_CONFIG) == 128); /* le64 capacity as two halves */
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_CONFIG + 4) == 0);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_CONFIG + 8) == VIRTIO_BLK_SIZE_MAX);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_CONFIG + 12) == VIRTIO_BLK_QUEUE_MAX - 2);
	wr32(ops, &blk.mmio, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_DEVICE_FEATURES) ==
	  (1U << VIRTIO_BLK_F_FLUSH | 1U << VIRTIO_BLK_F_SEG_MAX | 1U << VIRTIO_BLK_F_SIZE_MAX));
	setup(true);
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_DEVICE_FEATURES) & 1U << VIRTIO_BLK_F_RO);
	T(virtio_blk__init(&blk, -1, false, NULL, mem, fake_irq_line(&irq)) == -EBADF);
}

static void test_write_then_read_back(void)
{
	uint8_t *data = gpa_host(&ram, DATA), want[1024];
	uint32_t used;

	setup(false);
	for (int i = 0; i < 1024; i++)
		want[i] = data[i] = (uint8_t)(i ^ 0x5a);
	T(request(VIRTIO_BLK_T_OUT, 3, 1024, 0, &used) == VIRTIO_BLK_S_OK && used == 1);
	T(file_is(3 * 512, want, 1024));
	T(irq.level && rd32(ops, &blk.mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == 1);
	memset(data, 0, 1024);
	T(request(VIRTIO_BLK_T_IN, 3, 1024, 1, &used) == VIRTIO_BLK_S_OK && used == 1025);
	T(!memcmp(data, want, 1024));
	T(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, &used) == VIRTIO_BLK_S_OK && used == 1);
}

static void test_scattered_layout(void)
{
	/* header and first data sector in one descriptor, data spread, status after data */
	uint8_t *h = gpa_host(&ram, DATA);
	struct drv_buf b[] = { { DATA, 16 + 512, 0 }, { DATA + 0x10000, 100, 0 },
			       { DATA + 0x20000, 412, 0 }, { STATUS, 1, 1 } };
	uint8_t want[1024];
	uint32_t id, len, t = htole32(VIRTIO_BLK_T_OUT);
	uint64_t s = htole64(10);

	setup(false);
	memset(h, 0, 16);
	memcpy(h, &t, 4);
	memcpy(h + 8, &s, 8);
	memset(h + 16, 'A', 512);
	memset(gpa_host(&ram, DATA + 0x10000), 'B', 100);
	memset(gpa_host(&ram, DATA + 0x20000), 'C', 412);
	memset(want, 'A', 512);
	memset(want + 512, 'B', 100);
	memset(want + 612, 'C', 412);
	fake_vq_add(&fq, b, 4);
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(fake_vq_used(&fq, &id, &len) && *(uint8_t *)gpa_host(&ram, STATUS) == VIRTIO_BLK_S_OK);
	T(file_is(10 * 512, want, 1024));
}

static void test_past_capacity(void)
{
	uint8_t tail[612], *data = gpa_host(&ram, DATA);

	setup(false);
	pread(fd, tail, sizeof(tail), 127 * 512);
	memset(data, 0xee, 4096);
	T(request(VIRTIO_BLK_T_IN, 127, 1024, 1, NULL) == VIRTIO_BLK_S_IOERR);
	T(request(VIRTIO_BLK_T_OUT, 127, 1024, 0, NULL) == VIRTIO_BLK_S_IOERR);
	T(request(VIRTIO_BLK_T_OUT, 128, 512, 0, NULL) == VIRTIO_BLK_S_IOERR);
	T(request(VIRTIO_BLK_T_OUT, 1ULL << 63, 512, 0, NULL) == VIRTIO_BLK_S_IOERR);
	T(request(VIRTIO_BLK_T_OUT, UINT64_MAX, 512, 0, NULL) == VIRTIO_BLK_S_IOERR);
	T(file_is(127 * 512, tail, sizeof(tail)) && lseek(fd, 0, SEEK_END) == DISK_BYTES);
	T(request(VIRTIO_BLK_T_OUT, 127, 512, 0, NULL) == VIRTIO_BLK_S_OK); /* the last sector */
	T(file_is(127 * 512 + 512, tail + 512, 100)); /* the partial tail is never written */
	T(request(VIRTIO_BLK_T_IN, 0, 100, 1, NULL) == VIRTIO_BLK_S_IOERR); /* not whole sectors */
}

static void test_read_only(void)
{
	uint8_t before[DISK_BYTES];

	setup(true);
	pread(fd, before, sizeof(before), 0);
	memset(gpa_host(&ram, DATA), 0x11, 512);
	T(request(VIRTIO_BLK_T_OUT, 0, 512, 0, NULL) == VIRTIO_BLK_S_IOERR);
	T(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, NULL) == VIRTIO_BLK_S_OK);
	T(request(VIRTIO_BLK_T_IN, 0, 512, 1, NULL) == VIRTIO_BLK_S_OK);
	T(file_is(0, before, sizeof(before)));
	T(!memcmp(gpa_host(&ram, DATA), before, 512));
}

static void test_get_id_and_unsupported(void)
{
	uint8_t want[20] = "bootcase-disk0";
	uint32_t used;

	setup(false);
	memset(gpa_host(&ram, DATA), 0xff, 64);
	T(request(VIRTIO_BLK_T_GET_ID, 0, 20, 1, &used) == VIRTIO_BLK_S_OK && used == 21);
	T(!memcmp(gpa_host(&ram, DATA), want, 20));
	memset(gpa_host(&ram, DATA), 0xff, 64);
	T(request(VIRTIO_BLK_T_GET_ID, 0, 8, 1, &used) == VIRTIO_BLK_S_OK && used == 9);
	T(!memcmp(gpa_host(&ram, DATA), "bootcase", 8) && *(uint8_t *)gpa_host(&ram, DATA + 8) == 0xff);
	T(request(11 /* DISCARD, not offered */, 0, 0, 0, NULL) == VIRTIO_BLK_S_UNSUPP);
	T(request(0x12345678, 0, 512, 1, &used) == VIRTIO_BLK_S_UNSUPP && used == 1);
}

static void test_malformed_chains_fail_device(void)
{
	struct drv_buf short_hdr[] = { { HDR, 8, 0 }, { STATUS, 1, 1 } };
	struct drv_buf no_status[] = { { HDR, 16, 0 }, { DATA, 512, 0 } };
	uint8_t before[1024];

	setup(false);
	put_hdr(VIRTIO_BLK_T_IN, 0);
	fake_vq_add(&fq, short_hdr, 2);
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == -1);
	T(strstr(ops->last_error(&blk.mmio), "virtio-blk: request 0 has 8 readable/1 writable"));
	T(rd32(ops, &blk.mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);

	setup(false);
	put_hdr(VIRTIO_BLK_T_OUT, 0);
	fake_vq_add(&fq, no_status, 2);
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == -1);

	setup(false);
	pread(fd, before, sizeof(before), 0);
	T(request(VIRTIO_BLK_T_IN, 0, 512, 0, NULL) == -1); /* T_IN data the device cannot write */
	T(strstr(ops->last_error(&blk.mmio), "T_IN request"));
	setup(false);
	T(request(VIRTIO_BLK_T_OUT, 0, 512, 1, NULL) == -1); /* T_OUT data in the wrong direction */
	T(strstr(ops->last_error(&blk.mmio), "T_OUT request"));
	T(file_is(0, before, sizeof(before)));
}

static void test_dma_into_mmio(void)
{
	struct drv_buf b[] = { { HDR, 16, 0 }, { MMIO_GPA, 512, 1 }, { STATUS, 1, 1 } };

	setup(false);
	put_hdr(VIRTIO_BLK_T_IN, 0);
	fake_vq_add(&fq, b, 3);
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == -1);
	T(strstr(ops->last_error(&blk.mmio), "not guest RAM"));
	T(*(uint8_t *)gpa_host(&ram, STATUS) == 0xff); /* nothing was completed */
}

static void test_batch_and_suppression(void)
{
	struct drv_buf b[4][3];
	uint32_t id, len;
	int n = 0;

	setup(false);
	for (int i = 0; i < 4; i++) {
		uint64_t h = HDR + 32 * i;
		uint32_t t = htole32(VIRTIO_BLK_T_IN);
		uint64_t s = htole64(i);

		memset(gpa_host(&ram, h), 0, 16);
		memcpy(gpa_host(&ram, h), &t, 4);
		memcpy(gpa_host(&ram, h + 8), &s, 8);
		b[i][0] = (struct drv_buf){ h, 16, 0 };
		b[i][1] = (struct drv_buf){ DATA + 512 * i, 512, 1 };
		b[i][2] = (struct drv_buf){ STATUS + i, 1, 1 };
		fake_vq_add(&fq, b[i], 3);
	}
	fake_avail(&fq)->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	while (fake_vq_used(&fq, &id, &len))
		n++;
	T(n == 4 && !irq.level);
	T(file_is(512, gpa_host(&ram, DATA + 512), 512));
}

/*
 * xv6-riscv's virtio_disk_init(): VendorID must be "QEMU", only the low feature word is
 * written (so VIRTIO_F_VERSION_1 is never accepted) and it panics if FEATURES_OK is refused.
 */
static int xv6_init(void)
{
	struct virtio_mmio *mmio = &blk.mmio;
	uint32_t st = 0, features;

	if (rd32(ops, mmio, VIRTIO_MMIO_VENDOR_ID) != 0x554d4551 ||
	    rd32(ops, mmio, VIRTIO_MMIO_VERSION) != 2)
		return -1;
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st);
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st |= VIRTIO_STATUS_ACKNOWLEDGE);
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st |= VIRTIO_STATUS_DRIVER);
	features = rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES);
	features &= ~(1U << VIRTIO_BLK_F_RO | 1U << VIRTIO_BLK_F_FLUSH | 1U << 7 | 1U << 11 |
		      1U << 12 | 1U << 27 | 1U << 28 | 1U << 29);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, features);
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st |= VIRTIO_STATUS_FEATURES_OK);
	if (!(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -2; /* xv6: panic("virtio disk FEATURES_OK unset") */
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd32(ops, mmio, VIRTIO_MMIO_QUEUE_READY) || rd32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) < 8)
		return -3;
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 8);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fq.desc);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)fq.avail);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)fq.used);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	return wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
}

static void test_xv6_driver(void)
{
	uint8_t want[1024];

	setup(false);
	fake_vq_init(&fq, &ram, 8, QGPA);
	T(xv6_init() == -2); /* strict by default: VERSION_1 must be accepted */
	blk.mmio.accept_legacy_driver = true;
	T(xv6_init() == 0);
	pread(fd, want, sizeof(want), 4 * 512);
	T(request(VIRTIO_BLK_T_IN, 4, 1024, 1, NULL) == VIRTIO_BLK_S_OK);
	T(!memcmp(gpa_host(&ram, DATA), want, sizeof(want)));
}

/*
 * A second hart that re-posts a request each time the device completes one, simulated from
 * inside the device's own reads of guest memory (every pop translates the chain's buffers):
 * the ring never runs dry while the notify loop works. storm_left caps it, so a loop without
 * a budget ends (and the test fails) instead of hanging.
 */
static int storm_left;
static uint16_t storm_head;

static void *storm_translate(void *ctx, uint64_t gpa, uint64_t len)
{
	if (storm_left > 0 && (uint16_t)(fq.avail_idx - le16toh(fake_used(&fq)->idx)) < fq.num) {
		fake_avail(&fq)->ring[fq.avail_idx % fq.num] = htole16(storm_head);
		fake_avail(&fq)->idx = htole16(++fq.avail_idx);
		storm_left--;
	}
	return fake_translate(ctx, gpa, len);
}

static unsigned used_count(void)
{
	uint32_t id, len;
	unsigned n = 0;

	while (fake_vq_used(&fq, &id, &len))
		n++;
	return n;
}

static void test_notify_budget_and_stop(void)
{
	struct drv_buf b[3] = { { HDR, 16, 0 }, { DATA, 20, 1 }, { STATUS, 1, 1 } };
	volatile sig_atomic_t stop = 0;
	unsigned n;

	setup(false);
	T(virtio_blk__init(&blk, fd, false, "storm", (struct guest_mem){ storm_translate, &ram },
			   fake_irq_line(&irq)) == 0);
	fake_vq_init(&fq, &ram, 16, QGPA);
	T(virtio_bringup(&blk.mmio, &fq, 1, 1U << VIRTIO_BLK_F_FLUSH) == 0);
	put_hdr(VIRTIO_BLK_T_GET_ID, 0);
	storm_head = fake_vq_add(&fq, b, 3);
	storm_left = 100000;
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	storm_left = 0;
	/* one queue's worth per notify, however fast the other hart re-posts */
	n = used_count();
	T(n >= 1 && n <= fq.num);
	/* what was re-posted meanwhile waits for the next notify, which serves it */
	T(fq.avail_idx != le16toh(fake_used(&fq)->idx));
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(used_count() >= 1);
	/* once the run is over, a notify serves nothing (and the lock is let go at once) */
	fake_vq_add(&fq, b, 3);
	blk.mmio.stop = &stop;
	stop = 1;
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(used_count() == 0);
	stop = 0;
	T(wr32(ops, &blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(used_count() == 1);
	T(virtio_mmio__live(&blk.mmio));
}

int main(void)
{
	mem = fake_ram_init(&ram);
	RUN(test_config_and_features);
	RUN(test_write_then_read_back);
	RUN(test_scattered_layout);
	RUN(test_past_capacity);
	RUN(test_read_only);
	RUN(test_get_id_and_unsupported);
	RUN(test_malformed_chains_fail_device);
	RUN(test_dma_into_mmio);
	RUN(test_batch_and_suppression);
	RUN(test_xv6_driver);
	RUN(test_notify_budget_and_stop);
	if (fd >= 0)
		close(fd);
	free(ram.host);
	DEVTEST_END();
}
