/*
 * virtio-mmio-legacy-regs.c - the register file of the legacy virtio-mmio transport, version 1
 * (virtio 1.x spec 4.2.4 "Legacy interface"), for drivers written before virtio 1.0: xv6-riscv
 * before October 2021 and the 6.S081 lab trees of 2020-2021, old Linux, old U-Boot. The VMM
 * maps it instead of version 2's with --virtio-transport mmio-legacy. State, interrupts, Status
 * and the backends are the version 2 transport's (virtio-mmio.c); only the registers differ.
 *
 * Register map (32-bit little-endian registers; R = read-only, W = write-only):
 *
 *   0x000 R  MagicValue 0x74726976     0x038 W  QueueNum
 *   0x004 R  Version 1                 0x03c W  QueueAlign (used ring alignment, bytes)
 *   0x008 R  DeviceID                  0x040 RW QueuePFN (ring page number, 0 = stop)
 *   0x00c R  VendorID                  0x050 W  QueueNotify
 *   0x010 R  HostFeatures              0x060 R  InterruptStatus
 *   0x014 W  HostFeaturesSel           0x064 W  InterruptACK
 *   0x020 W  GuestFeatures             0x070 RW Status
 *   0x024 W  GuestFeaturesSel          0x100+   device-specific configuration space
 *   0x028 W  GuestPageSize
 *   0x030 W  QueueSel
 *   0x034 R  QueueNumMax
 *
 * Version 2's QueueReady, the six ring address registers and ConfigGeneration do not exist
 * here and are refused like any undecoded offset. A queue is in use once QueuePFN is non-zero;
 * its split ring (2.7, legacy layout) is one area at QueuePFN * GuestPageSize:
 *
 *   descriptors  16 * QueueNum bytes
 *   available    right after them: flags, idx, ring[QueueNum], used_event
 *   used         at the next multiple of QueueAlign: flags, idx, ring[QueueNum], avail_event
 *
 * A PFN with no GuestPageSize yet, a page size or alignment that is not a power of two, a
 * rewrite of a queue in use, and a ring that is not wholly in guest RAM are the driver's
 * mistakes: the access is refused (a device fault naming the register) or, for the ring, the
 * device fails with virtqueue.c's message, as version 2's QueueReady does.
 */
#include "virtio-mmio-int.h"

#define RD MMIO_RD
#define WR MMIO_WR
static const uint8_t legacy_access[VIRTIO_MMIO_CONFIG / 4] = {
	[VIRTIO_MMIO_MAGIC_VALUE / 4] = RD,           [VIRTIO_MMIO_VERSION / 4] = RD,
	[VIRTIO_MMIO_DEVICE_ID / 4] = RD,             [VIRTIO_MMIO_VENDOR_ID / 4] = RD,
	[VIRTIO_MMIO_DEVICE_FEATURES / 4] = RD,       [VIRTIO_MMIO_DEVICE_FEATURES_SEL / 4] = WR,
	[VIRTIO_MMIO_DRIVER_FEATURES / 4] = WR,       [VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4] = WR,
	[VIRTIO_MMIO_GUEST_PAGE_SIZE / 4] = WR,       [VIRTIO_MMIO_QUEUE_SEL / 4] = WR,
	[VIRTIO_MMIO_QUEUE_NUM_MAX / 4] = RD,         [VIRTIO_MMIO_QUEUE_NUM / 4] = WR,
	[VIRTIO_MMIO_QUEUE_ALIGN / 4] = WR,           [VIRTIO_MMIO_QUEUE_PFN / 4] = RD | WR,
	[VIRTIO_MMIO_QUEUE_NOTIFY / 4] = WR,          [VIRTIO_MMIO_INTERRUPT_STATUS / 4] = RD,
	[VIRTIO_MMIO_INTERRUPT_ACK / 4] = WR,         [VIRTIO_MMIO_STATUS / 4] = RD | WR,
};

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* QueuePFN != 0: lay the ring out from the page and start the queue (virtq__start checks it). */
static int legacy_start_queue(struct virtio_mmio *mmio, struct virtq *vq, uint32_t pfn)
{
	unsigned q = mmio->queue_sel;
	uint64_t align = mmio->queue_align[q], avail_end;

	if (!mmio->guest_page_size)
		return mmio_refuse(mmio, "QueuePFN 0x%x before GuestPageSize was written", pfn);
	/* 32 x 32 bits cannot overflow 64; the adds stay below 2^64 for any QueueNum <= 2^16 */
	vq->desc_gpa = (uint64_t)pfn * mmio->guest_page_size;
	vq->avail_gpa = vq->desc_gpa + 16ULL * vq->num;
	avail_end = vq->avail_gpa + 6 + 2ULL * vq->num;
	vq->used_gpa = (avail_end + align - 1) & ~(align - 1);
	if (virtq__start(vq) < 0) {
		virtio_mmio__queue_fail(mmio, q);
		return -1;
	}
	mmio->queue_pfn[q] = pfn;
	return 0;
}

static int legacy_write_queue(struct virtio_mmio *mmio, uint64_t off, uint32_t val)
{
	struct virtq *vq = mmio_selected(mmio);
	unsigned q = mmio->queue_sel;

	if (!vq)
		return mmio_refuse(mmio, "queue register 0x%03llx with QueueSel %u (no such queue)",
				   (unsigned long long)off, q);
	if (off == VIRTIO_MMIO_QUEUE_PFN && !val) { /* the driver stops using the queue */
		vq->started = false;
		mmio->queue_pfn[q] = 0;
		return 0;
	}
	if (vq->started)
		return mmio_refuse(mmio, "queue %u register 0x%03llx written while the queue is in use "
				   "(QueuePFN 0x%x; write 0 first)", q, (unsigned long long)off,
				   mmio->queue_pfn[q]);
	if (off == VIRTIO_MMIO_QUEUE_ALIGN) {
		if (!is_pow2(val))
			return mmio_refuse(mmio, "QueueAlign %u is not a power of two", val);
		mmio->queue_align[q] = val;
		return 0;
	}
	if (off == VIRTIO_MMIO_QUEUE_PFN)
		return legacy_start_queue(mmio, vq, val);
	return mmio_write_queue(mmio, off, val); /* QueueNum, with version 2's checks */
}

static int legacy_write_reg(struct virtio_mmio *mmio, uint64_t off, uint32_t val)
{
	switch (off) {
	case VIRTIO_MMIO_GUEST_PAGE_SIZE:
		if (!is_pow2(val))
			return mmio_refuse(mmio, "GuestPageSize %u is not a power of two", val);
		mmio->guest_page_size = val;
		return 0;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_ALIGN:
	case VIRTIO_MMIO_QUEUE_PFN:
		return legacy_write_queue(mmio, off, val);
	default: /* features, QueueSel, QueueNotify, InterruptACK, Status: as version 2 */
		return mmio_write_reg(mmio, off, val);
	}
}

static uint32_t legacy_read_reg(struct virtio_mmio *mmio, uint64_t off)
{
	switch (off) {
	case VIRTIO_MMIO_VERSION:
		return 1;
	case VIRTIO_MMIO_QUEUE_PFN:
		return mmio_selected(mmio) ? mmio->queue_pfn[mmio->queue_sel] : 0;
	default: /* HostFeatures is version 2's DeviceFeatures, less VIRTIO_F_VERSION_1 */
		return mmio_read_reg(mmio, off);
	}
}

static const struct mmio_regfile regs_v1 = { legacy_access, legacy_read_reg, legacy_write_reg };

static int legacy_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	return mmio_regfile_read(state, &regs_v1, off, data, len);
}

static int legacy_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	return mmio_regfile_write(state, &regs_v1, off, data, len);
}

const struct dev_ops virtio_mmio_legacy_ops = {
	.name = "virtio-mmio-legacy",
	.read = legacy_read,
	.write = legacy_write,
	.last_error = mmio_last_error,
};
