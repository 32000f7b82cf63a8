/*
 * virtio-blk-legacy: the legacy virtio-mmio transport (version 1, virtio 1.x 4.2.4), driven the
 * way xv6-riscv drove it before October 2021: Version must read 1, no VIRTIO_F_VERSION_1, the
 * status bits up to DRIVER_OK, then GuestPageSize, QueueNum and the page number of two zeroed,
 * page-aligned pages (QueuePFN). The descriptors sit at the first page, the available ring right
 * after them, the used ring at the second page (QueueAlign left at its 4096 default). Then a
 * write of sector 2, a flush and a read-back; the harness checks the bytes in the host file.
 * The run ends with code 3 when the device is not version 1 (xv6 panics there instead).
 */
#include "virtio.h"

#define VIRTIO_GUEST_PAGE_SIZE 0x028
#define VIRTIO_QUEUE_PFN 0x040
#define PAGE 4096

struct blk_req {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static uint8_t pages[2 * PAGE] __attribute__((aligned(PAGE)));
static struct virtq_desc *const desc = (struct virtq_desc *)pages;
static struct virtq_avail *const avail = (struct virtq_avail *)(pages + VQ_SIZE * sizeof(struct virtq_desc));
static struct virtq_used *const used = (struct virtq_used *)(pages + PAGE);
static struct blk_req hdr;
static uint8_t data[512] __attribute__((aligned(16)));
static volatile uint8_t status;
static uint16_t last_used;

static int request(unsigned long base, uint32_t type, uint64_t sector, int device_writes)
{
	hdr = (struct blk_req){ type, 0, sector };
	status = 0xff;
	desc[0] = (struct virtq_desc){ (unsigned long)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, type == 4 ? 2 : 1 };
	desc[1] = (struct virtq_desc){ (unsigned long)data, sizeof data, VIRTQ_DESC_F_NEXT | (device_writes ? VIRTQ_DESC_F_WRITE : 0), 2 };
	desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	avail->ring[avail->idx % VQ_SIZE] = 0;
	barrier();
	avail->idx++;
	barrier();
	mmio_write32(base + VIRTIO_QUEUE_NOTIFY, 0);
	for (long spin = 0; spin < 100000000; spin++) {
		barrier();
		if (*(volatile uint16_t *)&used->idx != last_used) {
			last_used++;
			return status;
		}
	}
	return -1;
}

int main(void)
{
	unsigned long base = virtio_find(2);
	uint32_t st = VIRTIO_STATUS_ACK | VIRTIO_STATUS_DRIVER;

	CHECK(base != 0, 2);
	CHECK(mmio_read32(base + VIRTIO_VERSION) == 1, 3);
	mmio_write32(base + VIRTIO_STATUS, VIRTIO_STATUS_ACK);
	mmio_write32(base + VIRTIO_STATUS, st);
	mmio_write32(base + VIRTIO_DEVICE_FEATURES_SEL, 1);
	CHECK(!(mmio_read32(base + VIRTIO_DEVICE_FEATURES) & 1), 4); /* a legacy device: no VERSION_1 */
	mmio_write32(base + VIRTIO_DRIVER_FEATURES, 0);
	mmio_write32(base + VIRTIO_STATUS, st | VIRTIO_STATUS_DRIVER_OK); /* no FEATURES_OK: legacy */
	mmio_write32(base + VIRTIO_GUEST_PAGE_SIZE, PAGE);
	mmio_write32(base + VIRTIO_QUEUE_SEL, 0);
	CHECK(mmio_read32(base + VIRTIO_QUEUE_NUM_MAX) >= VQ_SIZE, 5);
	mmio_write32(base + VIRTIO_QUEUE_NUM, VQ_SIZE);
	mmio_write32(base + VIRTIO_QUEUE_PFN, (uint32_t)((unsigned long)pages / PAGE));
	CHECK(mmio_read32(base + VIRTIO_QUEUE_PFN) == (unsigned long)pages / PAGE, 6);

	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 5 + 1);
	memcpy(data, "BOOTCASE-LEGACY-OK", 18);
	CHECK(request(base, 1, 2, 0) == 0, 7); /* VIRTIO_BLK_T_OUT */
	CHECK(request(base, 4, 0, 0) == 0, 8); /* VIRTIO_BLK_T_FLUSH */
	memset(data, 0, sizeof data);
	CHECK(request(base, 0, 2, 1) == 0, 9); /* VIRTIO_BLK_T_IN */
	CHECK(memcmp(data, "BOOTCASE-LEGACY-OK", 18) == 0, 10);
	for (unsigned i = 18; i < sizeof data; i++)
		CHECK(data[i] == (uint8_t)(i * 5 + 1), 11);
	puts("virtio-blk legacy (version 1, QueuePFN): write/flush/read-back ok\n");
	return 0;
}
