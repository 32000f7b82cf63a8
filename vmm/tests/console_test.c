/*
 * console_test.c - console buffering, the first-output phase and non-blocking input, over pipes.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
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

/* Fill a pipe until it takes no more (the fd stays blocking, as the VMM's console fd is). */
static void fill_pipe(int fd)
{
	static const char junk[4096];
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (write(fd, junk, sizeof(junk)) > 0)
		;
	while (write(fd, junk, 1) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static void test_main_thread_never_blocks(void)
{
	int out[2];
	struct console con;
	char buf[8192];
	size_t n, got = 0;

	CHECK(pipe(out) == 0);
	console__init(&con, out[1], -1, NULL);
	con.sink.write(con.sink.ctx, (const uint8_t *)"partial", 7);
	fill_pipe(out[1]);
	/* a stalled reader: nothing fits, nothing is lost, and the call returns at once */
	CHECK_EQ(console__flush_nowait(&con), 1);
	CHECK_EQ(con.len, 7);
	CHECK_EQ(con.written, 0);
	/* the reader catches up: the next flush timer writes it */
	while ((n = drain(out[0], buf, sizeof(buf))) > 0)
		got += n;
	CHECK(got > 0);
	CHECK_EQ(console__flush_nowait(&con), 0);
	CHECK_EQ(con.len, 0);
	CHECK_EQ(con.written, 7);
	CHECK_EQ(drain(out[0], buf, sizeof(buf)), 7);
	CHECK_STR(buf, "partial");
	close(out[0]);
	close(out[1]);
}

static volatile sig_atomic_t stop_flag;
static volatile int kicker_done;

static void on_kick(int sig)
{
	(void)sig;
}

/* The stop's kicks: a signal every 5 ms until the write gave up (what vm-run.c does). */
static void *kicker(void *arg)
{
	pthread_t target = *(pthread_t *)arg;
	const struct timespec ms5 = { 0, 5 * 1000 * 1000 };

	while (!__atomic_load_n(&kicker_done, __ATOMIC_SEQ_CST)) {
		nanosleep(&ms5, NULL);
		stop_flag = 1;
		pthread_kill(target, SIGUSR1);
	}
	return NULL;
}

static void test_blocked_write_gives_up_on_abort(void)
{
	struct sigaction sa = { .sa_handler = on_kick }, old;
	char line[3000];
	int out[2];
	struct console con;
	pthread_t self = pthread_self(), th;

	CHECK(pipe(out) == 0);
	console__init(&con, out[1], -1, NULL);
	con.abort = &stop_flag;
	stop_flag = 0;
	kicker_done = 0;
	fill_pipe(out[1]);
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: the kick must interrupt the write */
	CHECK(sigaction(SIGUSR1, &sa, &old) == 0);
	CHECK(pthread_create(&th, NULL, kicker, &self) == 0);
	memset(line, 'x', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	/* a vCPU's full line: blocks on the full pipe until the kick with abort set */
	con.sink.write(con.sink.ctx, (const uint8_t *)line, sizeof(line));
	con.sink.write(con.sink.ctx, (const uint8_t *)line, sizeof(line)); /* no room: dropped */
	__atomic_store_n(&kicker_done, 1, __ATOMIC_SEQ_CST);
	pthread_join(th, NULL);
	sigaction(SIGUSR1, &old, NULL);
	CHECK_EQ(con.written, 0);
	CHECK(con.len > 0);          /* kept for the drain at the end of the run */
	CHECK(con.dropped > 0);      /* what did not fit any more */
	console__drain(&con, 20);    /* still stalled: given up on, and counted */
	CHECK_EQ(con.len, 0);
	CHECK_EQ(con.dropped, 2 * sizeof(line));
	close(out[0]);
	close(out[1]);
}

const struct test console_tests[] = {
	{ "console: line buffering, flush request, first-output", test_output },
	{ "console: non-blocking input and EOF", test_input },
	{ "console: a dead reader does not wedge output", test_dead_reader },
	{ "console: the main thread's flush never blocks on a stalled reader", test_main_thread_never_blocks },
	{ "console: a blocked write gives up when kicked once the run is over", test_blocked_write_gives_up_on_abort },
	{ NULL, NULL },
};
