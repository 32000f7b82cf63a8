/*
 * sbi-serve.c - the SBI extensions the VMM takes over from KVM: TIME, IPI and HSM, and the
 * ones KVM 6.12 lacks: SUSP and FWFT.
 *
 * With the L1 patch (images/kernels/patches/6.12-sbi-user.patch) in FORWARD mode, KVM sends
 * us every call to an extension we disabled through KVM_REG_RISCV_SBI_EXT, and BASE
 * probe_extension of it, instead of answering SBI_ERR_NOT_SUPPORTED itself. So:
 *
 *   --sbi-serve EXT    the VMM implements EXT from the SBI v2.0 spec; probe says 1;
 *   --sbi-disable EXT  the guest gets SBI_ERR_NOT_SUPPORTED and probe 0, as from KVM, but
 *                      the call is now seen (and traced) here.
 *
 * The hart table (HSM state, where a pending start goes) lives here and is pure data; what
 * needs KVM (program a timer, raise sip.SSIP, let a parked vCPU thread go) is behind
 * struct sbi_machine_ops. Callers hold dev.lock, which serializes every hart's calls.
 *
 * HSM suspend marks the hart SUSPENDED and leaves the waiting to the vCPU thread, which plays
 * WFI from user space until an interrupt the guest enabled in sie is pending (vm-sbi.c).
 *
 * SUSP and FWFT have no extension in KVM 6.12 at all, so no register turns them off; the
 * patch's FORWARD_ABSENT mode sends us every call to an extension KVM lacks, and then every
 * such EID is ours to answer: SUSP and FWFT when served, NOT_SUPPORTED for the rest.
 */
#include <string.h>

#include "kvm-riscv.h"
#include "sbi.h"

#define HSM_SUSPEND_RETENTIVE 0x00000000ULL
#define HSM_SUSPEND_NON_RETENTIVE 0x80000000ULL

static void ret(struct sbi_reply *r, int64_t err, uint64_t val)
{
	r->ret[0] = (uint64_t)err;
	r->ret[1] = val;
}

static int ext_bit(uint32_t mask, int ext)
{
	return ext >= 0 && (mask & (1u << ext));
}

/* An entry point must be guest RAM we can execute from: an address the guest may start at. */
static int valid_entry(const struct sbi_env *env, uint64_t addr)
{
	return env->mem.translate && env->mem.translate(env->mem.ctx, addr, 4) != NULL;
}

static void serve_time(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;

	if (c->fid != SBI_TIME_SET_TIMER) {
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	/* set_timer(stime_value): the next timer event; it also clears a pending one */
	ret(r, s->ops.set_timer(s->ops.ctx, c->hart, c->args[0]) ? SBI_ERR_FAILED : SBI_SUCCESS, 0);
}

static void serve_ipi(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;
	uint64_t mask = c->args[0], base = c->args[1], targets = 0;
	unsigned h;

	if (c->fid != SBI_IPI_SEND_IPI) {
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	/* send_ipi(hart_mask, hart_mask_base): bit i of the mask is hart base + i; a base of
	 * -1 means every hart. Any hart named that does not exist fails the whole call. */
	if (base == (uint64_t)-1) {
		targets = s->nr_harts >= 64 ? ~0ULL : (1ULL << s->nr_harts) - 1;
	} else {
		for (h = 0; h < 64; h++) {
			if (!(mask & (1ULL << h)))
				continue;
			if (base >= s->nr_harts || h >= s->nr_harts - base) {
				ret(r, SBI_ERR_INVALID_PARAM, 0);
				return;
			}
			targets |= 1ULL << (base + h);
		}
	}
	for (h = 0; h < s->nr_harts; h++)
		if ((targets & (1ULL << h)) && s->ops.send_ipi(s->ops.ctx, h)) {
			ret(r, SBI_ERR_FAILED, 0);
			return;
		}
	ret(r, SBI_SUCCESS, 0);
}

static void hsm_start(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;
	uint64_t hart = c->args[0];
	struct sbi_hart *t;

	/* hart_start(hartid, start_addr, opaque) */
	if (hart >= s->nr_harts) {
		ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	t = &s->harts[hart];
	if (t->state != SBI_HSM_STOPPED) {
		ret(r, SBI_ERR_ALREADY_AVAILABLE, 0);
		return;
	}
	if (!valid_entry(env, c->args[1])) {
		ret(r, SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	t->state = SBI_HSM_START_PENDING;
	t->start_addr = c->args[1];
	t->opaque = c->args[2];
	s->ops.wake(s->ops.ctx, (unsigned)hart);
	ret(r, SBI_SUCCESS, 0);
}

static void hsm_suspend(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	uint64_t type = c->args[0] & 0xffffffffULL;

	/* hart_suspend(suspend_type, resume_addr, opaque): only the two default types exist
	 * here; the rest are reserved or platform-specific, which we have none of */
	if (type == HSM_SUSPEND_RETENTIVE) {
		env->served->harts[c->hart].state = SBI_HSM_SUSPENDED;
		r->action = SBI_ACT_SUSPEND;
		ret(r, SBI_SUCCESS, 0);
		return;
	}
	if (type != HSM_SUSPEND_NON_RETENTIVE) {
		ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (!valid_entry(env, c->args[1])) {
		ret(r, SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	env->served->harts[c->hart].state = SBI_HSM_SUSPENDED;
	r->action = SBI_ACT_RESUME;
	r->value = c->args[1];
	r->opaque = c->args[2];
	ret(r, SBI_SUCCESS, 0);
}

/*
 * SUSP system_suspend(sleep_type, resume_addr, opaque), SBI v2.0 ch. 15: suspend to RAM is
 * the only sleep type; the system sleeps until an interrupt the hart enabled in sie, then
 * resumes at resume_addr as a started hart does (a0 = hartid, a1 = opaque, satp = 0,
 * sstatus.SIE = 0). Only the last started hart may call it: every other must be STOPPED,
 * which only a served HSM knows (--sbi-serve susp needs hsm; config.c).
 */
static void serve_susp(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;
	uint64_t type = c->args[0] & 0xffffffffULL; /* sleep_type is 32 bits; upper ones ignored */
	unsigned h;

	if (c->fid != SBI_SUSP_SYSTEM_SUSPEND) {
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	/* 1..0x7fffffff are reserved, 0x80000000.. platform-specific: we implement none */
	if (type != SBI_SUSP_SLEEP_TYPE_SUSPEND_TO_RAM) {
		ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	if (!valid_entry(env, c->args[1])) {
		ret(r, SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	for (h = 0; h < s->nr_harts; h++)
		if (h != c->hart && s->harts[h].state != SBI_HSM_STOPPED) {
			ret(r, SBI_ERR_DENIED, 0);
			return;
		}
	s->harts[c->hart].state = SBI_HSM_SUSPENDED;
	r->action = SBI_ACT_RESUME;
	r->value = c->args[1];
	r->opaque = c->args[2];
	ret(r, SBI_SUCCESS, 0);
}

/*
 * FWFT set(feature, value, flags) / get(feature), SBI v3.0 ch. 18. Every feature the spec
 * defines is NOT_SUPPORTED here, each for a reason of this stack:
 *   MISALIGNED_EXC_DELEG  KVM 6.12 sends every misaligned load/store trap of a guest back to
 *                         it (vcpu_exit.c) and keeps hedeleg to itself: the VMM can neither
 *                         emulate them (value 0) nor change who takes them;
 *   LANDING_PAD, SHADOW_STACK, DOUBLE_TRAP, POINTER_MASKING_PMLEN  need Zicfilp, Zicfiss,
 *                         Ssdbltrp, Ssnpm, which the L1 hart (-cpu rv64,h=true) lacks on
 *                         QEMU 7.2 and 10 alike;
 *   PTE_AD_HW_UPDATING    the hart sets A/D bits in hardware for every guest: QEMU 7.2 has no
 *                         Svadu/Svade switch, and on QEMU 10 henvcfg.ADUE is KVM's, which our
 *                         L1 patch sets for all guests: fixed on, so not settable.
 * A reserved feature is DENIED; flags other than LOCK are INVALID_PARAM.
 */
static void serve_fwft(const struct sbi_call *c, struct sbi_reply *r)
{
	uint64_t feature = c->args[0] & 0xffffffffULL, id = feature & SBI_FWFT_ID_MASK;

	if (c->fid != SBI_FWFT_SET && c->fid != SBI_FWFT_GET) {
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return;
	}
	if (!(feature & SBI_FWFT_PLATFORM) &&
	    ((feature & SBI_FWFT_GLOBAL) || id > SBI_FWFT_POINTER_MASKING_PMLEN)) {
		ret(r, SBI_ERR_DENIED, 0);
		return;
	}
	if (c->fid == SBI_FWFT_SET && (c->args[2] & ~SBI_FWFT_SET_FLAG_LOCK)) {
		ret(r, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	ret(r, SBI_ERR_NOT_SUPPORTED, 0);
}

/* An EID KVM forwarded only because it lacks the extension (not legacy, DBCN or the
 * experimental and vendor ranges, which KVM forwards in any case). */
static int absent_in_kvm(uint64_t eid)
{
	return eid > 0x0f && eid != SBI_EXT_DBCN && !(eid >= 0x08000000 && eid <= 0x09ffffff);
}

static void serve_hsm(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;

	switch (c->fid) {
	case SBI_HSM_HART_START:
		hsm_start(c, env, r);
		break;
	case SBI_HSM_HART_STOP:
		/* no return on success: the hart parks until someone starts it again */
		s->harts[c->hart].state = SBI_HSM_STOPPED;
		r->action = SBI_ACT_PARK;
		ret(r, SBI_SUCCESS, 0);
		break;
	case SBI_HSM_HART_GET_STATUS:
		if (c->args[0] >= s->nr_harts)
			ret(r, SBI_ERR_INVALID_PARAM, 0);
		else
			ret(r, SBI_SUCCESS, (uint64_t)s->harts[c->args[0]].state);
		break;
	case SBI_HSM_HART_SUSPEND:
		hsm_suspend(c, env, r);
		break;
	default:
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		break;
	}
}

void sbi__served_init(struct sbi_served *s, unsigned nr_harts, int all_running)
{
	unsigned h;

	s->nr_harts = nr_harts;
	for (h = 0; h < CONFIG_MAX_CPUS; h++)
		s->harts[h] = (struct sbi_hart){ .state = (h == 0 || all_running) ? SBI_HSM_STARTED
										 : SBI_HSM_STOPPED };
}

int sbi__serve(const struct sbi_call *c, const struct sbi_env *env, struct sbi_reply *r)
{
	struct sbi_served *s = env->served;
	int ext;

	if (!s)
		return 0;
	ext = sbi__kvm_ext_of(c->eid);
	if (c->eid == SBI_EXT_BASE) {
		/* KVM forwards BASE only for probe_extension of an extension it does not own */
		if (c->fid != SBI_BASE_PROBE_EXT)
			return 0;
		r->kind = SBI_KIND_BASE;
		ret(r, SBI_SUCCESS, ext_bit(s->serve, sbi__kvm_ext_of(c->args[0])));
		return 1;
	}
	if (ext_bit(s->disabled, ext)) {
		r->kind = SBI_KIND_DISABLED;
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return 1;
	}
	if (!ext_bit(s->serve, ext)) {
		if (!s->absent || !absent_in_kvm(c->eid))
			return 0;
		r->kind = SBI_KIND_ABSENT;
		ret(r, SBI_ERR_NOT_SUPPORTED, 0);
		return 1;
	}
	switch (ext) {
	case BOOTCASE_KVM_SBI_EXT_TIME:
		r->kind = SBI_KIND_TIME;
		serve_time(c, env, r);
		return 1;
	case BOOTCASE_KVM_SBI_EXT_IPI:
		r->kind = SBI_KIND_IPI;
		serve_ipi(c, env, r);
		return 1;
	case BOOTCASE_KVM_SBI_EXT_HSM:
		r->kind = SBI_KIND_HSM;
		serve_hsm(c, env, r);
		return 1;
	case BOOTCASE_KVM_SBI_EXT_SUSP:
		r->kind = SBI_KIND_SUSP;
		serve_susp(c, env, r);
		return 1;
	case BOOTCASE_KVM_SBI_EXT_FWFT:
		r->kind = SBI_KIND_FWFT;
		serve_fwft(c, r);
		return 1;
	default:
		return 0;
	}
}
