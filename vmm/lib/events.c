/*
 * events.c - JSON-line events (docs/protocol.md, "Events port").
 *
 * Every line is assembled in a struct jline and written with one write(). A line that would
 * not fit is never emitted half-formed: string values are cut short instead, and a line
 * that still overflows is dropped with a diagnostic.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "events.h"
#include "util.h"

/* Room kept free for the closing brackets of the objects still open and "}\n". */
#define JLINE_RESERVE 16

static void jline__raw(struct jline *l, const char *s, size_t n)
{
	if (l->overflow || l->len + n > JLINE_MAX - JLINE_RESERVE) {
		l->overflow = 1;
		return;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* "key": for an object member; a NULL key is an array element, only the separator. */
static void jline__key(struct jline *l, const char *key)
{
	char tmp[80];
	int n;

	if (key)
		n = snprintf(tmp, sizeof(tmp), "%s\"%s\":", l->need_comma ? "," : "", key);
	else
		n = snprintf(tmp, sizeof(tmp), "%s", l->need_comma ? "," : "");
	jline__raw(l, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
	l->need_comma = 1;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if the bytes are not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* reject overlong forms, surrogates and code points past U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

size_t json__escape(char *out, size_t cap, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0;

	while (*s) {
		char esc[8];
		const char *piece = esc;
		size_t n = utf8_seq(s), plen;

		if (n == 0) {
			piece = "\\ufffd"; /* invalid byte: JSON must stay valid UTF-8 */
			plen = 6;
			n = 1;
		} else if (*s == '"' || *s == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*s;
			plen = 2;
		} else if (*s == '\n') {
			piece = "\\n";
			plen = 2;
		} else if (*s == '\t') {
			piece = "\\t";
			plen = 2;
		} else if (*s < 0x20 || *s == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *s);
			plen = 6;
		} else {
			piece = (const char *)s;
			plen = n;
		}
		if (out && len + plen < cap)
			memcpy(out + len, piece, plen);
		else if (out && len < cap)
			cap = len + 1; /* stop here: never emit half an escape */
		len += plen;
		s += n;
	}
	if (out && cap)
		out[len < cap ? len : cap - 1] = '\0';
	return len;
}

void jline__begin(struct jline *l, const char *ev)
{
	l->len = 0;
	l->overflow = 0;
	l->need_comma = 0;
	jline__raw(l, "{", 1);
	jline__u64(l, "v", 1);
	jline__str(l, "ev", ev);
}

void jline__str(struct jline *l, const char *key, const char *val)
{
	size_t room, want;

	jline__key(l, key);
	jline__raw(l, "\"", 1);
	if (l->overflow)
		return;
	/* leave space for the closing quote and a few more short fields */
	room = JLINE_MAX - JLINE_RESERVE - l->len;
	room = room > 200 ? room - 200 : 0;
	want = json__escape(l->buf + l->len, room, val ? val : "");
	l->len += want < room ? want : (room ? strlen(l->buf + l->len) : 0);
	jline__raw(l, "\"", 1);
}

void jline__i64(struct jline *l, const char *key, int64_t val)
{
	char tmp[32];

	jline__key(l, key);
	jline__raw(l, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, val));
}

void jline__u64(struct jline *l, const char *key, uint64_t val)
{
	char tmp[32];

	jline__key(l, key);
	jline__raw(l, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, val));
}

void jline__hex(struct jline *l, const char *key, uint64_t val)
{
	char tmp[32];

	jline__key(l, key);
	jline__raw(l, tmp, (size_t)snprintf(tmp, sizeof(tmp), "\"0x%" PRIx64 "\"", val));
}

void jline__null(struct jline *l, const char *key)
{
	jline__key(l, key);
	jline__raw(l, "null", 4);
}

void jline__bool(struct jline *l, const char *key, int val)
{
	jline__key(l, key);
	jline__raw(l, val ? "true" : "false", val ? 4 : 5);
}

void jline__obj_begin(struct jline *l, const char *key)
{
	jline__key(l, key);
	jline__raw(l, "{", 1);
	l->need_comma = 0;
}

void jline__obj_end(struct jline *l)
{
	jline__raw(l, "}", 1);
	l->need_comma = 1;
}

void jline__arr_begin(struct jline *l, const char *key)
{
	jline__key(l, key);
	jline__raw(l, "[", 1);
	l->need_comma = 0;
}

void jline__arr_end(struct jline *l)
{
	jline__raw(l, "]", 1);
	l->need_comma = 1;
}

int jline__end(struct jline *l)
{
	if (l->overflow)
		return -ENOSPC;
	/* JLINE_RESERVE guarantees this fits */
	memcpy(l->buf + l->len, "}\n", 2);
	l->len += 2;
	return 0;
}

uint64_t events__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void events__init(struct events *ev, int fd)
{
	memset(ev, 0, sizeof(*ev));
	ev->fd = fd;
	ev->t0_ns = events__now_ns();
}

void events__set_run(struct events *ev, uint64_t run_id)
{
	ev->has_run = 1;
	ev->run_id = run_id;
}

uint64_t events__t_us(const struct events *ev)
{
	return (events__now_ns() - ev->t0_ns) / 1000;
}

void events__begin(const struct events *ev, struct jline *l, const char *name)
{
	jline__begin(l, name);
	if (ev->has_run)
		jline__u64(l, "run", ev->run_id);
	jline__u64(l, "t_us", events__t_us(ev));
}

static int events_write(struct events *ev, const char *buf, size_t len)
{
	size_t done;
	int ret;

	if (ev->failed)
		return -EPIPE;
	ret = fd__write_all_abortable(ev->fd, buf, len, ev->abort, &done);
	/* a line given up on before its first byte leaves the stream whole: later lines (the
	 * end) may still go; half a line would make the rest of the stream garbage */
	if (ret && !(ret == -EINTR && done == 0))
		ev->failed = 1;
	return ret;
}

int events__flush(struct events *ev)
{
	size_t len = ev->batch_len;

	ev->batch_len = 0;
	return len ? events_write(ev, ev->batch, len) : 0;
}

/* Close the line; one that overflowed its buffer is dropped, never sent cut. */
static int events_end_line(struct jline *l)
{
	int ret = jline__end(l);

	if (ret)
		fprintf(stderr, "vmm: event line too long, dropped\n");
	return ret;
}

int events__emit(struct events *ev, struct jline *l)
{
	int ret = events_end_line(l);

	if (ret)
		return ret;
	events__flush(ev); /* the batched lines came first */
	return events_write(ev, l->buf, l->len);
}

int events__emit_batched(struct events *ev, struct jline *l)
{
	int ret = events_end_line(l);

	if (ret)
		return ret;
	if (l->len > sizeof(ev->batch) - ev->batch_len && (ret = events__flush(ev)))
		return ret;
	if (l->len > sizeof(ev->batch))
		return events_write(ev, l->buf, l->len);
	memcpy(ev->batch + ev->batch_len, l->buf, l->len);
	ev->batch_len += l->len;
	return 0;
}

void events__phase(struct events *ev, const char *name)
{
	struct jline l;

	events__begin(ev, &l, "phase");
	jline__str(&l, "name", name);
	events__emit(ev, &l);
}

void events__error(struct events *ev, const char *msg)
{
	struct jline l;

	jline__begin(&l, "error");
	if (ev->has_run)
		jline__u64(&l, "run", ev->run_id);
	jline__str(&l, "msg", msg);
	events__emit(ev, &l);
}
