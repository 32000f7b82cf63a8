/*
 * sbi-trace: a guest for the SBI call trace (--sbi-trace, sbi-trace.test.ts). It probes HSM
 * through BASE, starts hart 1 with HSM when it can, and ends with SRST. Who answers each call
 * depends on the options: KVM (in-kernel; traced through the L1 patch's REPORT mode), the
 * VMM (--sbi-serve hsm), or nobody (--sbi-disable: NOT_SUPPORTED). The MARKs say what the
 * guest itself concluded, so a test can compare that with the trace.
 *
 * Hart 0 calls, in this order:
 *   BASE probe_extension(HSM)
 *   DBCN write        MSG (MSG_LEN bytes)
 *   BOOTCASE MARK     MARK_HSM_ABSENT or MARK_HSM_PRESENT
 *   HSM hart_get_status(1), and hart_start(1) if that says STOPPED   (HSM present only)
 *   DBCN write_byte   '\n'
 *   SRST system_reset (shutdown); only if it returns: BOOTCASE EXIT with EXIT_NO_SRST
 * Hart 1, once started: BOOTCASE MARK MARK_SECONDARY + 1, then HSM hart_stop.
 */
#include "rt.h"


#define MSG "sbi-trace: DBCN write\n"
#define MARK_HSM_ABSENT 0x100
#define MARK_HSM_PRESENT 0x101
#define MARK_SECONDARY 0x200
#define EXIT_NO_SRST 2
#define MS 10000UL /* timebase ticks per millisecond (10 MHz) */

static volatile unsigned long secondary_done;

/* hart_start entry (lib/rt.c secondary_entry): a0 = hartid */
void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	bootcase_mark(MARK_SECONDARY + hartid);
	barrier();
	secondary_done = 1;
	hart_stop();
}

int main(void)
{
	static const char msg[] = MSG;
	long hsm = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_HSM, 0, 0).value; /* probe_extension */

	sbi_call(SBI_EXT_DBCN, 0, sizeof(msg) - 1, (unsigned long)msg, 0);
	bootcase_mark(hsm ? MARK_HSM_PRESENT : MARK_HSM_ABSENT);
	/* hart_get_status(1) fails with one hart */
	if (hsm && sbi_call(SBI_EXT_HSM, 2, 1, 0, 0).error == 0 &&
	    sbi_call(SBI_EXT_HSM, 0, 1, (unsigned long)secondary_entry, 0).error == 0)
		for (uint64_t t0 = rdtime(); !secondary_done && rdtime() - t0 < 1000 * MS;)
			barrier();
	sbi_call(SBI_EXT_DBCN, 2, '\n', 0, 0);
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown, no reason */
	return EXIT_NO_SRST;                 /* crt0 reports it with BOOTCASE EXIT */
}
