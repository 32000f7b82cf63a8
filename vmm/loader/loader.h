/*
 * loader.h - the door of loader/: guest image loaders and the device tree (dtb.h). The
 * loaders work on a buffer (the mapped file) and a host view of guest RAM, so the host unit
 * tests can feed them hand-made and broken images.
 *
 * One truth for "is this image bootable": loader__check() runs the very loaders the VMM loads
 * with, on a RAM view with no host memory (ram.host == NULL: every rule is checked, nothing is
 * copied). The VMM calls it before it opens KVM, and the harness calls it through the native
 * addon (native/) before anything boots, so both refuse the same images for the same reason.
 */
#ifndef BOOTCASE_LOADER_H
#define BOOTCASE_LOADER_H

#include <stddef.h>
#include <stdint.h>
#include "dtb.h"

/* IMAGE_AUTO: decide from the bytes (ELF magic, Linux Image header). A flat binary has no
 * magic, so it is only ever loaded when declared (IMAGE_FLAT); anything else is refused. */
enum image_format { IMAGE_AUTO, IMAGE_FLAT, IMAGE_ELF, IMAGE_LINUX };

/*
 * Why an image was refused: a stable code (the harness and the VMM print it, the corpus test
 * compares it) and, separately, a message with the numbers.
 */
#define LOADER_REASONS(X)                                                                   \
	X(LOADER_OK, "ok")                                                                  \
	X(LOADER_EMPTY, "empty")                       /* a file of 0 bytes */              \
	X(LOADER_UNKNOWN_FORMAT, "unknown-format")     /* no ELF, no Image, no declaration */ \
	X(LOADER_ELF_TRUNCATED, "elf-truncated")       /* shorter than the ELF64 header */  \
	X(LOADER_ELF_IDENT, "elf-ident")               /* class, byte order, version */     \
	X(LOADER_ELF_MACHINE, "elf-machine")           /* not EM_RISCV */                   \
	X(LOADER_ELF_TYPE, "elf-type")                 /* not ET_EXEC */                    \
	X(LOADER_ELF_PHDRS, "elf-phdrs")               /* none, odd size, past the end */   \
	X(LOADER_ELF_SEGMENT_FILE, "elf-segment-file") /* file bytes past the end */        \
	X(LOADER_ELF_FILESZ, "elf-filesz")             /* p_filesz > p_memsz */             \
	X(LOADER_ELF_NO_LOAD, "elf-no-load")           /* no non-empty PT_LOAD */           \
	X(LOADER_ELF_ENTRY, "elf-entry")               /* entry in no PT_LOAD */            \
	X(LOADER_LINUX_ENDIAN, "linux-endian")         /* header flags: big-endian */       \
	X(LOADER_LINUX_ALIGN, "linux-align")           /* load address not 2 MiB aligned */ \
	X(LOADER_FLAT_ENTRY, "flat-entry")             /* declared entry not in the image */ \
	X(LOADER_FLAT_NOT_RAW, "flat-not-raw")         /* declared flat, is an ELF or Image */ \
	X(LOADER_OUTSIDE_RAM, "outside-ram")           /* bytes outside guest RAM */        \
	X(LOADER_DTB_OVERLAP, "dtb-overlap")           /* reaches the device tree window */

enum loader_reason {
#define LOADER_REASON_ENUM(id, name) id,
	LOADER_REASONS(LOADER_REASON_ENUM)
#undef LOADER_REASON_ENUM
	LOADER__REASON_COUNT,
};

/* What the image is said to be: the format (IMAGE_AUTO or IMAGE_FLAT) and, for a flat
 * binary, where it goes and where it starts (0 = RAM base; entry 0 = its first byte). */
struct image_decl {
	enum image_format format;
	uint64_t load, entry;
};

struct guest_ram {
	uint8_t *host; /* NULL: check only, copy nothing (loader__check) */
	uint64_t base, size;
};

#define LOADER_MAX_SEGS 16

struct load_seg {
	uint64_t paddr, memsz, filesz, offset;
};

struct load_info {
	enum image_format format; /* as loaded: FLAT, ELF or LINUX */
	enum loader_reason reason;
	uint64_t entry;
	uint64_t lo, hi; /* guest physical range the image occupies, [lo, hi) */
	unsigned nr_segs; /* segments loaded; the first LOADER_MAX_SEGS are in segs[] */
	struct load_seg segs[LOADER_MAX_SEGS];
};

/* ELF or LINUX from the bytes, or what decl declares; IMAGE_AUTO = neither (refused). */
enum image_format loader__detect(const uint8_t *buf, size_t len, const struct image_decl *decl);
const char *loader__format_name(enum image_format fmt);
const char *loader__reason_name(enum loader_reason reason);
/*
 * Check an image against guest RAM [ram_base, ram_base + ram_size) without loading it: the
 * rules of loader__load, plus the device tree window at the top of RAM. 0 and info filled
 * in, or -EINVAL/-E2BIG with info->reason and a message (no file name) in err.
 */
int loader__check(const uint8_t *buf, size_t len, const struct image_decl *decl,
		  uint64_t ram_base, uint64_t ram_size, struct load_info *info, char *err,
		  size_t errlen);
/* Load for real: 0, or -EINVAL/-E2BIG with info->reason and a message in err. */
int loader__load(const uint8_t *buf, size_t len, const struct image_decl *decl,
		 const struct guest_ram *ram, struct load_info *info, char *err, size_t errlen);

/* The loaders behind loader__load (fill in info, set info->reason on failure). */
int elf__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
	      char *err, size_t errlen);
int flat__load(const uint8_t *buf, size_t len, const struct image_decl *decl,
	       const struct guest_ram *ram, struct load_info *info, char *err, size_t errlen);
int linux__detect(const uint8_t *buf, size_t len);
int linux__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
		char *err, size_t errlen);
/* Record a loaded segment in info (lo/hi, segs[]). */
void loader__add_seg(struct load_info *info, uint64_t paddr, uint64_t memsz, uint64_t filesz,
		     uint64_t offset);
/* Refuse: set info->reason, format err, return ret. */
__attribute__((format(printf, 6, 7))) int loader__fail(struct load_info *info, int ret,
						      enum loader_reason reason, char *err,
						      size_t errlen, const char *fmt, ...);

#endif
