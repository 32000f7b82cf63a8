/*
 * fuzz_virtqueue.c - libFuzzer target: arbitrary bytes become guest RAM and queue registers,
 * fed to the split-virtqueue parser directly and through the virtio-mmio transport into
 * virtio-blk (backed by a memfd) and virtio-console.
 *
 * Input: a 20-byte header, then nops 7-byte MMIO operations (mode 3 only), then the RAM image.
 * tests/fuzz_seeds.c writes well-formed examples of each mode as the starting corpus.
 *
 *   u8 mode   0 raw virtqueue, 1 virtio-blk, 2 virtio-console, 3 MMIO op stream on virtio-blk
 *   u8 flags  bit 0: ring addresses raw (else folded near RAM), bit 1: read-only disk,
 *             bit 2: small 4 KiB chain limit, bit 3: accept_legacy_driver,
 *             bit 4: repair rings into mostly valid ones (see fz_repair)
 *   le16 num  queue size      le32 desc, avail, used    le16 start index    u8 nops  u8 pad
 *
 * Guest RAM is 64 KiB at guest physical 0 so that small descriptor addresses hit it; anything
 * else is "MMIO" and must be refused. Beyond the sanitizers, the target aborts if a chain
 * points outside RAM, has more descriptors than the queue, exceeds its byte limit, or if the
 * disk file ever changes size (a write past the end).
 *
 *   make -f mk/devices.mk fuzz FUZZ_SECONDS=60
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "virtio-blk.h"
#include "virtio-console.h"
#include "virtqueue.h"

#define FZ_RAM 0x10000
#define FZ_DISK (FZ_RAM + 100)
#define FZ_HDR 20
#define FZ_OP 7

static uint8_t *ram;
static int disk_fd = -1;
static struct virtq vq;
static struct virtq_chain chain;
static struct virtio_blk blk;
static struct virtio_console con;

static void *fz_translate(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	if (gpa >= FZ_RAM || len > FZ_RAM - gpa)
		return NULL;
	return ram + gpa;
}

static void fz_irq(void *ctx, int level)
{
	(void)ctx;
	(void)level;
}

static void fz_sink(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (len && (buf < ram || buf + len > ram + FZ_RAM))
		abort(); /* output must come from guest RAM */
}

static const struct guest_mem fz_mem = { fz_translate, NULL };
static const struct irq_line fz_line = { fz_irq, NULL };

static uint64_t fz_addr(uint32_t v, uint8_t flags)
{
	return (flags & 1) ? v : v % (FZ_RAM + 0x1000);
}

/* Ring register r (0 desc, 1 avail, 2 used) from the header, offset for queue q. */
static uint64_t fz_ring(const uint8_t *h, uint8_t flags, unsigned r, unsigned q)
{
	static const uint64_t align[] = { 16, 2, 4 };
	const uint8_t *p = h + 4 + 4 * r;
	uint64_t a = fz_addr(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24, flags) + 0x100 * q;

	return (flags & 16) ? a & ~(align[r] - 1) : a;
}

/* Queue size from the header; in repair mode a power of two the devices accept. */
static uint16_t fz_num(const uint8_t *h, uint8_t flags)
{
	uint16_t num;

	memcpy(&num, h + 2, 2);
	return (flags & 16) ? (uint16_t)(1U << (num % 8)) : num;
}

static void check_chain(const struct virtq *q, const struct virtq_chain *c)
{
	uint64_t out = 0, in = 0;

	if (c->nr_out + c->nr_in > q->num || c->head >= q->num)
		abort();
	for (unsigned i = 0; i < c->nr_out + c->nr_in; i++) {
		const uint8_t *p = c->iov[i].iov_base;
		size_t n = c->iov[i].iov_len;

		if (n && (p < ram || p + n > ram + FZ_RAM))
			abort();
		*(i < c->nr_out ? &out : &in) += n;
	}
	if (out != c->out_bytes || in != c->in_bytes || out + in > q->max_bytes)
		abort();
}

/*
 * flags bit 4: make queue q's rings mostly well-formed before bring-up, so the fuzzer spends
 * its time in the devices rather than in the parser's first checks: descriptor addresses are
 * folded into RAM, lengths kept under 4 KiB, avail->idx kept within the queue.
 */
static void fz_repair(const uint8_t *h, uint8_t flags, unsigned q)
{
	uint64_t desc = fz_ring(h, flags, 0, q), avail = fz_ring(h, flags, 1, q);
	uint16_t num = fz_num(h, flags), idx;

	if (!(flags & 16) || !num || num > VIRTQ_MAX_SIZE || (desc & 15) || (avail & 1) ||
	    desc + 16ULL * num > FZ_RAM || avail + 4 > FZ_RAM)
		return;
	for (unsigned i = 0; i < num; i++) {
		struct virtq_desc *d = (struct virtq_desc *)(ram + desc) + i;

		d->addr %= FZ_RAM;
		d->len %= 4096;
		if (d->addr + d->len > FZ_RAM)
			d->len = (uint32_t)(FZ_RAM - d->addr);
		d->next %= num;
	}
	memcpy(&idx, ram + avail + 2, 2);
	idx %= (uint16_t)(num + 1);
	memcpy(ram + avail + 2, &idx, 2);
}

static void fz_raw(const uint8_t *h, uint8_t flags)
{
	uint8_t scratch[64];
	uint16_t start;

	virtq__reset(&vq, fz_mem, (flags & 4) ? 4096 : 0);
	vq.num = fz_num(h, flags);
	fz_repair(h, flags, 0);
	vq.desc_gpa = fz_ring(h, flags, 0, 0);
	vq.avail_gpa = fz_ring(h, flags, 1, 0);
	vq.used_gpa = fz_ring(h, flags, 2, 0);
	if (virtq__start(&vq) < 0)
		return;
	memcpy(&start, h + 16, 2); /* exercise the 16-bit index wrap */
	vq.last_avail = vq.used_idx = start;
	for (unsigned i = 0; i <= vq.num; i++) {
		if (virtq__pop(&vq, &chain) <= 0)
			break;
		check_chain(&vq, &chain);
		virtq_chain__read(&chain, chain.out_bytes / 2, scratch, sizeof(scratch));
		virtq_chain__write(&chain, chain.in_bytes / 2, scratch, sizeof(scratch));
		if (virtq__push(&vq, chain.head, chain.in_bytes) < 0)
			abort(); /* a popped head is always valid */
	}
	virtq__should_notify(&vq);
}

static void wr(struct virtio_mmio *mmio, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	virtio_mmio_ops.write(mmio, off, b, 4);
}

/* The driver bring-up, with the header's ring registers for every queue. */
static void fz_bringup(struct virtio_mmio *mmio, const uint8_t *h, uint8_t flags, unsigned nq)
{
	uint32_t feat_lo, st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint16_t num = fz_num(h, flags);
	uint8_t b[4];

	mmio->accept_legacy_driver = flags & 8;
	wr(mmio, VIRTIO_MMIO_STATUS, st);
	virtio_mmio_ops.read(mmio, VIRTIO_MMIO_DEVICE_FEATURES, b, 4);
	feat_lo = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; /* accept everything */
	wr(mmio, VIRTIO_MMIO_DRIVER_FEATURES, feat_lo);
	wr(mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(mmio, VIRTIO_MMIO_DRIVER_FEATURES, (flags & 8) ? 0 : 1);
	wr(mmio, VIRTIO_MMIO_STATUS, st |= VIRTIO_STATUS_FEATURES_OK);
	for (unsigned q = 0; q < nq; q++) {
		fz_repair(h, flags, q);
		wr(mmio, VIRTIO_MMIO_QUEUE_SEL, q);
		wr(mmio, VIRTIO_MMIO_QUEUE_NUM, num);
		/* queue q's rings are 0x100 further on: overlapping queues are hostile too */
		wr(mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fz_ring(h, flags, 0, q));
		wr(mmio, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)fz_ring(h, flags, 1, q));
		wr(mmio, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)fz_ring(h, flags, 2, q));
		wr(mmio, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	wr(mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
}

/* Arbitrary MMIO accesses: u8 kind (bit 0 write, bits 1-2 width), le16 offset, le32 value. */
static void fz_ops(struct virtio_mmio *mmio, const uint8_t *op, unsigned nops)
{
	for (unsigned i = 0; i < nops; i++, op += FZ_OP) {
		uint8_t b[8] = { op[3], op[4], op[5], op[6] };
		uint32_t len = 1U << ((op[0] >> 1) & 3);
		uint64_t off = (op[1] | op[2] << 8) % 0x200;

		if (op[0] & 1)
			virtio_mmio_ops.write(mmio, off, b, len);
		else
			virtio_mmio_ops.read(mmio, off, b, len);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ram = aligned_alloc(4096, FZ_RAM);
	disk_fd = memfd_create("fuzz-blk", 0);
	if (!ram || disk_fd < 0 || ftruncate(disk_fd, FZ_DISK) < 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t h[FZ_HDR], flags;
	unsigned nops;
	size_t ops_bytes;

	if (size < FZ_HDR)
		return 0;
	memcpy(h, data, FZ_HDR);
	flags = h[1];
	nops = h[18] % 64;
	ops_bytes = (h[0] % 4 == 3) ? (size_t)nops * FZ_OP : 0;
	if (size < FZ_HDR + ops_bytes)
		return 0;
	memset(ram, 0, FZ_RAM);
	memcpy(ram, data + FZ_HDR + ops_bytes,
	       size - FZ_HDR - ops_bytes < FZ_RAM ? size - FZ_HDR - ops_bytes : FZ_RAM);

	switch (h[0] % 4) {
	case 0:
		fz_raw(h, flags);
		break;
	case 1:
		virtio_blk__init(&blk, disk_fd, flags & 2, "fuzz", fz_mem, fz_line);
		fz_bringup(&blk.mmio, h, flags, 1);
		wr(&blk.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		break;
	case 2:
		virtio_console__init(&con, (struct byte_sink){ fz_sink, NULL }, fz_mem, fz_line);
		virtio_console__push_input(&con, (const uint8_t *)"early", 5);
		fz_bringup(&con.mmio, h, flags, 2);
		wr(&con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
		virtio_console__push_input(&con, data, size < 300 ? size : 300);
		wr(&con.mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		break;
	default:
		virtio_blk__init(&blk, disk_fd, flags & 2, "fuzz", fz_mem, fz_line);
		fz_ops(&blk.mmio, data + FZ_HDR, nops);
		break;
	}
	if (lseek(disk_fd, 0, SEEK_END) != FZ_DISK)
		abort(); /* something wrote past the end of the disk */
	return 0;
}
