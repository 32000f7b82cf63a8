/*
 * virtio-blk.c - virtio block device, virtio 1.x spec 5.2, backed by a host file descriptor.
 *
 * One request queue (queue 0). Configuration space (5.2.4), little-endian, read-only:
 *
 *   0x00 le64 capacity   in 512-byte sectors, whatever the file's block size
 *   0x08 le32 size_max   largest data segment (VIRTIO_BLK_F_SIZE_MAX)
 *   0x0c le32 seg_max    most data segments per request (VIRTIO_BLK_F_SEG_MAX)
 *   0x10 geometry, 0x14 blk_size: not offered, read as zero
 *
 * A request (5.2.6) is one chain: a 16-byte device-readable header { le32 type; le32 reserved;
 * le64 sector }, then data (device-readable for T_OUT, device-writable for T_IN and T_GET_ID),
 * then one device-writable status byte. The header and status are located by byte offset in
 * the readable and writable halves of the chain, not by descriptor, because modern drivers may
 * frame messages as they like (2.6.4).
 *
 * Two kinds of wrong request: a malformed chain (no room for header or status, data in the
 * wrong direction) is a driver bug, so it fails the device (DEVICE_NEEDS_RESET and a fault
 * for the VMM); a well-formed request we cannot honour (past the capacity, not whole sectors,
 * a write to a read-only disk, an unknown type) completes with IOERR or UNSUPP like a disk
 * would. Nothing is ever written beyond capacity * 512 bytes of the file.
 *
 * Offered: SIZE_MAX and SEG_MAX (so requests stay below the 4 MiB chain limit the virtqueue
 * enforces), FLUSH (T_FLUSH is fdatasync) and RO in read-only mode. Without a negotiated
 * FLUSH the driver expects write-through, so every T_OUT is then followed by fdatasync.
 *
 * Where requests are served: a real disk works while the CPU runs on, so once the VMM starts
 * the disk's I/O thread (virtio_blk__start_io), a QueueNotify only records that queue 0 has
 * work and wakes that thread, which walks the queue, does the host I/O and raises the used
 * interrupt. The thread holds blk->lock (the transport and virtqueue state, which the VMM
 * also takes around every MMIO access to this disk) and nothing else, so a disk sleeping in
 * fdatasync stalls only accesses to itself. Without the thread (the host tests, the fuzzer)
 * the notify serves the queue inline, as before.
 */
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "virtio-blk.h"

#define BLK_HDR_BYTES 16
#define BLK_CONFIG_BYTES 24
#define BLK_SEG_MAX (VIRTIO_BLK_QUEUE_MAX - 2) /* room for header and status descriptors */
#define BLK_MAX_CHAIN ((4U << 20) + 4096)

static struct virtio_blk *to_blk(struct virtio_mmio *mmio)
{
	return container_of(mmio, struct virtio_blk, mmio);
}

static uint64_t blk_features(struct virtio_mmio *mmio)
{
	struct virtio_blk *blk = to_blk(mmio);
	uint64_t f = 1ULL << VIRTIO_BLK_F_SIZE_MAX | 1ULL << VIRTIO_BLK_F_SEG_MAX |
		     1ULL << VIRTIO_BLK_F_FLUSH;

	return blk->read_only ? f | 1ULL << VIRTIO_BLK_F_RO : f;
}

static void blk_config_read(struct virtio_mmio *mmio, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_blk *blk = to_blk(mmio);
	uint8_t cfg[BLK_CONFIG_BYTES] = { 0 };
	uint64_t cap = htole64(blk->capacity);
	uint32_t size_max = htole32(VIRTIO_BLK_SIZE_MAX), seg_max = htole32(BLK_SEG_MAX);

	memcpy(cfg + 0x00, &cap, 8);
	memcpy(cfg + 0x08, &size_max, 4);
	memcpy(cfg + 0x0c, &seg_max, 4);
	memcpy(data, cfg + off, len); /* bounds checked by the transport */
}

/*
 * pread/pwrite the byte range [skip, skip + len) of iov[0..cnt) at file offset pos, retrying
 * short transfers. 0, or -EIO when the file ends early or the host I/O fails.
 */
static int blk_rw(struct virtio_blk *blk, const struct iovec *iov, unsigned cnt, size_t skip,
		  size_t len, off_t pos, bool write)
{
	ssize_t (*rd)(int, void *, size_t, off_t) = blk->pread;
	int fd = blk->fd;

	for (unsigned i = 0; i < cnt && len; i++) {
		uint8_t *p = iov[i].iov_base;
		size_t n = iov[i].iov_len;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		p += skip;
		n -= skip;
		skip = 0;
		if (n > len)
			n = len;
		len -= n;
		while (n) {
			ssize_t r = write ? pwrite(fd, p, n, pos) : rd(fd, p, n, pos);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -EIO;
			p += r;
			n -= (size_t)r;
			pos += r;
		}
	}
	return 0;
}

/* Is [sector, sector + bytes) whole sectors inside the disk? */
static bool blk_in_range(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes)
{
	if (bytes % VIRTIO_BLK_SECTOR)
		return false;
	return sector <= blk->capacity && bytes / VIRTIO_BLK_SECTOR <= blk->capacity - sector;
}

/* Serve one chain; returns the status byte, or -EINVAL (device failed). *data_written is set. */
static int blk_request(struct virtio_blk *blk, const struct virtq_chain *c, uint32_t *data_written)
{
	struct virtio_mmio *mmio = &blk->mmio;
	uint8_t hdr[BLK_HDR_BYTES];
	uint32_t type, out_data, in_data;
	uint64_t sector;
	off_t pos;

	*data_written = 0;
	if (c->out_bytes < BLK_HDR_BYTES || c->in_bytes < 1)
		return virtio_mmio__fail(mmio, "request %u has %u readable/%u writable bytes, needs a "
					       "16-byte header and a status byte",
					 c->head, c->out_bytes, c->in_bytes);
	virtq_chain__read(c, 0, hdr, sizeof(hdr)); /* one copy: the guest may still change it */
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);
	out_data = c->out_bytes - BLK_HDR_BYTES;
	in_data = c->in_bytes - 1;
	pos = (off_t)(sector * VIRTIO_BLK_SECTOR);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (out_data)
			return virtio_mmio__fail(mmio, "T_IN request %u carries %u readable data bytes",
						 c->head, out_data);
		if (!blk_in_range(blk, sector, in_data))
			return VIRTIO_BLK_S_IOERR;
		if (blk_rw(blk, c->iov + c->nr_out, c->nr_in, 0, in_data, pos, false) < 0)
			return VIRTIO_BLK_S_IOERR;
		*data_written = in_data;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		if (in_data)
			return virtio_mmio__fail(mmio, "T_OUT request %u has %u writable data bytes",
						 c->head, in_data);
		if (blk->read_only || !blk_in_range(blk, sector, out_data))
			return VIRTIO_BLK_S_IOERR;
		if (blk_rw(blk, c->iov, c->nr_out, BLK_HDR_BYTES, out_data, pos, true) < 0)
			return VIRTIO_BLK_S_IOERR;
		if (!virtio_mmio__has_feature(mmio, VIRTIO_BLK_F_FLUSH) && fdatasync(blk->fd) < 0)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		if (!blk->read_only && fdatasync(blk->fd) < 0)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		/* 20 bytes, NUL-padded; a shorter buffer gets a prefix */
		*data_written = in_data < VIRTIO_BLK_ID_BYTES ? in_data : VIRTIO_BLK_ID_BYTES;
		virtq_chain__write(c, 0, blk->id, *data_written);
		return VIRTIO_BLK_S_OK;
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/* Serve up to one queue's worth of chains (the notify budget), then signal them used. */
static int blk_serve(struct virtio_blk *blk, unsigned queue)
{
	struct virtio_mmio *mmio = &blk->mmio;
	struct virtq *vq = &mmio->vqs[queue];
	bool pushed = false;
	unsigned served;
	int r = 0;

	for (served = 0; virtio_mmio__may_serve(mmio, vq, served) &&
			 (r = virtq__pop(vq, &blk->chain)) > 0;
	     served++) {
		const struct virtq_chain *c = &blk->chain;
		uint32_t written;
		int status = blk_request(blk, c, &written);
		uint8_t s = (uint8_t)status;

		if (status < 0)
			return status;
		/* the status byte is the last writable byte of the chain */
		virtq_chain__write(c, c->in_bytes - 1, &s, 1);
		if (virtq__push(vq, c->head, written + 1) < 0)
			return virtio_mmio__queue_fail(mmio, queue);
		pushed = true;
	}
	if (pushed)
		virtio_mmio__signal_used(mmio, queue);
	return r < 0 ? virtio_mmio__queue_fail(mmio, queue) : 0;
}

/* Called with blk->lock held (the MMIO access that notified, or DRIVER_OK). */
static int blk_notify(struct virtio_mmio *mmio, unsigned queue)
{
	struct virtio_blk *blk = to_blk(mmio);

	if (!blk->has_thread)
		return blk_serve(blk, queue);
	blk->work = true;
	pthread_cond_signal(&blk->wake);
	return 0;
}

/*
 * The disk's I/O thread: each wake-up serves one batch (virtio_mmio__may_serve: at most a
 * queue's worth, none once the run is over), so it ends with the request in hand at the stop.
 * Notifies that come meanwhile wait for blk->lock and set work again: none is lost.
 */
static void *blk_io_thread(void *arg)
{
	struct virtio_blk *blk = arg;
	struct virtio_mmio *mmio = &blk->mmio;

	pthread_mutex_lock(&blk->lock);
	for (;;) {
		while (!blk->work && !blk->quit)
			pthread_cond_wait(&blk->wake, &blk->lock);
		if (blk->quit)
			break;
		blk->work = false;
		/* a reset or QueueReady = 0 may have come between the notify and now */
		if (!virtio_mmio__live(mmio) || !mmio->vqs[0].started)
			continue;
		if (blk_serve(blk, 0) < 0 && blk->failed)
			blk->failed(blk->failed_ctx, blk);
	}
	pthread_mutex_unlock(&blk->lock);
	return NULL;
}

int virtio_blk__start_io(struct virtio_blk *blk, void (*failed)(void *ctx, struct virtio_blk *blk),
			 void *ctx)
{
	int ret;

	pthread_mutex_lock(&blk->lock);
	blk->failed = failed;
	blk->failed_ctx = ctx;
	blk->quit = false;
	ret = pthread_create(&blk->thread, NULL, blk_io_thread, blk);
	blk->has_thread = ret == 0;
	pthread_mutex_unlock(&blk->lock);
	return -ret;
}

void virtio_blk__stop_io(struct virtio_blk *blk)
{
	if (!blk->has_thread)
		return;
	pthread_mutex_lock(&blk->lock);
	blk->quit = true;
	pthread_cond_signal(&blk->wake);
	pthread_mutex_unlock(&blk->lock);
	pthread_join(blk->thread, NULL);
	blk->has_thread = false;
}

static const struct virtio_mmio_backend blk_backend = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_MAX,
	.max_chain_bytes = BLK_MAX_CHAIN,
	.config_size = BLK_CONFIG_BYTES,
	.features = blk_features,
	.config_read = blk_config_read,
	.notify = blk_notify,
};

int virtio_blk__init(struct virtio_blk *blk, int fd, bool read_only, const char *serial,
		     struct guest_mem mem, struct irq_line irq)
{
	off_t size = lseek(fd, 0, SEEK_END); /* works for block devices, where st_size is 0 */

	if (size < 0)
		return -errno;
	memset(blk, 0, sizeof(*blk));
	blk->fd = fd;
	blk->pread = pread;
	pthread_mutex_init(&blk->lock, NULL);
	pthread_cond_init(&blk->wake, NULL);
	blk->read_only = read_only;
	blk->capacity = (uint64_t)size / VIRTIO_BLK_SECTOR;
	if (serial) /* NUL-padded; a 20-byte serial has no terminator, as the spec allows */
		memcpy(blk->id, serial, strnlen(serial, sizeof(blk->id)));
	virtio_mmio__init(&blk->mmio, &blk_backend, mem, irq);
	return 0;
}
