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

#endif
