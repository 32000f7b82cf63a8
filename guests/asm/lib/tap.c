/* tap.c - see tap.h */
#include "tap.h"

int tap_count;
int tap_failed;

static void head(int ok, const char *ext, const char *what)
{
	tap_count++;
	puts(ok ? "ok " : "not ok ");
	putdec(tap_count);
	puts(" - ");
	puts(ext);
	puts(": ");
	puts(what);
}

void tap_check(int ok, const char *ext, const char *what, long got, long want)
{
	head(ok, ext, what);
	puts("\n");
	if (!ok) {
		tap_failed++;
		puts("  ---\n  got: ");
		putdec(got);
		puts("\n  want: ");
		putdec(want);
		puts("\n  ...\n");
	}
}

void tap_skip(const char *ext, const char *what, const char *reason)
{
	head(1, ext, what);
	puts(" # SKIP ");
	puts(reason);
	puts("\n");
}

void tap_plan(void)
{
	puts("1..");
	putdec(tap_count);
	puts("\n");
}

void tap_bail_trap(unsigned long scause, unsigned long sepc, unsigned long stval)
{
	puts("Bail out! unexpected trap scause ");
	puthex(scause);
	puthex(sepc);
	puthex(stval);
	puts("\n");
	bootcase_exit(0x7a);
}
