/*
 * dtb.c - the guest's device tree, generated from layout.h (nothing here hard-codes an
 * address). Bindings: Documentation/devicetree/bindings/riscv/cpus.yaml,
 * .../interrupt-controller/riscv,cpu-intc.yaml, .../serial/8250.yaml.
 *
 *   / { #address-cells = 2; #size-cells = 2; compatible = "bootcase,virt";
 *     chosen { bootargs; stdout-path = "/soc/serial@10000000"; linux,initrd-start/end; }
 *     cpus { timebase-frequency; cpu@0 { riscv,isa; mmu-type;
 *            interrupt-controller { compatible = "riscv,cpu-intc"; phandle = 1; } } }
 *     memory@80000000 { device_type = "memory"; reg; }
 *     soc { compatible = "simple-bus"; ranges; serial@10000000 { ns16550a } } }
 *
 * The UART's interrupts = <10> names its PLIC source. There is no PLIC model yet, so the
 * node has no interrupt-parent and Linux's 8250 driver polls it.
 */
#include <stdio.h>
#include <string.h>

#include "dtb.h"
#include "fdt.h"
#include "layout.h"

#define CPU_INTC_PHANDLE 1

static void node_name(char *buf, size_t cap, const char *stem, uint64_t addr)
{
	snprintf(buf, cap, "%s@%llx", stem, (unsigned long long)addr);
}

static void dtb_cpus(struct fdt *f, const struct dtb_params *p)
{
	fdt__begin_node(f, "cpus");
	fdt__prop_u32(f, "#address-cells", 1);
	fdt__prop_u32(f, "#size-cells", 0);
	fdt__prop_u32(f, "timebase-frequency", p->timebase_hz);

	fdt__begin_node(f, "cpu@0");
	fdt__prop_str(f, "device_type", "cpu");
	fdt__prop_u32(f, "reg", 0);
	fdt__prop_str(f, "status", "okay");
	fdt__prop_str(f, "compatible", "riscv");
	fdt__prop_str(f, "riscv,isa", p->isa);
	fdt__prop_str(f, "mmu-type", p->mmu_type);

	fdt__begin_node(f, "interrupt-controller");
	fdt__prop_u32(f, "#interrupt-cells", 1);
	fdt__prop_empty(f, "interrupt-controller");
	fdt__prop_str(f, "compatible", "riscv,cpu-intc");
	fdt__prop_u32(f, "phandle", CPU_INTC_PHANDLE);
	fdt__end_node(f);

	fdt__end_node(f); /* cpu@0 */
	fdt__end_node(f); /* cpus */
}

static void dtb_soc(struct fdt *f)
{
	const struct layout_entry *uart = &layout[LAYOUT_UART0];
	char name[64];

	fdt__begin_node(f, "soc");
	fdt__prop_u32(f, "#address-cells", 2);
	fdt__prop_u32(f, "#size-cells", 2);
	fdt__prop_str(f, "compatible", "simple-bus");
	fdt__prop_empty(f, "ranges");

	node_name(name, sizeof(name), uart->name, uart->base);
	fdt__begin_node(f, name);
	fdt__prop_str(f, "compatible", "ns16550a");
	fdt__prop_reg64(f, "reg", uart->base, uart->size);
	fdt__prop_u32(f, "clock-frequency", DTB_UART_CLOCK_HZ);
	fdt__prop_u32(f, "interrupts", uart->irq);
	fdt__end_node(f);

	fdt__end_node(f); /* soc */
}

int riscv__dtb_build(const struct dtb_params *p, uint8_t **blob, size_t *len)
{
	const struct layout_entry *ram = &layout[LAYOUT_DRAM];
	const struct layout_entry *uart = &layout[LAYOUT_UART0];
	struct fdt f;
	char name[64];

	fdt__init(&f);
	fdt__begin_node(&f, "");
	fdt__prop_u32(&f, "#address-cells", 2);
	fdt__prop_u32(&f, "#size-cells", 2);
	fdt__prop_str(&f, "compatible", "bootcase,virt");
	fdt__prop_str(&f, "model", "bootcase,virt");

	fdt__begin_node(&f, "chosen");
	if (p->bootargs)
		fdt__prop_str(&f, "bootargs", p->bootargs);
	snprintf(name, sizeof(name), "/soc/%s@%llx", uart->name, (unsigned long long)uart->base);
	fdt__prop_str(&f, "stdout-path", name);
	if (p->has_initrd) {
		fdt__prop_u64(&f, "linux,initrd-start", p->initrd_start);
		fdt__prop_u64(&f, "linux,initrd-end", p->initrd_end);
	}
	fdt__end_node(&f);

	dtb_cpus(&f, p);

	node_name(name, sizeof(name), ram->name, ram->base);
	fdt__begin_node(&f, name);
	fdt__prop_str(&f, "device_type", "memory");
	fdt__prop_reg64(&f, "reg", ram->base, p->ram_size);
	fdt__end_node(&f);

	dtb_soc(&f);
	fdt__end_node(&f); /* root */
	return fdt__finish(&f, blob, len);
}

void riscv__isa_string(uint64_t bits, char *out, size_t cap)
{
	/* canonical order of single-letter extensions (unprivileged spec, "ISA naming") */
	static const char order[] = "imafdqlcbkjtpvh";
	size_t n;
	int c;

	n = (size_t)snprintf(out, cap, "rv64");
	for (const char *o = order; *o && n + 1 < cap; o++)
		if (bits & (1ULL << (*o - 'a')))
			out[n++] = *o;
	/* any other letter KVM reports, alphabetically, after the canonical ones */
	for (c = 'a'; c <= 'z' && n + 1 < cap; c++)
		if ((bits & (1ULL << (c - 'a'))) && !strchr(order, c))
			out[n++] = (char)c;
	if (n < cap)
		out[n] = '\0';
}

const char *riscv__mmu_type(uint64_t satp_mode)
{
	switch (satp_mode) {
	case 8:
		return "riscv,sv39";
	case 9:
		return "riscv,sv48";
	case 10:
		return "riscv,sv57";
	default:
		return NULL;
	}
}
