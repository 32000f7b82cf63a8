/*
 * events_test.c - JSON lines: escaping, hex, nesting, overflow, one write per line.
 */
#include <fcntl.h>
#include <unistd.h>

#include "events.h"
#include "test.h"

static void test_escape(void)
{
	char out[128];

	json__escape(out, sizeof(out), "a\"b\\c\nd\te\x01");
	CHECK_STR(out, "a\\\"b\\\\c\\nd\\te\\u0001");
	json__escape(out, sizeof(out), "caf\xc3\xa9");
	CHECK_STR(out, "caf\xc3\xa9"); /* valid UTF-8 passes */
	json__escape(out, sizeof(out), "x\xff" "y\xc3");
	CHECK_STR(out, "x\\ufffdy\\ufffd"); /* invalid bytes replaced */
	json__escape(out, sizeof(out), "\xed\xa0\x80"); /* a surrogate */
	CHECK_STR(out, "\\ufffd\\ufffd\\ufffd");
	CHECK_EQ(json__escape(out, 4, "ab\"c"), 5);
	CHECK_STR(out, "ab"); /* never half an escape */
}

static void test_line(void)
{
	struct jline l;

	jline__begin(&l, "end");
	jline__u64(&l, "run", 3);
	jline__str(&l, "exit", "fault");
	jline__obj_begin(&l, "fault");
	jline__str(&l, "kind", "mmio-unmapped");
	jline__hex(&l, "addr", 0xffffffffffffffffULL);
	jline__bool(&l, "write", 1);
	jline__obj_end(&l);
	jline__i64(&l, "code", -1);
	CHECK_EQ(jline__end(&l), 0);
	l.buf[l.len] = '\0';
	CHECK_STR(l.buf, "{\"v\":1,\"ev\":\"end\",\"run\":3,\"exit\":\"fault\",\"fault\":{\"kind\":"
			 "\"mmio-unmapped\",\"addr\":\"0xffffffffffffffff\",\"write\":true},"
			 "\"code\":-1}\n");
}

static void test_long_string(void)
{
	static char big[5000];
	struct jline l;

	memset(big, '"', sizeof(big) - 1);
	jline__begin(&l, "error");
	jline__str(&l, "msg", big);
	jline__u64(&l, "run", 1);
	CHECK_EQ(jline__end(&l), 0); /* cut short, still valid */
	CHECK(l.len < JLINE_MAX);
	CHECK(l.buf[l.len - 1] == '\n');
	CHECK_CONTAINS(l.buf, "\",\"run\":1}");
}

static void test_emit(void)
{
	struct events ev;
	struct jline l;
	char buf[512];
	int p[2];
	ssize_t n;

	CHECK(pipe(p) == 0);
	events__init(&ev, p[1]);
	events__set_run(&ev, 9);
	events__begin(&ev, &l, "mark");
	jline__u64(&l, "id", 5);
	CHECK_EQ(events__emit(&ev, &l), 0);
	events__error(&ev, "--kernel /x: bad");
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(!strncmp(buf, "{\"v\":1,\"ev\":\"mark\",\"run\":9,\"t_us\":", 33));
	CHECK_CONTAINS(buf, ",\"id\":5}\n{\"v\":1,\"ev\":\"error\",\"run\":9,\"msg\":\"--kernel /x: bad\"}\n");
}

/* Batched lines stay in the VMM until the next unbatched event, which follows them in order. */
static void test_batched(void)
{
	struct events ev;
	struct jline l;
	char buf[8192];
	int p[2], i;
	ssize_t n;

	CHECK(pipe(p) == 0);
	CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
	events__init(&ev, p[1]);
	for (i = 0; i < 2; i++) {
		events__begin(&ev, &l, "sbi");
		jline__u64(&l, "n", (uint64_t)i);
		CHECK_EQ(events__emit_batched(&ev, &l), 0);
	}
	CHECK(read(p[0], buf, sizeof(buf)) < 0); /* nothing written yet */
	events__begin(&ev, &l, "end");
	CHECK_EQ(events__emit(&ev, &l), 0);
	n = read(p[0], buf, sizeof(buf) - 1);
	CHECK(n > 0);
	buf[n] = '\0';
	CHECK(strstr(buf, "\"n\":0}") < strstr(buf, "\"n\":1}"));
	CHECK(strstr(buf, "\"n\":1}") < strstr(buf, "\"ev\":\"end\""));
	/* a full batch is written by itself: 4 KiB at most per write */
	for (i = 0; i < 200; i++) { /* about 8 KiB */
		events__begin(&ev, &l, "sbi");
		jline__u64(&l, "n", (uint64_t)i);
		CHECK_EQ(events__emit_batched(&ev, &l), 0);
	}
	n = read(p[0], buf, sizeof(buf));
	CHECK(n > 0 && n <= 4096);
	CHECK_EQ(events__flush(&ev), 0);
	close(p[1]);
	close(p[0]);
}

const struct test events_tests[] = {
	{ "events: JSON string escaping and UTF-8", test_escape },
	{ "events: line with nested object, hex, bool", test_line },
	{ "events: over-long strings are cut, line stays valid", test_long_string },
	{ "events: emit writes whole lines with run and t_us", test_emit },
	{ "events: batched lines come out in order, before the next event", test_batched },
	{ NULL, NULL },
};
