/*
 * virtio-mmio.h - the virtio-mmio transport (virtio 1.x spec 4.2), version 2 and, on request,
 * the legacy version 1 (4.2.4), and the small backend interface each virtio device file
 * implements.
 *
 * A device embeds a struct virtio_mmio and the VMM maps &dev->mmio with virtio_mmio_ops into
 * one of the LAYOUT_VIRTIO0 slots. Backend callbacks get the transport back and find their own
 * state with container_of().
 *
 * Not thread-safe: the VMM serializes every call on one device (MMIO accesses, and host-side
 * entry points such as virtio_console__push_input). The irq line is driven from inside them.
 */
#ifndef BOOTCASE_VIRTIO_MMIO_H
#define BOOTCASE_VIRTIO_MMIO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev.h"
#include "virtqueue.h"

#define VIRTIO_MMIO_MAGIC_NUMBER 0x74726976 /* "virt" */
#define VIRTIO_MMIO_VENDOR_QEMU 0x554d4551  /* "QEMU": xv6 refuses any other VendorID */
#define VIRTIO_MMIO_MAX_QUEUES 4

/* Register offsets (spec 4.2.2), see the map in dev/virtio-mmio-regs.c. */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100 /* device-specific configuration space starts here */

/* Legacy (version 1) only, 4.2.4: the ring is one guest-physical area named by a page number. */
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03c
#define VIRTIO_MMIO_QUEUE_PFN 0x040
#define VIRTIO_MMIO_LEGACY_DEFAULT_ALIGN 4096 /* QueueAlign until the driver writes it, as QEMU */

/* Device status bits (spec 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* InterruptStatus bits (spec 4.2.2). */
#define VIRTIO_MMIO_INT_VRING 1
#define VIRTIO_MMIO_INT_CONFIG 2

#define VIRTIO_F_VERSION_1 32 /* feature bit number (spec 6) */

#ifndef container_of
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#endif

struct virtio_mmio;

struct virtio_mmio_backend {
	const char *name;
	uint32_t device_id;	  /* spec 5: 2 = block, 3 = console */
	unsigned num_queues;	  /* <= VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;	  /* QueueNumMax, a power of two <= VIRTQ_MAX_SIZE */
	uint32_t max_chain_bytes; /* per-chain limit for validation; 0 = VIRTQ_DEFAULT_MAX_BYTES */
	uint32_t config_size;
	/* Device-specific feature bits; the transport adds VIRTIO_F_VERSION_1. */
	uint64_t (*features)(struct virtio_mmio *mmio);
	/* Config space access, already bounds- and width-checked. write NULL = read-only config. */
	void (*config_read)(struct virtio_mmio *mmio, uint32_t off, uint8_t *data, uint32_t len);
	int (*config_write)(struct virtio_mmio *mmio, uint32_t off, const uint8_t *data, uint32_t len);
	/* The driver made buffers available on queue (or DRIVER_OK arrived). 0 or -EINVAL after
	 * virtio_mmio__fail(). Only called for started queues once DRIVER_OK is set. */
	int (*notify)(struct virtio_mmio *mmio, unsigned queue);
	/* Status was written 0: drop in-flight state (queues are already reset). */
	void (*reset)(struct virtio_mmio *mmio);
};

struct virtio_mmio {
	const struct virtio_mmio_backend *backend; /* NULL: an empty slot (DeviceID 0) */
	struct guest_mem mem;
	struct irq_line irq;
	int irq_level;
	/*
	 * Tolerate drivers that never accept VIRTIO_F_VERSION_1. Off by default (spec 6.1 lets the
	 * device refuse FEATURES_OK), but xv6-riscv writes only the low feature word and panics
	 * when FEATURES_OK is refused; on a little-endian host the legacy layouts are identical.
	 */
	bool accept_legacy_driver;
	/*
	 * The legacy transport (--virtio-transport mmio-legacy, virtio-mmio-legacy-regs.c):
	 * Version 1, no VIRTIO_F_VERSION_1, and each queue's rings at QueuePFN * GuestPageSize.
	 * GuestPageSize is the driver's once-per-device setting and survives a reset (Linux
	 * writes it at probe, before the core resets the device); QueueAlign and QueuePFN do not.
	 */
	bool legacy;
	uint32_t guest_page_size;                     /* 0 until the driver writes it */
	uint32_t queue_align[VIRTIO_MMIO_MAX_QUEUES];
	uint32_t queue_pfn[VIRTIO_MMIO_MAX_QUEUES];   /* 0 = the queue is not in use */
	uint32_t status, interrupt_status, config_generation;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	bool bad_feature_word; /* a non-zero DriverFeatures write with DriverFeaturesSel >= 2 */
	struct virtq vqs[VIRTIO_MMIO_MAX_QUEUES];
	char err[VIRTQ_ERR_LEN + 64];
	/* Set by the VMM when the run is over: backends stop serving requests (NULL: never). */
	const volatile sig_atomic_t *stop;
};

extern const struct dev_ops virtio_mmio_ops;        /* version 2 (virtio-mmio-regs.c) */
extern const struct dev_ops virtio_mmio_legacy_ops; /* version 1 (virtio-mmio-legacy-regs.c) */

/* backend NULL makes an empty slot that answers MagicValue/Version/DeviceID=0/VendorID. */
void virtio_mmio__init(struct virtio_mmio *mmio, const struct virtio_mmio_backend *backend,
		       struct guest_mem mem, struct irq_line irq);
/* Everything a driver status write of 0 does. */
void virtio_mmio__reset(struct virtio_mmio *mmio);
/* Make the device a legacy (version 1) one: before the driver sees it, with legacy_ops mapped. */
void virtio_mmio__set_legacy(struct virtio_mmio *mmio);
/* Used buffers were pushed on queue: raise the interrupt unless the driver suppressed it. */
void virtio_mmio__signal_used(struct virtio_mmio *mmio, unsigned queue);
/* Config space changed: bump ConfigGeneration and send a configuration change interrupt. */
void virtio_mmio__config_changed(struct virtio_mmio *mmio);
/* A guest error: record why, set DEVICE_NEEDS_RESET, tell the driver; returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int virtio_mmio__fail(struct virtio_mmio *mmio,
							     const char *fmt, ...);
/* Same, quoting the virtqueue's own message. */
int virtio_mmio__queue_fail(struct virtio_mmio *mmio, unsigned queue);

/* Is the device live (DRIVER_OK and not broken)? Backends only touch queues when it is. */
static inline bool virtio_mmio__live(const struct virtio_mmio *mmio)
{
	return (mmio->status & VIRTIO_STATUS_DRIVER_OK) && !(mmio->status & VIRTIO_STATUS_NEEDS_RESET);
}

/*
 * May a backend's notify loop take one more chain? Each notify serves at most one queue's
 * worth (num chains: all a notify can announce, as at most num are outstanding; a chain
 * posted later comes with a notify of its own), and nothing once the run is over. Without
 * the budget, a second hart that re-posts requests as fast as they complete keeps the loop,
 * and the device lock it runs under, forever.
 */
static inline bool virtio_mmio__may_serve(const struct virtio_mmio *mmio, const struct virtq *vq,
					  unsigned served)
{
	return served < vq->num && !(mmio->stop && *mmio->stop);
}

/* Did the driver accept feature bit? */
static inline bool virtio_mmio__has_feature(const struct virtio_mmio *mmio, unsigned bit)
{
	return bit < 64 && (mmio->driver_features >> bit) & 1;
}

/* Why the last access was refused or the device failed ("" if it never did). */
static inline const char *virtio_mmio__error(const struct virtio_mmio *mmio)
{
	return mmio->err;
}

#endif
