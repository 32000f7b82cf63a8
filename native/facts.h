/*
 * facts.h - the VMM's shared facts as plain tables for the addon (bootcase.cc). layout.h and
 * friends use C99 designated array initializers, which C++ does not take, so facts.c reads
 * them in C and hands them over here.
 */
#ifndef BOOTCASE_NATIVE_FACTS_H
#define BOOTCASE_NATIVE_FACTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fact_region {
	const char *name;
	uint64_t base, size;
	uint32_t irq;
};

struct fact_eid {
	const char *name;
	uint64_t eid;
};

struct fact_constants {
	uint64_t dram_base, virtio_base, virtio_stride, dtb_max_size;
	uint32_t virtio_slots, timebase_hz;
};

const struct fact_region *facts__layout(size_t *n);
const struct fact_eid *facts__sbi_eids(size_t *n);
const char *const *facts__fault_kinds(size_t *n);
const char *const *facts__loader_reasons(size_t *n);
void facts__constants(struct fact_constants *c);

#ifdef __cplusplus
}
#endif

#endif
