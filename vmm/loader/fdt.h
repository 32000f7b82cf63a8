/*
 * fdt.h - a small flattened-device-tree (DTB, version 17) writer.
 *
 * Nodes and properties are appended in order to a structure block; property names are
 * deduplicated into a strings block. Errors are sticky: check once at fdt__finish().
 */
#ifndef BOOTCASE_FDT_H
#define BOOTCASE_FDT_H

#include <stddef.h>
#include <stdint.h>

struct fdt {
	uint8_t *dt_struct;
	size_t struct_len, struct_cap;
	char *strings;
	size_t strings_len, strings_cap;
	int depth;
	int err;
};

/* A 32-bit cell in the tree's byte order (big-endian), for property values built by hand. */
static inline void fdt__put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void fdt__init(struct fdt *f);
void fdt__begin_node(struct fdt *f, const char *name);
void fdt__end_node(struct fdt *f);
void fdt__prop(struct fdt *f, const char *name, const void *data, size_t len);
void fdt__prop_empty(struct fdt *f, const char *name);
void fdt__prop_u32(struct fdt *f, const char *name, uint32_t val);
void fdt__prop_u64(struct fdt *f, const char *name, uint64_t val);
void fdt__prop_str(struct fdt *f, const char *name, const char *val);
/* <hi lo> pairs of a 64-bit address and size, for #address-cells = #size-cells = 2 */
void fdt__prop_reg64(struct fdt *f, const char *name, uint64_t addr, uint64_t size);
/* Build the blob (malloc'd, caller frees) with `room` bytes of free space at its end (rounded
 * up to 8) and release the builder. 0 or -errno. */
int fdt__finish(struct fdt *f, size_t room, uint8_t **blob, size_t *len);
void fdt__release(struct fdt *f);

#endif
