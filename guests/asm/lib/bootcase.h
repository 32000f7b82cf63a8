/*
 * bootcase.h - constants and macros shared by the bare-metal milestone guests.
 *
 * A guest starts in VS-mode at its ELF entry with a0 = hartid and a1 = the DTB address.
 * It talks to the VMM through SBI ecalls: a7 = extension id (EID), a6 = function id (FID),
 * a0..a5 = arguments; the SBI returns a0 = error, a1 = value (SBI spec v2.0, chapter 3).
 */
#ifndef GUEST_BOOTCASE_H
#define GUEST_BOOTCASE_H

/* The guests' one list of SBI extension IDs (the VMM's is vmm/sbi/sbi.h; a guest is built
 * freestanding and cannot include it). C guests get them through rt.h. */
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45 /* "TIME" */
#define SBI_EXT_IPI 0x735049 /* "sPI": inter-processor interrupts */
#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC": remote fences */
#define SBI_EXT_HSM 0x48534D /* "HSM": hart state management */
#define SBI_EXT_SRST 0x53525354 /* "SRST": system reset */
#define SBI_EXT_PMU 0x504D55 /* "PMU": performance monitoring */
#define SBI_EXT_DBCN 0x4442434E /* "DBCN": debug console */
#define SBI_EXT_SUSP 0x53555350 /* "SUSP": system suspend */
#define SBI_EXT_STA 0x535441 /* "STA": steal-time accounting */
#define SBI_EXT_FWFT 0x46574654 /* "FWFT": firmware features */
#define SBI_EXT_BOOTCASE 0x08424354 /* experimental range: "\x08BCT", served by our VMM */

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
