/*
 * loader.c - image format detection and the flat-binary loader.
 *
 * Detection order: an ELF file starts with "\x7fELF"; a RISC-V Linux Image carries its magic
 * in the boot header at 0x30/0x38; anything else is a flat binary. A flat binary carries no
 * address of its own: it goes where --load-addr says (default: the start of RAM) and is
 * entered at --entry (default: its first byte). U-Boot's u-boot.bin for QEMU virt in S-mode,
 * for one, is linked for 0x80200000, where OpenSBI would jump (fw_jump's FW_JUMP_ADDR).
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

int flat__load(const uint8_t *buf, size_t len, const struct guest_ram *ram,
	       const struct load_opts *opts, struct load_info *info, char *err, size_t errlen)
{
	uint64_t addr = opts && opts->flat_addr ? opts->flat_addr : ram->base;
	uint64_t entry = opts && opts->flat_entry ? opts->flat_entry : addr;
	uint64_t off = addr - ram->base;

	if (len == 0) {
		snprintf(err, errlen, "empty image");
		return -EINVAL;
	}
	if (addr < ram->base || off >= ram->size) {
		snprintf(err, errlen, "load address 0x%llx is outside RAM [0x%llx, 0x%llx)",
			 (unsigned long long)addr, (unsigned long long)ram->base,
			 (unsigned long long)(ram->base + ram->size));
		return -EINVAL;
	}
	if (len > ram->size - off) {
		snprintf(err, errlen,
			 "flat image of %zu bytes at 0x%llx does not fit in %llu MiB of RAM", len,
			 (unsigned long long)addr, (unsigned long long)(ram->size >> 20));
		return -E2BIG;
	}
	if (entry < addr || entry >= addr + len || entry % 2) {
		snprintf(err, errlen,
			 "entry 0x%llx is not an instruction of the image at [0x%llx, 0x%llx)",
			 (unsigned long long)entry, (unsigned long long)addr,
			 (unsigned long long)(addr + len));
		return -EINVAL;
	}
	memcpy(ram->host + off, buf, len);
	info->entry = entry;
	info->lo = addr;
	info->hi = addr + len;
	return 0;
}

int loader__load(enum image_format fmt, const uint8_t *buf, size_t len, const struct guest_ram *ram,
		 const struct load_opts *opts, struct load_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	err[0] = '\0';
	switch (fmt) {
	case IMAGE_ELF:
		return elf__load(buf, len, ram, info, err, errlen);
	case IMAGE_LINUX:
		return linux__load(buf, len, ram, info, err, errlen);
	default:
		return flat__load(buf, len, ram, opts, info, err, errlen);
	}
}
