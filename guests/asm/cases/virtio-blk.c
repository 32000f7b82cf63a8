/*
 * virtio-blk: write a pattern to sector 1, flush, read it back and compare (virtio 1.x 5.2.6).
 * Each request is a three-descriptor chain: header (device-readable), data, status byte
 * (device-writable). The harness then checks the same bytes in the host disk file.
 */
#include "virtio.h"

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4

struct blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static struct virtq vq;
static struct blk_req hdr;
static uint8_t data[512] __attribute__((aligned(16)));
static volatile uint8_t status;

static int request(uint32_t type, uint64_t sector, int with_data, int device_writes)
{
	hdr = (struct blk_req){ type, 0, sector };
	status = 0xff;
	vq.desc[0] = (struct virtq_desc){ (unsigned long)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1 };
	if (with_data) {
		vq.desc[1] = (struct virtq_desc){ (unsigned long)data, sizeof data,
						  VIRTQ_DESC_F_NEXT | (device_writes ? VIRTQ_DESC_F_WRITE : 0), 2 };
		vq.desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	} else {
		vq.desc[0].next = 2;
		vq.desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	}
	virtq_submit(&vq, 0);
	if (virtq_wait_used(&vq, 0))
		return -1;
	return status;
}

int main(void)
{
	unsigned long base = virtio_open(2, &vq);
	uint64_t capacity = mmio_read32(base + VIRTIO_CONFIG) | (uint64_t)mmio_read32(base + VIRTIO_CONFIG + 4) << 32;
	CHECK(capacity >= 2, 5);

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	memcpy(data, "BOOTCASE-BLK-OK", 15);
	CHECK(request(VIRTIO_BLK_T_OUT, 1, 1, 0) == 0, 6);
	CHECK(request(VIRTIO_BLK_T_FLUSH, 0, 0, 0) == 0, 7);
	memset(data, 0, sizeof data);
	CHECK(request(VIRTIO_BLK_T_IN, 1, 1, 1) == 0, 8);
	CHECK(memcmp(data, "BOOTCASE-BLK-OK", 15) == 0, 9);
	for (unsigned i = 15; i < sizeof data; i++)
		CHECK(data[i] == (uint8_t)(i * 7 + 3), 10);
	CHECK(request(VIRTIO_BLK_T_IN, capacity, 1, 1) == 1, 11); /* past the end: IOERR */
	puts("virtio-blk: capacity ");
	putdec((long)capacity);
	puts(" sectors, write/flush/read-back ok\n");
	return 0;
}
