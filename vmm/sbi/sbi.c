/*
 * sbi.c - the SBI calls KVM hands to user space (KVM_EXIT_RISCV_SBI).
 *
 * KVM answers BASE, TIME, IPI, RFENCE, HSM and SRST itself, unless the VMM took an extension
 * over (sbi-serve.c, --sbi-serve/--sbi-disable on a forwarding kernel). What reaches us is:
 *   - legacy v0.1 console putchar (EID 0x01) and getchar (EID 0x02): the return value goes
 *     straight to a0 (legacy calls have no error/value pair);
 *   - DBCN (EID "DBCN", SBI v2.0 ch. 12), once enabled through ONE_REG: write and read take
 *     (num_bytes, base_addr_lo, base_addr_hi) and return (error, bytes done); write_byte;
 *   - the experimental and vendor EID ranges, which KVM always forwards. Ours is BOOTCASE.
 * Anything else is an sbi-unknown fault, not a silent SBI_ERR_NOT_SUPPORTED: a guest that
 * calls something we do not implement is a test bug we want to see.
 *
 * A DBCN buffer that is not entirely guest RAM is the guest's error: it gets
 * SBI_ERR_INVALID_PARAM back, as the spec says, and the run goes on.
 */
#include <string.h>

#include "sbi.h"

static const char *const kind_names[SBI_KIND__COUNT] = {
	[SBI_KIND_LEGACY_PUTCHAR] = "legacy_putchar",
	[SBI_KIND_LEGACY_GETCHAR] = "legacy_getchar",
	[SBI_KIND_DBCN] = "dbcn",
	[SBI_KIND_BOOTCASE] = "bootcase",
	[SBI_KIND_BASE] = "base",
	[SBI_KIND_TIME] = "time",
	[SBI_KIND_IPI] = "ipi",
	[SBI_KIND_HSM] = "hsm",
	[SBI_KIND_SUSP] = "susp",
	[SBI_KIND_FWFT] = "fwft",
	[SBI_KIND_ABSENT] = "absent",
	[SBI_KIND_DISABLED] = "disabled",
	[SBI_KIND_KVM] = "kvm",
	[SBI_KIND_UNKNOWN] = "unknown",
};

const char *sbi__kind_name(enum sbi_kind kind)
{
	return kind < SBI_KIND__COUNT ? kind_names[kind] : "?";
}

static void sbi_ret(struct sbi_reply *r, int64_t err, uint64_t val)
{
	r->ret[0] = (uint64_t)err;
	r->ret[1] = val;
}

static void sbi_out(const struct sbi_env *env, const uint8_t *buf, size_t len)
{
	if (env->out.write && len)
		env->out.write(env->out.ctx, buf, len);
}

static size_t sbi_in(const struct sbi_env *env, uint8_t *buf, size_t len)
{
	return env->in.read && len ? env->in.read(env->in.ctx, buf, len) : 0;
}

/* DBCN write/read: the buffer is [base_lo | base_hi << XLEN, + num_bytes). */
static void sbi_dbcn_xfer(const struct sbi_call *c, const struct sbi_env *env,
			  struct sbi_reply *r, int write)
{
	uint64_t num = c->args[0], base = c->args[1];
	uint8_t *buf;

	/* on RV64 a non-zero base_addr_hi is an address beyond 2^64 */
	if (c->args[2] != 0) {
		sbi_ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (num == 0) {
		sbi_ret(r, SBI_SUCCESS, 0);
		return;
	}
	/* validate the whole buffer the guest named, then move at most SBI_DBCN_MAX of it */
	if (!env->mem.translate || !env->mem.translate(env->mem.ctx, base, num)) {
		sbi_ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (num > SBI_DBCN_MAX)
		num = SBI_DBCN_MAX;
	buf = env->mem.translate(env->mem.ctx, base, num);
	if (write) {
		sbi_out(env, buf, num);
		sbi_ret(r, SBI_SUCCESS, num);
	} else {
		sbi_ret(r, SBI_SUCCESS, sbi_in(env, buf, num));
	}
}

static void sbi_dbcn(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	uint8_t byte;

	switch (c->fid) {
	case SBI_DBCN_WRITE:
		sbi_dbcn_xfer(c, env, r, 1);
		break;
	case SBI_DBCN_READ:
		sbi_dbcn_xfer(c, env, r, 0);
		break;
	case SBI_DBCN_WRITE_BYTE:
		byte = (uint8_t)c->args[0];
		sbi_out(env, &byte, 1);
		sbi_ret(r, SBI_SUCCESS, 0);
		break;
	default:
		r->action = SBI_ACT_UNKNOWN;
		break;
	}
}

static void sbi_bootcase(const struct sbi_call *c, struct sbi_reply *r)
{
	switch (c->fid) {
	case BOOTCASE_FID_EXIT:
		r->action = SBI_ACT_EXIT;
		r->value = c->args[0];
		break;
	case BOOTCASE_FID_MARK:
		r->action = SBI_ACT_MARK;
		r->value = c->args[0];
		break;
	case BOOTCASE_FID_NOP:
		break;
	default:
		r->action = SBI_ACT_UNKNOWN;
		break;
	}
}

static void sbi_dispatch(const struct sbi_call *call, const struct sbi_env *env,
			 struct sbi_reply *reply)
{
	uint8_t byte;

	switch (call->eid) {
	case SBI_EXT_LEGACY_PUTCHAR:
		reply->kind = SBI_KIND_LEGACY_PUTCHAR;
		byte = (uint8_t)call->args[0];
		sbi_out(env, &byte, 1);
		break;
	case SBI_EXT_LEGACY_GETCHAR:
		reply->kind = SBI_KIND_LEGACY_GETCHAR;
		/* a0 = the character, or -1 when none is waiting */
		reply->ret[0] = sbi_in(env, &byte, 1) ? byte : (uint64_t)-1;
		break;
	case SBI_EXT_DBCN:
		reply->kind = SBI_KIND_DBCN;
		sbi_dbcn(call, env, reply);
		break;
	case SBI_EXT_BOOTCASE:
		reply->kind = SBI_KIND_BOOTCASE;
		sbi_bootcase(call, reply);
		break;
	default:
		reply->action = SBI_ACT_UNKNOWN;
		break;
	}
	if (reply->action == SBI_ACT_UNKNOWN) {
		reply->kind = SBI_KIND_UNKNOWN;
		sbi_ret(reply, SBI_ERR_NOT_SUPPORTED, 0);
	}
}

void sbi__handle(const struct sbi_call *call, const struct sbi_env *env, struct sbi_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	reply->action = SBI_ACT_RETURN;
	if (!sbi__serve(call, env, reply))
		sbi_dispatch(call, env, reply);
	/* a legacy (v0.1) call returns a0 only and keeps every other register, but KVM writes
	 * ret[1] to a1 for any forwarded call: hand the guest its a1 back */
	if (call->eid <= SBI_EXT_LEGACY_LAST)
		reply->ret[1] = call->args[1];
}
