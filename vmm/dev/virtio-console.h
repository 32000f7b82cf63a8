/*
 * virtio-console.h - a single-port virtio console (spec 5.3) between the guest and a byte sink.
 */
#ifndef BOOTCASE_VIRTIO_CONSOLE_H
#define BOOTCASE_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "virtio-mmio.h"

#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_CONSOLE_RX_QUEUE 0 /* receiveq: host -> guest */
#define VIRTIO_CONSOLE_TX_QUEUE 1 /* transmitq: guest -> host */
#define VIRTIO_CONSOLE_QUEUE_MAX 128
#define VIRTIO_CONSOLE_PENDING 4096 /* input held while the guest has no receive buffers */

struct virtio_console {
	struct virtio_mmio mmio; /* map &con->mmio with virtio_mmio_ops */
	struct byte_sink out;
	uint8_t pending[VIRTIO_CONSOLE_PENDING]; /* ring of input not yet in a guest buffer */
	size_t pending_head, pending_count;
	struct virtq_chain chain;
};

void virtio_console__init(struct virtio_console *con, struct byte_sink out, struct guest_mem mem,
			  struct irq_line irq);
/*
 * Host input for the guest: delivered into receive buffers at once if the driver posted some,
 * otherwise held (up to VIRTIO_CONSOLE_PENDING bytes) until it does. Returns how many bytes were
 * taken (the rest stay with the caller), or -EINVAL if the receive queue is broken (the message
 * is in virtio_mmio__error(&con->mmio) and the device needs a reset).
 */
long virtio_console__push_input(struct virtio_console *con, const uint8_t *buf, size_t len);
/* How many more input bytes push_input would take now. */
size_t virtio_console__input_space(const struct virtio_console *con);

#endif
