/*
 * isa.c - the harts' ISA for the device tree, from the list of extensions KVM enabled.
 *
 * Two forms, as QEMU virt writes them (Documentation/devicetree/bindings/riscv/cpus.yaml,
 * extensions.yaml):
 *   riscv,isa             "rv64imafdc_zicsr_zifencei_sstc": the base and single letters,
 *                         then each multi-letter extension after an underscore
 *   riscv,isa-base        "rv64i"
 *   riscv,isa-extensions  "i", "m", "a", ..., "zicsr", "sstc": one string each
 * Both in the unprivileged spec's canonical order ("ISA Extension Naming Conventions"):
 * single letters in the order IMAFDQLCBKJTPVH; then Z extensions, grouped by the single
 * letter their second character names, in that same order, alphabetical within a group;
 * then S extensions, then X, each alphabetical. Linux takes either property (6.12 prefers
 * isa-extensions); without the multi-letter names it cannot see Sstc and sets every timer
 * through SBI TIME.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtb.h"

static const char letter_order[] = "imafdqlcbkjtpvh";

/* Sort key: class (0 single letter, 1 Z, 2 S, 3 X, 4 other), then rank within it. */
static int isa_class(const char *name, int *rank)
{
	const char *p;

	*rank = 0;
	if (!name[1]) {
		p = strchr(letter_order, name[0]);
		*rank = p ? (int)(p - letter_order) : 26 + name[0];
		return 0;
	}
	switch (name[0]) {
	case 'z':
		p = strchr(letter_order, name[1]);
		*rank = p ? (int)(p - letter_order) : 26 + name[1];
		return 1;
	case 's':
		return 2;
	case 'x':
		return 3;
	default:
		return 4;
	}
}

static int isa_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int rx, ry, cx = isa_class(x, &rx), cy = isa_class(y, &ry);

	if (cx != cy)
		return cx - cy;
	if (rx != ry)
		return rx - ry;
	return strcmp(x, y);
}

void riscv__isa_sort(const char **names, unsigned n)
{
	qsort(names, n, sizeof(*names), isa_cmp);
}

int riscv__isa_string(const char *const *sorted, unsigned n, char *out, size_t cap)
{
	size_t len;
	unsigned i;
	int w;

	len = (size_t)snprintf(out, cap, "rv64");
	for (i = 0; i < n && len < cap; i++) {
		w = snprintf(out + len, cap - len, "%s%s", sorted[i][1] ? "_" : "", sorted[i]);
		if (w < 0)
			return -1;
		len += (size_t)w;
	}
	return len < cap ? 0 : -1;
}
