/*
 * dev.h - the contract between MMIO device models and the rest of the VMM.
 *
 * A device model is plain C over its own state struct. It never sees KVM, a kvm_run or an
 * absolute guest address: mmio.c translates a guest physical address into (device, offset),
 * and the device reports interrupts and output through the small callback structs below.
 * That is what lets vmm/tests/ drive every device on the build host (make check) with a
 * fake irq line and a memory buffer instead of a VM.
 */
#ifndef BOOTCASE_DEV_H
#define BOOTCASE_DEV_H

#include <stddef.h>
#include <stdint.h>

/*
 * An interrupt wire into the interrupt controller (a PLIC source). set() drives it as a level.
 * pulse(), where the controller has it (NULL otherwise), sends one edge-style request that the
 * controller keeps until it is delivered, even if it comes while the source is being serviced.
 */
struct irq_line {
	void (*set)(void *ctx, int level);
	void *ctx;
	void (*pulse)(void *ctx);
};

/* Where a device's output bytes go (the guest console, for the UART). */
struct byte_sink {
	void (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

/* Where a device's input bytes come from; read() never blocks and returns 0 when none wait. */
struct byte_source {
	size_t (*read)(void *ctx, uint8_t *buf, size_t len);
	void *ctx;
};

/*
 * Guest physical memory as devices may touch it (virtio DMA). translate() returns a host
 * pointer to [gpa, gpa + len) only when the whole range is guest RAM, else NULL: a device
 * must treat NULL as a guest error (a hostile descriptor), never dereference around it.
 */
struct guest_mem {
	void *(*translate)(void *ctx, uint64_t gpa, uint64_t len);
	void *ctx;
};

/*
 * MMIO handlers take the offset inside the device window and the access width (1, 2, 4 or 8).
 * Return 0 when the access was handled (reads fill *data in little-endian order), or -1 when the
 * device refuses it (an access the hardware would not decode); the VMM then ends the run with a
 * "device" fault naming the device and offset instead of guessing.
 */
struct dev_ops {
	const char *name;
	int (*read)(void *state, uint64_t off, uint8_t *data, uint32_t len);
	int (*write)(void *state, uint64_t off, const uint8_t *data, uint32_t len);
	/* Optional: why the last access returned -1 (for the fault event); NULL if unknown. */
	const char *(*last_error)(void *state);
};

#endif
