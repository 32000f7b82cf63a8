/*
 * console.c - the host end of the guest console.
 *
 * Guest output arrives a byte at a time (one SBI or MMIO exit each), so it is buffered and
 * written on newline, when the buffer fills, before every event line (console text and
 * events keep their order), and when the flush timer asks (a partial line must not wait
 * for the next newline: a guest that prints a prompt and spins still shows it).
 * Input is read without blocking: poll() with a zero timeout, then read what is there.
 *
 * Output is written from two kinds of thread. A vCPU thread may block on a slow reader (its
 * guest waits, as on a real UART); the stop kicks it out of that write. The main thread, which
 * keeps the deadline, must never block: it only writes what poll() says fits now.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "events.h"

static int console_aborted(const struct console *con)
{
	return con->abort && *con->abort;
}

/* n bytes from the front of the buffer reached the fd. */
static void console_consume(struct console *con, size_t n)
{
	memmove(con->buf, con->buf + n, con->len - n);
	con->len -= n;
	con->written += (uint64_t)n;
}

/* The fd is gone (the reader closed it, or it failed): drop output from now on. */
static void console_lose_fd(struct console *con)
{
	con->out_fd = -1;
	con->dropped += con->len;
	con->len = 0;
}

void console__flush(struct console *con)
{
	while (con->out_fd >= 0 && con->len) {
		ssize_t n = write(con->out_fd, con->buf, con->len);

		if (n > 0) {
			console_consume(con, (size_t)n);
			continue;
		}
		/*
		 * The kick of the stop (vm-run.c) interrupts a write blocked on a reader that
		 * stalled: once the run is over, leave the rest for the bounded drain at the end
		 * (console__drain), so the stop never waits on the reader.
		 */
		if (n < 0 && errno == EINTR) {
			if (console_aborted(con))
				return;
			continue;
		}
		console_lose_fd(con);
	}
	if (con->out_fd < 0)
		console_lose_fd(con);
}

/*
 * Write what the fd takes without blocking, waiting at most timeout_ms for room (0: only
 * what fits now). Each write follows a POLLOUT and is at most PIPE_BUF bytes, which a pipe
 * (or the virtio-serial port, which takes one buffer per writable poll) accepts whole; the
 * fd itself stays blocking, as it is shared with the agent. Returns 1 while bytes remain.
 */
static int console_flush_poll(struct console *con, int timeout_ms)
{
	uint64_t until = events__now_ns() + (uint64_t)timeout_ms * 1000000ULL;

	while (con->out_fd >= 0 && con->len) {
		struct pollfd pfd = { .fd = con->out_fd, .events = POLLOUT };
		uint64_t now = events__now_ns();
		int wait_ms = now >= until ? 0 : (int)((until - now + 999999) / 1000000);
		ssize_t n;
		int r = poll(&pfd, 1, wait_ms);

		if (r < 0 && errno == EINTR && !console_aborted(con))
			continue;
		if (r <= 0)
			break; /* no room in time (or a signal to give up on): later, or never */
		if (!(pfd.revents & POLLOUT)) {
			console_lose_fd(con); /* POLLERR, POLLHUP, POLLNVAL: nobody will read it */
			break;
		}
		n = write(con->out_fd, con->buf, con->len < PIPE_BUF ? con->len : PIPE_BUF);
		if (n > 0)
			console_consume(con, (size_t)n);
		else if (!(n < 0 && (errno == EINTR || errno == EAGAIN)))
			console_lose_fd(con);
	}
	if (con->out_fd < 0)
		console_lose_fd(con);
	return con->len != 0;
}

int console__flush_nowait(struct console *con)
{
	return console_flush_poll(con, 0);
}

void console__drain(struct console *con, int timeout_ms)
{
	console_flush_poll(con, timeout_ms);
	con->dropped += con->len; /* the reader stalled: what is left never reaches it */
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

		if (!n) { /* the flush gave up, as the run is over: this output goes nowhere */
			con->dropped += len;
			return;
		}
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
