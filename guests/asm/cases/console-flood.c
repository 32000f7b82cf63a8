/*
 * console-flood: console output, forever, for a console nobody reads (the test stops reading
 * the console port), so the VMM's writes meet a full port and the run must still end at its
 * --timeout-ms with an end event (issue 12). One ELF per variant (-DVARIANT):
 *   lines    4000-byte lines as fast as DBCN takes them: the vCPU thread writes each line
 *            itself (a newline flushes), and blocks in that write, holding the device lock,
 *            once the port is full;
 *   partial  first FILL_BYTES in 4000-byte lines, fast (the vCPU writes each), then 4000
 *            bytes without a newline and 12 ms of quiet, again and again: the VMM's main
 *            thread writes each chunk out when its 10 ms flush timer fires, so it is the main
 *            thread, the one that keeps the deadline, that meets the full port.
 * Between the VMM and the paused reader, the L1 virtio-serial port, QEMU and the host socket
 * hold about 4.2 MB with this QEMU: the partial variant's lines fill most of that at once, so
 * its slow part fills the rest within a few seconds. (Where they hold less, the lines meet
 * the full port first, and the partial variant tests what the lines variant does.)
 */
#include "rt.h"

#define MS 10000UL /* timebase ticks per millisecond (10 MHz) */
#define FILL_BYTES (3500UL * 1000)

static char buf[4000];

int main(void)
{
	int lines = __builtin_strcmp(VARIANT, "lines") == 0;

	memset(buf, 'x', sizeof buf);
	buf[sizeof buf - 1] = '\n';
	puts("flood: " VARIANT "\n");
	for (unsigned long done = 0; !lines && done < FILL_BYTES; done += sizeof buf)
		sbi_call(SBI_EXT_DBCN, 0, sizeof buf, (unsigned long)buf, 0);
	for (;;) {
		sbi_call(SBI_EXT_DBCN, 0, lines ? sizeof buf : sizeof buf - 1, (unsigned long)buf, 0);
		if (!lines)
			for (uint64_t t0 = rdtime(); rdtime() - t0 < 12 * MS;)
				barrier();
	}
}
