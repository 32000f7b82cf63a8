/*
 * dtb.h - the machine device tree, generated from layout.h.
 */
#ifndef BOOTCASE_DTB_H
#define BOOTCASE_DTB_H

#include <stddef.h>
#include <stdint.h>

#define DTB_MAX_SIZE 0x10000ULL /* reserved at the top of RAM */
/*
 * Free space inside the blob (its totalsize), for the next stage's edits. U-Boot copies the
 * tree it was given (totalsize bytes) into its own memory and, with its default
 * fdt_high=~0, boots Linux with that copy edited in place: bootargs and the initrd range
 * grow into whatever follows totalsize. With none, they overwrote U-Boot's data and it
 * crashed at "Starting kernel ...". QEMU virt leaves about 1 KiB; 8 KiB takes a long
 * command line too.
 */
#define DTB_FREE_SPACE 0x2000U
#define DTB_UART_CLOCK_HZ 3686400U
#define DTB_MAX_CPUS 8

/* Phandles: hart h's interrupt controller is 1 + h, the PLIC comes after the last hart's. */
#define DTB_PHANDLE_CPU_INTC(h) (1U + (h))
#define DTB_PHANDLE_PLIC 0x40U
#define DTB_PHANDLE_CPU(h) (0x20U + (h)) /* the cpu@h node, for cpu-map */
#define DTB_PHANDLE_IMSIC 0x41U /* --irqchip aia: the IMSICs, and the APLIC whose MSIs go there */
#define DTB_PHANDLE_APLIC 0x42U
#define DTB_IRQ_LEVEL_HIGH 4 /* the APLIC's second interrupt cell: IRQ_TYPE_LEVEL_HIGH */
#define DTB_RNG_SEED_SIZE 64

/* A hart's local interrupt numbers (privileged spec: their mip/mie bits), as DT cells name them. */
#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11

struct dtb_params {
	unsigned nr_cpus; /* 0 counts as 1 */
	uint64_t ram_size;
	uint32_t timebase_hz;
	/* the extensions every hart has, lower case ("i", "m", "zicsr", "sstc"), in canonical
	 * order (riscv__isa_sort); riscv,isa and riscv,isa-extensions are made from them */
	const char *const *isa_ext;
	unsigned nr_isa_ext;
	const char *mmu_type; /* "riscv,sv48" */
	const char *bootargs; /* NULL = none */
	int has_clint;        /* the layout.h CLINT exists (--profile xv6) */
	/* --irqchip aia: an APLIC and per-hart IMSICs (dtb-aia.c) instead of the PLIC, with the
	 * IMSIC's MSI identities as KVM has them (riscv,num-ids) */
	int aia;
	uint32_t aia_nr_ids;
	int has_initrd;
	uint64_t initrd_start, initrd_end;
	/* /chosen/rng-seed: entropy for the guest's early random pool (Linux credits it at boot
	 * and clears it, as it does the one QEMU virt passes); NULL = none */
	const uint8_t *rng_seed;
};

int riscv__dtb_build(const struct dtb_params *p, uint8_t **blob, size_t *len);
/* Begin the node "<stem>@<unit address in hex>" (the address is the first reg's base). */
struct fdt;
void riscv__dtb_begin_at(struct fdt *f, const char *stem, uint64_t addr);
/* dtb-aia.c: the hart index bits of an IMSIC address for n harts (KVM's CONFIG_HART_BITS and
 * the DT's riscv,hart-index-bits: one truth); the imsics and aplic nodes into f. */
unsigned riscv__aia_hart_bits(unsigned nr_harts);
void riscv__dtb_aia(struct fdt *f, const struct dtb_params *p);
/* isa.c: sort extension names into the canonical order; the riscv,isa string of a sorted
 * list ("rv64imafdc_zicsr_sstc"): 0, or -1 when it does not fit in cap. */
void riscv__isa_sort(const char **names, unsigned n);
int riscv__isa_string(const char *const *sorted, unsigned n, char *out, size_t cap);
/* satp mode number (8 sv39, 9 sv48, 10 sv57) -> "riscv,svNN"; NULL if unknown. */
const char *riscv__mmu_type(uint64_t satp_mode);

#endif
