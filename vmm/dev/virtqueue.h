/*
 * virtqueue.h - the device side of a virtio 1.x split virtqueue (spec 2.7), over guest_mem.
 *
 * Everything in the rings is written by the guest, i.e. by another CPU that may be hostile or
 * buggy. virtq__pop() therefore validates each chain completely (addresses in RAM, no loops, no
 * INDIRECT, lengths bounded, readable-before-writable) before a device sees it, and every guest
 * mistake comes back as -EINVAL with a message in vq->err instead of a crash.
 */
#ifndef BOOTCASE_VIRTQUEUE_H
#define BOOTCASE_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "dev.h"

#define VIRTQ_MAX_SIZE 256		    /* largest Queue Size our devices offer (spec max 32768) */
#define VIRTQ_DEFAULT_MAX_BYTES (1U << 20) /* per-chain limit unless a device asks for more */
#define VIRTQ_ERR_LEN 160

/* Descriptor flags (spec 2.7.5). */
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4 /* only with VIRTIO_F_INDIRECT_DESC, which we never offer */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* Queue Size entries, then used_event (EVENT_IDX only) */
};

struct virtq_used_elem {
	uint32_t id;  /* head of the chain, widened to 32 bits */
	uint32_t len; /* bytes the device wrote into the chain's writable buffers */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* Queue Size entries, then avail_event */
};

/*
 * One popped chain, translated. iov[0..nr_out) are device-readable ("out" from the driver's point
 * of view), iov[nr_out..nr_out+nr_in) device-writable: the spec puts readable descriptors first.
 */
struct virtq_chain {
	uint16_t head;
	unsigned nr_out, nr_in;
	uint32_t out_bytes, in_bytes;
	struct iovec iov[VIRTQ_MAX_SIZE];
};

struct virtq {
	/* what the driver programmed (QueueNum, QueueDesc/Driver/Device) */
	uint16_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint32_t max_bytes; /* per-chain limit; a descriptor or chain beyond it is a guest error */
	/* set by virtq__start() */
	bool started;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail; /* next available-ring entry the device will consume */
	uint16_t used_idx;   /* device's copy of used->idx: the guest may scribble on the ring */
	struct guest_mem mem;
	char err[VIRTQ_ERR_LEN];
};

/* Forget everything (device reset); keeps max_bytes. */
void virtq__reset(struct virtq *vq, struct guest_mem mem, uint32_t max_bytes);
/* Validate num/addresses and map the rings (QueueReady = 1). 0 or -EINVAL + vq->err. */
int virtq__start(struct virtq *vq);
/* 1 = *chain filled, 0 = nothing available, -EINVAL = guest error (vq->err). */
int virtq__pop(struct virtq *vq, struct virtq_chain *chain);
/* Return a chain to the driver with the number of bytes written. 0 or -EINVAL. */
int virtq__push(struct virtq *vq, uint16_t head, uint32_t written);
/* After pushes: does the driver want a used-buffer notification (avail->flags)? */
bool virtq__should_notify(struct virtq *vq);

/* Copy bytes between a chain's readable (out) / writable (in) halves at a byte offset. */
size_t virtq_chain__read(const struct virtq_chain *c, size_t off, void *buf, size_t len);
size_t virtq_chain__write(const struct virtq_chain *c, size_t off, const void *buf, size_t len);

#endif
