/*
 * events.h - the JSON-line event writer (docs/protocol.md, "Events port").
 *
 * A line is built in a fixed buffer (struct jline) and handed to the port with a single
 * write(), so lines from the agent and the VMM never interleave mid-line. Values that must
 * survive JSON as 64-bit quantities (addresses, EIDs, FIDs) are written as hex strings.
 */
#ifndef BOOTCASE_EVENTS_H
#define BOOTCASE_EVENTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define JLINE_MAX 2048

struct jline {
	char buf[JLINE_MAX];
	size_t len;
	int need_comma;
	int overflow;
};

struct events {
	int fd;
	int has_run;
	uint64_t run_id;
	uint64_t t0_ns; /* CLOCK_MONOTONIC when the VMM started */
	int failed;     /* a write failed: stop trying, never block the VMM on a dead port */
	/* set: a write that a signal interrupts gives up (the run is over, the port stalled) */
	const volatile sig_atomic_t *abort;
	char batch[4096]; /* batched lines (events__emit_batched), at most one atomic write */
	size_t batch_len;
};

void jline__begin(struct jline *l, const char *ev);
void jline__str(struct jline *l, const char *key, const char *val);
void jline__i64(struct jline *l, const char *key, int64_t val);
void jline__u64(struct jline *l, const char *key, uint64_t val);
void jline__hex(struct jline *l, const char *key, uint64_t val);
void jline__bool(struct jline *l, const char *key, int val);
/* A value that is not known (a register KVM would not read back). */
void jline__null(struct jline *l, const char *key);
void jline__obj_begin(struct jline *l, const char *key);
void jline__obj_end(struct jline *l);
/* An array value; its elements are written with a NULL key (jline__str(l, NULL, "x")). */
void jline__arr_begin(struct jline *l, const char *key);
void jline__arr_end(struct jline *l);
int jline__end(struct jline *l);

/* JSON string body escaping (no quotes); returns the length it wanted, like snprintf. */
size_t json__escape(char *out, size_t cap, const char *in);

uint64_t events__now_ns(void);
void events__init(struct events *ev, int fd);
void events__set_run(struct events *ev, uint64_t run_id);
uint64_t events__t_us(const struct events *ev);
/* Start a VMM event line: {"v":1,"ev":NAME,"run":ID,"t_us":T */
void events__begin(const struct events *ev, struct jline *l, const char *name);
int events__emit(struct events *ev, struct jline *l);
/*
 * For the high-volume "sbi" trace: keep the line and write it with others, in one write of
 * at most 4 KiB, before the next unbatched event or when the batch is full. Every write to
 * the port is an exit of L1 to QEMU, costlier than the SBI call traced. Same locking as
 * events__emit (the caller serializes).
 */
int events__emit_batched(struct events *ev, struct jline *l);
int events__flush(struct events *ev);
void events__phase(struct events *ev, const char *name);
void events__error(struct events *ev, const char *msg);

#endif
