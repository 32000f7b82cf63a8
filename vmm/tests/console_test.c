/*
 * console_test.c - console buffering, the first-output phase and non-blocking input, over pipes.
 */
#include <fcntl.h>
#include <unistd.h>

#include "console.h"
#include "events.h"
#include "test.h"

static int armed;

static void arm(void *ctx)
{
	(void)ctx;
	armed++;
}

static size_t drain(int fd, char *buf, size_t cap)
{
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	n = read(fd, buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

static void test_output(void)
{
	int out[2], evp[2];
	struct console con;
	struct events ev;
	char buf[256];

	CHECK(pipe(out) == 0 && pipe(evp) == 0);
	events__init(&ev, evp[1]);
	console__init(&con, out[1], -1, &ev);
	con.arm_flush = arm;
	armed = 0;
	con.sink.write(con.sink.ctx, (const uint8_t *)"ab", 2);
	CHECK_EQ(drain(out[0], buf, sizeof(buf)), 0); /* partial line: buffered */
	CHECK_EQ(armed, 1);                           /* ... with a flush requested */
	CHECK(drain(evp[0], buf, sizeof(buf)) > 0);
	CHECK_CONTAINS(buf, "\"name\":\"first-output\"");
	con.sink.write(con.sink.ctx, (const uint8_t *)"c\nd", 3);
	CHECK_EQ(drain(out[0], buf, sizeof(buf)), 5); /* the newline flushed it all */
	CHECK_STR(buf, "abc\nd");
	console__flush(&con);
	CHECK_EQ(drain(out[0], buf, sizeof(buf)), 0);
	con.sink.write(con.sink.ctx, (const uint8_t *)"e", 1);
	CHECK_EQ(drain(evp[0], buf, sizeof(buf)), 0); /* first-output only once */
	close(out[0]);
	close(out[1]);
	close(evp[0]);
	close(evp[1]);
}

static void test_input(void)
{
	int in[2];
	struct console con;
	uint8_t buf[8];

	CHECK(pipe(in) == 0);
	console__init(&con, -1, in[0], NULL);
	CHECK_EQ(console__read(&con, buf, sizeof(buf)), 0); /* nothing waiting: no block */
	CHECK(write(in[1], "xyz", 3) == 3);
	CHECK_EQ(con.source.read(con.source.ctx, buf, 2), 2);
	CHECK(!memcmp(buf, "xy", 2));
	CHECK_EQ(console__read(&con, buf, sizeof(buf)), 1);
	close(in[1]);
	CHECK_EQ(console__read(&con, buf, sizeof(buf)), 0); /* EOF */
	CHECK_EQ(con.in_eof, 1);
	close(in[0]);
}

static void test_dead_reader(void)
{
	int out[2];
	struct console con;

	CHECK(pipe(out) == 0);
	close(out[0]);
	console__init(&con, out[1], -1, NULL);
	con.sink.write(con.sink.ctx, (const uint8_t *)"x\n", 2); /* EPIPE (SIGPIPE ignored) */
	CHECK_EQ(con.out_fd, -1);
	con.sink.write(con.sink.ctx, (const uint8_t *)"y\n", 2); /* dropped quietly */
	CHECK_EQ(con.len, 0);
	close(out[1]);
}

const struct test console_tests[] = {
	{ "console: line buffering, flush request, first-output", test_output },
	{ "console: non-blocking input and EOF", test_input },
	{ "console: a dead reader does not wedge output", test_dead_reader },
	{ NULL, NULL },
};
