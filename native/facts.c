/*
 * facts.c - the memory map (layout.h), the SBI EIDs (sbi-ids.h), the fault kinds (faults.h)
 * and the loader's refusal codes (loader.h), as the VMM compiles them, for the addon.
 */
#include "facts.h"
#include "faults.h"
#include "layout.h"
#include "loader.h"
#include "sbi-ids.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct fact_region *facts__layout(size_t *n)
{
	static struct fact_region out[LAYOUT__COUNT];
	size_t i;

	for (i = 0; i < LAYOUT__COUNT; i++)
		out[i] = (struct fact_region){ layout[i].name, layout[i].base, layout[i].size,
					       layout[i].irq };
	*n = LAYOUT__COUNT;
	return out;
}

const struct fact_eid *facts__sbi_eids(size_t *n)
{
#define FACT_EID(name, eid) { name, eid },
	static const struct fact_eid eids[] = { SBI_EIDS(FACT_EID) };
#undef FACT_EID
	*n = COUNT(eids);
	return eids;
}

const char *const *facts__fault_kinds(size_t *n)
{
#define FACT_FAULT(id, name) name,
	static const char *const kinds[] = { VCPU_FAULT_KINDS(FACT_FAULT) };
#undef FACT_FAULT
	*n = COUNT(kinds);
	return kinds;
}

const char *const *facts__loader_reasons(size_t *n)
{
#define FACT_REASON(id, name) name,
	static const char *const reasons[] = { LOADER_REASONS(FACT_REASON) };
#undef FACT_REASON
	*n = COUNT(reasons);
	return reasons;
}

void facts__constants(struct fact_constants *c)
{
	c->dram_base = LAYOUT_DRAM_BASE;
	c->virtio_base = LAYOUT_VIRTIO_BASE;
	c->virtio_stride = LAYOUT_VIRTIO_STRIDE;
	c->virtio_slots = LAYOUT_VIRTIO_SLOTS;
	c->timebase_hz = LAYOUT_TIMEBASE_HZ;
	c->dtb_max_size = DTB_MAX_SIZE;
}
