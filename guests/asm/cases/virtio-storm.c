/*
 * virtio-storm: a hostile 2-hart guest that would keep one virtio-blk notify running forever
 * (issue 12). Hart 0 sets up the request queue and starts hart 1 (SBI HSM hart_start), then
 * writes QueueNotify in a loop. Hart 1 re-posts the same valid T_OUT request each time the
 * device completes one, so the available ring never runs dry while the device works: a
 * device loop of "pop until empty" never ends, and holds the VMM's device lock all along.
 * FLUSH is not negotiated, so the VMM follows every write with fdatasync; while it sleeps in
 * that host I/O, hart 1 gets the L1 CPU to refill the ring, even on a 1-CPU L1.
 * The test runs it with --timeout-ms: the run must end there, with an end event.
 */
#include "virtio.h"

static struct virtq vq;
static struct { uint32_t type, reserved; uint64_t sector; } hdr = { 1, 0, 0 }; /* T_OUT sector 0 */
static uint8_t data[512];
static volatile uint8_t status;
static volatile int reposting;

/* hart 1: keep VQ_SIZE requests outstanding (more would be a broken avail index, a fault) */
void secondary_main(unsigned long hartid, unsigned long opaque)
{
	volatile uint16_t *avail_idx = &vq.avail.idx, *used_idx = &vq.used.idx;

	(void)hartid;
	(void)opaque;
	reposting = 1;
	for (;;) {
		uint16_t avail = *avail_idx;

		if ((uint16_t)(avail - *used_idx) >= VQ_SIZE)
			continue;
		vq.avail.ring[avail % VQ_SIZE] = 0;
		barrier(); /* the ring entry before the index (2.7.13) */
		*avail_idx = avail + 1;
		barrier();
	}
}

int main(void)
{
	unsigned long base = virtio_open(2, &vq);
	memset(data, 0x5a, sizeof data);
	vq.desc[0] = (struct virtq_desc){ (unsigned long)&hdr, sizeof hdr, VIRTQ_DESC_F_NEXT, 1 };
	vq.desc[1] = (struct virtq_desc){ (unsigned long)data, sizeof data, VIRTQ_DESC_F_NEXT, 2 };
	vq.desc[2] = (struct virtq_desc){ (unsigned long)&status, 1, VIRTQ_DESC_F_WRITE, 0 };
	CHECK(sbi_call(SBI_EXT_HSM, 0, 1, (unsigned long)secondary_entry, 0).error == 0, 5);
	while (!reposting)
		barrier();
	puts("storm: hart 1 re-posts, hart 0 notifies\n");
	for (;;)
		mmio_write32(base + VIRTIO_QUEUE_NOTIFY, 0);
}
