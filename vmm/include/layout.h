/*
 * layout.h - THE guest physical memory map. Everything else (the MMIO dispatch table, the
 * generated device tree, the loaders) reads addresses from here and nowhere else.
 *
 * It mirrors QEMU's "virt" machine (hw/riscv/virt.c), so images built for QEMU virt
 * (xv6-riscv, a Linux with a virt DT) find devices where they expect them:
 *
 *   0x00001000  firmware     (QEMU's boot ROM "mrom", 60 KiB): guest RAM, present only with
 *                            --firmware, which loads a flat binary there and starts every hart
 *                            in it (the xv6 profile's M-mode personality shim)
 *   0x02000000  CLINT        (64 KiB) msip/mtimecmp/mtime; present only with --profile xv6
 *   0x0c000000  PLIC         (4 MiB window, 0x600000 used by 2 contexts per hart)
 *   0x0d000000  APLIC        (16 KiB, KVM's in-kernel APLIC; --irqchip aia only, instead of
 *                            the PLIC: QEMU virt's S-mode APLIC address)
 *   0x10000000  UART0 16550  IRQ 10
 *   0x10001000  virtio-mmio  8 slots of 0x1000, IRQ 1..8
 *   0x28000000  IMSIC        (one 4 KiB interrupt file per hart; --irqchip aia only: QEMU
 *                            virt's S-mode IMSIC address)
 *   0x80000000  DRAM         (size from --mem)
 */
#ifndef BOOTCASE_LAYOUT_H
#define BOOTCASE_LAYOUT_H

#include <stdint.h>

enum layout_id {
	LAYOUT_FIRMWARE,
	LAYOUT_CLINT,
	LAYOUT_PLIC,
	LAYOUT_APLIC,
	LAYOUT_UART0,
	LAYOUT_VIRTIO0, /* slot i is at LAYOUT_VIRTIO0 base + i * LAYOUT_VIRTIO_STRIDE */
	LAYOUT_IMSIC,   /* hart h's file is at LAYOUT_IMSIC base + h * LAYOUT_IMSIC_STRIDE */
	LAYOUT_DRAM,
	LAYOUT__COUNT,
};

struct layout_entry {
	const char *name; /* device-tree node name stem */
	uint64_t base;
	uint64_t size;
	uint32_t irq; /* PLIC (or APLIC) source, 0 = none */
};

/* The two bases code outside the table needs as constants (static initializers, the unit
 * tests' fake RAM and MMIO addresses); the table below uses them too. */
#define LAYOUT_DRAM_BASE 0x80000000ULL
#define LAYOUT_VIRTIO_BASE 0x10001000ULL
#define LAYOUT_VIRTIO_SLOTS 8
#define LAYOUT_VIRTIO_STRIDE 0x1000ULL
/* The in-kernel AIA (--irqchip aia): the sizes are KVM's (KVM_DEV_RISCV_APLIC_SIZE, one
 * KVM_DEV_RISCV_IMSIC_SIZE page per hart); the APLIC takes sources 1..95, as the PLIC does. */
#define LAYOUT_IMSIC_STRIDE 0x1000ULL
#define LAYOUT_IMSIC_HARTS 8 /* CONFIG_MAX_CPUS */
#define LAYOUT_AIA_SOURCES 95
#define LAYOUT_TIMEBASE_HZ 10000000U /* KVM's RISC-V timer runs at the host's 10 MHz */

static const struct layout_entry layout[LAYOUT__COUNT] = {
	[LAYOUT_FIRMWARE] = { "firmware", 0x00001000ULL, 0x0000f000ULL, 0 },
	[LAYOUT_CLINT] = { "clint", 0x02000000ULL, 0x00010000ULL, 0 },
	[LAYOUT_PLIC] = { "plic", 0x0c000000ULL, 0x00600000ULL, 0 },
	[LAYOUT_APLIC] = { "aplic", 0x0d000000ULL, 0x00004000ULL, 0 },
	[LAYOUT_UART0] = { "serial", 0x10000000ULL, 0x100ULL, 10 },
	[LAYOUT_VIRTIO0] = { "virtio_mmio", LAYOUT_VIRTIO_BASE,
			     LAYOUT_VIRTIO_STRIDE * LAYOUT_VIRTIO_SLOTS, 1 },
	[LAYOUT_IMSIC] = { "imsics", 0x28000000ULL, LAYOUT_IMSIC_STRIDE * LAYOUT_IMSIC_HARTS, 0 },
	[LAYOUT_DRAM] = { "memory", LAYOUT_DRAM_BASE, 0 /* --mem */, 0 },
};

#endif
