/*
 * dtb.c - the guest's device tree, generated from layout.h (nothing here hard-codes an
 * address). Bindings (Linux Documentation/devicetree/bindings/): riscv/cpus.yaml,
 * interrupt-controller/riscv,cpu-intc.yaml, interrupt-controller/sifive,plic-1.0.0.yaml,
 * serial/8250.yaml, virtio/mmio.yaml.
 *
 *   / { #address-cells = 2; #size-cells = 2; compatible = "bootcase,virt";
 *     chosen { bootargs; stdout-path = "/soc/serial@10000000"; linux,initrd-start/end;
 *              rng-seed; }
 *     cpus { timebase-frequency;
 *            cpu@N { riscv,isa; riscv,isa-base; riscv,isa-extensions (isa.c); mmu-type;
 *                    interrupt-controller { riscv,cpu-intc } } ...
 *            cpu-map { cluster0 { coreN { cpu = <&cpuN>; } ... } } }
 *     memory@80000000 { device_type = "memory"; reg; }
 *     soc { simple-bus; ranges;
 *           clint@2000000 { interrupts-extended = <&intcN 3 &intcN 7> per hart; } (xv6 only)
 *           plic@c000000 { interrupts-extended = <&intcN 11 &intcN 9> per hart; }
 *             (or, with --irqchip aia, imsics@28000000 and aplic@d000000: dtb-aia.c)
 *           serial@10000000 { ns16550a; interrupts = <10>; }
 *           virtio_mmio@10001000 ... virtio_mmio@10008000 { interrupts = <1> ... <8>; } } }
 *             (under the APLIC: interrupts = <10 4> ..., level-high)
 *
 * Every hart's local interrupt controller takes the RISC-V interrupt numbers as its cells
 * (mcause/scause codes): 9 is the supervisor external interrupt, 11 the machine one. The PLIC
 * lists two contexts per hart in that order, M then S, which is how QEMU virt numbers them
 * (context 2h, 2h + 1); a kernel in (V)S-mode uses the contexts wired to 9 and skips the rest.
 * All eight virtio slots are described, empty or not: an empty one answers DeviceID 0 and the
 * driver leaves it alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dtb.h"
#include "fdt.h"
#include "layout.h"

void riscv__dtb_begin_at(struct fdt *f, const char *stem, uint64_t addr)
{
	char name[64];

	snprintf(name, sizeof(name), "%s@%llx", stem, (unsigned long long)addr);
	fdt__begin_node(f, name);
}

static unsigned dtb_cpus_count(const struct dtb_params *p)
{
	return p->nr_cpus ? p->nr_cpus : 1;
}

/* riscv,isa, riscv,isa-base and riscv,isa-extensions from the one list (isa.c) */
static void dtb_isa(struct fdt *f, const struct dtb_params *p)
{
	char isa[1024], list[1024];
	size_t n = 0, l;

	if (riscv__isa_string(p->isa_ext, p->nr_isa_ext, isa, sizeof(isa))) {
		f->err = -E2BIG;
		return;
	}
	fdt__prop_str(f, "riscv,isa", isa);
	fdt__prop_str(f, "riscv,isa-base", "rv64i");
	for (unsigned i = 0; i < p->nr_isa_ext; i++) { /* a string list: NUL after each */
		l = strlen(p->isa_ext[i]) + 1;
		if (n + l > sizeof(list)) {
			f->err = -E2BIG;
			return;
		}
		memcpy(list + n, p->isa_ext[i], l);
		n += l;
	}
	fdt__prop(f, "riscv,isa-extensions", list, n);
}

static void dtb_cpu(struct fdt *f, const struct dtb_params *p, unsigned hart)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%u", hart);
	fdt__begin_node(f, name);
	fdt__prop_str(f, "device_type", "cpu");
	fdt__prop_u32(f, "reg", hart);
	fdt__prop_str(f, "status", "okay");
	fdt__prop_str(f, "compatible", "riscv");
	fdt__prop_u32(f, "phandle", DTB_PHANDLE_CPU(hart));
	dtb_isa(f, p);
	fdt__prop_str(f, "mmu-type", p->mmu_type);

	fdt__begin_node(f, "interrupt-controller");
	fdt__prop_u32(f, "#address-cells", 0); /* an interrupt-map could not address into it */
	fdt__prop_u32(f, "#interrupt-cells", 1);
	fdt__prop_empty(f, "interrupt-controller");
	fdt__prop_str(f, "compatible", "riscv,cpu-intc");
	fdt__prop_u32(f, "phandle", DTB_PHANDLE_CPU_INTC(hart));
	fdt__end_node(f);

	fdt__end_node(f);
}

static void dtb_cpus(struct fdt *f, const struct dtb_params *p)
{
	fdt__begin_node(f, "cpus");
	fdt__prop_u32(f, "#address-cells", 1);
	fdt__prop_u32(f, "#size-cells", 0);
	fdt__prop_u32(f, "timebase-frequency", p->timebase_hz);
	for (unsigned h = 0; h < dtb_cpus_count(p); h++)
		dtb_cpu(f, p, h);
	/* the topology (cpu-map, Documentation/devicetree/bindings/cpu/cpu-topology.txt): one
	 * cluster of single-thread cores, as QEMU virt describes one socket; without it Linux's
	 * arch_topology guesses, and says so */
	fdt__begin_node(f, "cpu-map");
	fdt__begin_node(f, "cluster0");
	for (unsigned h = 0; h < dtb_cpus_count(p); h++) {
		char core[16];

		snprintf(core, sizeof(core), "core%u", h);
		fdt__begin_node(f, core);
		fdt__prop_u32(f, "cpu", DTB_PHANDLE_CPU(h));
		fdt__end_node(f);
	}
	fdt__end_node(f);
	fdt__end_node(f);
	fdt__end_node(f);
}

/*
 * interrupts-extended for a per-hart controller: for every hart, <&cpuN_intc a> <&cpuN_intc b>.
 * Fills cells (room for DTB_MAX_CPUS harts) and returns the number of 32-bit cells.
 */
static unsigned dtb_per_hart_irqs(uint8_t *cells, const struct dtb_params *p, uint32_t a, uint32_t b)
{
	unsigned n = 0;

	for (unsigned h = 0; h < dtb_cpus_count(p) && h < DTB_MAX_CPUS; h++) {
		fdt__put_be32(cells + 4 * n++, DTB_PHANDLE_CPU_INTC(h));
		fdt__put_be32(cells + 4 * n++, a);
		fdt__put_be32(cells + 4 * n++, DTB_PHANDLE_CPU_INTC(h));
		fdt__put_be32(cells + 4 * n++, b);
	}
	return n;
}

/*
 * riscv,ndev: the highest PLIC source the layout wires (the UART's 10; virtio 1..8), not all 95
 * the PLIC model has like QEMU virt's. Linux's PLIC probe masks and sets the priority of every
 * source it is told of, three MMIO exits each per hart: ~10 ms of an L2 boot for 95.
 */
static uint32_t dtb_plic_ndev(void)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < LAYOUT__COUNT; i++) {
		uint32_t last = layout[i].irq + (i == LAYOUT_VIRTIO0 ? LAYOUT_VIRTIO_SLOTS - 1 : 0);

		if (layout[i].irq && last > n)
			n = last;
	}
	return n;
}

static void dtb_plic(struct fdt *f, const struct dtb_params *p)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	const struct layout_entry *plic = &layout[LAYOUT_PLIC];
	uint8_t cells[DTB_MAX_CPUS * 4 * 4];
	/* PLIC context 2h is hart h's M-mode external interrupt, 2h + 1 its S-mode one */
	unsigned n = dtb_per_hart_irqs(cells, p, IRQ_M_EXT, IRQ_S_EXT);

	riscv__dtb_begin_at(f, plic->name, plic->base);
	fdt__prop(f, "compatible", compat, sizeof(compat));
	fdt__prop_reg64(f, "reg", plic->base, plic->size);
	fdt__prop_empty(f, "interrupt-controller");
	fdt__prop_u32(f, "#interrupt-cells", 1);
	fdt__prop_u32(f, "#address-cells", 0);
	fdt__prop_u32(f, "riscv,ndev", dtb_plic_ndev());
	fdt__prop(f, "interrupts-extended", cells, 4 * n);
	fdt__prop_u32(f, "phandle", DTB_PHANDLE_PLIC);
	fdt__end_node(f);
}

/*
 * The CLINT as QEMU virt describes it: each hart's machine software and timer interrupts. A
 * (V)S-mode kernel has no use for it (Linux binds its clint driver only in M-mode builds); it
 * is there so the tree matches the machine the xv6 profile really has.
 */
static void dtb_clint(struct fdt *f, const struct dtb_params *p)
{
	static const char compat[] = "sifive,clint0\0riscv,clint0";
	const struct layout_entry *clint = &layout[LAYOUT_CLINT];
	uint8_t cells[DTB_MAX_CPUS * 4 * 4];
	unsigned n = dtb_per_hart_irqs(cells, p, IRQ_M_SOFT, IRQ_M_TIMER);

	riscv__dtb_begin_at(f, clint->name, clint->base);
	fdt__prop(f, "compatible", compat, sizeof(compat));
	fdt__prop_reg64(f, "reg", clint->base, clint->size);
	fdt__prop(f, "interrupts-extended", cells, 4 * n);
	fdt__end_node(f);
}

/* A device's wired interrupt: a PLIC source, or an APLIC source and its (level) sense. */
static void dtb_device_irq(struct fdt *f, const struct dtb_params *p, uint32_t irq)
{
	uint8_t cells[8];

	if (!p->aia) {
		fdt__prop_u32(f, "interrupts", irq);
		fdt__prop_u32(f, "interrupt-parent", DTB_PHANDLE_PLIC);
		return;
	}
	fdt__put_be32(cells, irq);
	fdt__put_be32(cells + 4, DTB_IRQ_LEVEL_HIGH);
	fdt__prop(f, "interrupts", cells, sizeof(cells));
	fdt__prop_u32(f, "interrupt-parent", DTB_PHANDLE_APLIC);
}

static void dtb_soc(struct fdt *f, const struct dtb_params *p)
{
	const struct layout_entry *uart = &layout[LAYOUT_UART0], *virtio = &layout[LAYOUT_VIRTIO0];

	fdt__begin_node(f, "soc");
	fdt__prop_u32(f, "#address-cells", 2);
	fdt__prop_u32(f, "#size-cells", 2);
	fdt__prop_str(f, "compatible", "simple-bus");
	fdt__prop_empty(f, "ranges");

	if (p->has_clint)
		dtb_clint(f, p);
	if (p->aia)
		riscv__dtb_aia(f, p);
	else
		dtb_plic(f, p);

	riscv__dtb_begin_at(f, uart->name, uart->base);
	fdt__prop_str(f, "compatible", "ns16550a");
	fdt__prop_reg64(f, "reg", uart->base, uart->size);
	fdt__prop_u32(f, "clock-frequency", DTB_UART_CLOCK_HZ);
	dtb_device_irq(f, p, uart->irq);
	fdt__end_node(f);

	for (unsigned i = 0; i < LAYOUT_VIRTIO_SLOTS; i++) {
		uint64_t base = virtio->base + i * LAYOUT_VIRTIO_STRIDE;

		riscv__dtb_begin_at(f, virtio->name, base);
		fdt__prop_str(f, "compatible", "virtio,mmio");
		fdt__prop_reg64(f, "reg", base, LAYOUT_VIRTIO_STRIDE);
		dtb_device_irq(f, p, virtio->irq + i);
		fdt__end_node(f);
	}

	fdt__end_node(f); /* soc */
}

int riscv__dtb_build(const struct dtb_params *p, uint8_t **blob, size_t *len)
{
	const struct layout_entry *ram = &layout[LAYOUT_DRAM];
	const struct layout_entry *uart = &layout[LAYOUT_UART0];
	char name[64];
	struct fdt f;

	if (dtb_cpus_count(p) > DTB_MAX_CPUS)
		return -EINVAL;
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
	if (p->rng_seed)
		fdt__prop(&f, "rng-seed", p->rng_seed, DTB_RNG_SEED_SIZE);
	fdt__end_node(&f);

	dtb_cpus(&f, p);

	riscv__dtb_begin_at(&f, ram->name, ram->base);
	fdt__prop_str(&f, "device_type", "memory");
	fdt__prop_reg64(&f, "reg", ram->base, p->ram_size);
	fdt__end_node(&f);

	dtb_soc(&f, p);
	fdt__end_node(&f); /* root */
	return fdt__finish(&f, DTB_FREE_SPACE, blob, len);
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
