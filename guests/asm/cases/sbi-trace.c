/*
 * sbi-trace: a guest for the SBI call trace (--sbi-trace, sbi-trace.test.ts). It probes HSM
 * through BASE and starts hart 1 with HSM when it can; KVM answers both itself, so the trace
 * cannot show them, and the guest tells the VMM what it found with MARKs. It ends with an
 * SRST shutdown, also answered inside KVM: the run's end event shows that one.
 *
 * The calls that reach the VMM, in this order:
 *   hart 0  DBCN write        MSG (MSG_LEN bytes)
 *   hart 0  BOOTCASE MARK     MARK_HSM_ABSENT or MARK_HSM_PRESENT (BASE probe_extension(HSM))
 *   hart 1  BOOTCASE MARK     MARK_SECONDARY + 1   (only if HSM is present and hart 1 exists)
 *   hart 0  DBCN write_byte   '\n'
 * and, only if SRST returns (--sbi-disable srst): hart 0 BOOTCASE EXIT with EXIT_NO_SRST.
 */
#include "rt.h"

#define EXT_BASE 0x10
#define EXT_HSM 0x48534D

#define MSG "sbi-trace: DBCN write\n"
#define MARK_HSM_ABSENT 0x100
#define MARK_HSM_PRESENT 0x101
#define MARK_SECONDARY 0x200
#define EXIT_NO_SRST 2
#define MS 10000UL /* timebase ticks per millisecond (10 MHz) */

static volatile unsigned long secondary_done;
__attribute__((used)) uint8_t secondary_stack[4096] __attribute__((aligned(16)));

/* hart_start entry: a0 = hartid, a1 = opaque (SBI v2.0 9.1) */
__attribute__((used)) static void secondary_main(unsigned long hartid)
{
	bootcase_mark(MARK_SECONDARY + hartid);
	barrier();
	secondary_done = 1;
	sbi_call(EXT_HSM, 1, 0, 0, 0); /* hart_stop: does not return */
	for (;;)
		asm volatile("wfi");
}
asm(".option push\n.option nopic\n.text\n.globl secondary_entry\nsecondary_entry:\n"
    "la sp, secondary_stack + 4096\ncall secondary_main\n.option pop\n");
void secondary_entry(void);

int main(void)
{
	static const char msg[] = MSG;
	long hsm = sbi_call(EXT_BASE, 3, EXT_HSM, 0, 0).value; /* probe_extension: inside KVM */

	sbi_call(SBI_EXT_DBCN, 0, sizeof(msg) - 1, (unsigned long)msg, 0);
	bootcase_mark(hsm ? MARK_HSM_PRESENT : MARK_HSM_ABSENT);
	/* hart_get_status(1) fails with one hart; hart_start is inside KVM too */
	if (hsm && sbi_call(EXT_HSM, 2, 1, 0, 0).error == 0 &&
	    sbi_call(EXT_HSM, 0, 1, (unsigned long)secondary_entry, 0).error == 0)
		for (uint64_t t0 = rdtime(); !secondary_done && rdtime() - t0 < 1000 * MS;)
			barrier();
	sbi_call(SBI_EXT_DBCN, 2, '\n', 0, 0);
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown, no reason */
	return EXIT_NO_SRST;                 /* crt0 reports it with BOOTCASE EXIT */
}
