/*
 * console.c - the host end of the guest console.
 *
 * Guest output arrives a byte at a time (one SBI or MMIO exit each), so it is buffered and
 * written on newline, when the buffer fills, before every event line (console text and
 * events keep their order), and when the flush timer asks (a partial line must not wait
 * for the next newline: a guest that prints a prompt and spins still shows it).
 * Input is read without blocking: poll() with a zero timeout, then read what is there.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "events.h"

void console__flush(struct console *con)
{
	size_t done = 0;

	while (con->out_fd >= 0 && done < con->len) {
		ssize_t n = write(con->out_fd, con->buf + done, con->len - done);

		if (n > 0) {
			done += (size_t)n;
			con->written += (uint64_t)n;
			continue;
		}
		/* a deadline that fires while the reader stalls must still end the run */
		if (n < 0 && errno == EINTR && !(con->abort && *con->abort))
			continue;
		/* a console nobody reads must not wedge the VMM: drop output from now on */
		con->out_fd = -1;
	}
	con->len = 0;
}

static void console_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct console *con = ctx;
	int newline = 0;

	if (!len)
		return;
	if (!con->seen_output) {
		con->seen_output = 1;
		if (con->ev)
			events__phase(con->ev, "first-output");
	}
	while (len) {
		size_t n = sizeof(con->buf) - con->len;

		if (n > len)
			n = len;
		memcpy(con->buf + con->len, buf, n);
		if (memchr(buf, '\n', n))
			newline = 1;
		con->len += n;
		buf += n;
		len -= n;
		if (con->len == sizeof(con->buf))
			console__flush(con);
	}
	if (newline)
		console__flush(con);
	else if (con->len && con->arm_flush)
		con->arm_flush(con->arm_ctx);
}

int console__input_ready(struct console *con)
{
	struct pollfd pfd = { .fd = con->in_fd, .events = POLLIN };

	if (con->in_fd < 0 || con->in_eof)
		return 0;
	return poll(&pfd, 1, 0) > 0 && pfd.revents;
}

size_t console__read(struct console *con, uint8_t *buf, size_t len)
{
	struct pollfd pfd = { .fd = con->in_fd, .events = POLLIN };
	ssize_t n;

	if (con->in_fd < 0 || con->in_eof || !len)
		return 0;
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (!(pfd.revents & (POLLIN | POLLHUP))) {
		/* POLLERR/POLLNVAL alone: the fd will never give input, stop asking */
		con->in_eof = 1;
		return 0;
	}
	n = read(con->in_fd, buf, len);
	if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
		con->in_eof = 1;
	return n > 0 ? (size_t)n : 0;
}

static size_t console_source_read(void *ctx, uint8_t *buf, size_t len)
{
	return console__read(ctx, buf, len);
}

void console__init(struct console *con, int out_fd, int in_fd, struct events *ev)
{
	memset(con, 0, sizeof(*con));
	con->out_fd = out_fd;
	con->in_fd = in_fd;
	con->ev = ev;
	con->sink = (struct byte_sink){ console_write, con };
	con->source = (struct byte_source){ console_source_read, con };
}
