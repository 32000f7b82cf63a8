/*
 * linux.c - the RISC-V Linux "Image" (Documentation/arch/riscv/boot-image-header.rst).
 *
 *   0x00 code0, code1   (executable: the kernel is entered at its first byte)
 *   0x08 text_offset    (u64 LE: load address = start of RAM + text_offset)
 *   0x10 image_size     (u64 LE: bytes the kernel occupies once running, bss included)
 *   0x18 flags          (bit 0: 0 = little endian)
 *   0x20 version, res1, res2
 *   0x30 magic  "RISCV\0\0\0" (deprecated but present)
 *   0x38 magic2 "RSC\x05"
 *
 * Documentation/arch/riscv/boot.rst: the kernel runs where it is loaded, RAM base +
 * text_offset (0x200000 for rv64), and that address must be a PMD boundary (2 MiB on rv64):
 * setup_vm() BUG()s on anything else before the console is up, so we refuse it here with a
 * message instead. The kernel wants a0 = hartid and a1 = the DTB; the caller places the
 * initrd and the DTB above image_size (bss included) and names them in /chosen.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#define LINUX_HDR_SIZE 0x40
#define LINUX_ALIGN 0x200000ULL /* PMD_SIZE on rv64 */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

int linux__detect(const uint8_t *buf, size_t len)
{
	return len >= LINUX_HDR_SIZE && !memcmp(buf + 0x30, "RISCV\0\0\0", 8) &&
	       !memcmp(buf + 0x38, "RSC\x05", 4);
}

#define FAIL(ret, reason, ...) loader__fail(info, ret, reason, err, errlen, __VA_ARGS__)

int linux__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
		char *err, size_t errlen)
{
	uint64_t text_offset, image_size, flags, span;

	if (!linux__detect(buf, len))
		return FAIL(-EINVAL, LOADER_UNKNOWN_FORMAT,
			    "not a RISC-V Linux Image (no boot header magic)");
	text_offset = le64(buf + 0x08);
	image_size = le64(buf + 0x10);
	flags = le64(buf + 0x18);
	if (flags & 1)
		return FAIL(-EINVAL, LOADER_LINUX_ENDIAN,
			    "Linux Image is big-endian (header flags bit 0)");
	if ((ram->base + text_offset) % LINUX_ALIGN)
		return FAIL(-EINVAL, LOADER_LINUX_ALIGN,
			    "Linux Image text_offset 0x%llx puts the kernel at 0x%llx, which is not "
			    "2 MiB aligned (Documentation/arch/riscv/boot.rst)",
			    (unsigned long long)text_offset,
			    (unsigned long long)(ram->base + text_offset));
	span = image_size > len ? image_size : len;
	if (text_offset >= ram->size || span > ram->size - text_offset)
		return FAIL(-E2BIG, LOADER_OUTSIDE_RAM,
			    "Linux Image needs RAM up to offset 0x%llx (text_offset 0x%llx + 0x%llx "
			    "bytes), RAM is 0x%llx bytes",
			    (unsigned long long)(text_offset + span), (unsigned long long)text_offset,
			    (unsigned long long)span, (unsigned long long)ram->size);
	/* the VMM may have mapped the file in place already (vm-load.c); then there is no copy */
	if (ram->host && buf != ram->host + text_offset)
		memcpy(ram->host + text_offset, buf, len);
	info->entry = ram->base + text_offset;
	loader__add_seg(info, info->entry, span, len, 0);
	return 0;
}
