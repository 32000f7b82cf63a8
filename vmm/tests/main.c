/*
 * main.c - runs every host unit test suite: one line per test, then a summary.
 */
#include <signal.h>
#include <stdio.h>

#include "test.h"

static const struct test *const suites[] = {
	config_tests, console_tests, devices_tests, devices_irqchip_tests, disk_tests, events_tests,
	fdt_tests, kmsg_tests, loader_tests, mmio_tests, sbi_tests, sbi_ext_tests, sbi_serve_tests, uart_tests,
};

static int failed_now;

void test__fail(const char *file, int line, const char *what)
{
	if (!failed_now)
		printf("FAIL  %s:%d: %s\n", file, line, what);
	failed_now = 1;
}

void capture__write(void *ctx, const uint8_t *buf, size_t len)
{
	struct capture *c = ctx;

	if (len > sizeof(c->buf) - c->len)
		len = sizeof(c->buf) - c->len;
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
}

int main(void)
{
	int passed = 0, failed = 0;
	size_t s;

	signal(SIGPIPE, SIG_IGN); /* as the VMM does: a dead reader is an error return */
	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		const struct test *t;

		for (t = suites[s]; t->name; t++) {
			failed_now = 0;
			t->fn();
			if (failed_now) {
				printf("FAIL  %s\n", t->name);
				failed++;
			} else {
				printf("ok    %s\n", t->name);
				passed++;
			}
			fflush(stdout);
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
