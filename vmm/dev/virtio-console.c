/*
 * virtio-console.c - virtio console device, virtio 1.x spec 5.3, one port, no MULTIPORT.
 *
 * Queues (5.3.2): 0 receiveq (port 0 input, host -> guest), 1 transmitq (port 0 output).
 * Configuration space (5.3.4), little-endian, read-only and all zero here because none of the
 * features that give it meaning (SIZE, MULTIPORT, EMERG_WRITE) are offered:
 *
 *   0x00 le16 cols   0x02 le16 rows   0x04 le32 max_nr_ports   0x08 le32 emerg_wr
 *
 * The driver posts empty device-writable buffers on the receiveq; host input fills them in order
 * and is held in a small ring while none are posted (a guest that has not set up its console
 * yet loses nothing typed early). Buffers on the transmitq are device-readable only and go to
 * the byte sink as they are popped; the transmitter is infinitely fast. A buffer in the wrong
 * direction is a driver bug and fails the device.
 *
 * Held input survives a device reset: it belongs to the host side of the line, not to the
 * driver session that was reset.
 */
#include <errno.h>
#include <string.h>

#include "virtio-console.h"

#define CONSOLE_CONFIG_BYTES 12

static struct virtio_console *to_console(struct virtio_mmio *mmio)
{
	return container_of(mmio, struct virtio_console, mmio);
}

static void console_config_read(struct virtio_mmio *mmio, uint32_t off, uint8_t *data, uint32_t len)
{
	(void)mmio;
	(void)off;
	memset(data, 0, len);
}

/* Move held input into posted receive buffers. 0, or -EINVAL after failing the device. */
static int console_flush_input(struct virtio_console *con)
{
	struct virtio_mmio *mmio = &con->mmio;
	struct virtq *vq = &mmio->vqs[VIRTIO_CONSOLE_RX_QUEUE];
	const struct virtq_chain *c = &con->chain;
	bool pushed = false;
	unsigned served;
	int r = 0;

	for (served = 0; con->pending_count && virtio_mmio__live(mmio) && vq->started &&
			 virtio_mmio__may_serve(mmio, vq, served);
	     served++) {
		size_t n = 0;

		r = virtq__pop(vq, &con->chain);
		if (r <= 0)
			break;
		if (c->nr_out)
			return virtio_mmio__fail(mmio, "receive buffer %u has %u device-readable bytes",
						 c->head, c->out_bytes);
		while (n < c->in_bytes && con->pending_count) {
			size_t chunk = con->pending_count;

			if (chunk > VIRTIO_CONSOLE_PENDING - con->pending_head)
				chunk = VIRTIO_CONSOLE_PENDING - con->pending_head;
			if (chunk > c->in_bytes - n)
				chunk = c->in_bytes - n;
			virtq_chain__write(c, n, con->pending + con->pending_head, chunk);
			con->pending_head = (con->pending_head + chunk) % VIRTIO_CONSOLE_PENDING;
			con->pending_count -= chunk;
			n += chunk;
		}
		if (virtq__push(vq, c->head, (uint32_t)n) < 0)
			return virtio_mmio__queue_fail(mmio, VIRTIO_CONSOLE_RX_QUEUE);
		pushed = true;
	}
	if (pushed)
		virtio_mmio__signal_used(mmio, VIRTIO_CONSOLE_RX_QUEUE);
	return r < 0 ? virtio_mmio__queue_fail(mmio, VIRTIO_CONSOLE_RX_QUEUE) : 0;
}

static int console_transmit(struct virtio_console *con)
{
	struct virtio_mmio *mmio = &con->mmio;
	struct virtq *vq = &mmio->vqs[VIRTIO_CONSOLE_TX_QUEUE];
	const struct virtq_chain *c = &con->chain;
	bool pushed = false;
	unsigned served;
	int r = 0;

	for (served = 0; virtio_mmio__may_serve(mmio, vq, served) &&
			 (r = virtq__pop(vq, &con->chain)) > 0;
	     served++) {
		if (c->nr_in)
			return virtio_mmio__fail(mmio, "transmit buffer %u has %u device-writable bytes",
						 c->head, c->in_bytes);
		for (unsigned i = 0; i < c->nr_out; i++)
			if (c->iov[i].iov_len && con->out.write)
				con->out.write(con->out.ctx, c->iov[i].iov_base, c->iov[i].iov_len);
		if (virtq__push(vq, c->head, 0) < 0)
			return virtio_mmio__queue_fail(mmio, VIRTIO_CONSOLE_TX_QUEUE);
		pushed = true;
	}
	if (pushed)
		virtio_mmio__signal_used(mmio, VIRTIO_CONSOLE_TX_QUEUE);
	return r < 0 ? virtio_mmio__queue_fail(mmio, VIRTIO_CONSOLE_TX_QUEUE) : 0;
}

static int console_notify(struct virtio_mmio *mmio, unsigned queue)
{
	struct virtio_console *con = to_console(mmio);

	return queue == VIRTIO_CONSOLE_RX_QUEUE ? console_flush_input(con) : console_transmit(con);
}

static const struct virtio_mmio_backend console_backend = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.num_queues = 2,
	.queue_max = VIRTIO_CONSOLE_QUEUE_MAX,
	.config_size = CONSOLE_CONFIG_BYTES,
	.config_read = console_config_read,
	.notify = console_notify,
};

void virtio_console__init(struct virtio_console *con, struct byte_sink out, struct guest_mem mem,
			  struct irq_line irq)
{
	memset(con, 0, sizeof(*con));
	con->out = out;
	virtio_mmio__init(&con->mmio, &console_backend, mem, irq);
}

size_t virtio_console__input_space(const struct virtio_console *con)
{
	return VIRTIO_CONSOLE_PENDING - con->pending_count;
}

long virtio_console__push_input(struct virtio_console *con, const uint8_t *buf, size_t len)
{
	size_t taken = 0;

	while (taken < len && con->pending_count < VIRTIO_CONSOLE_PENDING) {
		size_t tail = (con->pending_head + con->pending_count) % VIRTIO_CONSOLE_PENDING;

		con->pending[tail] = buf[taken++];
		con->pending_count++;
	}
	if (console_flush_input(con) < 0)
		return -EINVAL;
	return (long)taken;
}
