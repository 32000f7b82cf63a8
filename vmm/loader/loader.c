/*
 * loader.c - image format detection, the flat-binary loader, and loader__check().
 *
 * Detection: an ELF file starts with "\x7fELF"; a RISC-V Linux Image carries its magic in the
 * boot header at 0x30/0x38. A flat binary has no magic at all: any file (a text file, a typo'd
 * path to a build log) would pass as one and then run garbage, so a flat binary is loaded only
 * when the caller declares it (struct image_decl), at the address it gives (U-Boot's
 * u-boot.bin for QEMU virt in S-mode, for one, is linked for 0x80200000, where OpenSBI's
 * fw_jump would jump). An ELF or an Image says where it loads and starts, so declaring one
 * flat is refused rather than running its headers as code.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

static const char *const reason_names[] = {
#define LOADER_REASON_NAME(id, name) [id] = name,
	LOADER_REASONS(LOADER_REASON_NAME)
#undef LOADER_REASON_NAME
};

enum image_format loader__detect(const uint8_t *buf, size_t len, const struct image_decl *decl)
{
	if (decl && decl->format == IMAGE_FLAT)
		return IMAGE_FLAT;
	if (len >= 4 && !memcmp(buf, "\x7f" "ELF", 4))
		return IMAGE_ELF;
	if (linux__detect(buf, len))
		return IMAGE_LINUX;
	return IMAGE_AUTO;
}

const char *loader__format_name(enum image_format fmt)
{
	switch (fmt) {
	case IMAGE_ELF:
		return "elf";
	case IMAGE_LINUX:
		return "linux";
	case IMAGE_FLAT:
		return "flat";
	default:
		return "unknown";
	}
}

const char *loader__reason_name(enum loader_reason reason)
{
	return (unsigned)reason < LOADER__REASON_COUNT ? reason_names[reason] : "?";
}

int loader__fail(struct load_info *info, int ret, enum loader_reason reason, char *err,
		 size_t errlen, const char *fmt, ...)
{
	va_list ap;

	info->reason = reason;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

void loader__add_seg(struct load_info *info, uint64_t paddr, uint64_t memsz, uint64_t filesz,
		     uint64_t offset)
{
	if (info->nr_segs < LOADER_MAX_SEGS)
		info->segs[info->nr_segs] = (struct load_seg){ paddr, memsz, filesz, offset };
	info->nr_segs++;
	if (paddr < info->lo)
		info->lo = paddr;
	if (paddr + memsz > info->hi)
		info->hi = paddr + memsz;
}

/* A declared flat binary: copied to decl->load (default: RAM base), entered at decl->entry
 * (default: its first byte, as U-Boot and QEMU's -bios expect). */
int flat__load(const uint8_t *buf, size_t len, const struct image_decl *decl,
	       const struct guest_ram *ram, struct load_info *info, char *err, size_t errlen)
{
	uint64_t load = decl && decl->load ? decl->load : ram->base;
	uint64_t entry = decl && decl->entry ? decl->entry : load;

	if (load < ram->base || load - ram->base > ram->size || len > ram->size - (load - ram->base))
		return loader__fail(info, -E2BIG, LOADER_OUTSIDE_RAM, err, errlen,
				    "flat image of %zu bytes at 0x%llx is outside RAM [0x%llx, 0x%llx)",
				    len, (unsigned long long)load, (unsigned long long)ram->base,
				    (unsigned long long)(ram->base + ram->size));
	/* RISC-V instructions are 2-byte aligned (4 without the C extension) */
	if (entry < load || entry - load >= len || entry % 2)
		return loader__fail(info, -EINVAL, LOADER_FLAT_ENTRY, err, errlen,
				    "flat image entry 0x%llx is not an instruction of its bytes "
				    "[0x%llx, 0x%llx)",
				    (unsigned long long)entry, (unsigned long long)load,
				    (unsigned long long)(load + len));
	if (ram->host)
		memcpy(ram->host + (load - ram->base), buf, len);
	info->entry = entry;
	loader__add_seg(info, load, len, len, 0);
	return 0;
}

int loader__load(const uint8_t *buf, size_t len, const struct image_decl *decl,
		 const struct guest_ram *ram, struct load_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	info->lo = UINT64_MAX;
	err[0] = '\0';
	if (len == 0)
		return loader__fail(info, -EINVAL, LOADER_EMPTY, err, errlen, "empty image");
	info->format = loader__detect(buf, len, decl);
	if (info->format == IMAGE_FLAT && loader__detect(buf, len, NULL) != IMAGE_AUTO)
		return loader__fail(info, -EINVAL, LOADER_FLAT_NOT_RAW, err, errlen,
				    "declared a flat binary, but it is %s, which says where it loads "
				    "and starts (drop the flat declaration)",
				    loader__detect(buf, len, NULL) == IMAGE_ELF ? "an ELF file"
									: "a RISC-V Linux Image");
	switch (info->format) {
	case IMAGE_ELF:
		return elf__load(buf, len, ram, info, err, errlen);
	case IMAGE_LINUX:
		return linux__load(buf, len, ram, info, err, errlen);
	case IMAGE_FLAT:
		return flat__load(buf, len, decl, ram, info, err, errlen);
	default:
		return loader__fail(info, -EINVAL, LOADER_UNKNOWN_FORMAT, err, errlen,
				    "neither an ELF nor a RISC-V Linux Image, and not declared a "
				    "flat binary (starts with %02x %02x %02x %02x)",
				    buf[0], len > 1 ? buf[1] : 0, len > 2 ? buf[2] : 0,
				    len > 3 ? buf[3] : 0);
	}
}

int loader__check(const uint8_t *buf, size_t len, const struct image_decl *decl,
		  uint64_t ram_base, uint64_t ram_size, struct load_info *info, char *err,
		  size_t errlen)
{
	const struct guest_ram ram = { NULL, ram_base, ram_size };
	uint64_t dtb = ram_base + ram_size - DTB_MAX_SIZE;
	int ret = loader__load(buf, len, decl, &ram, info, err, errlen);

	if (ret)
		return ret;
	/* vm-load.c puts the device tree in the top DTB_MAX_SIZE bytes of RAM */
	if (ram_size <= DTB_MAX_SIZE || info->hi > dtb)
		return loader__fail(info, -E2BIG, LOADER_DTB_OVERLAP, err, errlen,
				    "image reaches 0x%llx, past 0x%llx where the device tree "
				    "starts (give the guest more RAM)",
				    (unsigned long long)info->hi, (unsigned long long)dtb);
	return 0;
}
