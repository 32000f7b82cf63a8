/* virtio.c - see virtio.h. Polling driver: the tests check data paths, interrupts are separate. */
#include "virtio.h"

unsigned long virtio_find(uint32_t id)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned long base = VIRTIO0 + i * VIRTIO_STRIDE;
		if (mmio_read32(base + VIRTIO_MAGIC) == 0x74726976 && mmio_read32(base + VIRTIO_DEVICE_ID) == id)
			return base;
	}
	return 0;
}

int virtio_init(unsigned long base)
{
	if (mmio_read32(base + VIRTIO_VERSION) != 2)
		return -1;
	mmio_write32(base + VIRTIO_STATUS, 0);
	mmio_write32(base + VIRTIO_STATUS, VIRTIO_STATUS_ACK);
	mmio_write32(base + VIRTIO_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER);
	/* feature bit 32 = VIRTIO_F_VERSION_1 (modern device); accept nothing else */
	mmio_write32(base + VIRTIO_DEVICE_FEATURES_SEL, 1);
	if (!(mmio_read32(base + VIRTIO_DEVICE_FEATURES) & 1))
		return -2;
	mmio_write32(base + VIRTIO_DRIVER_FEATURES_SEL, 0);
	mmio_write32(base + VIRTIO_DRIVER_FEATURES, 0);
	mmio_write32(base + VIRTIO_DRIVER_FEATURES_SEL, 1);
	mmio_write32(base + VIRTIO_DRIVER_FEATURES, 1);
	mmio_write32(base + VIRTIO_STATUS, VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (!(mmio_read32(base + VIRTIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -3;
	return 0;
}

int virtq_setup(struct virtq *q, unsigned long base, unsigned index)
{
	memset(q, 0, sizeof *q);
	q->base = base;
	q->index = index;
	mmio_write32(base + VIRTIO_QUEUE_SEL, index);
	if (mmio_read32(base + VIRTIO_QUEUE_READY))
		return -1;
	if (mmio_read32(base + VIRTIO_QUEUE_NUM_MAX) < VQ_SIZE)
		return -2;
	mmio_write32(base + VIRTIO_QUEUE_NUM, VQ_SIZE);
	mmio_write32(base + VIRTIO_QUEUE_DESC_LO, (uint32_t)(unsigned long)q->desc);
	mmio_write32(base + VIRTIO_QUEUE_DESC_HI, (uint32_t)((unsigned long)q->desc >> 32));
	mmio_write32(base + VIRTIO_QUEUE_DRIVER_LO, (uint32_t)(unsigned long)&q->avail);
	mmio_write32(base + VIRTIO_QUEUE_DRIVER_HI, (uint32_t)((unsigned long)&q->avail >> 32));
	mmio_write32(base + VIRTIO_QUEUE_DEVICE_LO, (uint32_t)(unsigned long)&q->used);
	mmio_write32(base + VIRTIO_QUEUE_DEVICE_HI, (uint32_t)((unsigned long)&q->used >> 32));
	mmio_write32(base + VIRTIO_QUEUE_READY, 1);
	return 0;
}

void virtio_driver_ok(unsigned long base)
{
	mmio_write32(base + VIRTIO_STATUS, mmio_read32(base + VIRTIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

void virtq_submit(struct virtq *q, uint16_t head)
{
	q->avail.ring[q->avail.idx % VQ_SIZE] = head;
	barrier(); /* the ring entry before the index (2.7.13) */
	q->avail.idx++;
	barrier();
	mmio_write32(q->base + VIRTIO_QUEUE_NOTIFY, q->index);
}

int virtq_wait_used(struct virtq *q, uint32_t *len)
{
	for (long spin = 0; spin < 100000000; spin++) {
		barrier();
		if (*(volatile uint16_t *)&q->used.idx != q->last_used) {
			struct virtq_used_elem *e = &q->used.ring[q->last_used % VQ_SIZE];
			if (len)
				*len = e->len;
			q->last_used++;
			return 0;
		}
	}
	return -1;
}

unsigned long virtio_open(uint32_t id, struct virtq *q)
{
	unsigned long base = virtio_find(id);

	CHECK(base != 0, 2);
	CHECK(virtio_init(base) == 0, 3);
	CHECK(virtq_setup(q, base, 0) == 0, 4);
	virtio_driver_ok(base);
	return base;
}
