/*
 * virtio_mmio_test.c - the virtio-mmio v2 transport with a fake backend: identification,
 * feature negotiation, register directions and widths, queue setup, deferred notifications,
 * interrupt status/ack, config space and the DEVICE_NEEDS_RESET path.
 */
#include "devtest.h"

#define QGPA (RAM_BASE + 0x10000)

struct fake_dev {
	struct virtio_mmio mmio;
	int notifies[VIRTIO_MMIO_MAX_QUEUES];
	int resets, fail_next;
	uint8_t cfg[8];
};

static struct fake_ram ram;
static struct guest_mem mem;
static struct fake_irq irq;
static struct fake_dev dev;
static struct fake_vq fq[2];
static const struct dev_ops *ops = &virtio_mmio_ops;
static struct virtio_mmio *mmio = &dev.mmio;

static uint64_t fake_features(struct virtio_mmio *m)
{
	(void)m;
	return 1ULL << 3 | 1ULL << 40;
}

static void fake_config_read(struct virtio_mmio *m, uint32_t off, uint8_t *data, uint32_t len)
{
	memcpy(data, container_of(m, struct fake_dev, mmio)->cfg + off, len);
}

/* Queue 0 completes everything it pops; fail_next makes the next notify a device error. */
static int fake_notify(struct virtio_mmio *m, unsigned q)
{
	struct fake_dev *d = container_of(m, struct fake_dev, mmio);

	d->notifies[q]++;
	if (d->fail_next)
		return virtio_mmio__fail(m, "boom on queue %u", q);
	return fake_complete_all(m, q);
}

static void fake_reset(struct virtio_mmio *m)
{
	container_of(m, struct fake_dev, mmio)->resets++;
}

static const struct virtio_mmio_backend fake_backend = {
	.name = "fake",
	.device_id = 42,
	.num_queues = 2,
	.queue_max = 16,
	.config_size = 8,
	.features = fake_features,
	.config_read = fake_config_read,
	.notify = fake_notify,
	.reset = fake_reset,
};

static void setup(void)
{
	memset(ram.host, 0, RAM_SIZE);
	memset(&dev, 0, sizeof(dev));
	memcpy(dev.cfg, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	virtio_mmio__init(mmio, &fake_backend, mem, fake_irq_line(&irq));
	fake_vq_init(&fq[0], &ram, 8, QGPA);
	fake_vq_init(&fq[1], &ram, 8, QGPA + 0x10000);
}

static int refused(const char *needle)
{
	const char *e = ops->last_error(mmio);

	return e && strstr(e, needle);
}

static void test_identification(void)
{
	struct virtio_mmio empty;
	uint32_t v;

	setup();
	T(rd32(ops, mmio, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976);
	T(rd32(ops, mmio, VIRTIO_MMIO_VERSION) == 2);
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_ID) == 42);
	T(rd32(ops, mmio, VIRTIO_MMIO_VENDOR_ID) == VIRTIO_MMIO_VENDOR_QEMU);
	virtio_mmio__init(&empty, NULL, mem, (struct irq_line){ 0 });
	T(rd32(ops, &empty, VIRTIO_MMIO_MAGIC_VALUE) == 0x74726976);
	T(rd32(ops, &empty, VIRTIO_MMIO_DEVICE_ID) == 0);
	T(mmio_rd(ops, &empty, VIRTIO_MMIO_STATUS, &v) == -1);
	T(wr32(ops, &empty, VIRTIO_MMIO_STATUS, 1) == -1);
	T(mmio_rd(ops, &empty, VIRTIO_MMIO_CONFIG, &v) == -1);
}

static void test_feature_words(void)
{
	setup();
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES) == 1U << 3);
	wr32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES) == (1U << 8 | 1U << 0)); /* bit 40, VERSION_1 */
	wr32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	T(rd32(ops, mmio, VIRTIO_MMIO_DEVICE_FEATURES) == 0);
}

/* ACK|DRIVER, write the two feature words, ask for FEATURES_OK; returns whether it stuck. */
static int negotiate(uint32_t lo, uint32_t hi)
{
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	wr32(ops, mmio, VIRTIO_MMIO_STATUS, 0);
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, st);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, lo);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, hi);
	if (wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FEATURES_OK))
		return -1;
	return !!(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
}

static void test_feature_negotiation(void)
{
	setup();
	T(negotiate(1U << 3, 1) == 1);
	T(virtio_mmio__has_feature(mmio, 3) && virtio_mmio__has_feature(mmio, VIRTIO_F_VERSION_1));
	T(negotiate(1U << 3, 0) == 0);	   /* VERSION_1 not accepted */
	T(negotiate(1U << 4, 1) == 0);	   /* a feature that was never offered */
	T(negotiate(0, 1 | 1U << 8) == 1); /* bit 40 was offered */
	mmio->accept_legacy_driver = true;   /* xv6 mode */
	T(negotiate(1U << 3, 0) == 1);
	mmio->accept_legacy_driver = false;
	negotiate(0, 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, 0) == -1 && refused("after FEATURES_OK"));
	wr32(ops, mmio, VIRTIO_MMIO_STATUS, 0);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr32(ops, mmio, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	T(negotiate(0, 1) == 1); /* negotiate() resets, which forgets the bad word */
}

static void test_register_directions(void)
{
	uint64_t ro[] = { VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
			  VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
			  VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION };
	uint64_t wo[] = { VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
			  VIRTIO_MMIO_QUEUE_SEL, VIRTIO_MMIO_QUEUE_NUM, VIRTIO_MMIO_QUEUE_NOTIFY,
			  VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_QUEUE_DESC_LOW,
			  VIRTIO_MMIO_QUEUE_DEVICE_HIGH };
	uint64_t undecoded[] = { 0x018, 0x028, 0x040, 0x0a8, 0x0ac, 0x0c0, 0x0f8 };
	uint8_t b[8] = { 0 };
	uint32_t v;

	setup();
	for (unsigned i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		T(wr32(ops, mmio, ro[i], 0) == -1 && refused("read-only"));
	for (unsigned i = 0; i < sizeof(wo) / sizeof(wo[0]); i++)
		T(mmio_rd(ops, mmio, wo[i], &v) == -1 && refused("write-only"));
	for (unsigned i = 0; i < sizeof(undecoded) / sizeof(undecoded[0]); i++)
		T(mmio_rd(ops, mmio, undecoded[i], &v) == -1 && refused("undecoded"));
	T(ops->read(mmio, VIRTIO_MMIO_STATUS, b, 1) == -1 && refused("32-bit"));
	T(ops->read(mmio, VIRTIO_MMIO_MAGIC_VALUE, b, 8) == -1);
	T(ops->write(mmio, VIRTIO_MMIO_STATUS, b, 2) == -1);
	T(ops->read(mmio, VIRTIO_MMIO_STATUS + 1, b, 4) == -1);
}

static void test_bringup_and_interrupts(void)
{
	struct drv_buf b = { RAM_BASE + 0x200000, 8, 1 };
	uint32_t id, len, gen;

	setup();
	T(virtio_bringup(mmio, fq, 2, 1U << 3) == 0);
	T(dev.notifies[0] == 1 && dev.notifies[1] == 1 && !irq.level); /* DRIVER_OK kicks all */
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 1);
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_READY) == 1);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 2);
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM_MAX) == 0 &&
	  rd32(ops, mmio, VIRTIO_MMIO_QUEUE_READY) == 0);
	fake_vq_add(&fq[0], &b, 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(dev.notifies[0] == 2 && fake_vq_used(&fq[0], &id, &len) == 1);
	T(irq.level == 1 && rd32(ops, mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_VRING);
	wr32(ops, mmio, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	T(irq.level == 0 && rd32(ops, mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == 0);
	gen = rd32(ops, mmio, VIRTIO_MMIO_CONFIG_GENERATION);
	virtio_mmio__config_changed(mmio);
	T(rd32(ops, mmio, VIRTIO_MMIO_CONFIG_GENERATION) == gen + 1);
	T(irq.level == 1 && rd32(ops, mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
	wr32(ops, mmio, VIRTIO_MMIO_INTERRUPT_ACK, 3);
	T(irq.level == 0 && irq.rises == 2);
	fake_avail(&fq[0])->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	fake_vq_add(&fq[0], &b, 1);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	T(fake_vq_used(&fq[0], &id, &len) == 1 && irq.level == 0); /* suppressed */
}

static void test_notify_deferred_until_driver_ok(void)
{
	struct drv_buf b = { RAM_BASE + 0x200000, 8, 1 };
	uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	uint32_t id, len;

	setup();
	T(negotiate(0, 1) == 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == -1 && refused("not ready"));
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 8);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fq[0].desc);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)fq[0].avail);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)fq[0].used);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_READY, 1) == 0);
	fake_vq_add(&fq[0], &b, 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0);
	T(dev.notifies[0] == 0 && fake_vq_used(&fq[0], &id, &len) == 0); /* no DRIVER_OK yet */
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK) == 0);
	T(dev.notifies[0] == 1 && fake_vq_used(&fq[0], &id, &len) == 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 5) == -1);
}

static void test_queue_setup_rules(void)
{
	setup();
	T(mmio->vqs[0].num == 16); /* QueueNum defaults to QueueNumMax */
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 8) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_READY, 1) == -1 && refused("before FEATURES_OK"));
	negotiate(0, 1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 32) == -1 && refused("QueueNumMax"));
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 7);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NUM, 8) == -1 && refused("no such queue"));
	T(virtio_bringup(mmio, fq, 2, 0) == 0);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, 0) == -1 && refused("while QueueReady"));
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_READY, 2) == -1);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_READY, 0) == 0 &&
	  rd32(ops, mmio, VIRTIO_MMIO_QUEUE_READY) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fq[0].desc) == 0);
}

static void test_ring_in_mmio_fails_device(void)
{
	setup();
	fq[1].used = MMIO_GPA; /* the used ring aimed at a device window */
	T(virtio_bringup(mmio, fq, 2, 0) == 4);
	T(refused("fake: queue 1: used ring at 0x10001000"));
	T(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	T(!irq.level); /* no DRIVER_OK yet: no config interrupt */
}

static void test_device_error_needs_reset(void)
{
	struct drv_buf b = { MMIO_GPA, 8, 1 };
	uint32_t st;

	setup();
	T(virtio_bringup(mmio, fq, 2, 0) == 0);
	fake_vq_add(&fq[0], &b, 1); /* a descriptor into MMIO */
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == -1);
	T(refused("fake: queue 0: descriptor 0 buffer [0x10001000, +0x8) is not guest RAM"));
	st = rd32(ops, mmio, VIRTIO_MMIO_STATUS);
	T((st & VIRTIO_STATUS_NEEDS_RESET) && (st & VIRTIO_STATUS_DRIVER_OK));
	T(irq.level && rd32(ops, mmio, VIRTIO_MMIO_INTERRUPT_STATUS) == VIRTIO_MMIO_INT_CONFIG);
	T(wr32(ops, mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 0) == 0 && dev.notifies[0] == 2); /* dead */
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, st | VIRTIO_STATUS_FAILED) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, 0) == 0);
	T(rd32(ops, mmio, VIRTIO_MMIO_STATUS) == 0 && !irq.level && dev.resets == 3);
	T(ops->last_error(mmio) == NULL);
	wr32(ops, mmio, VIRTIO_MMIO_QUEUE_SEL, 0);
	T(rd32(ops, mmio, VIRTIO_MMIO_QUEUE_READY) == 0);
	dev.fail_next = 1;
	T(virtio_bringup(mmio, fq, 2, 0) == 5 && refused("fake: boom on queue 0"));
}

static void test_status_rules(void)
{
	setup();
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER) == 0);
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE) == -1 && refused("clears"));
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, 7) == -1 && refused("DRIVER_OK without FEATURES_OK"));
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, 0x100) == -1);
	T(wr32(ops, mmio, VIRTIO_MMIO_STATUS, 3 | VIRTIO_STATUS_NEEDS_RESET) == 0);
	T(!(rd32(ops, mmio, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET)); /* device-owned bit */
}

static void test_config_space(void)
{
	uint8_t b[8] = { 0 };

	setup();
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG + 1, b, 1) == 0 && b[0] == 0x22);
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG + 2, b, 2) == 0 && b[0] == 0x33 && b[1] == 0x44);
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG + 4, b, 4) == 0 && b[3] == 0x88);
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG, b, 8) == -1 && refused("8/16/32-bit"));
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG + 1, b, 2) == -1);
	T(ops->read(mmio, VIRTIO_MMIO_CONFIG + 8, b, 1) == -1 && refused("beyond"));
	T(ops->read(mmio, 0xfff, b, 1) == -1);
	T(ops->write(mmio, VIRTIO_MMIO_CONFIG, b, 1) == -1 && refused("read-only config"));
}

static void test_instances_independent(void)
{
	struct fake_dev *other = calloc(1, sizeof(*other));
	struct fake_irq oirq;

	setup();
	virtio_mmio__init(&other->mmio, &fake_backend, mem, fake_irq_line(&oirq));
	T(virtio_bringup(mmio, fq, 2, 0) == 0);
	T(rd32(ops, &other->mmio, VIRTIO_MMIO_STATUS) == 0);
	virtio_mmio__config_changed(mmio);
	T(irq.level && !oirq.level);
	free(other);
}

int main(void)
{
	mem = fake_ram_init(&ram);
	RUN(test_identification);
	RUN(test_feature_words);
	RUN(test_feature_negotiation);
	RUN(test_register_directions);
	RUN(test_bringup_and_interrupts);
	RUN(test_notify_deferred_until_driver_ok);
	RUN(test_queue_setup_rules);
	RUN(test_ring_in_mmio_fails_device);
	RUN(test_device_error_needs_reset);
	RUN(test_status_rules);
	RUN(test_config_space);
	RUN(test_instances_independent);
	free(ram.host);
	DEVTEST_END();
}
