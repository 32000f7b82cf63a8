/*
 * sbi.h - decoding of the SBI calls KVM forwards to user space (KVM_EXIT_RISCV_SBI).
 *
 * sbi__handle() is a pure function of the call, a view of guest memory and the console, so
 * the host unit tests drive it without KVM. The caller applies the reply to kvm_run.
 */
#ifndef BOOTCASE_SBI_H
#define BOOTCASE_SBI_H

#include <stddef.h>
#include <stdint.h>
#include "dev.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01ULL
#define SBI_EXT_LEGACY_GETCHAR 0x02ULL
#define SBI_EXT_DBCN 0x4442434EULL /* "DBCN", SBI v2.0 chapter 12 */
#define SBI_EXT_BOOTCASE 0x08424354ULL /* "\x08BCT", experimental range */

#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

#define BOOTCASE_FID_EXIT 0
#define BOOTCASE_FID_MARK 1
#define BOOTCASE_FID_NOP 2

#define SBI_SUCCESS 0
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)

/* Largest DBCN transfer per call; the SBI spec allows partial transfers. */
#define SBI_DBCN_MAX 65536

enum sbi_kind {
	SBI_KIND_LEGACY_PUTCHAR,
	SBI_KIND_LEGACY_GETCHAR,
	SBI_KIND_DBCN,
	SBI_KIND_BOOTCASE,
	SBI_KIND_UNKNOWN,
	SBI_KIND__COUNT,
};

enum sbi_action {
	SBI_ACT_RETURN,  /* resume the guest with ret[] */
	SBI_ACT_MARK,    /* emit a mark event with value, then resume with ret[] */
	SBI_ACT_EXIT,    /* the guest reported its verdict: value = code */
	SBI_ACT_UNKNOWN, /* not implemented here: a sbi-unknown fault */
};

struct sbi_call {
	uint64_t eid, fid;
	uint64_t args[6];
};

struct sbi_reply {
	enum sbi_action action;
	enum sbi_kind kind;
	uint64_t ret[2]; /* a0, a1 as the guest will see them */
	uint64_t value;
};

struct sbi_env {
	struct guest_mem mem;
	struct byte_sink out;
	struct byte_source in;
};

void sbi__handle(const struct sbi_call *call, const struct sbi_env *env, struct sbi_reply *reply);
const char *sbi__kind_name(enum sbi_kind kind);

/*
 * sbi-ext.c: KVM's in-kernel SBI extensions by name (--sbi-disable), as a mask with bit n for
 * KVM_RISCV_SBI_EXT_ID n, and the "sbi" trace event (--sbi-trace).
 */
struct jline;
/* Add the comma-separated names in list to *mask; 0, or -EINVAL with err naming the option. */
int sbi__parse_ext_list(const char *list, uint32_t *mask, char *err, size_t errlen);
/* The --sbi-disable spelling of KVM extension id, or NULL past the last one. */
const char *sbi__kvm_ext_name(unsigned id);
/* "key":["hsm","dbcn"], in id order. */
void sbi__ext_list(struct jline *l, const char *key, uint32_t mask);
/* The fields of an "sbi" event after events__begin: hart, eid, fid, args, error, value. */
void sbi__trace(struct jline *l, unsigned hart, const struct sbi_call *call,
		const struct sbi_reply *reply);

#endif
