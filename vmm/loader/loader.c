/*
 * loader.c - image format detection and the flat-binary loader.
 *
 * Detection order: an ELF file starts with "\x7fELF"; a RISC-V Linux Image carries its magic
 * in the boot header at 0x30/0x38; anything else is a flat binary copied to the start of RAM
 * and entered at its first byte.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

enum image_format loader__detect(const uint8_t *buf, size_t len)
{
	if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4))
		return IMAGE_ELF;
	if (linux__detect(buf, len))
		return IMAGE_LINUX;
	return IMAGE_FLAT;
}

const char *loader__format_name(enum image_format fmt)
{
	switch (fmt) {
	case IMAGE_ELF:
		return "elf";
	case IMAGE_LINUX:
		return "linux";
	default:
		return "flat";
	}
}

int flat__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
	       char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "empty image");
		return -EINVAL;
	}
	if (len > ram->size) {
		snprintf(err, errlen, "flat image of %zu bytes does not fit in %llu MiB of RAM", len,
			 (unsigned long long)(ram->size >> 20));
		return -E2BIG;
	}
	memcpy(ram->host, buf, len);
	info->entry = ram->base;
	info->lo = ram->base;
	info->hi = ram->base + len;
	return 0;
}

int loader__load(enum image_format fmt, const uint8_t *buf, size_t len, const struct guest_ram *ram,
		 struct load_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	err[0] = '\0';
	switch (fmt) {
	case IMAGE_ELF:
		return elf__load(buf, len, ram, info, err, errlen);
	case IMAGE_LINUX:
		return linux__load(buf, len, ram, info, err, errlen);
	default:
		return flat__load(buf, len, ram, info, err, errlen);
	}
}
