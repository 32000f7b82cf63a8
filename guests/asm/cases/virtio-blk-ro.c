/* virtio-blk-ro: a read-only disk offers VIRTIO_BLK_F_RO and fails writes with IOERR; reads work. */
#include "virtio.h"

#define VIRTIO_BLK_F_RO 5
static struct virtq vq;
static struct { uint32_t type, reserved; uint64_t sector; } hdr;
static uint8_t data[512];
static volatile uint8_t status;

static int request(uint32_t type, int device_writes)
{
	hdr.type = type;
	hdr.sector = 0;
	status = 0xff;
	vq.desc[0] = (struct virtq_desc){ (unsigned long)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1 };
	vq.desc[1] = (struct virtq_desc){ (unsigned long)data, sizeof data, VIRTQ_DESC_F_NEXT | (device_writes ? VIRTQ_DESC_F_WRITE : 0), 2 };
	vq.desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	virtq_submit(&vq, 0);
	return virtq_wait_used(&vq, 0) ? -1 : status;
}

int main(void)
{
	unsigned long base = virtio_find(2);
	CHECK(base != 0, 2);
	mmio_write32(base + VIRTIO_DEVICE_FEATURES_SEL, 0);
	CHECK(mmio_read32(base + VIRTIO_DEVICE_FEATURES) & (1u << VIRTIO_BLK_F_RO), 3);
	CHECK(virtio_init(base) == 0, 4);
	CHECK(virtq_setup(&vq, base, 0) == 0, 5);
	virtio_driver_ok(base);
	CHECK(request(0, 1) == 0, 6);
	memset(data, 0xee, sizeof data);
	CHECK(request(1, 0) == 1, 7); /* VIRTIO_BLK_S_IOERR */
	puts("virtio-blk read-only: reads ok, write refused\n");
	return 0;
}
