/*
 * virtio-mmio.c - the virtio-mmio transport, version 2 ("modern"), virtio 1.x spec 4.2.2.
 *
 * Register map (32-bit little-endian registers; R = read-only, W = write-only):
 *
 *   0x000 R  MagicValue 0x74726976     0x044 RW QueueReady
 *   0x004 R  Version 2                 0x050 W  QueueNotify (queue index)
 *   0x008 R  DeviceID                  0x060 R  InterruptStatus (1 = used buffer, 2 = config)
 *   0x00c R  VendorID                  0x064 W  InterruptACK
 *   0x010 R  DeviceFeatures            0x070 RW Status (writing 0 resets the device)
 *   0x014 W  DeviceFeaturesSel         0x080 W  QueueDescLow    0x084 W QueueDescHigh
 *   0x020 W  DriverFeatures            0x090 W  QueueDriverLow  0x094 W QueueDriverHigh
 *   0x024 W  DriverFeaturesSel         0x0a0 W  QueueDeviceLow  0x0a4 W QueueDeviceHigh
 *   0x030 W  QueueSel                  0x0fc R  ConfigGeneration
 *   0x034 R  QueueNumMax               0x100+   device-specific configuration space
 *   0x038 W  QueueNum
 *
 * 4.2.2.2 says the driver MUST NOT write read-only registers, read write-only ones or touch
 * offsets the table does not list, and must use 32-bit accesses below 0x100. We refuse all of
 * those (-1 + last_error) so the VMM reports a device fault at the guest's first mistake.
 * Configuration space takes 8/16/32-bit aligned accesses (64-bit fields are read as two 32-bit
 * halves). The device raises its interrupt line while InterruptStatus is non-zero.
 *
 * Feature negotiation (2.2, 6.1): VIRTIO_F_VERSION_1 is always offered and FEATURES_OK is
 * refused (left clear, which the driver sees when it re-reads Status) unless the driver accepted
 * it and nothing that was not offered. A broken virtqueue sets DEVICE_NEEDS_RESET (2.1.2) and
 * the MMIO access that found it fails with the virtqueue's message.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio-mmio.h"

/* Direction of every register 4.2.2 lists; 0 = not decoded. */
#define RD 1
#define WR 2
static const uint8_t reg_access[VIRTIO_MMIO_CONFIG / 4] = {
	[VIRTIO_MMIO_MAGIC_VALUE / 4] = RD,           [VIRTIO_MMIO_VERSION / 4] = RD,
	[VIRTIO_MMIO_DEVICE_ID / 4] = RD,             [VIRTIO_MMIO_VENDOR_ID / 4] = RD,
	[VIRTIO_MMIO_DEVICE_FEATURES / 4] = RD,       [VIRTIO_MMIO_DEVICE_FEATURES_SEL / 4] = WR,
	[VIRTIO_MMIO_DRIVER_FEATURES / 4] = WR,       [VIRTIO_MMIO_DRIVER_FEATURES_SEL / 4] = WR,
	[VIRTIO_MMIO_QUEUE_SEL / 4] = WR,             [VIRTIO_MMIO_QUEUE_NUM_MAX / 4] = RD,
	[VIRTIO_MMIO_QUEUE_NUM / 4] = WR,             [VIRTIO_MMIO_QUEUE_READY / 4] = RD | WR,
	[VIRTIO_MMIO_QUEUE_NOTIFY / 4] = WR,          [VIRTIO_MMIO_INTERRUPT_STATUS / 4] = RD,
	[VIRTIO_MMIO_INTERRUPT_ACK / 4] = WR,         [VIRTIO_MMIO_STATUS / 4] = RD | WR,
	[VIRTIO_MMIO_QUEUE_DESC_LOW / 4] = WR,        [VIRTIO_MMIO_QUEUE_DESC_HIGH / 4] = WR,
	[VIRTIO_MMIO_QUEUE_DRIVER_LOW / 4] = WR,      [VIRTIO_MMIO_QUEUE_DRIVER_HIGH / 4] = WR,
	[VIRTIO_MMIO_QUEUE_DEVICE_LOW / 4] = WR,      [VIRTIO_MMIO_QUEUE_DEVICE_HIGH / 4] = WR,
	[VIRTIO_MMIO_CONFIG_GENERATION / 4] = RD,
};

__attribute__((format(printf, 2, 3))) static int vm_refuse(struct virtio_mmio *vm, const char *fmt,
							    ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return -1;
}

static void vm_update_irq(struct virtio_mmio *vm)
{
	int level = vm->interrupt_status != 0;

	if (level != vm->irq_level) {
		vm->irq_level = level;
		if (vm->irq.set)
			vm->irq.set(vm->irq.ctx, level);
	}
}

static uint64_t vm_offered(struct virtio_mmio *vm)
{
	uint64_t f = vm->backend->features ? vm->backend->features(vm) : 0;

	return f | (1ULL << VIRTIO_F_VERSION_1);
}

static struct virtq *vm_selected(struct virtio_mmio *vm)
{
	return vm->queue_sel < vm->backend->num_queues ? &vm->vqs[vm->queue_sel] : NULL;
}

void virtio_mmio__reset(struct virtio_mmio *vm)
{
	uint32_t max_bytes = vm->backend ? vm->backend->max_chain_bytes : 0;

	vm->status = vm->interrupt_status = 0;
	vm->device_features_sel = vm->driver_features_sel = vm->queue_sel = 0;
	vm->driver_features = 0;
	vm->bad_feature_word = false;
	vm->err[0] = '\0';
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		virtq__reset(&vm->vqs[i], vm->mem, max_bytes);
		/* QueueNum starts at QueueNumMax, as on QEMU, for drivers that never write it */
		if (vm->backend && i < vm->backend->num_queues)
			vm->vqs[i].num = vm->backend->queue_max;
	}
	vm_update_irq(vm);
	if (vm->backend && vm->backend->reset)
		vm->backend->reset(vm);
}

void virtio_mmio__init(struct virtio_mmio *vm, const struct virtio_mmio_backend *backend,
		       struct guest_mem mem, struct irq_line irq)
{
	memset(vm, 0, sizeof(*vm));
	vm->backend = backend;
	vm->mem = mem;
	vm->irq = irq;
	virtio_mmio__reset(vm);
}

void virtio_mmio__signal_used(struct virtio_mmio *vm, unsigned queue)
{
	if (queue >= VIRTIO_MMIO_MAX_QUEUES || !virtq__should_notify(&vm->vqs[queue]))
		return;
	vm->interrupt_status |= VIRTIO_MMIO_INT_VRING;
	vm_update_irq(vm);
}

void virtio_mmio__config_changed(struct virtio_mmio *vm)
{
	vm->config_generation++;
	if (!(vm->status & VIRTIO_STATUS_DRIVER_OK))
		return;
	vm->interrupt_status |= VIRTIO_MMIO_INT_CONFIG;
	vm_update_irq(vm);
}

int virtio_mmio__fail(struct virtio_mmio *vm, const char *fmt, ...)
{
	int n = snprintf(vm->err, sizeof(vm->err), "%s: ", vm->backend ? vm->backend->name : "virtio");
	va_list ap;

	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(vm->err))
		vsnprintf(vm->err + n, sizeof(vm->err) - n, fmt, ap);
	va_end(ap);
	/* 2.1.2: with DRIVER_OK set, NEEDS_RESET must come with a configuration change interrupt */
	if (!(vm->status & VIRTIO_STATUS_NEEDS_RESET)) {
		vm->status |= VIRTIO_STATUS_NEEDS_RESET;
		virtio_mmio__config_changed(vm);
	}
	return -EINVAL;
}

int virtio_mmio__queue_fail(struct virtio_mmio *vm, unsigned queue)
{
	return virtio_mmio__fail(vm, "queue %u: %s", queue, vm->vqs[queue].err);
}

/* Run the backend for every started queue (DRIVER_OK just arrived, or a notify). */
static int vm_kick(struct virtio_mmio *vm, unsigned first, unsigned count)
{
	for (unsigned q = first; q < first + count; q++) {
		if (!virtio_mmio__live(vm))
			return 0;
		if (!vm->vqs[q].started || !vm->backend->notify || vm->backend->notify(vm, q) >= 0)
			continue;
		/* backends report through virtio_mmio__fail(); make sure a message exists anyway */
		if (!(vm->status & VIRTIO_STATUS_NEEDS_RESET))
			virtio_mmio__fail(vm, "queue %u: device error", q);
		return -1;
	}
	return 0;
}

static int vm_write_status(struct virtio_mmio *vm, uint32_t val)
{
	uint32_t old = vm->status;
	/* NEEDS_RESET belongs to the device: the driver can neither set nor clear it */
	uint32_t new = (val & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);

	if (val == 0) {
		virtio_mmio__reset(vm);
		return 0;
	}
	if (val > 0xff)
		return vm_refuse(vm, "Status 0x%x sets undefined bits", val);
	if (old & ~new)
		return vm_refuse(vm, "Status 0x%x clears bits of 0x%x without a reset", val, old);
	if ((new & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t f = vm->driver_features;
		bool ok = !(f & ~vm_offered(vm)) && !vm->bad_feature_word &&
			  ((f >> VIRTIO_F_VERSION_1) & 1 || vm->accept_legacy_driver);

		if (!ok)
			new &= ~VIRTIO_STATUS_FEATURES_OK; /* refused: the driver re-reads Status */
	}
	if ((new & VIRTIO_STATUS_DRIVER_OK) && !(new & VIRTIO_STATUS_FEATURES_OK))
		return vm_refuse(vm, "DRIVER_OK without FEATURES_OK (status 0x%x)", val);
	vm->status = new;
	/* 2.1.2: no buffers are consumed before DRIVER_OK; notifications so far are handled now */
	if ((new & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		return vm_kick(vm, 0, vm->backend->num_queues);
	return 0;
}

static int vm_write_queue(struct virtio_mmio *vm, uint64_t off, uint32_t val)
{
	struct virtq *vq = vm_selected(vm);
	uint64_t *addr;

	if (!vq)
		return vm_refuse(vm, "queue register 0x%llx with QueueSel %u (no such queue)",
				 (unsigned long long)off, vm->queue_sel);
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (val > 1)
			return vm_refuse(vm, "QueueReady 0x%x", val);
		if (!val) {
			vq->started = false;
			return 0;
		}
		if (vq->started)
			return 0;
		if (!(vm->status & VIRTIO_STATUS_FEATURES_OK))
			return vm_refuse(vm, "QueueReady before FEATURES_OK");
		if (virtq__start(vq) < 0) {
			virtio_mmio__queue_fail(vm, vm->queue_sel);
			return -1;
		}
		return 0;
	}
	/* 4.2.3.2: queue layout registers are only written while the queue is not ready */
	if (vq->started)
		return vm_refuse(vm, "queue %u register 0x%llx written while QueueReady", vm->queue_sel,
				 (unsigned long long)off);
	if (off == VIRTIO_MMIO_QUEUE_NUM) {
		if (val > vm->backend->queue_max)
			return vm_refuse(vm, "QueueNum %u exceeds QueueNumMax %u", val,
					 vm->backend->queue_max);
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

static int vm_write_reg(struct virtio_mmio *vm, uint64_t off, uint32_t val)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		vm->device_features_sel = val;
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		vm->driver_features_sel = val;
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (vm->status & VIRTIO_STATUS_FEATURES_OK)
			return vm_refuse(vm, "DriverFeatures written after FEATURES_OK");
		if (vm->driver_features_sel == 0)
			vm->driver_features = (vm->driver_features & ~0xffffffffULL) | val;
		else if (vm->driver_features_sel == 1)
			vm->driver_features = (vm->driver_features & 0xffffffffULL) | (uint64_t)val << 32;
		else if (val)
			vm->bad_feature_word = true;
		return 0;
	case VIRTIO_MMIO_QUEUE_SEL:
		vm->queue_sel = val;
		return 0;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val >= vm->backend->num_queues || !vm->vqs[val].started)
			return vm_refuse(vm, "QueueNotify for queue %u, which is not ready", val);
		return vm_kick(vm, val, 1);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		vm->interrupt_status &= ~val;
		vm_update_irq(vm);
		return 0;
	case VIRTIO_MMIO_STATUS:
		return vm_write_status(vm, val);
	default: /* the queue layout registers and QueueReady */
		return vm_write_queue(vm, off, val);
	}
}

static uint32_t vm_read_reg(struct virtio_mmio *vm, uint64_t off)
{
	uint32_t sel = vm->device_features_sel;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC_NUMBER;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return vm->backend ? vm->backend->device_id : 0;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR_QEMU;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return sel > 1 ? 0 : (uint32_t)(vm_offered(vm) >> (32 * sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vm_selected(vm) ? vm->backend->queue_max : 0; /* 0: no such queue */
	case VIRTIO_MMIO_QUEUE_READY:
		return vm_selected(vm) && vm_selected(vm)->started;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return vm->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return vm->status;
	default: /* VIRTIO_MMIO_CONFIG_GENERATION */
		return vm->config_generation;
	}
}

/*
 * Is this access one the device decodes? Configuration space takes aligned 8/16/32-bit accesses
 * inside the backend's config struct, registers aligned 32-bit ones in their direction, and an
 * empty slot only its identification registers (4.2.3.1.1: a driver seeing DeviceID 0 stops).
 */
static int vm_decode(struct virtio_mmio *vm, uint64_t off, uint32_t len, int dir)
{
	unsigned long long o = off;

	if (off >= VIRTIO_MMIO_CONFIG) {
		uint64_t rel = off - VIRTIO_MMIO_CONFIG;

		if (!vm->backend)
			return vm_refuse(vm, "config access at 0x%llx in an empty virtio slot", o);
		if ((len != 1 && len != 2 && len != 4) || (rel & (len - 1)))
			return vm_refuse(vm, "%u-byte config access at 0x%llx (8/16/32-bit aligned only)",
					 len, o);
		if (rel + len > vm->backend->config_size)
			return vm_refuse(vm, "config access at 0x%llx beyond the %u-byte config space", o,
					 vm->backend->config_size);
		if (dir == WR && !vm->backend->config_write)
			return vm_refuse(vm, "write to read-only config space at 0x%llx", o);
		return 0;
	}
	if (len != 4 || (off & 3))
		return vm_refuse(vm, "%u-byte access at 0x%03llx (registers are 32-bit)", len, o);
	if (!(reg_access[off / 4] & dir))
		return vm_refuse(vm, "%s %s offset 0x%03llx", dir == RD ? "read of" : "write to",
				 !reg_access[off / 4] ? "undecoded"
				 : dir == RD	      ? "write-only"
						      : "read-only",
				 o);
	if (!vm->backend && off > VIRTIO_MMIO_VENDOR_ID)
		return vm_refuse(vm, "access to 0x%03llx in an empty virtio slot", o);
	return 0;
}

static int virtio_mmio_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct virtio_mmio *vm = state;
	uint32_t val;

	if (vm_decode(vm, off, len, RD) < 0)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG) {
		vm->backend->config_read(vm, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, len);
		return 0;
	}
	val = htole32(vm_read_reg(vm, off));
	memcpy(data, &val, 4);
	return 0;
}

static int virtio_mmio_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct virtio_mmio *vm = state;
	uint32_t val;

	if (vm_decode(vm, off, len, WR) < 0)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (vm->backend->config_write(vm, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, len) < 0)
			return vm_refuse(vm, "%s refused the config write at 0x%llx", vm->backend->name,
					 (unsigned long long)off);
		return 0;
	}
	memcpy(&val, data, 4);
	return vm_write_reg(vm, off, le32toh(val));
}

static const char *virtio_mmio_last_error(void *state)
{
	struct virtio_mmio *vm = state;

	return vm->err[0] ? vm->err : NULL;
}

const struct dev_ops virtio_mmio_ops = {
	.name = "virtio-mmio",
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.last_error = virtio_mmio_last_error,
};
