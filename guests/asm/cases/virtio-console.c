/*
 * virtio-console: one port, no multiport (virtio 1.x 5.3). Transmit a line on transmitq (1);
 * post a buffer on receiveq (0), ask the harness for input, and wait for it to be filled.
 */
#include "virtio.h"

static struct virtq rx, tx;
static char out[] = "hello via virtio-console\nvirtio-console input? \n";
static char in[64];

int main(void)
{
	unsigned long base = virtio_find(3);
	CHECK(base != 0, 2);
	CHECK(virtio_init(base) == 0, 3);
	CHECK(virtq_setup(&rx, base, 0) == 0, 4);
	CHECK(virtq_setup(&tx, base, 1) == 0, 5);
	virtio_driver_ok(base);

	rx.desc[0] = (struct virtq_desc){ (unsigned long)in, sizeof in - 1, VIRTQ_DESC_F_WRITE, 0 };
	virtq_submit(&rx, 0);
	tx.desc[0] = (struct virtq_desc){ (unsigned long)out, sizeof out - 1, 0, 0 };
	virtq_submit(&tx, 0);
	CHECK(virtq_wait_used(&tx, 0) == 0, 6);

	uint32_t len = 0;
	for (uint64_t start = rdtime(); rdtime() - start < 5 * 10000000UL;) /* bounded: 5 s */
		if (*(volatile uint16_t *)&rx.used.idx != rx.last_used)
			break;
	CHECK(virtq_wait_used(&rx, &len) == 0, 7);
	CHECK(len > 0 && len < sizeof in, 8);
	in[len] = 0;
	puts("virtio-console got: ");
	puts(in);
	puts("\n");
	return memcmp(in, "ping", 4) == 0 ? 0 : 9;
}
