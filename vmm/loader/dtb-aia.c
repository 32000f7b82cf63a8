/*
 * dtb-aia.c - the device-tree nodes of the in-kernel AIA irqchip (--irqchip aia), from
 * layout.h. Bindings (Linux Documentation/devicetree/bindings/interrupt-controller/):
 * riscv,imsics.yaml and riscv,aplic.yaml.
 *
 *   imsics@28000000 { riscv,imsics; reg = one 4 KiB interrupt file per hart;
 *                     interrupts-extended = <&cpuN_intc 9> per hart; msi-controller;
 *                     #interrupt-cells = 0; riscv,num-ids; riscv,hart-index-bits }
 *   aplic@d000000   { riscv,aplic; reg; #interrupt-cells = 2; msi-parent = <&imsics>;
 *                     riscv,num-sources }
 *
 * The guest's S-level external interrupt (9) comes from its IMSIC file, which KVM backs (a
 * VS-level guest file, or in software when L1 has none). The APLIC is in MSI mode: a wired
 * source raised by KVM_IRQ_LINE becomes an MSI written into the target hart's IMSIC, all in
 * L1's kernel, so no device interrupt needs a VMM exit or a KVM_INTERRUPT. Devices name the
 * APLIC as interrupt-parent with two cells, <source IRQ_TYPE_LEVEL_HIGH>: our lines are levels.
 */

#include "dtb.h"
#include "fdt.h"
#include "layout.h"

unsigned riscv__aia_hart_bits(unsigned nr_harts)
{
	unsigned bits = 0;

	while (nr_harts > 1 && (1U << bits) < nr_harts)
		bits++;
	return bits;
}

static void dtb_imsics(struct fdt *f, const struct dtb_params *p, unsigned harts)
{
	static const char compat[] = "qemu,imsics\0riscv,imsics";
	const struct layout_entry *imsic = &layout[LAYOUT_IMSIC];
	uint8_t cells[DTB_MAX_CPUS * 2 * 4];

	for (unsigned h = 0; h < harts; h++) {
		fdt__put_be32(cells + 8 * h, DTB_PHANDLE_CPU_INTC(h));
		fdt__put_be32(cells + 8 * h + 4, IRQ_S_EXT);
	}
	riscv__dtb_begin_at(f, imsic->name, imsic->base);
	fdt__prop(f, "compatible", compat, sizeof(compat));
	fdt__prop_reg64(f, "reg", imsic->base, LAYOUT_IMSIC_STRIDE * harts);
	fdt__prop_empty(f, "interrupt-controller");
	fdt__prop_u32(f, "#interrupt-cells", 0);
	fdt__prop_empty(f, "msi-controller");
	fdt__prop_u32(f, "#msi-cells", 0);
	fdt__prop(f, "interrupts-extended", cells, 8 * harts);
	fdt__prop_u32(f, "riscv,num-ids", p->aia_nr_ids);
	fdt__prop_u32(f, "riscv,hart-index-bits", riscv__aia_hart_bits(harts));
	fdt__prop_u32(f, "phandle", DTB_PHANDLE_IMSIC);
	fdt__end_node(f);
}

static void dtb_aplic(struct fdt *f)
{
	static const char compat[] = "qemu,aplic\0riscv,aplic";
	const struct layout_entry *aplic = &layout[LAYOUT_APLIC];

	riscv__dtb_begin_at(f, aplic->name, aplic->base);
	fdt__prop(f, "compatible", compat, sizeof(compat));
	fdt__prop_reg64(f, "reg", aplic->base, aplic->size);
	fdt__prop_empty(f, "interrupt-controller");
	fdt__prop_u32(f, "#interrupt-cells", 2);
	fdt__prop_u32(f, "#address-cells", 0);
	fdt__prop_u32(f, "msi-parent", DTB_PHANDLE_IMSIC);
	fdt__prop_u32(f, "riscv,num-sources", LAYOUT_AIA_SOURCES);
	fdt__prop_u32(f, "phandle", DTB_PHANDLE_APLIC);
	fdt__end_node(f);
}

void riscv__dtb_aia(struct fdt *f, const struct dtb_params *p)
{
	unsigned harts = p->nr_cpus ? p->nr_cpus : 1;

	dtb_imsics(f, p, harts > DTB_MAX_CPUS ? DTB_MAX_CPUS : harts);
	dtb_aplic(f);
}
