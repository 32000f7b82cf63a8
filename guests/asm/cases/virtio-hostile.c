/*
 * virtio-hostile: one misbehaving request per build variant (-DVARIANT=name). Each must end the
 * run with a typed "device" fault; if the VMM returns to the guest, it exits with code 1 so a
 * silently accepted attack fails the test. The host disk must be unchanged afterwards.
 *   desc-out-of-ram   a data descriptor pointing past the end of guest RAM
 *   desc-loop         a descriptor chain whose NEXT points back at itself
 *   huge-len          a data descriptor of 0xffffffff bytes
 *   avail-beyond      an available index far beyond the queue size
 *   ro-register       a write to the read-only MagicValue register
 *   dma-into-mmio     a data descriptor pointing at the PLIC (MMIO, not RAM)
 */
#include "virtio.h"

static struct virtq vq;
static struct { uint32_t type, reserved; uint64_t sector; } hdr = { 1, 0, 0 }; /* T_OUT sector 0 */
static uint8_t data[512];
static volatile uint8_t status;

int main(void)
{
	unsigned long base = virtio_open(2, &vq);
	memset(data, 0x66, sizeof data);
	vq.desc[0] = (struct virtq_desc){ (unsigned long)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1 };
	vq.desc[1] = (struct virtq_desc){ (unsigned long)data, sizeof data, VIRTQ_DESC_F_NEXT, 2 };
	vq.desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	puts("attack: " VARIANT "\n");
#define IS(v) (__builtin_strcmp(VARIANT, v) == 0)
	if (IS("desc-out-of-ram"))
		vq.desc[1].addr = 0x80000000UL + (1UL << 40);
	else if (IS("desc-loop"))
		vq.desc[1].next = 1;
	else if (IS("huge-len"))
		vq.desc[1].len = 0xffffffffu;
	else if (IS("dma-into-mmio"))
		vq.desc[1].addr = PLIC;
	else if (IS("ro-register"))
		mmio_write32(base + VIRTIO_MAGIC, 0);
	if (IS("avail-beyond")) {
		vq.avail.ring[0] = 0;
		barrier();
		vq.avail.idx = 1000;
		barrier();
		mmio_write32(base + VIRTIO_QUEUE_NOTIFY, 0);
	} else {
		virtq_submit(&vq, 0);
	}
	virtq_wait_used(&vq, 0);
	puts("the VMM accepted the attack\n");
	return 1;
}
