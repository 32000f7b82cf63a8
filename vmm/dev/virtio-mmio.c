/*
 * virtio-mmio.c - the virtio-mmio transport, version 2 ("modern"), virtio 1.x spec 4.2.2.
 *
 * This file is the transport's state: reset, interrupt, the driver's Status and feature
 * negotiation, queue setup, and the calls the backends make. The register file, the decoding of
 * each access and the dev_ops the VMM maps, is virtio-mmio-regs.c.
 *
 * Feature negotiation (2.2, 6.1): VIRTIO_F_VERSION_1 is always offered and FEATURES_OK is
 * refused (left clear, which the driver sees when it re-reads Status) unless the driver accepted
 * it and nothing that was not offered. A broken virtqueue sets DEVICE_NEEDS_RESET (2.1.2) and
 * the MMIO access that found it fails with the virtqueue's message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio-mmio-int.h"

int mmio_refuse(struct virtio_mmio *mmio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(mmio->err, sizeof(mmio->err), fmt, ap);
	va_end(ap);
	return -1;
}

void mmio_update_irq(struct virtio_mmio *mmio)
{
	int level = mmio->interrupt_status != 0;

	if (level != mmio->irq_level) {
		mmio->irq_level = level;
		if (mmio->irq.set)
			mmio->irq.set(mmio->irq.ctx, level);
	}
}

uint64_t mmio_offered(struct virtio_mmio *mmio)
{
	uint64_t f = mmio->backend->features ? mmio->backend->features(mmio) : 0;

	/* 4.2.4: a legacy device does not offer VIRTIO_F_VERSION_1 */
	return mmio->legacy ? f & ~(1ULL << VIRTIO_F_VERSION_1) : f | (1ULL << VIRTIO_F_VERSION_1);
}

struct virtq *mmio_selected(struct virtio_mmio *mmio)
{
	return mmio->queue_sel < mmio->backend->num_queues ? &mmio->vqs[mmio->queue_sel] : NULL;
}

void virtio_mmio__reset(struct virtio_mmio *mmio)
{
	uint32_t max_bytes = mmio->backend ? mmio->backend->max_chain_bytes : 0;

	mmio->status = mmio->interrupt_status = 0;
	mmio->device_features_sel = mmio->driver_features_sel = mmio->queue_sel = 0;
	mmio->driver_features = 0;
	mmio->bad_feature_word = false;
	mmio->err[0] = '\0';
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		virtq__reset(&mmio->vqs[i], mmio->mem, max_bytes);
		/* QueueNum starts at QueueNumMax, as on QEMU, for drivers that never write it */
		if (mmio->backend && i < mmio->backend->num_queues)
			mmio->vqs[i].num = mmio->backend->queue_max;
		mmio->queue_pfn[i] = 0;
		mmio->queue_align[i] = VIRTIO_MMIO_LEGACY_DEFAULT_ALIGN;
	}
	mmio_update_irq(mmio);
	if (mmio->backend && mmio->backend->reset)
		mmio->backend->reset(mmio);
}

void virtio_mmio__init(struct virtio_mmio *mmio, const struct virtio_mmio_backend *backend,
		       struct guest_mem mem, struct irq_line irq)
{
	memset(mmio, 0, sizeof(*mmio));
	mmio->backend = backend;
	mmio->mem = mem;
	mmio->irq = irq;
	virtio_mmio__reset(mmio);
}

void virtio_mmio__set_legacy(struct virtio_mmio *mmio)
{
	mmio->legacy = true;
	virtio_mmio__reset(mmio);
}

void virtio_mmio__signal_used(struct virtio_mmio *mmio, unsigned queue)
{
	if (queue >= VIRTIO_MMIO_MAX_QUEUES || !virtq__should_notify(&mmio->vqs[queue]))
		return;
	mmio->interrupt_status |= VIRTIO_MMIO_INT_VRING;
	mmio_update_irq(mmio);
}

void virtio_mmio__config_changed(struct virtio_mmio *mmio)
{
	mmio->config_generation++;
	if (!(mmio->status & VIRTIO_STATUS_DRIVER_OK))
		return;
	mmio->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
	mmio_update_irq(mmio);
}

int virtio_mmio__fail(struct virtio_mmio *mmio, const char *fmt, ...)
{
	int n = snprintf(mmio->err, sizeof(mmio->err), "%s: ",
			 mmio->backend ? mmio->backend->name : "virtio");
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(mmio->err))
		vsnprintf(mmio->err + n, sizeof(mmio->err) - n, fmt, ap);
	va_end(ap);
	/* 2.1.2: with DRIVER_OK set, NEEDS_RESET must come with a configuration change interrupt */
	if (!(mmio->status & VIRTIO_STATUS_NEEDS_RESET)) {
		mmio->status |= VIRTIO_STATUS_NEEDS_RESET;
		virtio_mmio__config_changed(mmio);
	}
	return -EINVAL;
}

int virtio_mmio__queue_fail(struct virtio_mmio *mmio, unsigned queue)
{
	return virtio_mmio__fail(mmio, "queue %u: %s", queue, mmio->vqs[queue].err);
}

/* Run the backend for every started queue (DRIVER_OK just arrived, or a notify). */
int mmio_kick(struct virtio_mmio *mmio, unsigned first, unsigned count)
{
	for (unsigned q = first; q < first + count; q++) {
		if (!virtio_mmio__live(mmio))
			return 0;
		if (!mmio->vqs[q].started || !mmio->backend->notify || mmio->backend->notify(mmio, q) >= 0)
			continue;
		/* backends report through virtio_mmio__fail(); make sure a message exists anyway */
		if (!(mmio->status & VIRTIO_STATUS_NEEDS_RESET))
			virtio_mmio__fail(mmio, "queue %u: device error", q);
		return -1;
	}
	return 0;
}

int mmio_write_status(struct virtio_mmio *mmio, uint32_t val)
{
	uint32_t old = mmio->status;
	/* NEEDS_RESET belongs to the device: the driver can neither set nor clear it */
	uint32_t new = (val & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);

	if (val == 0) {
		virtio_mmio__reset(mmio);
		return 0;
	}
	if (val > 0xff)
		return mmio_refuse(mmio, "Status 0x%x sets undefined bits", val);
	if (old & ~new)
		return mmio_refuse(mmio, "Status 0x%x clears bits of 0x%x without a reset", val, old);
	if ((new & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = mmio->driver_features;
		bool ok = !(f & ~mmio_offered(mmio)) && !mmio->bad_feature_word &&
			  ((f >> VIRTIO_F_VERSION_1) & 1 || mmio->accept_legacy_driver || mmio->legacy);

		if (!ok)
			new &= ~VIRTIO_STATUS_FEATURES_OK; /* refused: the driver re-reads Status */
	}
	/* a legacy driver may never set FEATURES_OK (4.2.4: the bit is virtio 1.0's) */
	if ((new & VIRTIO_STATUS_DRIVER_OK) && !(new & VIRTIO_STATUS_FEATURES_OK) && !mmio->legacy)
		return mmio_refuse(mmio, "DRIVER_OK without FEATURES_OK (status 0x%x)", val);
	mmio->status = new;
	/* 2.1.2: no buffers are consumed before DRIVER_OK; notifications so far are handled now */
	if ((new & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		return mmio_kick(mmio, 0, mmio->backend->num_queues);
	return 0;
}

int mmio_write_queue(struct virtio_mmio *mmio, uint64_t off, uint32_t val)
{
	struct virtq *vq = mmio_selected(mmio);
	uint64_t *addr;

	if (!vq)
		return mmio_refuse(mmio, "queue register 0x%llx with QueueSel %u (no such queue)",
				   (unsigned long long)off, mmio->queue_sel);
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (val > 1)
			return mmio_refuse(mmio, "QueueReady 0x%x", val);
		if (!val) {
			vq->started = false;
			return 0;
		}
		if (vq->started)
			return 0;
		if (!(mmio->status & VIRTIO_STATUS_FEATURES_OK))
			return mmio_refuse(mmio, "QueueReady before FEATURES_OK");
		if (virtq__start(vq) < 0) {
			virtio_mmio__queue_fail(mmio, mmio->queue_sel);
			return -1;
		}
		return 0;
	}
	/* 4.2.3.2: queue layout registers are only written while the queue is not ready */
	if (vq->started)
		return mmio_refuse(mmio, "queue %u register 0x%llx written while QueueReady", mmio->queue_sel,
				   (unsigned long long)off);
	if (off == VIRTIO_MMIO_QUEUE_NUM) {
		if (val > mmio->backend->queue_max)
			return mmio_refuse(mmio, "QueueNum %u exceeds QueueNumMax %u", val,
					   mmio->backend->queue_max);
		vq->num = (uint16_t)val;
		return 0;
	}
	/* QueueDesc/Driver/Device Low (+0) and High (+4): halves of three 64-bit addresses */
	addr = off < VIRTIO_MMIO_QUEUE_DRIVER_LOW  ? &vq->desc_gpa
	       : off < VIRTIO_MMIO_QUEUE_DEVICE_LOW ? &vq->avail_gpa
					    : &vq->used_gpa;
	if (off & 4)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)val << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | val;
	return 0;
}

