/*
 * mmio.h - guest physical address -> (device, offset) dispatch for KVM_EXIT_MMIO.
 */
#ifndef BOOTCASE_MMIO_H
#define BOOTCASE_MMIO_H

#include <stdint.h>
#include "dev.h"

#define MMIO_MAX_REGIONS 16

struct mmio_region {
	uint64_t base, size;
	const struct dev_ops *ops;
	void *state;
};

struct mmio_bus {
	struct mmio_region regions[MMIO_MAX_REGIONS];
	int count;
};

/* Why an access was not handled; filled when mmio__dispatch() returns non-zero. */
struct mmio_miss {
	const char *device; /* NULL when nothing is mapped at the address */
	uint64_t offset;
	char msg[160];
};

void mmio__init(struct mmio_bus *bus);
/* 0, -EINVAL (empty or wrapping window), -EEXIST (overlap) or -ENOSPC. */
int mmio__register(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct dev_ops *ops,
		   void *state);
/* 0 handled, -ENOENT unmapped, -EIO the device refused (see miss). */
int mmio__dispatch(const struct mmio_bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		   int is_write, struct mmio_miss *miss);

#endif
