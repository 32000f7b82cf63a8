/*
 * virtio-mmio-int.h - inside the virtio-mmio transport: what its register file
 * (virtio-mmio-regs.c) calls in its state (virtio-mmio.c). Backends use virtio-mmio.h only.
 */
#ifndef BOOTCASE_VIRTIO_MMIO_INT_H
#define BOOTCASE_VIRTIO_MMIO_INT_H

#include <stdint.h>
#include "virtio-mmio.h"

/* Refuse the access that is being decoded: the message for last_error; returns -1. */
__attribute__((format(printf, 2, 3)))
int mmio_refuse(struct virtio_mmio *mmio, const char *fmt, ...);
/* The interrupt line follows InterruptStatus (after an InterruptACK). */
void mmio_update_irq(struct virtio_mmio *mmio);
/* DeviceFeatures: the backend's, plus VIRTIO_F_VERSION_1. */
uint64_t mmio_offered(struct virtio_mmio *mmio);
/* The queue QueueSel names, or NULL when there is no such queue. */
struct virtq *mmio_selected(struct virtio_mmio *mmio);
/* QueueNotify (or DRIVER_OK) for queues [first, first + count): 0, or -1 when one broke. */
int mmio_kick(struct virtio_mmio *mmio, unsigned first, unsigned count);
/* A write to Status, with feature negotiation at FEATURES_OK. 0 or -1 (refused). */
int mmio_write_status(struct virtio_mmio *mmio, uint32_t val);
/* QueueReady, QueueNum and the queue layout registers of the selected queue. 0 or -1. */
int mmio_write_queue(struct virtio_mmio *mmio, uint64_t off, uint32_t val);

/*
 * A register file: which registers below VIRTIO_MMIO_CONFIG it decodes (access[off / 4], RD/WR)
 * and how it reads and writes them. virtio-mmio-regs.c has version 2's, and the accesses both
 * versions share (decoding, configuration space); virtio-mmio-legacy-regs.c has version 1's.
 */
#define MMIO_RD 1
#define MMIO_WR 2
struct mmio_regfile {
	const uint8_t *access;
	uint32_t (*read)(struct virtio_mmio *mmio, uint64_t off);
	int (*write)(struct virtio_mmio *mmio, uint64_t off, uint32_t val);
};
/* The registers both versions have, in version 2's meaning (Version reads 2). */
uint32_t mmio_read_reg(struct virtio_mmio *mmio, uint64_t off);
int mmio_write_reg(struct virtio_mmio *mmio, uint64_t off, uint32_t val);
/* One guest access through a register file: 0, or -1 when refused (last_error says why). */
int mmio_regfile_read(struct virtio_mmio *mmio, const struct mmio_regfile *rf, uint64_t off,
		      uint8_t *data, uint32_t len);
int mmio_regfile_write(struct virtio_mmio *mmio, const struct mmio_regfile *rf, uint64_t off,
		       const uint8_t *data, uint32_t len);
const char *mmio_last_error(void *state);

#endif
