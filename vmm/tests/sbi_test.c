/*
 * sbi_test.c - SBI decoding without KVM: a fake RAM window and console.
 */
#include "layout.h"
#include "sbi.h"
#include "test.h"

#define RAM_BASE LAYOUT_DRAM_BASE
#define RAM_SIZE 0x1000ULL

static uint8_t ram[RAM_SIZE];
static struct capture out;
static const char *input;

static void *translate(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	if (gpa < RAM_BASE || gpa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE))
		return NULL;
	return ram + (gpa - RAM_BASE);
}

static size_t in_read(void *ctx, uint8_t *buf, size_t len)
{
	size_t n = 0;

	(void)ctx;
	while (n < len && input && *input)
		buf[n++] = (uint8_t)*input++;
	return n;
}

static struct sbi_env env(void)
{
	memset(&out, 0, sizeof(out));
	input = NULL;
	return (struct sbi_env){ { translate, NULL }, { capture__write, &out }, { in_read, NULL }, NULL };
}

static void call(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
		 const struct sbi_env *e, struct sbi_reply *r)
{
	struct sbi_call c = { eid, fid, { a0, a1, a2, 0, 0, 0 }, 0 };

	sbi__handle(&c, e, r);
}

static void test_legacy(void)
{
	struct sbi_env e = env();
	struct sbi_reply r;

	call(SBI_EXT_LEGACY_PUTCHAR, 0, 'A', 0x1234, 0, &e, &r);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	CHECK_EQ(r.kind, SBI_KIND_LEGACY_PUTCHAR);
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(r.ret[1], 0x1234); /* v0.1 keeps a1: it goes back as it came */
	CHECK_EQ(out.len, 1);
	CHECK_EQ(out.buf[0], 'A');
	call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, &e, &r);
	CHECK_EQ(r.kind, SBI_KIND_LEGACY_GETCHAR);
	CHECK_EQ(r.ret[0], (uint64_t)-1); /* nothing waiting */
	input = "q";
	call(SBI_EXT_LEGACY_GETCHAR, 0, 0, 0, 0, &e, &r);
	CHECK_EQ(r.ret[0], 'q');
}

static void test_dbcn_write(void)
{
	struct sbi_env e = env();
	struct sbi_reply r;

	memcpy(ram + 0x100, "hello", 5);
	call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 5, RAM_BASE + 0x100, 0, &e, &r);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	CHECK_EQ(r.kind, SBI_KIND_DBCN);
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(r.ret[1], 5);
	CHECK(out.len == 5 && !memcmp(out.buf, "hello", 5));
	call(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, 0x1234, 0, 0, &e, &r);
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(out.buf[5], 0x34);
	call(SBI_EXT_DBCN, SBI_DBCN_WRITE, 0, 0, 0, &e, &r); /* zero bytes: fine anywhere */
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(r.ret[1], 0);
}

static void test_dbcn_bad_buffers(void)
{
	static const uint64_t bad[][3] = {
		{ 4, 0x20000000, 0 },                  /* not RAM */
		{ 4, RAM_BASE + RAM_SIZE - 2, 0 },     /* runs off the end */
		{ UINT64_MAX, RAM_BASE, 0 },           /* wraps */
		{ 2, UINT64_MAX, 0 },                  /* wraps */
		{ 4, RAM_BASE, 1 },                    /* base_addr_hi != 0 on RV64 */
	};
	struct sbi_env e = env();
	struct sbi_reply r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(SBI_EXT_DBCN, SBI_DBCN_WRITE, bad[i][0], bad[i][1], bad[i][2], &e, &r);
		CHECK_EQ(r.action, SBI_ACT_RETURN); /* the guest's error, not a fault */
		CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
		call(SBI_EXT_DBCN, SBI_DBCN_READ, bad[i][0], bad[i][1], bad[i][2], &e, &r);
		CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	}
	CHECK_EQ(out.len, 0);
}

static void test_dbcn_read(void)
{
	struct sbi_env e = env();
	struct sbi_reply r;

	call(SBI_EXT_DBCN, SBI_DBCN_READ, 8, RAM_BASE, 0, &e, &r);
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(r.ret[1], 0); /* nothing waiting */
	input = "xyz";
	call(SBI_EXT_DBCN, SBI_DBCN_READ, 2, RAM_BASE + 8, 0, &e, &r);
	CHECK_EQ(r.ret[1], 2);
	CHECK(!memcmp(ram + 8, "xy", 2));
}

static void test_bootcase(void)
{
	struct sbi_env e = env();
	struct sbi_reply r;

	call(SBI_EXT_BOOTCASE, BOOTCASE_FID_EXIT, 7, 0, 0, &e, &r);
	CHECK_EQ(r.action, SBI_ACT_EXIT);
	CHECK_EQ(r.kind, SBI_KIND_BOOTCASE);
	CHECK_EQ(r.value, 7);
	call(SBI_EXT_BOOTCASE, BOOTCASE_FID_MARK, 42, 0, 0, &e, &r);
	CHECK_EQ(r.action, SBI_ACT_MARK);
	CHECK_EQ(r.value, 42);
	CHECK_EQ(r.ret[0], 0);
	call(SBI_EXT_BOOTCASE, BOOTCASE_FID_NOP, 0, 0, 0, &e, &r);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	CHECK_EQ(r.ret[0], 0);
	CHECK_EQ(r.ret[1], 0);
}

static void test_unknown(void)
{
	static const uint64_t calls[][2] = {
		{ 0x09000042, 0 },            /* vendor range */
		{ 0x08000000, 1 },            /* another experimental EID */
		{ SBI_EXT_BOOTCASE, 3 },      /* unknown FID of ours */
		{ SBI_EXT_DBCN, 3 },          /* unknown DBCN FID */
		{ SBI_EXT_HSM, 0 },           /* HSM: KVM's, should never reach us */
	};
	struct sbi_env e = env();
	struct sbi_reply r;
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		call(calls[i][0], calls[i][1], 0, 0, 0, &e, &r);
		CHECK_EQ(r.action, SBI_ACT_UNKNOWN);
		CHECK_EQ(r.kind, SBI_KIND_UNKNOWN);
	}
	CHECK_STR(sbi__kind_name(SBI_KIND_LEGACY_PUTCHAR), "legacy_putchar");
}

const struct test sbi_tests[] = {
	{ "sbi: legacy putchar/getchar", test_legacy },
	{ "sbi: DBCN write and write_byte", test_dbcn_write },
	{ "sbi: DBCN bad buffers -> SBI_ERR_INVALID_PARAM", test_dbcn_bad_buffers },
	{ "sbi: DBCN read", test_dbcn_read },
	{ "sbi: BOOTCASE EXIT/MARK/NOP", test_bootcase },
	{ "sbi: unknown EIDs and FIDs -> unknown", test_unknown },
	{ NULL, NULL },
};
