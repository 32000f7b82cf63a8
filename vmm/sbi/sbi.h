/*
 * sbi.h - the door of sbi/: decoding of the SBI calls KVM forwards to user space
 * (KVM_EXIT_RISCV_SBI).
 *
 * sbi__handle() is a pure function of the call, a view of guest memory and the console, and
 * (for the extensions the VMM serves, sbi-serve.c) the hart table and a small ops struct, so
 * the host unit tests drive it without KVM. The caller applies the reply to kvm_run.
 */
#ifndef BOOTCASE_SBI_H
#define BOOTCASE_SBI_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "dev.h"
#include "sbi-ids.h" /* the EIDs */

#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

#define BOOTCASE_FID_EXIT 0
#define BOOTCASE_FID_MARK 1
#define BOOTCASE_FID_NOP 2

#define SBI_BASE_PROBE_EXT 3
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3
#define SBI_SUSP_SYSTEM_SUSPEND 0
#define SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM 0
#define SBI_FWFT_SET 0
#define SBI_FWFT_GET 1
#define SBI_FWFT_SET_FLAG_LOCK 1ULL
/* FWFT feature ids (SBI v3.0 ch. 18): bit 30 platform-specific, bit 31 global */
#define SBI_FWFT_MISALIGNED_EXC_DELEG 0
#define SBI_FWFT_LANDING_PAD 1
#define SBI_FWFT_SHADOW_STACK 2
#define SBI_FWFT_DOUBLE_TRAP 3
#define SBI_FWFT_PTE_AD_HW_UPDATING 4
#define SBI_FWFT_POINTER_MASKING_PMLEN 5
#define SBI_FWFT_PLATFORM (1ULL << 30)
#define SBI_FWFT_GLOBAL (1ULL << 31) /* no global feature is defined: all reserved */
#define SBI_FWFT_ID_MASK 0x3fffffffULL

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

/* Largest DBCN transfer per call; the SBI spec allows partial transfers. */
#define SBI_DBCN_MAX 65536

enum sbi_kind {
	SBI_KIND_LEGACY_PUTCHAR,
	SBI_KIND_LEGACY_GETCHAR,
	SBI_KIND_DBCN,
	SBI_KIND_BOOTCASE,
	SBI_KIND_BASE,     /* probe_extension of an extension taken from KVM (sbi-serve.c) */
	SBI_KIND_TIME,     /* served here: --sbi-serve time */
	SBI_KIND_IPI,      /* --sbi-serve ipi */
	SBI_KIND_HSM,      /* --sbi-serve hsm */
	SBI_KIND_SUSP,     /* --sbi-serve susp (system suspend) */
	SBI_KIND_FWFT,     /* --sbi-serve fwft (firmware features) */
	SBI_KIND_ABSENT,   /* an extension this KVM lacks, forwarded with susp/fwft: NOT_SUPPORTED */
	SBI_KIND_DISABLED, /* an extension --sbi-disable took away: SBI_ERR_NOT_SUPPORTED */
	SBI_KIND_KVM,      /* answered inside KVM, shown to us afterwards (--sbi-trace) */
	SBI_KIND_UNKNOWN,
	SBI_KIND__COUNT,
};

enum sbi_action {
	SBI_ACT_RETURN,  /* resume the guest with ret[] */
	SBI_ACT_MARK,    /* emit a mark event with value, then resume with ret[] */
	SBI_ACT_EXIT,    /* the guest reported its verdict: value = code */
	SBI_ACT_UNKNOWN, /* not implemented here: a sbi-unknown fault */
	SBI_ACT_PARK,    /* HSM hart_stop: the calling hart waits, outside KVM_RUN, for a start */
	SBI_ACT_SUSPEND, /* HSM retentive suspend: wait for an enabled interrupt, then return */
	SBI_ACT_RESUME,  /* HSM non-retentive suspend: wait likewise, then go on at value with
			  * a0 = hart, a1 = opaque */
};

struct sbi_call {
	uint64_t eid, fid;
	uint64_t args[6];
	unsigned hart; /* the caller */
};

struct sbi_reply {
	enum sbi_action action;
	enum sbi_kind kind;
	uint64_t ret[2]; /* a0, a1 as the guest will see them */
	uint64_t value;
	uint64_t opaque; /* SBI_ACT_RESUME */
};

/* SBI v2.0 ch. 9: what hart_get_status returns. */
enum sbi_hsm_state {
	SBI_HSM_STARTED = 0,
	SBI_HSM_STOPPED = 1,
	SBI_HSM_START_PENDING = 2,
	SBI_HSM_STOP_PENDING = 3,
	SBI_HSM_SUSPENDED = 4,
};

struct sbi_hart {
	enum sbi_hsm_state state;
	uint64_t start_addr, opaque; /* START_PENDING: where hart_start sends it */
};

/* What the extensions served here need from the machine; vm-sbi.c does them over KVM. */
struct sbi_machine_ops {
	void *ctx;
	/* TIME: program the calling hart's timer (runs on that hart's thread); 0 or -errno */
	int (*set_timer)(void *ctx, unsigned hart, uint64_t when);
	/* IPI: raise hart's supervisor software interrupt (sip.SSIP); 0 or -errno */
	int (*send_ipi)(void *ctx, unsigned hart);
	/* HSM: hart went STOPPED -> START_PENDING; its thread may go on */
	void (*wake)(void *ctx, unsigned hart);
};

/* The extensions the VMM took from KVM (sbi-serve.c); all of it is guarded by dev.lock. */
struct sbi_served {
	uint32_t serve;    /* bit n: KVM_RISCV_SBI_EXT_ID n is served here (--sbi-serve) */
	uint32_t disabled; /* bit n: taken away from the guest (--sbi-disable) */
	int absent;        /* KVM forwards the extensions it lacks (FORWARD_ABSENT): answer them */
	unsigned nr_harts;
	struct sbi_hart harts[CONFIG_MAX_CPUS];
	struct sbi_machine_ops ops;
};

struct sbi_env {
	struct guest_mem mem;
	struct byte_sink out;
	struct byte_source in;
	struct sbi_served *served; /* NULL: KVM keeps every extension (no forwarding kernel) */
};

void sbi__handle(const struct sbi_call *call, const struct sbi_env *env, struct sbi_reply *reply);
const char *sbi__kind_name(enum sbi_kind kind);

/*
 * sbi-serve.c: a call that KVM forwarded because user space disabled its extension (the L1
 * patch's FORWARD mode). Returns 0 when the call is not one of those (sbi__handle goes on).
 */
int sbi__serve(const struct sbi_call *call, const struct sbi_env *env, struct sbi_reply *reply);
/* Hart 0 started, the others stopped (or all started: --harts-running). */
void sbi__served_init(struct sbi_served *s, unsigned nr_harts, int all_running);
/* The KVM_RISCV_SBI_EXT_ID that owns an SBI EID, or -1 (sbi-ext.c). */
int sbi__kvm_ext_of(uint64_t eid);

/*
 * sbi-ext.c: KVM's in-kernel SBI extensions by name (--sbi-disable), as a mask with bit n for
 * KVM_RISCV_SBI_EXT_ID n, and the "sbi" trace event (--sbi-trace).
 */
struct jline;
/* Add the comma-separated names in list to *mask; 0, or -EINVAL with err naming opt. */
int sbi__parse_ext_list(const char *opt, const char *list, uint32_t *mask, char *err,
			size_t errlen);
/* --sbi-serve: as above, but only the extensions the VMM can serve (time, ipi, hsm, susp, fwft). */
int sbi__parse_serve_list(const char *list, uint32_t *mask, char *err, size_t errlen);
/* The --sbi-disable spelling of KVM extension id, or NULL past the last one. */
const char *sbi__kvm_ext_name(unsigned id);
/* "key":["hsm","dbcn"], in id order. */
void sbi__ext_list(struct jline *l, const char *key, uint32_t mask);
/* The fields of an "sbi" event after events__begin: hart, eid, fid, args, error, value. */
void sbi__trace(struct jline *l, unsigned hart, const struct sbi_call *call,
		const struct sbi_reply *reply);

#endif
