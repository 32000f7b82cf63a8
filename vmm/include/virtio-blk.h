/*
 * virtio-blk.h - a virtio block device (spec 5.2) over a host file descriptor.
 */
#ifndef BOOTCASE_VIRTIO_BLK_H
#define BOOTCASE_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio-mmio.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits (spec 5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_FLUSH 9

/* Request types and status values (spec 5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_QUEUE_MAX 128
#define VIRTIO_BLK_SIZE_MAX (32U << 10) /* per data segment; seg_max * size_max < 4 MiB */

struct virtio_blk {
	struct virtio_mmio mmio; /* map &blk->mmio with virtio_mmio_ops */
	int fd;			 /* not owned: the caller opens and closes it */
	bool read_only;
	uint64_t capacity; /* in 512-byte sectors, fixed at init */
	char id[VIRTIO_BLK_ID_BYTES];
	struct virtq_chain chain; /* scratch for the chain being served (too big for the stack) */
};

/*
 * fd: the backing file (regular file or block device); its size, rounded down to whole sectors,
 * is the capacity. read_only offers VIRTIO_BLK_F_RO and never writes fd. serial (may be NULL)
 * answers VIRTIO_BLK_T_GET_ID, truncated to 20 bytes. Returns 0 or -errno.
 */
int virtio_blk__init(struct virtio_blk *blk, int fd, bool read_only, const char *serial,
		     struct guest_mem mem, struct irq_line irq);

#endif
