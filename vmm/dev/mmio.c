/*
 * mmio.c - route KVM_EXIT_MMIO accesses to device models.
 *
 * The table holds (base, size, ops, state) windows registered from layout.h. A device sees
 * only the offset inside its window. An address in no window is the caller's
 * "mmio-unmapped" fault; an access a device refuses, or one that runs past the end of its
 * window, is a "device" fault. Nothing is ever silently ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mmio.h"

void mmio__init(struct mmio_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

int mmio__register(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct dev_ops *ops,
		   void *state)
{
	int i;

	if (!size || base + size < base || !ops)
		return -EINVAL;
	for (i = 0; i < bus->count; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (base < r->base + r->size && r->base < base + size)
			return -EEXIST;
	}
	if (bus->count == MMIO_MAX_REGIONS)
		return -ENOSPC;
	bus->regions[bus->count++] = (struct mmio_region){ base, size, ops, state };
	return 0;
}

int mmio__dispatch(const struct mmio_bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		   int is_write, struct mmio_miss *miss)
{
	int i, ret;

	memset(miss, 0, sizeof(*miss));
	for (i = 0; i < bus->count; i++) {
		const struct mmio_region *r = &bus->regions[i];
		uint64_t off = addr - r->base;

		if (addr < r->base || off >= r->size)
			continue;
		miss->device = r->ops->name;
		miss->offset = off;
		if (len == 0 || len > 8 || len > r->size - off) {
			snprintf(miss->msg, sizeof(miss->msg),
				 "%u-byte %s at offset 0x%llx runs outside the device window", len,
				 is_write ? "write" : "read", (unsigned long long)off);
			return -EIO;
		}
		if (is_write)
			ret = r->ops->write ? r->ops->write(r->state, off, data, len) : -1;
		else
			ret = r->ops->read ? r->ops->read(r->state, off, data, len) : -1;
		if (ret) {
			const char *why = r->ops->last_error ? r->ops->last_error(r->state) : NULL;

			snprintf(miss->msg, sizeof(miss->msg), "%s%srefused %u-byte %s at offset 0x%llx",
				 why ? why : "", why ? ": " : "", len, is_write ? "write" : "read",
				 (unsigned long long)off);
			return -EIO;
		}
		return 0;
	}
	return -ENOENT;
}
