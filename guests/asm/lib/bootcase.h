/*
 * bootcase.h - constants and macros shared by the bare-metal milestone guests.
 *
 * A guest starts in VS-mode at its ELF entry with a0 = hartid and a1 = the DTB address.
 * It talks to the VMM through SBI ecalls: a7 = extension id (EID), a6 = function id (FID),
 * a0..a5 = arguments; the SBI returns a0 = error, a1 = value (SBI spec v2.0, chapter 3).
 */
#ifndef GUEST_BOOTCASE_H
#define GUEST_BOOTCASE_H

/* The SBI extension IDs: the VMM's own header (vmm/include/sbi-ids.h, found through the
 * Makefile's -I), which holds nothing but #defines, so a freestanding guest, C or assembly,
 * includes it as it is: one list for the VMM, the harness and the guests. */
#include "sbi-ids.h"

#define SRST_TYPE_SHUTDOWN 0
#define SRST_TYPE_COLD_REBOOT 1
#define SRST_TYPE_WARM_REBOOT 2

#define BOOTCASE_FID_EXIT 0
#define BOOTCASE_FID_MARK 1
#define BOOTCASE_FID_NOP 2

#ifdef __ASSEMBLER__
#define UART0 0x10000000

/* ecall with EID/FID loaded; arguments must already be in a0..a5 */
.macro sbi_call eid, fid
	li a7, \eid
	li a6, \fid
	ecall
.endm

/* End the run with a pass (0) or fail (non-zero) code through the BOOTCASE EXIT hypercall. */
.macro bootcase_exit code
	li a0, \code
	sbi_call SBI_EXT_BOOTCASE, BOOTCASE_FID_EXIT
.endm
#endif /* __ASSEMBLER__ */

#endif
