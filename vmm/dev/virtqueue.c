/*
 * virtqueue.c - device side of a split virtqueue (virtio 1.x spec 2.7 "Split Virtqueues").
 *
 * Guest memory layout, all little-endian, placed by the driver (QueueDesc/Driver/Device):
 *
 *   Descriptor Table  16-byte aligned, 16 * num:
 *                     { le64 addr; le32 len; le16 flags; le16 next } [num]
 *   Available Ring     2-byte aligned, 6 + 2 * num:
 *                     le16 flags; le16 idx; le16 ring[num]; le16 used_event
 *   Used Ring          4-byte aligned, 6 + 8 * num:
 *                     le16 flags; le16 idx; { le32 id; le32 len } ring[num]; le16 avail_event
 *
 * The driver publishes chain heads in avail->ring[idx % num] and then bumps avail->idx; the device
 * consumes entries from last_avail up to avail->idx and returns them through the used ring. The
 * indexes are free-running 16-bit counters, so "avail->idx - last_avail" is the number of pending
 * entries and can never legitimately exceed num.
 *
 * The guest is another CPU. Section 2.7.13 (driver side) and 2.7.8 (device side) require:
 * read avail->idx before the ring entries and descriptors it covers (acquire), publish the used
 * element before used->idx (release), and a full barrier between publishing used->idx and reading
 * avail->flags to decide on a notification, or an interrupt can be lost. Descriptors are copied
 * into locals field by field before they are checked, so the guest cannot change a value between
 * its check and its use.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtqueue.h"

__attribute__((format(printf, 2, 3))) static int vq_error(struct virtq *vq, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vq->err, sizeof(vq->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void *vq_translate(struct virtq *vq, uint64_t gpa, uint64_t len)
{
	if (!len || gpa + len < gpa || !vq->mem.translate)
		return NULL;
	return vq->mem.translate(vq->mem.ctx, gpa, len);
}

void virtq__reset(struct virtq *vq, struct guest_mem mem, uint32_t max_bytes)
{
	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->max_bytes = max_bytes ? max_bytes : VIRTQ_DEFAULT_MAX_BYTES;
}

int virtq__start(struct virtq *vq)
{
	uint64_t n = vq->num;

	vq->started = false;
	/* 2.7: "Queue Size value is always a power of 2" for split rings */
	if (!n || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return vq_error(vq, "queue size %u is not a power of two in 1..%u", vq->num,
				VIRTQ_MAX_SIZE);
	/* 2.7 alignment table: misaligned rings would also make our 16/32-bit accesses undefined */
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3))
		return vq_error(vq, "misaligned ring: desc 0x%llx avail 0x%llx used 0x%llx",
				(unsigned long long)vq->desc_gpa, (unsigned long long)vq->avail_gpa,
				(unsigned long long)vq->used_gpa);
	vq->desc = vq_translate(vq, vq->desc_gpa, 16 * n);
	vq->avail = vq_translate(vq, vq->avail_gpa, 6 + 2 * n);
	vq->used = vq_translate(vq, vq->used_gpa, 6 + 8 * n);
	if (!vq->desc || !vq->avail || !vq->used)
		return vq_error(vq, "%s ring at 0x%llx (queue size %u) is not in guest RAM",
				!vq->desc ? "descriptor" : !vq->avail ? "available" : "used",
				(unsigned long long)(!vq->desc    ? vq->desc_gpa
						     : !vq->avail ? vq->avail_gpa
								  : vq->used_gpa),
				vq->num);
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->started = true;
	return 0;
}

/* One descriptor, read once with single-copy atomic loads (the guest may be rewriting it). */
static struct virtq_desc vq_read_desc(const struct virtq *vq, uint16_t i)
{
	const struct virtq_desc *d = &vq->desc[i];
	struct virtq_desc v;

	v.addr = le64toh(__atomic_load_n(&d->addr, __ATOMIC_RELAXED));
	v.len = le32toh(__atomic_load_n(&d->len, __ATOMIC_RELAXED));
	v.flags = le16toh(__atomic_load_n(&d->flags, __ATOMIC_RELAXED));
	v.next = le16toh(__atomic_load_n(&d->next, __ATOMIC_RELAXED));
	return v;
}

/* Walk the chain starting at head into c, validating every descriptor (2.7.5, 2.7.6). */
static int vq_walk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	uint32_t total = 0;
	unsigned count = 0;
	uint16_t i = head;

	c->head = head;
	c->nr_out = c->nr_in = 0;
	c->out_bytes = c->in_bytes = 0;
	for (;;) {
		struct virtq_desc d = vq_read_desc(vq, i);
		bool writable = d.flags & VIRTQ_DESC_F_WRITE;
		void *host = NULL;

		/* a chain visits each descriptor at most once, so more than num means a loop */
		if (count == vq->num)
			return vq_error(vq, "descriptor chain from head %u is longer than the queue (%u): loop",
					head, vq->num);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return vq_error(vq, "descriptor %u is INDIRECT, which was not offered", i);
		if (d.len > vq->max_bytes - total)
			return vq_error(vq, "descriptor %u length %u takes the chain past %u bytes", i,
					d.len, vq->max_bytes);
		if (!writable && c->nr_in)
			return vq_error(vq, "device-readable descriptor %u follows a writable one", i);
		if (d.len) {
			host = vq_translate(vq, d.addr, d.len);
			if (!host)
				return vq_error(vq, "descriptor %u buffer [0x%llx, +0x%x) is not guest RAM",
						i, (unsigned long long)d.addr, d.len);
		}
		c->iov[count].iov_base = host;
		c->iov[count].iov_len = d.len;
		count++;
		total += d.len;
		if (writable) {
			c->nr_in++;
			c->in_bytes += d.len;
		} else {
			c->nr_out++;
			c->out_bytes += d.len;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->num)
			return vq_error(vq, "descriptor %u links to %u, beyond the queue (%u)", i, d.next,
					vq->num);
		i = d.next;
	}
}

int virtq__pop(struct virtq *vq, struct virtq_chain *chain)
{
	uint16_t avail_idx, pending, head;
	int ret;

	if (!vq->started)
		return 0;
	/* acquire: ring entries and descriptors below avail->idx are visible after this load */
	avail_idx = le16toh(__atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE));
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (!pending)
		return 0;
	if (pending > vq->num)
		return vq_error(vq, "available index %u is %u entries ahead of %u, queue size %u",
				avail_idx, pending, vq->last_avail, vq->num);
	head = le16toh(__atomic_load_n(&vq->avail->ring[vq->last_avail & (vq->num - 1)],
				       __ATOMIC_RELAXED));
	if (head >= vq->num)
		return vq_error(vq, "available ring entry %u names descriptor %u, beyond the queue (%u)",
				vq->last_avail, head, vq->num);
	ret = vq_walk(vq, head, chain);
	if (ret)
		return ret;
	vq->last_avail++;
	return 1;
}

int virtq__push(struct virtq *vq, uint16_t head, uint32_t written)
{
	struct virtq_used_elem *e;

	if (!vq->started)
		return vq_error(vq, "push to a queue that is not ready");
	if (head >= vq->num)
		return vq_error(vq, "push of descriptor %u beyond the queue (%u)", head, vq->num);
	e = &vq->used->ring[vq->used_idx & (vq->num - 1)];
	__atomic_store_n(&e->id, htole32(head), __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, htole32(written), __ATOMIC_RELAXED);
	vq->used_idx++;
	/* release: the element is visible to the driver before the index that covers it */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	return 0;
}

bool virtq__should_notify(struct virtq *vq)
{
	uint16_t flags;

	if (!vq->started)
		return false;
	/*
	 * Full barrier: the used->idx store must be globally visible before we sample the driver's
	 * flags. Otherwise the driver can clear NO_INTERRUPT, re-check used->idx (still old) and
	 * sleep while we read the stale flag and skip the interrupt.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED));
	/* without VIRTIO_F_EVENT_IDX the flag is only a hint, honoured as the spec suggests */
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Copy between buf and the byte stream formed by iov[first..first+cnt), starting at off. */
static size_t vq_copy(const struct iovec *iov, unsigned cnt, size_t off, void *buf, size_t len,
		      bool to_iov)
{
	uint8_t *p = buf;
	size_t done = 0;

	for (unsigned i = 0; i < cnt && done < len; i++) {
		size_t seg = iov[i].iov_len, n;

		if (off >= seg) {
			off -= seg;
			continue;
		}
		n = seg - off < len - done ? seg - off : len - done;
		if (to_iov)
			memcpy((uint8_t *)iov[i].iov_base + off, p + done, n);
		else
			memcpy(p + done, (uint8_t *)iov[i].iov_base + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain__read(const struct virtq_chain *c, size_t off, void *buf, size_t len)
{
	return vq_copy(c->iov, c->nr_out, off, buf, len, false);
}

size_t virtq_chain__write(const struct virtq_chain *c, size_t off, const void *buf, size_t len)
{
	return vq_copy(c->iov + c->nr_out, c->nr_in, off, (void *)buf, len, true);
}
