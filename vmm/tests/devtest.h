/*
 * devtest.h - shared scaffolding for the standalone device tests (make -f mk/devices.mk
 * devices-check): a tiny assert/runner, a fake guest RAM with a guest_mem, a fake irq line and
 * a fake virtio driver that lays out split rings in that RAM the way a guest kernel would.
 *
 * Each *_test.c is its own program: TEST() functions, a main() that RUN()s them, and
 * DEVTEST_END() printing "N passed, N failed" and returning non-zero on any failure.
 */
#ifndef BOOTCASE_DEVTEST_H
#define BOOTCASE_DEVTEST_H

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "layout.h"
#include "virtio-mmio.h"
#include "virtqueue.h"

static int devtest_passed, devtest_failed;
static const char *devtest_why;
static int devtest_line;

/* Fail the current test (and return from it) unless cond holds. */
#define T(cond)                                        \
	do {                                           \
		if (!(cond)) {                         \
			devtest_why = #cond;           \
			devtest_line = __LINE__;       \
			return;                        \
		}                                      \
	} while (0)

#define RUN(fn)                                                                            \
	do {                                                                               \
		devtest_why = NULL;                                                        \
		fn();                                                                      \
		if (devtest_why) {                                                         \
			devtest_failed++;                                                  \
			printf("FAIL %s: %s:%d: %s\n", #fn, __FILE__, devtest_line, devtest_why); \
		} else {                                                                   \
			devtest_passed++;                                                  \
			printf("ok   %s\n", #fn);                                          \
		}                                                                          \
	} while (0)

#define DEVTEST_END()                                                          \
	do {                                                                   \
		printf("%d passed, %d failed\n", devtest_passed, devtest_failed); \
		return devtest_failed ? 1 : 0;                                 \
	} while (0)

/* ---- fake guest RAM: [RAM_BASE, RAM_BASE + RAM_SIZE), everything else is "MMIO" ---- */

#define RAM_BASE LAYOUT_DRAM_BASE
#define RAM_SIZE (8ULL << 20)
#define MMIO_GPA LAYOUT_VIRTIO_BASE /* a virtio-mmio slot: never DMA-able */

struct fake_ram {
	uint8_t *host;
	uint64_t base, size;
};

static void *fake_translate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fake_ram *r = ctx;

	if (gpa < r->base || len > r->size || gpa - r->base > r->size - len)
		return NULL;
	return r->host + (gpa - r->base);
}

static inline struct guest_mem fake_ram_init(struct fake_ram *r)
{
	r->base = RAM_BASE;
	r->size = RAM_SIZE;
	r->host = aligned_alloc(4096, RAM_SIZE);
	memset(r->host, 0, RAM_SIZE);
	return (struct guest_mem){ fake_translate, r };
}

static inline void *gpa_host(struct fake_ram *r, uint64_t gpa)
{
	return r->host + (gpa - r->base);
}

/* ---- fake interrupt wire ---- */

struct fake_irq {
	int level, rises;
};

static void fake_irq_set(void *ctx, int level)
{
	struct fake_irq *i = ctx;

	if (level && !i->level)
		i->rises++;
	i->level = level;
}

static inline struct irq_line fake_irq_line(struct fake_irq *i)
{
	memset(i, 0, sizeof(*i));
	return (struct irq_line){ .set = fake_irq_set, .ctx = i };
}

/* ---- a fake driver for one split virtqueue ---- */

struct fake_vq {
	struct fake_ram *ram;
	uint64_t desc, avail, used; /* guest physical addresses */
	uint16_t num, next_desc, avail_idx, used_seen;
};

struct drv_buf {
	uint64_t gpa;
	uint32_t len;
	int write; /* device-writable */
};

/* Rings in a 64 KiB area at gpa (page aligned, like a kernel allocation). */
static inline void fake_vq_init(struct fake_vq *q, struct fake_ram *ram, uint16_t num, uint64_t gpa)
{
	memset(q, 0, sizeof(*q));
	q->ram = ram;
	q->num = num;
	q->desc = gpa;
	q->avail = gpa + 0x8000;
	q->used = gpa + 0xc000;
}

static inline struct virtq_desc *fake_desc(struct fake_vq *q, uint16_t i)
{
	return (struct virtq_desc *)gpa_host(q->ram, q->desc) + i;
}

static inline struct virtq_avail *fake_avail(struct fake_vq *q)
{
	return gpa_host(q->ram, q->avail);
}

static inline struct virtq_used *fake_used(struct fake_vq *q)
{
	return gpa_host(q->ram, q->used);
}

/* Write a chain into free descriptors and publish it; returns its head. */
static inline uint16_t fake_vq_add(struct fake_vq *q, const struct drv_buf *b, unsigned n)
{
	uint16_t head = q->next_desc % q->num;

	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)((head + i) % q->num);
		struct virtq_desc *v = fake_desc(q, d);

		v->addr = htole64(b[i].gpa);
		v->len = htole32(b[i].len);
		v->flags = htole16((uint16_t)((b[i].write ? VIRTQ_DESC_F_WRITE : 0) |
					      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0)));
		v->next = htole16((uint16_t)((d + 1) % q->num));
	}
	q->next_desc = (uint16_t)(q->next_desc + n);
	fake_avail(q)->ring[q->avail_idx % q->num] = htole16(head);
	q->avail_idx++;
	fake_avail(q)->idx = htole16(q->avail_idx);
	return head;
}

/* Next used element, if any: returns 1 and fills id and len, else 0. */
static inline int fake_vq_used(struct fake_vq *q, uint32_t *id, uint32_t *len)
{
	struct virtq_used *u = fake_used(q);

	if (le16toh(u->idx) == q->used_seen)
		return 0;
	*id = le32toh(u->ring[q->used_seen % q->num].id);
	*len = le32toh(u->ring[q->used_seen % q->num].len);
	q->used_seen++;
	return 1;
}

/*
 * A fake backend's notify for queue q that completes every chain it pops with 0 bytes written,
 * as a block device would: a bad ring makes it a queue failure, and a push signals used.
 */
static inline int fake_complete_all(struct virtio_mmio *m, unsigned q)
{
	static struct virtq_chain c;
	int r, pushed = 0;

	while ((r = virtq__pop(&m->vqs[q], &c)) > 0)
		pushed += !virtq__push(&m->vqs[q], c.head, 0);
	if (r < 0)
		return virtio_mmio__queue_fail(m, q);
	if (pushed)
		virtio_mmio__signal_used(m, q);
	return 0;
}

/* ---- MMIO helpers ---- */

static inline int mmio_rd(const struct dev_ops *ops, void *s, uint64_t off, uint32_t *val)
{
	uint8_t b[4] = { 0 };
	int r = ops->read(s, off, b, 4);

	*val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return r;
}

static inline uint32_t rd32(const struct dev_ops *ops, void *s, uint64_t off)
{
	uint32_t v;

	return mmio_rd(ops, s, off, &v) ? 0xdeadbeef : v;
}

static inline int wr32(const struct dev_ops *ops, void *s, uint64_t off, uint32_t val)
{
	uint8_t b[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24) };

	return ops->write(s, off, b, 4);
}

/*
 * The Linux/xv6 bring-up sequence (spec 3.1.1) over virtio_mmio_ops: reset, ACKNOWLEDGE,
 * DRIVER, features (low word, high word with VERSION_1), FEATURES_OK, queues, DRIVER_OK.
 * Returns 0, or the step number that failed.
 */
static inline int virtio_bringup(struct virtio_mmio *mmio, struct fake_vq *qs, unsigned nq,
				 uint32_t features_lo)
{
	const struct dev_ops *o = &virtio_mmio_ops;
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (wr32(o, mmio, VIRTIO_MMIO_STATUS, 0) || wr32(o, mmio, VIRTIO_MMIO_STATUS, st))
		return 1;
	if (wr32(o, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0) ||
	    wr32(o, mmio, VIRTIO_MMIO_DRIVER_FEATURES, features_lo) ||
	    wr32(o, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1) ||
	    wr32(o, mmio, VIRTIO_MMIO_DRIVER_FEATURES, 1U << (VIRTIO_F_VERSION_1 - 32)))
		return 2;
	st |= VIRTIO_STATUS_FEATURES_OK;
	if (wr32(o, mmio, VIRTIO_MMIO_STATUS, st) || !(rd32(o, mmio, VIRTIO_MMIO_STATUS) & st))
		return 3;
	for (unsigned i = 0; i < nq; i++) {
		struct fake_vq *q = &qs[i];

		if (wr32(o, mmio, VIRTIO_MMIO_QUEUE_SEL, i) || rd32(o, mmio, VIRTIO_MMIO_QUEUE_READY) ||
		    rd32(o, mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) < q->num ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_NUM, q->num) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc >> 32)) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail >> 32)) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used >> 32)) ||
		    wr32(o, mmio, VIRTIO_MMIO_QUEUE_READY, 1))
			return 4;
	}
	if (wr32(o, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK))
		return 5;
	return 0;
}

#endif
