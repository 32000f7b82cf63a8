/*
 * console.h - the guest console on the host side: buffered output to the console fd and
 * non-blocking input from it. Output is flushed on newline, when the buffer fills, before
 * every event (so console and events stay ordered), and by a short timer for partial lines.
 */
#ifndef BOOTCASE_CONSOLE_H
#define BOOTCASE_CONSOLE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "dev.h"

#define CONSOLE_BUF 4096

struct events;

struct console {
	int out_fd;
	int in_fd;
	uint8_t buf[CONSOLE_BUF];
	size_t len;
	int seen_output;
	uint64_t written; /* bytes written to out_fd: the "end" event's console_bytes */
	uint64_t dropped; /* bytes that never got there: the reader was gone or stalled */
	int in_eof;
	struct events *ev;     /* for the first-output phase */
	void (*arm_flush)(void *ctx); /* ask for a flush soon (partial line pending) */
	void *arm_ctx;
	volatile sig_atomic_t *abort; /* set: give up a blocked write (the run is over) */
	struct byte_sink sink;
	struct byte_source source;
};

void console__init(struct console *con, int out_fd, int in_fd, struct events *ev);
/* Write the buffer out, blocking while the reader is slow (vCPU threads). A signal that
 * interrupts the write once *abort is set leaves the rest in the buffer and returns. */
void console__flush(struct console *con);
/* Write what fits without blocking (the main thread); 1 while bytes remain buffered. */
int console__flush_nowait(struct console *con);
/* The end of the run: write what the reader takes within timeout_ms, drop (and count) the
 * rest. */
void console__drain(struct console *con, int timeout_ms);
size_t console__read(struct console *con, uint8_t *buf, size_t len);
/* Is input waiting to be read (or EOF to be seen)? Never blocks. */
int console__input_ready(struct console *con);

#endif
