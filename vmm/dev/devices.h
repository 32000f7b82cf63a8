/*
 * devices.h - the door of dev/: the machine's devices, placed where layout.h says, and their
 * locks.
 *
 * The device models (PLIC, UART, virtio) are plain C without locking. Several vCPU threads
 * (MMIO and SBI console exits), the VMM's main thread (console input, flushes) and one I/O
 * thread per disk call into them, so every call holds the lock of the state it reaches:
 *
 *   blk[i].lock   disk i: its virtio transport and virtqueue. MMIO to its window
 *                 (devices__mmio) and its I/O thread, which does the host I/O under it.
 *   lock          everything else: the PLIC (and the KVM_INTERRUPTs of its notify), the
 *                 UART, the CLINT, the virtio-console and empty slots, the console buffer;
 *                 vm.h lists what the VMM adds (events, HSM).
 *
 * Lock order: blk[i].lock, then lock (a disk raising its PLIC line), never the reverse, and
 * never two disks' locks at once. Nothing blocks on host I/O while holding lock, so a busy
 * disk stalls only accesses to that disk, never another hart's console.
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

/* A disk's PLIC line, taken through devices.lock (the disk runs under its own lock). */
struct devices_blk_irq {
	struct devices *d;
	struct irq_line plic;
};

/*
 * --irqchip aia: the interrupt controller is KVM's (the core's KVM_IRQ_LINE), not the PLIC
 * model. set() drives wired source `source` (a layout.h irq) to level; it is called from any
 * thread under the lock of the device that owns the source, never under devices.lock alone.
 */
struct devices_irqchip {
	void (*set)(void *ctx, unsigned source, int level);
	void *ctx;
};

/* A source's line into that irqchip, with the last level sent: an unchanged level is no call. */
struct devices_ext_line {
	struct devices *d;
	unsigned source;
	int level; /* -1 = not sent yet */
};

/* A device failed where no MMIO access sees it (a disk's I/O thread): end the run. */
typedef void (*devices_fault_fn)(void *ctx, const char *device, const char *msg);

struct devices {
	pthread_mutex_t lock;
	struct mmio_bus bus;
	struct plic plic; /* unused (and not mapped) with an external irqchip */
	struct devices_irqchip irqchip; /* set != NULL: the lines go there instead */
	struct devices_ext_line ext[LAYOUT_AIA_SOURCES + 1];
	struct clint clint; /* --profile xv6 only (has_clint) */
	int has_clint;
	int xv6; /* --profile xv6: the model quirks that profile asks for (devices.c) */
	int legacy_virtio; /* --virtio-transport mmio-legacy: every slot is virtio-mmio version 1 */
	struct uart16550 uart;
	struct console *con;
	int console_input_to_virtio; /* --virtio-console: input goes there, not to the UART */
	struct virtio_console vcon;
	struct virtio_blk blk[CONFIG_MAX_DISKS];
	int blk_fd[CONFIG_MAX_DISKS];
	int blk_ro[CONFIG_MAX_DISKS];
	unsigned nr_blk;
	struct devices_blk_irq blk_irq[CONFIG_MAX_DISKS];
	devices_fault_fn fault;
	void *fault_ctx;
	struct virtio_mmio empty[LAYOUT_VIRTIO_SLOTS];
	struct virtio_slot slots[LAYOUT_VIRTIO_SLOTS];
	char err[240]; /* why devices__pump_input() or devices__sync() failed */
};

/*
 * Build the PLIC (nr_harts = cfg->cpus, S-context level changes go to notify), the UART on its
 * PLIC source, and the virtio slots: cfg's disks from slot 0, then the virtio-console, then
 * empty slots. With --profile xv6 also the CLINT, wired to clint_hooks (NULL: no-op hooks).
 * With irqchip (--irqchip aia; NULL otherwise) there is no PLIC: every source goes to it.
 * root prefixes /sys and /dev for "serial:" disks ("" but in tests). 0 or -errno + err.
 */
int devices__init(struct devices *d, const struct vm_config *cfg, struct console *con,
		  struct guest_mem mem, plic_notify_fn notify, void *notify_ctx,
		  const struct clint_hooks *clint_hooks, const struct devices_irqchip *irqchip,
		  const char *root, char *err, size_t errlen);

/*
 * A vCPU's MMIO access (mmio__dispatch on d->bus), under the lock of the device it reaches
 * (see the top): 0, -ENOENT or -EIO + miss. Takes the lock itself.
 */
int devices__mmio(struct devices *d, uint64_t addr, uint8_t *data, uint32_t len, int is_write,
		  struct mmio_miss *miss);

/*
 * Start each disk's I/O thread (once, before the vCPUs run; 0 or -errno). fault is called on
 * a disk's thread when a request breaks the device. stop_io, once the run is over and *stop
 * set (devices__set_stop), lets each finish the request in hand and joins it: call it before
 * devices__sync. Both take the locks they need.
 */
int devices__start_io(struct devices *d, devices_fault_fn fault, void *ctx);
void devices__stop_io(struct devices *d);

/*
 * Disk i's QueueNotify register (its slot's base + 0x050), and a notify of queue that did not
 * come as an MMIO access (a KVM ioeventfd, core/vm-notify.c): handled as that MMIO write would
 * be, under the disk's lock. 0, or -1 with d->err set when the transport refused it.
 */
uint64_t devices__blk_notify_addr(const struct devices *d, unsigned i);
int devices__blk_notify(struct devices *d, unsigned i, unsigned queue);

/* The rest is called with d->lock held. */

/* How many console input bytes the guest's input device would take now; 0 means "do not read
 * the console": nothing takes input, or the guest polls for it (it pulls on LSR/RBR reads). */
size_t devices__input_space(struct devices *d);
/* Move waiting console input into the input device (never blocks). 0, or -1 with d->err set
 * when the device failed (a broken receive queue): the run must end with a device fault. */
int devices__pump_input(struct devices *d);
/* fdatasync the writable disks (their I/O threads joined); 0 or -1 with d->err set. */
int devices__sync(struct devices *d);
/* The run is over once *stop is set: the virtio devices serve no more requests. Called
 * before the vCPU threads start. */
void devices__set_stop(struct devices *d, const volatile sig_atomic_t *stop);

/* Close the disks (no lock needed: every vCPU thread is gone; joins the I/O threads). */
void devices__close(struct devices *d);

#endif
