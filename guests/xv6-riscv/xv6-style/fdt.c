/*
 * fdt.c - how many harts the machine has, from the device tree the boot hands over in a1
 * (xv6 hard-codes NCPU instead; main() needs the number to know when every hart reported).
 * Flattened device tree format (Devicetree Specification v0.4, chapter 5): big-endian header,
 * then a structure block of 4-byte-aligned tokens. Every hart is a node "cpu@<hartid>".
 */
#include "defs.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4

static uint32 be32(const unsigned char *p)
{
	return (uint32)p[0] << 24 | (uint32)p[1] << 16 | (uint32)p[2] << 8 | p[3];
}

static uint64 align4(uint64 n) { return (n + 3) & ~3UL; }

int fdt_count_harts(uint64 dtb)
{
	const unsigned char *fdt = (const unsigned char *)dtb, *p, *end;
	int harts = 0;

	if (!fdt || be32(fdt) != FDT_MAGIC)
		return 0;
	p = fdt + be32(fdt + 8); /* off_dt_struct */
	end = p + be32(fdt + 36); /* size_dt_struct */
	while (p + 4 <= end) {
		uint32 token = be32(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const unsigned char *name = p;
			while (p < end && *p)
				p++;
			if (name[0] == 'c' && name[1] == 'p' && name[2] == 'u' && name[3] == '@')
				harts++;
			p = fdt + align4((uint64)(p + 1 - fdt));
		} else if (token == FDT_PROP) {
			p += 8 + align4(be32(p)); /* len, nameoff, value */
		} else if (token != FDT_END_NODE && token != FDT_NOP) {
			break; /* FDT_END */
		}
	}
	return harts;
}
