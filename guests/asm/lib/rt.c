/* rt.c - console output through DBCN (or legacy putchar without it), the BOOTCASE hypercalls,
 * and the mem* functions gcc may emit. */
#include "rt.h"

static size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

void puts(const char *s)
{
	/* DBCN absent (KVM before 6.8, or --sbi-disable dbcn): the legacy putchar, from then on */
	static int legacy;

	/* DBCN write: the VMM copies num_bytes from guest physical base_lo/base_hi */
	if (!legacy && sbi_call(SBI_EXT_DBCN, 0, strlen(s), (unsigned long)s, 0).error == 0)
		return;
	legacy = 1;
	for (; *s; s++)
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)*s, 0, 0);
}

void puthex(uint64_t v)
{
	char buf[19] = "0x";
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
	puts(buf);
}

void putdec(long v)
{
	char buf[24];
	int i = 23;
	int neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;
	buf[i] = 0;
	do {
		buf[--i] = '0' + u % 10;
		u /= 10;
	} while (u);
	if (neg)
		buf[--i] = '-';
	puts(buf + i);
}

void bootcase_exit(long code)
{
	sbi_call(SBI_EXT_BOOTCASE, 0, code, 0, 0);
	for (;;)
		asm volatile("wfi");
}

void bootcase_mark(long id)
{
	sbi_call(SBI_EXT_BOOTCASE, 1, id, 0, 0);
}

void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

/* A trap the guest did not ask for: name it and fail the run with code 0x7a. */
void trap_unexpected(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	puts("unexpected trap: scause ");
	puthex(scause);
	puts(" sepc ");
	puthex(sepc);
	puts(" stval ");
	puthex(stval);
	puts("\n");
	bootcase_exit(0x7a);
}

/* A guest without its own handler treats any trap as unexpected. */
__attribute__((weak)) void trap_handler(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	trap_unexpected(scause, sepc, stval);
}

__attribute__((noreturn)) void hart_stop(void)
{
	sbi_call(SBI_EXT_HSM, 1 /* hart_stop */, 0, 0, 0);
	for (;;) /* only if HSM refused: park */
		asm volatile("wfi");
}

/* The stack secondary_entry gives a started hart; hart_start enters it with satp = 0 and
 * a0 = hartid, a1 = opaque (SBI v2.0 9.1), which pass straight to secondary_main. */
__attribute__((used)) uint8_t secondary_stack[4096] __attribute__((aligned(16)));

__attribute__((weak)) void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	hart_stop();
}

asm(".option push\n.option nopic\n.text\n.globl secondary_entry\nsecondary_entry:\n"
    "la sp, secondary_stack + 4096\ncall secondary_main\n.option pop\n");
