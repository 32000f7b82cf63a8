/*
 * virtio-mmio-regs.c - the register file of the virtio-mmio transport (virtio 1.x spec 4.2.2):
 * which accesses the device decodes, what each register reads, and where each write goes. The
 * state behind it (Status, features, queues) is virtio-mmio.c's.
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
 */
#include <endian.h>
#include <string.h>

#include "virtio-mmio-int.h"

/* Direction of every register 4.2.2 lists; 0 = not decoded. */
#define RD MMIO_RD
#define WR MMIO_WR
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

int mmio_write_reg(struct virtio_mmio *mmio, uint64_t off, uint32_t val)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		mmio->device_features_sel = val;
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		mmio->driver_features_sel = val;
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (mmio->status & VIRTIO_STATUS_FEATURES_OK)
			return mmio_refuse(mmio, "DriverFeatures written after FEATURES_OK");
		if (mmio->driver_features_sel == 0)
			mmio->driver_features = (mmio->driver_features & ~0xffffffffULL) | val;
		else if (mmio->driver_features_sel == 1)
			mmio->driver_features = (mmio->driver_features & 0xffffffffULL) | (uint64_t)val << 32;
		else if (val)
			mmio->bad_feature_word = true;
		return 0;
	case VIRTIO_MMIO_QUEUE_SEL:
		mmio->queue_sel = val;
		return 0;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val >= mmio->backend->num_queues || !mmio->vqs[val].started)
			return mmio_refuse(mmio, "QueueNotify for queue %u, which is not ready", val);
		return mmio_kick(mmio, val, 1);
	case VIRTIO_MMIO_INTERRUPT_ACK:
		mmio->interrupt_status &= ~val;
		mmio_update_irq(mmio);
		return 0;
	case VIRTIO_MMIO_STATUS:
		return mmio_write_status(mmio, val);
	default: /* the queue layout registers and QueueReady */
		return mmio_write_queue(mmio, off, val);
	}
}

uint32_t mmio_read_reg(struct virtio_mmio *mmio, uint64_t off)
{
	uint32_t sel = mmio->device_features_sel;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC_NUMBER;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return mmio->backend ? mmio->backend->device_id : 0;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR_QEMU;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return sel > 1 ? 0 : (uint32_t)(mmio_offered(mmio) >> (32 * sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return mmio_selected(mmio) ? mmio->backend->queue_max : 0; /* 0: no such queue */
	case VIRTIO_MMIO_QUEUE_READY:
		return mmio_selected(mmio) && mmio_selected(mmio)->started;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return mmio->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return mmio->status;
	default: /* VIRTIO_MMIO_CONFIG_GENERATION */
		return mmio->config_generation;
	}
}

/*
 * Is this access one the device decodes? Configuration space takes aligned 8/16/32-bit accesses
 * inside the backend's config struct, registers aligned 32-bit ones in their direction, and an
 * empty slot only its identification registers (4.2.3.1.1: a driver seeing DeviceID 0 stops).
 */
static int mmio_decode(struct virtio_mmio *mmio, const uint8_t *access, uint64_t off,
		       uint32_t len, int dir)
{
	unsigned long long o = off;

	if (off >= VIRTIO_MMIO_CONFIG) {
		uint64_t rel = off - VIRTIO_MMIO_CONFIG;

		if (!mmio->backend)
			return mmio_refuse(mmio, "config access at 0x%llx in an empty virtio slot", o);
		if ((len != 1 && len != 2 && len != 4) || (rel & (len - 1)))
			return mmio_refuse(mmio, "%u-byte config access at 0x%llx (8/16/32-bit aligned only)",
					   len, o);
		if (rel + len > mmio->backend->config_size)
			return mmio_refuse(mmio, "config access at 0x%llx beyond the %u-byte config space", o,
					   mmio->backend->config_size);
		if (dir == WR && !mmio->backend->config_write)
			return mmio_refuse(mmio, "write to read-only config space at 0x%llx", o);
		return 0;
	}
	if (len != 4 || (off & 3))
		return mmio_refuse(mmio, "%u-byte access at 0x%03llx (registers are 32-bit)", len, o);
	if (!(access[off / 4] & dir))
		return mmio_refuse(mmio, "%s %s offset 0x%03llx", dir == RD ? "read of" : "write to",
				   !access[off / 4] ? "undecoded"
				   : dir == RD	      ? "write-only"
						      : "read-only",
				   o);
	if (!mmio->backend && off > VIRTIO_MMIO_VENDOR_ID)
		return mmio_refuse(mmio, "access to 0x%03llx in an empty virtio slot", o);
	return 0;
}

int mmio_regfile_read(struct virtio_mmio *mmio, const struct mmio_regfile *rf, uint64_t off,
		      uint8_t *data, uint32_t len)
{
	uint32_t val;

	if (mmio_decode(mmio, rf->access, off, len, RD) < 0)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG) {
		mmio->backend->config_read(mmio, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, len);
		return 0;
	}
	val = htole32(rf->read(mmio, off));
	memcpy(data, &val, 4);
	return 0;
}

int mmio_regfile_write(struct virtio_mmio *mmio, const struct mmio_regfile *rf, uint64_t off,
		       const uint8_t *data, uint32_t len)
{
	uint32_t val;

	if (mmio_decode(mmio, rf->access, off, len, WR) < 0)
		return -1;
	if (off >= VIRTIO_MMIO_CONFIG) {
		if (mmio->backend->config_write(mmio, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, len) < 0)
			return mmio_refuse(mmio, "%s refused the config write at 0x%llx", mmio->backend->name,
					   (unsigned long long)off);
		return 0;
	}
	memcpy(&val, data, 4);
	return rf->write(mmio, off, le32toh(val));
}

const char *mmio_last_error(void *state)
{
	struct virtio_mmio *mmio = state;

	return mmio->err[0] ? mmio->err : NULL;
}

static const struct mmio_regfile regs_v2 = { reg_access, mmio_read_reg, mmio_write_reg };

static int virtio_mmio_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	return mmio_regfile_read(state, &regs_v2, off, data, len);
}

static int virtio_mmio_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	return mmio_regfile_write(state, &regs_v2, off, data, len);
}

const struct dev_ops virtio_mmio_ops = {
	.name = "virtio-mmio",
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
	.last_error = mmio_last_error,
};
