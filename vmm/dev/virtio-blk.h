/*
 * virtio-blk.h - a virtio block device (spec 5.2) over a host file descriptor.
 */
#ifndef BOOTCASE_VIRTIO_BLK_H
#define BOOTCASE_VIRTIO_BLK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

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
	ssize_t (*pread)(int fd, void *buf, size_t n, off_t pos); /* pread(2); tests hook it */

	/*
	 * The disk's own lock: its transport and virtqueue state. The VMM holds it around every
	 * MMIO access to this disk; the I/O thread holds it while it serves a batch, host I/O
	 * included. It may take the PLIC's lock inside (the irq line), never the reverse.
	 */
	pthread_mutex_t lock;
	pthread_cond_t wake; /* with lock: work or quit was set */
	bool work, quit;     /* a notify is pending; the thread must exit */
	bool has_thread;
	pthread_t thread;
	void (*failed)(void *ctx, struct virtio_blk *blk); /* the thread found a broken queue */
	void *failed_ctx;
};

/*
 * fd: the backing file (regular file or block device); its size, rounded down to whole sectors,
 * is the capacity. read_only offers VIRTIO_BLK_F_RO and never writes fd. serial (may be NULL)
 * answers VIRTIO_BLK_T_GET_ID, truncated to 20 bytes. Returns 0 or -errno.
 */
int virtio_blk__init(struct virtio_blk *blk, int fd, bool read_only, const char *serial,
		     struct guest_mem mem, struct irq_line irq);

/*
 * Start the disk's I/O thread: from now on a notify only wakes it (0 or -errno). failed (may
 * be NULL) is called on that thread, with blk->lock held, when a request broke the device
 * (virtio_mmio__error says why): nobody's MMIO access sees that fault, the VMM must end the
 * run. stop_io lets the thread finish its batch (cut short by mmio.stop) and joins it; a no-op
 * without a thread.
 */
int virtio_blk__start_io(struct virtio_blk *blk, void (*failed)(void *ctx, struct virtio_blk *blk),
			 void *ctx);
void virtio_blk__stop_io(struct virtio_blk *blk);

#endif
