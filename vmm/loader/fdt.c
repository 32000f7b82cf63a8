/*
 * fdt.c - flattened device tree writer (Devicetree Specification v0.4, chapter 5).
 *
 * Blob layout we produce:
 *   header (40 bytes, big-endian u32s: magic 0xd00dfeed, totalsize, off_dt_struct,
 *           off_dt_strings, off_mem_rsvmap, version 17, last_comp_version 16,
 *           boot_cpuid_phys, size_dt_strings, size_dt_struct)
 *   memory reservation map (one terminating {0, 0} entry, 8-byte aligned)
 *   structure block (FDT_BEGIN_NODE name, FDT_PROP len nameoff value, FDT_END_NODE,
 *                    FDT_END; every token 4-byte aligned)
 *   strings block (NUL-terminated property names, deduplicated)
 *   free space (zeros, counted in totalsize; the caller says how much)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1U
#define FDT_END_NODE 2U
#define FDT_PROP 3U
#define FDT_END 9U
#define FDT_HEADER_SIZE 40U
#define FDT_RSVMAP_SIZE 16U

static int grow(void **buf, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*buf, ncap);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

/* Append bytes to the structure block, zero-padded to 4 bytes. */
static void fdt_put(struct fdt *f, const void *data, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (f->err)
		return;
	if (grow((void **)&f->dt_struct, &f->struct_cap, f->struct_len + padded)) {
		f->err = -ENOMEM;
		return;
	}
	memcpy(f->dt_struct + f->struct_len, data, len);
	memset(f->dt_struct + f->struct_len + len, 0, padded - len);
	f->struct_len += padded;
}

static void fdt_token(struct fdt *f, uint32_t tok)
{
	uint8_t b[4];

	fdt__put_be32(b, tok);
	fdt_put(f, b, 4);
}

static uint32_t fdt_string(struct fdt *f, const char *name)
{
	size_t n = strlen(name) + 1, off = 0;

	while (off < f->strings_len) {
		if (!strcmp(f->strings + off, name))
			return (uint32_t)off;
		off += strlen(f->strings + off) + 1;
	}
	if (f->err)
		return 0;
	if (grow((void **)&f->strings, &f->strings_cap, f->strings_len + n)) {
		f->err = -ENOMEM;
		return 0;
	}
	memcpy(f->strings + f->strings_len, name, n);
	f->strings_len += n;
	return (uint32_t)off;
}

void fdt__init(struct fdt *f)
{
	memset(f, 0, sizeof(*f));
}

void fdt__begin_node(struct fdt *f, const char *name)
{
	fdt_token(f, FDT_BEGIN_NODE);
	fdt_put(f, name, strlen(name) + 1);
	f->depth++;
}

void fdt__end_node(struct fdt *f)
{
	if (f->depth <= 0) {
		f->err = -EINVAL;
		return;
	}
	fdt_token(f, FDT_END_NODE);
	f->depth--;
}

void fdt__prop(struct fdt *f, const char *name, const void *data, size_t len)
{
	uint8_t hdr[8];

	if (f->depth <= 0 || len > UINT32_MAX) {
		f->err = -EINVAL;
		return;
	}
	fdt_token(f, FDT_PROP);
	fdt__put_be32(hdr, (uint32_t)len);
	fdt__put_be32(hdr + 4, fdt_string(f, name));
	fdt_put(f, hdr, 8);
	if (len)
		fdt_put(f, data, len);
}

void fdt__prop_empty(struct fdt *f, const char *name)
{
	fdt__prop(f, name, NULL, 0);
}

void fdt__prop_u32(struct fdt *f, const char *name, uint32_t val)
{
	uint8_t b[4];

	fdt__put_be32(b, val);
	fdt__prop(f, name, b, 4);
}

void fdt__prop_u64(struct fdt *f, const char *name, uint64_t val)
{
	uint8_t b[8];

	fdt__put_be32(b, (uint32_t)(val >> 32));
	fdt__put_be32(b + 4, (uint32_t)val);
	fdt__prop(f, name, b, 8);
}

void fdt__prop_str(struct fdt *f, const char *name, const char *val)
{
	fdt__prop(f, name, val, strlen(val) + 1);
}

void fdt__prop_reg64(struct fdt *f, const char *name, uint64_t addr, uint64_t size)
{
	uint8_t b[16];

	fdt__put_be32(b, (uint32_t)(addr >> 32));
	fdt__put_be32(b + 4, (uint32_t)addr);
	fdt__put_be32(b + 8, (uint32_t)(size >> 32));
	fdt__put_be32(b + 12, (uint32_t)size);
	fdt__prop(f, name, b, 16);
}

void fdt__release(struct fdt *f)
{
	free(f->dt_struct);
	free(f->strings);
	memset(f, 0, sizeof(*f));
}

int fdt__finish(struct fdt *f, size_t room, uint8_t **blob, size_t *len)
{
	size_t off_struct, off_strings, total;
	uint8_t *b;
	int err;

	if (!f->err && f->depth != 0)
		f->err = -EINVAL; /* unbalanced begin/end */
	fdt_token(f, FDT_END);
	err = f->err;
	if (err) {
		fdt__release(f);
		return err;
	}
	off_struct = FDT_HEADER_SIZE + FDT_RSVMAP_SIZE;
	off_strings = off_struct + f->struct_len;
	/* free space after the strings block, inside totalsize: libfdt edits (a bootloader adding
	 * bootargs) grow into it instead of past the blob's end */
	total = off_strings + f->strings_len + ((room + 7) & ~(size_t)7);
	b = calloc(1, total);
	if (!b) {
		fdt__release(f);
		return -ENOMEM;
	}
	fdt__put_be32(b + 0, FDT_MAGIC);
	fdt__put_be32(b + 4, (uint32_t)total);
	fdt__put_be32(b + 8, (uint32_t)off_struct);
	fdt__put_be32(b + 12, (uint32_t)off_strings);
	fdt__put_be32(b + 16, FDT_HEADER_SIZE); /* rsvmap right after the header: 8-aligned */
	fdt__put_be32(b + 20, 17);
	fdt__put_be32(b + 24, 16);
	fdt__put_be32(b + 28, 0);
	fdt__put_be32(b + 32, (uint32_t)f->strings_len);
	fdt__put_be32(b + 36, (uint32_t)f->struct_len);
	/* the reservation map is one zero entry, already zero from calloc */
	memcpy(b + off_struct, f->dt_struct, f->struct_len);
	memcpy(b + off_strings, f->strings, f->strings_len);
	fdt__release(f);
	*blob = b;
	*len = total;
	return 0;
}
