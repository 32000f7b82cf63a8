/*
 * virtio.h - a minimal virtio-mmio version 2 driver for test guests (virtio 1.x spec, 4.2.2
 * register layout and 3.1.1 device initialization), one split virtqueue at a time (2.7).
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H
#include "rt.h"

#define VIRTIO_MAGIC 0x000
#define VIRTIO_VERSION 0x004
#define VIRTIO_DEVICE_ID 0x008
#define VIRTIO_DEVICE_FEATURES 0x010
#define VIRTIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_DRIVER_FEATURES 0x020
#define VIRTIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_QUEUE_SEL 0x030
#define VIRTIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_QUEUE_NUM 0x038
#define VIRTIO_QUEUE_READY 0x044
#define VIRTIO_QUEUE_NOTIFY 0x050
#define VIRTIO_INTERRUPT_STATUS 0x060
#define VIRTIO_INTERRUPT_ACK 0x064
#define VIRTIO_STATUS 0x070
#define VIRTIO_QUEUE_DESC_LO 0x080
#define VIRTIO_QUEUE_DESC_HI 0x084
#define VIRTIO_QUEUE_DRIVER_LO 0x090
#define VIRTIO_QUEUE_DRIVER_HI 0x094
#define VIRTIO_QUEUE_DEVICE_LO 0x0a0
#define VIRTIO_QUEUE_DEVICE_HI 0x0a4
#define VIRTIO_CONFIG 0x100

#define VIRTIO_STATUS_ACK 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VQ_SIZE 8

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VQ_SIZE];
};
struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VQ_SIZE];
};

struct virtq {
	unsigned long base; /* the device's MMIO window */
	unsigned index;
	struct virtq_desc desc[VQ_SIZE] __attribute__((aligned(16)));
	struct virtq_avail avail __attribute__((aligned(2)));
	struct virtq_used used __attribute__((aligned(4)));
	uint16_t last_used;
};

/* The first slot whose DeviceID is `id` (2 = block, 3 = console), or 0. */
unsigned long virtio_find(uint32_t id);
/* Reset, negotiate VIRTIO_F_VERSION_1 only, and leave the device before DRIVER_OK. */
int virtio_init(unsigned long base);
/* Set up queue `index` on `q`; returns 0 or a negative step number. */
int virtq_setup(struct virtq *q, unsigned long base, unsigned index);
void virtio_driver_ok(unsigned long base);
/* find, init, queue 0, DRIVER_OK: the device's window, or the run ends with code 2, 3 or 4 for
 * the step that failed (no such device, negotiation, queue set-up) */
unsigned long virtio_open(uint32_t id, struct virtq *q);
/* Publish descriptor chain head `head` and notify the device. */
void virtq_submit(struct virtq *q, uint16_t head);
/* Wait (bounded spin) for the next used element; returns 0 and fills *len, or -1. */
int virtq_wait_used(struct virtq *q, uint32_t *len);

#endif
