/*
 * sbi-ids.h - THE SBI extension IDs (RISC-V SBI specification v2.0; BOOTCASE is ours). The
 * VMM's sbi/ decodes calls with them, and the harness reads the same table through the native
 * addon (native/, SBI_EID in harness/protocol/sbi.ts), so an EID is written down once.
 *
 * SBI_EIDS(X) lists X(name, eid) in the spelling the harness uses; the legacy v0.1 calls
 * (EIDs 0x00-0x08) have one function each.
 */
#ifndef BOOTCASE_SBI_IDS_H
#define BOOTCASE_SBI_IDS_H

#define SBI_EXT_LEGACY_SET_TIMER 0x00ULL
#define SBI_EXT_LEGACY_PUTCHAR 0x01ULL
#define SBI_EXT_LEGACY_GETCHAR 0x02ULL
#define SBI_EXT_LEGACY_CLEAR_IPI 0x03ULL
#define SBI_EXT_LEGACY_SEND_IPI 0x04ULL
#define SBI_EXT_LEGACY_REMOTE_FENCE_I 0x05ULL
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA 0x06ULL
#define SBI_EXT_LEGACY_REMOTE_SFENCE_VMA_ASID 0x07ULL
#define SBI_EXT_LEGACY_SHUTDOWN 0x08ULL
#define SBI_EXT_LEGACY_LAST 0x08ULL /* EIDs 0x00-0x08: the v0.1 calls */
#define SBI_EXT_BASE 0x10ULL
#define SBI_EXT_TIME 0x54494D45ULL   /* "TIME" */
#define SBI_EXT_IPI 0x735049ULL      /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43ULL /* "RFNC" */
#define SBI_EXT_HSM 0x48534DULL      /* "HSM" */
#define SBI_EXT_SRST 0x53525354ULL   /* "SRST" */
#define SBI_EXT_PMU 0x504D55ULL      /* "PMU" */
#define SBI_EXT_DBCN 0x4442434EULL   /* "DBCN", SBI v2.0 chapter 12 */
#define SBI_EXT_SUSP 0x53555350ULL   /* "SUSP" */
#define SBI_EXT_CPPC 0x43505043ULL   /* "CPPC" */
#define SBI_EXT_NACL 0x4E41434CULL   /* "NACL" */
#define SBI_EXT_STA 0x535441ULL      /* "STA" */
#define SBI_EXT_FWFT 0x46574654ULL   /* "FWFT" */
#define SBI_EXT_MPXY 0x4D505859ULL   /* "MPXY" */
#define SBI_EXT_BOOTCASE 0x08424354ULL /* "\x08BCT", experimental range */

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
