/*
 * kut-sample: a small guest of our own that behaves as a kvm-unit-tests test does on the
 * outside, so the runner (harness/kut/) is tested in CI without the suite: it reads its
 * command line from /chosen/bootargs and its environment from the initrd (KEY=VALUE lines,
 * /chosen linux,initrd-start/end), prints "PASS: ", "FAIL: ", "SKIP: ", "XFAIL: ", "XPASS: ",
 * "KFAIL: " lines and a SUMMARY, then "EXIT: STATUS=<(code << 1) | 1>" and shuts down with
 * SRST (reason 0 only for code 0), as the suite's lib/report.c and exit() do.
 *
 * Each word of the command line is a step, run in order:
 *   args=N     PASS when N more words follow (how bootargs arrived); they are not steps
 *   smp=N      PASS when exactly N harts exist (HSM get_status) and each one ran (hart_start)
 *   env=KEY    PASS when the environment has KEY, with a value
 *   highmem    PASS when a word written above 4 GiB of RAM reads back; SKIP without such RAM
 *   skip xfail kfail xpass fail   one line of that kind
 *   crash      a store to unmapped MMIO: the run ends in a fault, with no EXIT line
 */
#include "rt.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define HSM_GET_STATUS 2
#define ERR_INVALID_PARAM -3
#define RAM_BASE 0x80000000UL
#define GIB4 0x100000000UL

static const char *bootargs = "";
static const char *initrd, *initrd_end;
static unsigned long ram_end;
static int tests, failures, skipped;
static volatile int harts_ran;

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t be64(const void *p) { return (uint64_t)be32(p) << 32 | be32((const uint8_t *)p + 4); }

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int prefix(const char *s, const char *p, const char **rest)
{
	while (*p && *s == *p)
		s++, p++;
	if (*p)
		return 0;
	*rest = s;
	return 1;
}

/* The flattened device tree (devicetree spec v0.4 ch. 5): the props of /chosen and /memory. */
static void fdt_scan(const uint8_t *fdt)
{
	const uint8_t *p = fdt + be32(fdt + 8), *strs = (const uint8_t *)fdt + be32(fdt + 12);
	const char *node = "";
	int depth = 0;

	for (;;) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			while (*p++)
				;
			p = (const uint8_t *)(((unsigned long)p + 3) & ~3UL);
			depth++;
			node = depth == 2 ? name : "";
		} else if (tok == FDT_END_NODE) {
			depth--;
			node = "";
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), off = be32(p + 4);
			const char *pname = (const char *)strs + off, *rest;
			const uint8_t *val = p + 8;
			if (streq(node, "chosen") && streq(pname, "bootargs"))
				bootargs = (const char *)val;
			if (streq(node, "chosen") && streq(pname, "linux,initrd-start"))
				initrd = (const char *)(len == 8 ? be64(val) : be32(val));
			if (streq(node, "chosen") && streq(pname, "linux,initrd-end"))
				initrd_end = (const char *)(len == 8 ? be64(val) : be32(val));
			if (prefix(node, "memory", &rest) && streq(pname, "reg") && len == 16)
				ram_end = be64(val) + be64(val + 8);
			p = (const uint8_t *)(((unsigned long)(val + len) + 3) & ~3UL);
		} else if (tok != FDT_NOP) {
			return; /* FDT_END */
		}
	}
}

static void report(const char *kind, const char *what, const char *detail)
{
	tests++;
	puts(kind);
	puts(": sample: ");
	puts(what);
	if (detail)
		puts(detail);
	puts("\n");
}

static void check(int ok, const char *what, const char *detail)
{
	failures += !ok;
	report(ok ? "PASS" : "FAIL", what, detail);
}

/* The value of KEY in the environment initrd, or 0; *len is its length. */
static const char *getenv(const char *key, int *len)
{
	for (const char *l = initrd; l && l < initrd_end;) {
		const char *k = key, *v = l;
		while (*k && v < initrd_end && *v == *k)
			k++, v++;
		const char *e = v;
		while (e < initrd_end && *e != '\n')
			e++;
		if (!*k && v < initrd_end && *v == '=') {
			*len = (int)(e - v - 1);
			return v + 1;
		}
		l = e + 1;
	}
	return 0;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	__atomic_fetch_add(&harts_ran, 1, __ATOMIC_SEQ_CST);
	hart_stop();
}

static void smp(long want)
{
	long n = 0;

	while (n < 64 && sbi_call(SBI_EXT_HSM, HSM_GET_STATUS, n, 0, 0).error != ERR_INVALID_PARAM)
		n++;
	for (long h = 1; h < n; h++) {
		int before = harts_ran;
		if (sbi_call(SBI_EXT_HSM, 0, h, (unsigned long)secondary_entry, 0).error)
			break;
		for (uint64_t t0 = rdtime(); harts_ran == before && rdtime() - t0 < 50000000;)
			;
	}
	puts("INFO: sample: smp: ");
	putdec(n);
	puts(" harts, ");
	putdec(harts_ran);
	puts(" secondaries ran\n");
	check(n == want && harts_ran == n - 1, "smp: every hart came up", 0);
}

static void highmem(void)
{
	volatile uint64_t *p;

	if (ram_end <= GIB4 + 0x1000) {
		skipped++;
		report("SKIP", "highmem: Memory above 4G required", 0);
		return;
	}
	p = (volatile uint64_t *)(ram_end - 8); /* the last word of RAM, past 4 GiB */
	*p = 0x5a5a5a5a12345678UL;
	p[-512] = ~0UL;
	check(*p == 0x5a5a5a5a12345678UL && p[-512] == ~0UL, "highmem: a word above 4 GiB reads back", 0);
}

/* One step; returns 1 when it took the rest of the command line (args=N). */
static int step(const char *w, int words_after)
{
	const char *v;
	int len;

	if (prefix(w, "args=", &v)) {
		check(words_after == v[0] - '0', "args: the command line arrived word by word", 0);
		return 1;
	}
	if (prefix(w, "smp=", &v))
		smp(v[0] - '0');
	else if (prefix(w, "env=", &v))
		check(getenv(v, &len) && len > 0, "env: set in the initrd: ", v);
	else if (streq(w, "highmem"))
		highmem();
	else if (streq(w, "skip"))
		skipped++, report("SKIP", "skip: not on this machine", 0);
	else if (streq(w, "xfail"))
		report("XFAIL", "xfail: a check expected to fail, failing", 0);
	else if (streq(w, "kfail"))
		report("KFAIL", "kfail: a known failure", 0);
	else if (streq(w, "xpass"))
		failures++, report("XPASS", "xpass: a check expected to fail, passing", 0);
	else if (streq(w, "fail"))
		check(0, "fail: a check that fails", 0);
	else if (streq(w, "crash"))
		mmio_write32(0x20000000UL, 1);
	else
		check(0, "unknown step: ", w);
	return 0;
}

int main(unsigned long hartid, const void *dtb)
{
	static char words[512];
	char *argv[32];
	int argc = 0, i;

	(void)hartid;
	fdt_scan(dtb);
	for (i = 0; bootargs[i] && i < (int)sizeof(words) - 1; i++)
		words[i] = bootargs[i] == ' ' ? 0 : bootargs[i];
	for (int j = 0; j < i && argc < 32; j++)
		if (words[j] && (j == 0 || !words[j - 1]))
			argv[argc++] = &words[j];
	puts("\n##########################################################################\n");
	puts("#    kut-sample (kvm-unit-tests' output format)\n");
	puts("##########################################################################\n\n");
	for (i = 0; i < argc; i++)
		if (step(argv[i], argc - i - 1))
			break;
	puts("SUMMARY: ");
	putdec(tests);
	puts(" tests\n");
	int code = tests == skipped ? 77 >> 1 : failures > 0;
	puts("\nEXIT: STATUS=");
	putdec((code << 1) | 1);
	puts("\n");
	sbi_call(SBI_EXT_SRST, 0, 0, code != 0, 0); /* shutdown; reason 1 "system failure" */
	return 0x7b;
}
