/*
 * loader.h - the door of loader/: guest image loaders and the device tree (dtb.h). The
 * loaders work on a buffer (the mapped file) and a host view of guest RAM, so the host unit
 * tests can feed them hand-made and broken images.
 */
#ifndef BOOTCASE_LOADER_H
#define BOOTCASE_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "dtb.h"

enum image_format { IMAGE_FLAT, IMAGE_ELF, IMAGE_LINUX };

struct guest_ram {
	uint8_t *host;
	uint64_t base, size;
};

/* Where a flat binary goes: 0 = the defaults (RAM base; entry = the load address). */
struct load_opts {
	uint64_t flat_addr, flat_entry;
};

struct load_info {
	uint64_t entry;
	uint64_t lo, hi; /* guest physical range the image occupies, [lo, hi) */
};

enum image_format loader__detect(const uint8_t *buf, size_t len);
const char *loader__format_name(enum image_format fmt);
/* All loaders return 0 or -EINVAL/-E2BIG with a message (no file name) in err. */
int loader__load(enum image_format fmt, const uint8_t *buf, size_t len, const struct guest_ram *ram,
		 const struct load_opts *opts, struct load_info *info, char *err, size_t errlen);
int elf__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
	      char *err, size_t errlen);
int flat__load(const uint8_t *buf, size_t len, const struct guest_ram *ram,
	       const struct load_opts *opts, struct load_info *info, char *err, size_t errlen);
int linux__detect(const uint8_t *buf, size_t len);
int linux__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
		char *err, size_t errlen);

#endif
