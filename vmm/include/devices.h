/*
 * devices.h - the machine's devices, placed where layout.h says, and the one lock over them.
 *
 * The device models (PLIC, UART, virtio) are plain C without locking. Several vCPU threads
 * (MMIO and SBI console exits) and the VMM's main thread (console input, flushes) call into
 * them, so every such call holds devices.lock: the PLIC's notify callback, the irq lines and
 * the console buffer are all reached from inside those calls.
 */
#ifndef BOOTCASE_DEVICES_H
#define BOOTCASE_DEVICES_H

#include <pthread.h>
#include <stddef.h>

#include "clint.h"
#include "config.h"
#include "console.h"
#include "layout.h"
#include "mmio.h"
#include "plic.h"
#include "uart16550.h"
#include "virtio-blk.h"
#include "virtio-console.h"

/* One virtio-mmio window: a device, or an empty slot that answers DeviceID 0. */
struct virtio_slot {
	struct virtio_mmio *mmio;
	struct dev_ops ops; /* virtio_mmio_ops under the slot's own name, for fault reports */
	char name[48];      /* "virtio-blk@10001000" */
};

struct devices {
	pthread_mutex_t lock;
	struct mmio_bus bus;
	struct plic plic;
	struct clint clint; /* --profile xv6 only (has_clint) */
	int has_clint;
	int xv6; /* --profile xv6: the model quirks that profile asks for (devices.c) */
	struct uart16550 uart;
	struct console *con;
	int console_input_to_virtio; /* --virtio-console: input goes there, not to the UART */
	struct virtio_console vcon;
	struct virtio_blk blk[CONFIG_MAX_DISKS];
	int blk_fd[CONFIG_MAX_DISKS];
	int blk_ro[CONFIG_MAX_DISKS];
	unsigned nr_blk;
	struct virtio_mmio empty[LAYOUT_VIRTIO_SLOTS];
	struct virtio_slot slots[LAYOUT_VIRTIO_SLOTS];
	char err[240]; /* why devices__pump_input() or devices__sync() failed */
};

/*
 * Build the PLIC (nr_harts = cfg->cpus, S-context level changes go to notify), the UART on its
 * PLIC source, and the virtio slots: cfg's disks from slot 0, then the virtio-console, then
 * empty slots. With --profile xv6 also the CLINT, wired to clint_hooks (NULL: no-op hooks).
 * root prefixes /sys and /dev for "serial:" disks ("" but in tests). 0 or -errno + err.
 */
int devices__init(struct devices *d, const struct vm_config *cfg, struct console *con,
		  struct guest_mem mem, plic_notify_fn notify, void *notify_ctx,
		  const struct clint_hooks *clint_hooks, const char *root, char *err,
		  size_t errlen);

/* The rest is called with d->lock held. */

/* How many console input bytes the guest's input device would take now; 0 means "do not read
 * the console": nothing takes input, or the guest polls for it (it pulls on LSR/RBR reads). */
size_t devices__input_space(struct devices *d);
/* Move waiting console input into the input device (never blocks). 0, or -1 with d->err set
 * when the device failed (a broken receive queue): the run must end with a device fault. */
int devices__pump_input(struct devices *d);
/* fdatasync the writable disks; 0 or -1 with d->err set. */
int devices__sync(struct devices *d);
/* The run is over once *stop is set: the virtio devices serve no more requests. Called
 * before the vCPU threads start. */
void devices__set_stop(struct devices *d, const volatile sig_atomic_t *stop);

/* Close the disks (no lock needed: every thread is gone). */
void devices__close(struct devices *d);

#endif
