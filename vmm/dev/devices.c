/*
 * devices.c - the device table: which model sits at which layout.h window, on which PLIC
 * source, and where console input goes.
 *
 *   CLINT       layout CLINT, --profile xv6 only (dev/clint.c: the xv6 timervec model)
 *   PLIC        layout PLIC, one M and one S context per hart (contexts 2h, 2h + 1); absent
 *               with --irqchip aia, where each source below goes to KVM's APLIC instead
 *               (struct devices_irqchip: the core's KVM_IRQ_LINE, no lock of ours needed)
 *   UART0       layout UART0 on source 10; console output, and console input by default
 *   virtio 0..7 layout VIRTIO0 + i * stride on source 1 + i: the --disk options in order,
 *               then the --virtio-console, then empty slots (DeviceID 0), so a driver that
 *               scans all eight slots (xv6, Linux from the DT) finds a well-formed answer;
 *               each slot is virtio-mmio version 2, or version 1 (the legacy register file,
 *               virtio-mmio-legacy-regs.c) with --virtio-transport mmio-legacy
 *
 * Console input is pushed by the main thread (devices__pump_input) into whichever device takes
 * it: the virtio-console when there is one, else the UART while its receive interrupt is on.
 * A guest that polls the UART instead pulls input itself: reading RBR, IIR or LSR first fills
 * the receive FIFO from the console, so polling guests need no interrupt and no thread.
 *
 * Each disk has its own lock and I/O thread (dev/virtio-blk.c): devices__mmio sends an
 * access to a disk's window under that disk's lock, everything else under devices.lock, and
 * a disk's interrupt reaches the PLIC through blk_irq_set, which takes devices.lock for just
 * that update. So a disk busy in host I/O holds no lock another device needs.
 *
 * The xv6 profile also bends two models toward what xv6-riscv's drivers expect of QEMU virt:
 * the virtio transports accept a driver that never acknowledges VIRTIO_F_VERSION_1 (xv6 writes
 * only the low feature word), and the UART sends THR-empty as one pulse per byte (uart16550.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "disk.h"

/* RBR, IIR and LSR show received data; other registers skip the console poll. */
#define UART_SHOWS_RX(off) ((off) == 0 || (off) == 2 || (off) == 5)

static struct devices *to_devices_uart(void *state)
{
	return (struct devices *)((char *)state - offsetof(struct devices, uart));
}

static void uart_fill(struct devices *d)
{
	uint8_t buf[UART16550_FIFO];
	size_t n = uart16550__rx_space(&d->uart);

	if (n && !d->console_input_to_virtio) {
		n = console__read(d->con, buf, n);
		uart16550__push_input(&d->uart, buf, n);
	}
}

static int uart_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct devices *d = to_devices_uart(state);

	if (UART_SHOWS_RX(off))
		uart_fill(d);
	return uart16550_ops.read(&d->uart, off, data, len);
}

static int uart_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct devices *d = to_devices_uart(state);
	int ret = uart16550_ops.write(&d->uart, off, data, len);

	/* the receive interrupt was just enabled: input that waited for it is due now */
	if (!ret && off == 1 && uart16550__rx_irq_enabled(&d->uart))
		uart_fill(d);
	return ret;
}

static const struct dev_ops uart_ops = {
	.name = "uart16550",
	.read = uart_read,
	.write = uart_write,
};

/* A disk's line changed (with the disk's lock held): update the PLIC under devices.lock. */
static void blk_irq_set(void *ctx, int level)
{
	struct devices_blk_irq *bi = ctx;

	pthread_mutex_lock(&bi->d->lock);
	bi->plic.set(bi->plic.ctx, level);
	pthread_mutex_unlock(&bi->d->lock);
}

/* A source's line into an external irqchip (with the owning device's lock held). */
static void ext_irq_set(void *ctx, int level)
{
	struct devices_ext_line *l = ctx;

	level = !!level;
	if (l->level == level)
		return;
	l->level = level;
	l->d->irqchip.set(l->d->irqchip.ctx, l->source, level);
}

/* The line for wired source `source`: the PLIC's, or the external irqchip's. */
static struct irq_line devices_line(struct devices *d, unsigned source)
{
	struct devices_ext_line *l = &d->ext[source];

	if (!d->irqchip.set)
		return plic__irq_line(&d->plic, source);
	*l = (struct devices_ext_line){ d, source, -1 };
	return (struct irq_line){ .set = ext_irq_set, .ctx = l }; /* no pulse: KVM takes levels */
}

/* Where virtio-mmio slot i's registers start: the slots follow each other from VIRTIO0's base. */
static uint64_t slot_base(unsigned i)
{
	return layout[LAYOUT_VIRTIO0].base + (uint64_t)i * LAYOUT_VIRTIO_STRIDE;
}

static int devices_add_slot(struct devices *d, unsigned i, struct virtio_mmio *mmio,
			    const char *kind, char *err, size_t errlen)
{
	uint64_t base = slot_base(i);
	struct virtio_slot *s = &d->slots[i];

	s->mmio = mmio;
	if (d->legacy_virtio)
		virtio_mmio__set_legacy(mmio);
	s->ops = d->legacy_virtio ? virtio_mmio_legacy_ops : virtio_mmio_ops;
	snprintf(s->name, sizeof(s->name), "%s@%llx", kind, (unsigned long long)base);
	s->ops.name = s->name;
	if (mmio__register(&d->bus, base, LAYOUT_VIRTIO_STRIDE, &s->ops, mmio)) {
		snprintf(err, errlen, "cannot map %s", s->name);
		return -EINVAL;
	}
	return 0;
}

static int devices_add_disk(struct devices *d, const struct disk_config *dc, unsigned slot,
			    struct guest_mem mem, const char *root, char *err, size_t errlen)
{
	unsigned i = d->nr_blk;
	const char *serial = NULL;
	int fd, ret;

	fd = disk__open(dc->path, dc->read_only, root, &serial, err, errlen);
	if (fd < 0)
		return fd;
	d->blk_fd[i] = fd;
	d->blk_ro[i] = dc->read_only;
	d->nr_blk++;
	d->blk_irq[i].d = d;
	d->blk_irq[i].plic = devices_line(d, layout[LAYOUT_VIRTIO0].irq + slot);
	/* the PLIC model needs devices.lock; the in-kernel irqchip needs none of ours */
	ret = virtio_blk__init(&d->blk[i], fd, dc->read_only, serial, mem,
			       d->irqchip.set ? d->blk_irq[i].plic
					      : (struct irq_line){ .set = blk_irq_set, .ctx = &d->blk_irq[i] });
	d->blk[i].mmio.accept_legacy_driver = d->xv6;
	if (ret) {
		snprintf(err, errlen, "--disk %s: cannot size it: %s", dc->path, strerror(-ret));
		return ret;
	}
	if (d->blk[i].capacity == 0) {
		snprintf(err, errlen, "--disk %s: smaller than one 512-byte sector", dc->path);
		return -EINVAL;
	}
	return devices_add_slot(d, slot, &d->blk[i].mmio, "virtio-blk", err, errlen);
}

int devices__init(struct devices *d, const struct vm_config *cfg, struct console *con,
		  struct guest_mem mem, plic_notify_fn notify, void *notify_ctx,
		  const struct clint_hooks *clint_hooks, const struct devices_irqchip *irqchip,
		  const char *root, char *err, size_t errlen)
{
	const struct layout_entry *plic = &layout[LAYOUT_PLIC], *uart = &layout[LAYOUT_UART0];
	const struct layout_entry *clint = &layout[LAYOUT_CLINT];
	struct clint_hooks no_hooks = { 0 };
	unsigned slot = 0, i;
	int ret;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < CONFIG_MAX_DISKS; i++)
		d->blk_fd[i] = -1;
	pthread_mutex_init(&d->lock, NULL);
	d->con = con;
	d->console_input_to_virtio = cfg->virtio_console;
	d->xv6 = cfg->profile == PROFILE_XV6;
	d->legacy_virtio = cfg->virtio_transport == VIRTIO_TRANSPORT_MMIO_LEGACY;
	mmio__init(&d->bus);
	if (irqchip)
		d->irqchip = *irqchip;

	if (d->xv6) {
		if (clint__init(&d->clint, (unsigned)cfg->cpus, clint_hooks ? *clint_hooks : no_hooks) ||
		    mmio__register(&d->bus, clint->base, clint->size, &clint_ops, &d->clint)) {
			snprintf(err, errlen, "cannot set up the CLINT for %llu harts",
				 (unsigned long long)cfg->cpus);
			return -EINVAL;
		}
		d->has_clint = 1;
	}

	if (plic__init(&d->plic, (unsigned)cfg->cpus, notify, notify_ctx) ||
	    (!d->irqchip.set &&
	     mmio__register(&d->bus, plic->base, plic->size, &plic_ops, &d->plic))) {
		snprintf(err, errlen, "cannot set up the PLIC for %llu harts",
			 (unsigned long long)cfg->cpus);
		return -EINVAL;
	}
	uart16550__init(&d->uart, con->sink, devices_line(d, uart->irq));
	d->uart.thre_pulses = d->xv6;
	if (mmio__register(&d->bus, uart->base, uart->size, &uart_ops, &d->uart)) {
		snprintf(err, errlen, "cannot map the UART");
		return -EINVAL;
	}
	for (i = 0; i < cfg->nr_disks; i++) {
		ret = devices_add_disk(d, &cfg->disks[i], slot++, mem, root, err, errlen);
		if (ret)
			return ret;
	}
	if (cfg->virtio_console) {
		virtio_console__init(&d->vcon, con->sink, mem,
				     devices_line(d, layout[LAYOUT_VIRTIO0].irq + slot));
		ret = devices_add_slot(d, slot++, &d->vcon.mmio, "virtio-console", err, errlen);
		if (ret)
			return ret;
	}
	for (; slot < LAYOUT_VIRTIO_SLOTS; slot++) {
		virtio_mmio__init(&d->empty[slot], NULL, mem, (struct irq_line){ .set = NULL });
		ret = devices_add_slot(d, slot, &d->empty[slot], "virtio-empty", err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

size_t devices__input_space(struct devices *d)
{
	if (d->console_input_to_virtio)
		return virtio_console__input_space(&d->vcon);
	return uart16550__rx_irq_enabled(&d->uart) ? uart16550__rx_space(&d->uart) : 0;
}

int devices__pump_input(struct devices *d)
{
	uint8_t buf[VIRTIO_CONSOLE_PENDING];
	size_t n = devices__input_space(d);
	long taken;

	if (!n)
		return 0;
	if (!d->console_input_to_virtio) {
		uart_fill(d);
		return 0;
	}
	if (n > sizeof(buf))
		n = sizeof(buf);
	n = console__read(d->con, buf, n);
	if (!n)
		return 0;
	/* input_space() said these fit, so the device takes them all or fails */
	taken = virtio_console__push_input(&d->vcon, buf, n);
	if (taken < 0) {
		snprintf(d->err, sizeof(d->err), "%s", virtio_mmio__error(&d->vcon.mmio));
		return -1;
	}
	return 0;
}

int devices__mmio(struct devices *d, uint64_t addr, uint8_t *data, uint32_t len, int is_write,
		  struct mmio_miss *miss)
{
	uint64_t v0 = slot_base(0);
	pthread_mutex_t *lock = &d->lock;
	int ret;

	/* the disks sit in slots 0 .. nr_blk - 1 (devices__init) */
	if (addr >= v0 && addr < slot_base(d->nr_blk))
		lock = &d->blk[(addr - v0) / LAYOUT_VIRTIO_STRIDE].lock;
	pthread_mutex_lock(lock);
	ret = mmio__dispatch(&d->bus, addr, data, len, is_write, miss);
	pthread_mutex_unlock(lock);
	return ret;
}

/* On disk blk's I/O thread, its lock held: the request broke it. */
static void devices_blk_failed(void *ctx, struct virtio_blk *blk)
{
	struct devices *d = ctx;
	char msg[sizeof(blk->mmio.err)];

	snprintf(msg, sizeof(msg), "%s", virtio_mmio__error(&blk->mmio));
	if (d->fault) /* disk i is in slot i */
		d->fault(d->fault_ctx, d->slots[blk - d->blk].name, msg);
}

/* Disks take slots 0.. in order (devices__init), so disk i is slot i. */
uint64_t devices__blk_notify_addr(const struct devices *d, unsigned i)
{
	(void)d;
	return slot_base(i) + VIRTIO_MMIO_QUEUE_NOTIFY;
}

int devices__blk_notify(struct devices *d, unsigned i, unsigned queue)
{
	uint8_t v[4] = { (uint8_t)queue, (uint8_t)(queue >> 8), (uint8_t)(queue >> 16), (uint8_t)(queue >> 24) };
	struct mmio_miss miss = { 0 };

	if (!devices__mmio(d, devices__blk_notify_addr(d, i), v, 4, 1, &miss))
		return 0;
	snprintf(d->err, sizeof(d->err), "QueueNotify %u (by ioeventfd): %s", queue,
		 miss.msg[0] ? miss.msg : "refused");
	return -1;
}

int devices__start_io(struct devices *d, devices_fault_fn fault, void *ctx)
{
	d->fault = fault;
	d->fault_ctx = ctx;
	for (unsigned i = 0; i < d->nr_blk; i++) {
		int ret = virtio_blk__start_io(&d->blk[i], devices_blk_failed, d);

		if (ret)
			return ret;
	}
	return 0;
}

void devices__stop_io(struct devices *d)
{
	for (unsigned i = 0; i < d->nr_blk; i++)
		virtio_blk__stop_io(&d->blk[i]);
}

void devices__set_stop(struct devices *d, const volatile sig_atomic_t *stop)
{
	for (unsigned i = 0; i < d->nr_blk; i++)
		d->blk[i].mmio.stop = stop;
	d->vcon.mmio.stop = stop;
}

int devices__sync(struct devices *d)
{
	int ret = 0;

	for (unsigned i = 0; i < d->nr_blk; i++) {
		if (d->blk_ro[i] || fdatasync(d->blk_fd[i]) == 0)
			continue;
		snprintf(d->err, sizeof(d->err), "fdatasync of disk %u: %s", i, strerror(errno));
		ret = -1;
	}
	return ret;
}

void devices__close(struct devices *d)
{
	devices__stop_io(d);
	for (unsigned i = 0; i < CONFIG_MAX_DISKS; i++) {
		if (d->blk_fd[i] >= 0)
			close(d->blk_fd[i]);
		d->blk_fd[i] = -1;
	}
	d->nr_blk = 0;
}
