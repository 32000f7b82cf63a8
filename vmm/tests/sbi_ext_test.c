/*
 * sbi_ext_test.c - --sbi-disable names to KVM extension ids, --sbi-trace, and the "sbi" and
 * "start" event fields they produce.
 */
#include <errno.h>

#include "config.h"
#include "events.h"
#include "kvm-riscv.h"
#include "sbi.h"
#include "test.h"

#define BIT(id) (1u << (id))

/* sbi__parse_ext_list() as --sbi-disable calls it; the message lands in test_err */
static int disable_list(const char *list, uint32_t *mask)
{
	return sbi__parse_ext_list("--sbi-disable", list, mask, test_err, sizeof(test_err));
}


/* The line jline built so far, closed, as a string. */
static const char *line(struct jline *l)
{
	if (jline__end(l))
		return "(overflow)";
	l->buf[l->len] = '\0';
	return l->buf;
}

static void test_names(void)
{
	uint32_t mask = 0;

	/* the ids are KVM's enum KVM_RISCV_SBI_EXT_ID (arch/riscv/include/uapi/asm/kvm.h) */
	CHECK_EQ(disable_list("v01,time,ipi,rfence,srst,hsm,pmu", &mask), 0);
	CHECK_EQ(mask, 0x7f);
	mask = 0;
	CHECK_EQ(disable_list("experimental,vendor,dbcn,sta,susp,fwft,mpxy", &mask), 0);
	CHECK_EQ(mask, 0x7f << 7);
	mask = 0;
	CHECK_EQ(disable_list("HSM", &mask), 0); /* any case */
	CHECK_EQ(mask, BIT(5));
	CHECK_EQ(BOOTCASE_KVM_SBI_EXT_HSM, 5);
	CHECK_EQ(BOOTCASE_KVM_SBI_EXT_DBCN, 9);
	CHECK_STR(sbi__kvm_ext_name(BOOTCASE_KVM_SBI_EXT_DBCN), "dbcn");
	CHECK_STR(sbi__kvm_ext_name(BOOTCASE_KVM_SBI_EXT_MPXY), "mpxy");
	CHECK(sbi__kvm_ext_name(BOOTCASE_KVM_SBI_EXT__COUNT) == NULL);
}

static void test_name_errors(void)
{
	static const struct {
		const char *list, *msg;
	} bad[] = {
		{ "hsmm", "option --sbi-disable: unknown SBI extension 'hsmm' (known: v01, time, ipi, "
			  "rfence, srst, hsm, pmu, experimental, vendor, dbcn, sta, susp, fwft, mpxy)" },
		{ "hsm,bogus,dbcn", "unknown SBI extension 'bogus'" },
		{ "hs", "unknown SBI extension 'hs'" }, /* no prefix matches */
		{ "", "option --sbi-disable: empty extension name in ''" },
		{ "hsm,", "empty extension name in 'hsm,'" },
		{ "hsm,,dbcn", "empty extension name in 'hsm,,dbcn'" },
		{ "base", "option --sbi-disable: base cannot be taken from KVM" },
	};
	uint32_t mask;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mask = 0;
		test_err[0] = '\0';
		CHECK_EQ(disable_list(bad[i].list, &mask), -EINVAL);
		CHECK_CONTAINS(test_err, bad[i].msg);
	}
}

static void test_options(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "k", "--sbi-disable", "hsm,dbcn",
					    "--sbi-disable", "srst", "--sbi-trace", NULL };
	static const char *const plain[] = { "vmm", "--kernel", "k", NULL };
	static const char *const bad[] = { "vmm", "--kernel", "k", "--sbi-disable", "nope", NULL };
	static const char *const none[] = { "vmm", "--kernel", "k", "--sbi-disable", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.sbi_disable, BIT(5) | BIT(9) | BIT(4)); /* repeated lists add up */
	CHECK_EQ(c.sbi_trace, 1);
	CHECK_EQ(test__parse(&c, plain), 0);
	CHECK(c.sbi_disable == 0 && c.sbi_trace == 0); /* tracing is off by default */
	CHECK(test__parse(&c, bad) != 0);
	CHECK_CONTAINS(test_err, "option --sbi-disable: unknown SBI extension 'nope'");
	CHECK(test__parse(&c, none) != 0);
	CHECK_CONTAINS(test_err, "option --sbi-disable needs a value");
}

static void test_start_list(void)
{
	struct jline l;

	jline__begin(&l, "start");
	sbi__ext_list(&l, "sbi_disabled", BIT(9) | BIT(5));
	jline__bool(&l, "sbi_trace", 0);
	CHECK_STR(line(&l), "{\"v\":1,\"ev\":\"start\",\"sbi_disabled\":[\"hsm\",\"dbcn\"],"
			    "\"sbi_trace\":false}\n");
	jline__begin(&l, "start");
	sbi__ext_list(&l, "sbi_disabled", 0);
	CHECK_STR(line(&l), "{\"v\":1,\"ev\":\"start\",\"sbi_disabled\":[]}\n");
}

static void test_trace_event(void)
{
	const struct sbi_call write = { SBI_EXT_DBCN, SBI_DBCN_WRITE,
					{ 22, 0x80001000, 0, 0, 0, 0xffffffffffffffffULL }, 1 };
	const struct sbi_reply ok = { .ret = { 0, 22 } };
	const struct sbi_call getc = { SBI_EXT_LEGACY_GETCHAR, 0, { 0 }, 0 };
	const struct sbi_reply none = { .ret = { (uint64_t)-1, 0 } };
	struct jline l;

	jline__begin(&l, "sbi");
	sbi__trace(&l, 1, &write, &ok);
	CHECK_STR(line(&l), "{\"v\":1,\"ev\":\"sbi\",\"hart\":1,\"eid\":\"0x4442434e\",\"fid\":\"0x0\","
			    "\"args\":[\"0x16\",\"0x80001000\",\"0x0\",\"0x0\",\"0x0\","
			    "\"0xffffffffffffffff\"],\"error\":0,\"value\":\"0x16\",\"by\":\"vmm\"}\n");
	/* a0 is signed: NOT_SUPPORTED and legacy getchar's -1 read as negative numbers */
	jline__begin(&l, "sbi");
	sbi__trace(&l, 0, &getc, &none);
	CHECK_CONTAINS(line(&l), "\"eid\":\"0x2\",\"fid\":\"0x0\",\"args\":[\"0x0\",\"0x0\",\"0x0\","
				 "\"0x0\",\"0x0\",\"0x0\"],\"error\":-1,\"value\":\"0x0\",");
}

static void test_trace_matches_handler(void)
{
	/* what sbi__handle answers is what the trace reports: an unknown FID is NOT_SUPPORTED */
	const struct sbi_call call = { SBI_EXT_BOOTCASE, 0x77, { 0 }, 0 };
	const struct sbi_env env = { 0 };
	struct sbi_reply reply;
	struct jline l;
	const char *s;

	sbi__handle(&call, &env, &reply);
	jline__begin(&l, "sbi");
	sbi__trace(&l, 0, &call, &reply);
	s = line(&l);
	CHECK_CONTAINS(s, "\"eid\":\"0x8424354\",\"fid\":\"0x77\"");
	CHECK_CONTAINS(s, "\"error\":-2,\"value\":\"0x0\",\"by\":\"vmm\"}");
}

const struct test sbi_ext_tests[] = {
	{ "sbi-ext: --sbi-disable names are KVM's SBI extension ids", test_names },
	{ "sbi-ext: unknown, empty and undisableable names are errors", test_name_errors },
	{ "sbi-ext: --sbi-disable lists add up, --sbi-trace is a flag", test_options },
	{ "sbi-ext: start event lists the disabled extensions", test_start_list },
	{ "sbi-ext: the sbi trace event encoding", test_trace_event },
	{ "sbi-ext: the trace reports what the handler answered", test_trace_matches_handler },
	{ NULL, NULL },
};
