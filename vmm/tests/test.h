/*
 * test.h - a tiny assertion framework for the host unit tests (make check).
 *
 * A test is a void function; CHECK() records the first failure and returns from it.
 * Each suite file exports a NULL-terminated struct test array; main.c lists the suites.
 */
#ifndef BOOTCASE_TEST_H
#define BOOTCASE_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

void test__fail(const char *file, int line, const char *what);

#define CHECK(cond)                                                   \
	do {                                                          \
		if (!(cond)) {                                        \
			test__fail(__FILE__, __LINE__, #cond);        \
			return;                                       \
		}                                                     \
	} while (0)

#define CHECK_EQ(a, b)                                                            \
	do {                                                                      \
		unsigned long long _a = (unsigned long long)(a);                  \
		unsigned long long _b = (unsigned long long)(b);                  \
		if (_a != _b) {                                                   \
			char _m[256];                                             \
			snprintf(_m, sizeof(_m), "%s == %s (0x%llx != 0x%llx)", #a, #b, \
				 _a, _b);                                         \
			test__fail(__FILE__, __LINE__, _m);                       \
			return;                                                   \
		}                                                                 \
	} while (0)

#define CHECK_STR(a, b)                                                            \
	do {                                                                       \
		const char *_a = (a), *_b = (b);                                   \
		if (!_a || strcmp(_a, _b)) {                                       \
			char _m[512];                                              \
			snprintf(_m, sizeof(_m), "%s == \"%s\" (got \"%s\")", #a, _b, \
				 _a ? _a : "(null)");                              \
			test__fail(__FILE__, __LINE__, _m);                        \
			return;                                                    \
		}                                                                  \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                  \
	do {                                                                         \
		const char *_h = (hay);                                              \
		if (!_h || !strstr(_h, (needle))) {                                  \
			char _m[512];                                                \
			snprintf(_m, sizeof(_m), "\"%s\" contains \"%s\"", _h ? _h : "(null)", \
				 (needle));                                          \
			test__fail(__FILE__, __LINE__, _m);                          \
			return;                                                      \
		}                                                                    \
	} while (0)

/* A byte sink that records into a buffer, for devices and SBI. */
struct capture {
	uint8_t buf[4096];
	size_t len;
};
void capture__write(void *ctx, const uint8_t *buf, size_t len);

/* config_test.c: config__parse() of a NULL-terminated argv; its message lands in test_err. */
struct vm_config;
extern char test_err[256];
int test__parse(struct vm_config *c, const char *const *argv);

extern const struct test config_tests[];
extern const struct test console_tests[];
extern const struct test devices_tests[];
extern const struct test devices_irqchip_tests[];
extern const struct test disk_tests[];
extern const struct test events_tests[];
extern const struct test fdt_tests[];
extern const struct test kmsg_tests[];
extern const struct test loader_tests[];
extern const struct test mmio_tests[];
extern const struct test sbi_tests[];
extern const struct test sbi_ext_tests[];
extern const struct test sbi_serve_tests[];
extern const struct test uart_tests[];

#endif
