/*
 * sbi-ids.h - THE SBI extension IDs (RISC-V SBI specification v2.0; BOOTCASE is ours). The
 * VMM's sbi/ decodes calls with them, and the harness reads the same table through the native
 * addon (native/, SBI_EID in harness/protocol/sbi.ts), and the milestone guests include it
 * (guests/asm/lib/bootcase.h), so an EID is written down once.
 *
 * SBI_EIDS(X) lists X(name, eid) in the spelling the harness uses; the legacy v0.1 calls
 * (EIDs 0x00-0x08) have one function each.
 */
#ifndef BOOTCASE_SBI_IDS_H
#define BOOTCASE_SBI_IDS_H

/* The guests (guests/asm) include this header from assembly too, where a ULL suffix is no
 * number: the suffix is C's only. */
#ifdef __ASSEMBLER__
#define SBI_ID(x) x
#else
#define SBI_ID(x) x##ULL
#endif

#define SBI_EXT_LEGACY_SET_TIMER SBI_ID(0x00)
#define SBI_EXT_LEGACY_PUTCHAR SBI_ID(0x01)
#define SBI_EXT_LEGACY_GETCHAR SBI_ID(0x02)
#define SBI_EXT_LEGACY_CLEAR_IPI SBI_ID(0x03)
#define SBI_EXT_LEGACY_SEND_IPI SBI_ID(0x04)
#define SBI_EXT_LEGACY_REMOTE_FENCE_I SBI_ID(0x05)
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA SBI_ID(0x06)
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID SBI_ID(0x07)
#define SBI_EXT_LEGACY_SHUTDOWN SBI_ID(0x08)
#define SBI_EXT_LEGACY_LAST SBI_ID(0x08) /* EIDs 0x00-0x08: the v0.1 calls */
#define SBI_EXT_BASE SBI_ID(0x10)
#define SBI_EXT_TIME SBI_ID(0x54494D45)   /* "TIME" */
#define SBI_EXT_IPI SBI_ID(0x735049)      /* "sPI" */
#define SBI_EXT_RFENCE SBI_ID(0x52464E43) /* "RFNC" */
#define SBI_EXT_HSM SBI_ID(0x48534D)      /* "HSM" */
#define SBI_EXT_SRST SBI_ID(0x53525354)   /* "SRST" */
#define SBI_EXT_PMU SBI_ID(0x504D55)      /* "PMU" */
#define SBI_EXT_DBCN SBI_ID(0x4442434E)   /* "DBCN", SBI v2.0 chapter 12 */
#define SBI_EXT_SUSP SBI_ID(0x53555350)   /* "SUSP" */
#define SBI_EXT_CPPC SBI_ID(0x43505043)   /* "CPPC" */
#define SBI_EXT_NACL SBI_ID(0x4E41434C)   /* "NACL" */
#define SBI_EXT_STA SBI_ID(0x535441)      /* "STA" */
#define SBI_EXT_FWFT SBI_ID(0x46574654)   /* "FWFT" */
#define SBI_EXT_MPXY SBI_ID(0x4D505859)   /* "MPXY" */
#define SBI_EXT_BOOTCASE SBI_ID(0x08424354) /* "\x08BCT", experimental range */

#define SBI_EIDS(X)                                                          \
	X("LEGACY_SET_TIMER", SBI_EXT_LEGACY_SET_TIMER)                      \
	X("LEGACY_PUTCHAR", SBI_EXT_LEGACY_PUTCHAR)                          \
	X("LEGACY_GETCHAR", SBI_EXT_LEGACY_GETCHAR)                          \
	X("LEGACY_CLEAR_IPI", SBI_EXT_LEGACY_CLEAR_IPI)                      \
	X("LEGACY_SEND_IPI", SBI_EXT_LEGACY_SEND_IPI)                        \
	X("LEGACY_REMOTE_FENCE_I", SBI_EXT_LEGACY_REMOTE_FENCE_I)            \
	X("LEGACY_REMOTE_SFENCE_VMA", SBI_EXT_LEGACY_REMOTE_SFENCE_VMA)      \
	X("LEGACY_REMOTE_SFENCE_VMA_ASID", SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID) \
	X("LEGACY_SHUTDOWN", SBI_EXT_LEGACY_SHUTDOWN)                        \
	X("BASE", SBI_EXT_BASE)                                              \
	X("TIME", SBI_EXT_TIME)                                              \
	X("IPI", SBI_EXT_IPI)                                                \
	X("RFENCE", SBI_EXT_RFENCE)                                          \
	X("HSM", SBI_EXT_HSM)                                                \
	X("SRST", SBI_EXT_SRST)                                              \
	X("PMU", SBI_EXT_PMU)                                                \
	X("DBCN", SBI_EXT_DBCN)                                              \
	X("SUSP", SBI_EXT_SUSP)                                              \
	X("CPPC", SBI_EXT_CPPC)                                              \
	X("NACL", SBI_EXT_NACL)                                              \
	X("STA", SBI_EXT_STA)                                                \
	X("FWFT", SBI_EXT_FWFT)                                              \
	X("MPXY", SBI_EXT_MPXY)                                              \
	X("BOOTCASE", SBI_EXT_BOOTCASE)

#endif
