/*
 * virtio_mmio_legacy_test.c - the legacy virtio-mmio register file (version 1, spec 4.2.4)
 * with a fake backend: identification, features without VERSION_1, the ring at QueuePFN *
 * GuestPageSize laid out as xv6-riscv before 2021 lays it out, DRIVER_OK without FEATURES_OK,
 * and hostile values (no page size, page size 0 or not a power of two, a PFN beyond RAM or on
 * a device window, a rewrite of a queue in use, version 2's registers).
 */
#include "devtest.h"

#define PAGE 4096
#define RING_GPA (RAM_BASE + 0x20000) /* page aligned, like xv6's disk.pages */

struct fake_dev {
	struct virtio_mmio mmio;
	int notifies;
};

static struct fake_ram ram;
static struct guest_mem mem;
static struct fake_irq irq;
static struct fake_dev dev;
static const struct dev_ops *ops = &virtio_mmio_legacy_ops;
static struct virtio_mmio *mmio = &dev.mmio;

static uint64_t fake_features(struct virtio_mmio *m)
{
	(void)m;
	return 1ULL << 5 | 1ULL << 33;
}

static void fake_config_read(struct virtio_mmio *m, uint32_t off, uint8_t *data, uint32_t len)
{
	(void)m;
	memset(data, 0x5a + (int)off, len);
}

/* Completes everything it pops, as a block device would. */
static int fake_notify(struct virtio_mmio *m, unsigned q)
{
	container_of(m, struct fake_dev, mmio)->notifies++;
	return fake_complete_all(m, q);
}

static const struct virtio_mmio_backend fake_backend = {
	.name = "fake",
	.device_id = 2,
	.num_queues = 1,
	.queue_max = 16,
	.config_size = 8,
	.features = fake_features,
	.config_read = fake_config_read,
	.notify = fake_notify,
};

static void setup(void)
{
	memset(ram.host, 0, RAM_SIZE);
	memset(&dev, 0, sizeof(dev));
	virtio_mmio__init(mmio, &fake_backend, mem, fake_irq_line(&irq));
	virtio_mmio__set_legacy(mmio);
}

static int refused(const char *needle)
{
	const char *e = ops->last_error(mmio);

	return e && strstr(e, needle);
}

/*
 * xv6-riscv's virtio_disk_init() before October 2021: status bits, the low feature word, then
 * FEATURES_OK (which a legacy device need not know), GuestPageSize, QueueNum 8 and the PFN of
 * two zeroed pages; no QueueAlign, so the used ring is at the second page. Returns the step
 * that failed, or 0.
 */
static int xv6_legacy_init(struct fake_vq *q, uint32_t page_size, uint64_t ring)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	if (rd32(ops, mmio, VIRTIO_MMIO_VERSION) != 1 || rd32(ops, mmio, VIRTIO_MMIO_DEVICE_ID) != 2)
		return 1;
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES));
	if (wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK))
		return 2;
	st |= VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
	if (wr32(ops, mmio, VIRTIO_MMIO_STATUS, st))
		return 3;
	if (page_size && wr32(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, page_size))
		return 4;
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 0);
	if (rd32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) < 8 || wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 8))
		return 5;
	if (wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(ring / PAGE)))
		return 6;
	/* where xv6 put the rings: desc at the page, avail after 8 descriptors, used a page on */
	fake_vq_init(q, &ram, 8, ring);
	q->avail = ring + 8 * 16;
	q->used = ring + PAGE;
	return 0;
}

static void test_identification_and_features(void)
{
	uint32_t v;

	setup();
	T(rd32(ops, mmio, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976);
	T(rd32(ops, mmio, VIRTIO_MMIO_VERSION) == 1);
	T(rd32(ops, mmio, VIRTIO_MMIO_VENDOR_ID) == VIRTIO_MMIO_VENDOR_QEMU);
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES) == 1U << 5);
	wr32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES) == 1U << 1); /* bit 33; no VERSION_1 */
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN) == 0);
	/* the version 2 transport of the same kind of device still says 2 */
	T(rd32(&virtio_mmio_ops, mmio, VIRTIO_MMIO_VERSION) == 2);
	T(mmio_rd(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, &v) == -1 && refused("write-only"));
}

static void test_xv6_ring_layout_and_io(void)
{
	struct drv_buf b[2] = { { RAM_BASE + 0x100000, 16, 0 }, { RAM_BASE + 0x101000, 512, 1 } };
	struct fake_vq q;
	uint32_t id, len;

	setup();
	T(xv6_legacy_init(&q, PAGE, RING_GPA) == 0);
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN) == RING_GPA / PAGE);
	T(mmio->vqs[0].desc_gpa == RING_GPA && mmio->vqs[0].avail_gpa == RING_GPA + 128 &&
	  mmio->vqs[0].used_gpa == RING_GPA + PAGE);
	fake_vq_add(&q, b, 2);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	/* xv6 sets DRIVER_OK before it sets up the queue: the notify is the only kick */
	T(dev.notifies == 1 && fake_vq_used(&q, &id, &len) == 1 && id == 0);
	T(irq.level && rd32(ops, mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING);
	wr32(ops, mmio, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	T(!irq.level);
	/* Linux's order: QueueAlign before QueuePFN; a 64-byte alignment packs the used ring */
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, 0) == 0 && !mmio->vqs[0].started);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_ALIGN, 64) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)(RING_GPA / PAGE)) == 0);
	T(mmio->vqs[0].used_gpa == RING_GPA + 192); /* 128 + 6 + 2 * 8 = 150, up to 64 */
}

static void test_reset(void)
{
	struct fake_vq q;

	setup();
	T(xv6_legacy_init(&q, PAGE, RING_GPA) == 0);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_ALIGN, 0); /* refused while in use; state unchanged */
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, 0) == 0);
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN) == 0 && !mmio->vqs[0].started);
	T(mmio->guest_page_size == PAGE); /* a per-device setting: it stays */
	T(xv6_legacy_init(&q, 0, RING_GPA) == 0);
}

static void test_hostile_values(void)
{
	struct fake_vq q;
	uint32_t beyond = (uint32_t)((RAM_BASE + RAM_SIZE) / PAGE);

	setup();
	T(xv6_legacy_init(&q, 0, RING_GPA) == 6 && refused("before GuestPageSize"));
	T(wr32(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, 0) == -1 && refused("GuestPageSize 0"));
	T(wr32(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, 4095) == -1 && refused("power of two"));
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_ALIGN, 0) == -1 && refused("QueueAlign 0"));
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_ALIGN, 3000) == -1);
	/* a PFN past the end of RAM, at the last page (the used ring runs off it), on a device */
	setup();
	T(xv6_legacy_init(&q, PAGE, (uint64_t)beyond * PAGE) == 6 && refused("not in guest RAM"));
	T(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	setup();
	T(xv6_legacy_init(&q, PAGE, (uint64_t)(beyond - 1) * PAGE) == 6 && refused("used ring"));
	setup();
	T(xv6_legacy_init(&q, PAGE, MMIO_GPA) == 6 && refused("not in guest RAM"));
	/* the largest PFN and page size: no overflow, just outside RAM */
	setup();
	wr32(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, 1U << 31);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, 0xffffffff) == -1 && refused("not in guest RAM"));
	/* a tiny page size that leaves the descriptor table misaligned */
	setup();
	wr32(ops, mmio, VIRTIO_MMIO_GUEST_PAGE_SIZE, 2);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, (uint32_t)((RING_GPA + 2) / 2)) == -1 &&
	  refused("misaligned"));
	/* a queue in use is not reprogrammed behind the device's back */
	setup();
	T(xv6_legacy_init(&q, PAGE, RING_GPA) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, 0x80100) == -1 && refused("in use"));
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 4) == -1 && refused("in use"));
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN) == RING_GPA / PAGE);
	/* QueueNum beyond QueueNumMax, a queue that does not exist */
	setup();
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 32) == -1 && refused("QueueNumMax"));
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 3);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN, 0x80020) == -1 && refused("no such queue"));
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_PFN) == 0);
}

static void test_version2_registers_refused(void)
{
	uint64_t v2_only[] = { VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_DESC_LOW,
			       VIRTIO_MMIO_QUEUE_DRIVER_HIGH, VIRTIO_MMIO_QUEUE_DEVICE_LOW };
	uint32_t v;

	setup();
	for (unsigned i = 0; i < sizeof(v2_only) / sizeof(v2_only[0]); i++)
		T(wr32(ops, mmio, v2_only[i], 1) == -1 && refused("undecoded"));
	T(mmio_rd(ops, mmio, VIRTIO_MMIO_CONFIG_GENERATION, &v) == -1 && refused("undecoded"));
	T(wr32(ops, mmio, VIRTIO_MMIO_VERSION, 2) == -1 && refused("read-only"));
	T(rd32(ops, mmio, VIRTIO_MMIO_CONFIG + 4) == 0x5e5e5e5e); /* config space as version 2 */
}

static void test_features_refused(void)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	setup();
	/* VERSION_1 was not offered: a driver that accepts it does not get FEATURES_OK */
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK) == 0);
	T(!(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK));
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK) == 0); /* legacy: fine */
}

int main(void)
{
	mem = fake_ram_init(&ram);
	RUN(test_identification_and_features);
	RUN(test_xv6_ring_layout_and_io);
	RUN(test_reset);
	RUN(test_hostile_values);
	RUN(test_version2_registers_refused);
	RUN(test_features_refused);
	free(ram.host);
	DEVTEST_END();
}
