/*
 * vcpu.c - the KVM_RUN loop of one vCPU.
 *
 * vcpu__run() loops on KVM_RUN and turns each exit into an enum vcpu_exit. Exits that the
 * guest continues from (console output, a device register, a MARK) are handled here and
 * never leave the loop. Everything the VMM refuses becomes a typed struct vcpu_fault.
 *
 * Each vCPU runs this loop on its own thread (vm-run.c). It sees the machine through
 * vcpu->env and asks the VM for what the VM owns (HSM, the CLINT's SSIP, phase events)
 * through env->ops, never by name: the VM is the layer above. Exits that touch shared state
 * (a device register, the console, an event) hold env->dev->lock while they do, or for a
 * disk's registers that disk's own lock (devices.h); KVM_RUN itself runs unlocked. The claim
 * of the end sets vm->stopping (*env->stopping), and the main thread then ends the loop with
 * vcpu__kick(), repeated until the thread has left (or, for one waiting on a busy disk's
 * lock, until that disk's request in hand is done and the lock free): immediate_exit makes
 * KVM_RUN return EINTR at once even when the kick lands between our check of the flag and
 * the ioctl (KVM_CAP_IMMEDIATE_EXIT, api.rst 4.1), and the signal interrupts a KVM_RUN
 * already in progress (including one parked in a STOPPED hart) or a console write blocked
 * on its reader.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "devices.h"
#include "events.h"
#include "kvm-riscv.h"
#include "vcpu.h"

static const char *const fault_names[] = {
#define VCPU_FAULT_NAME(kind, name) [kind] = name,
	VCPU_FAULT_KINDS(VCPU_FAULT_NAME)
#undef VCPU_FAULT_NAME
};

const char *vcpu__fault_kind_name(enum vcpu_fault_kind kind)
{
	return fault_names[kind];
}

int vcpu__one_reg(int fd, unsigned long req, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(fd, req, &reg) < 0 ? -errno : 0;
}

void vcpu__kick(struct vcpu *vcpu)
{
	if (vcpu->run)
		__atomic_store_n(&vcpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (vcpu->has_thread)
		pthread_kill(vcpu->thread, VCPU_KICK_SIGNAL);
}

static enum vcpu_exit vcpu_fault(struct vcpu *vcpu, enum vcpu_fault_kind kind)
{
	vcpu->fault.kind = kind;
	vcpu->fault.pc = 0;
	/* a pc KVM will not give back is unknown, not 0x0 (the event says null) */
	vcpu->fault.pc_err = -vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_CORE_REG(regs.pc),
					    &vcpu->fault.pc);
	return VCPU_FAULT;
}

static enum vcpu_exit vcpu_sbi(struct vcpu *vcpu, const struct vcpu_env *env)
{
	struct kvm_run *run = vcpu->run;
	struct sbi_call call = { run->riscv_sbi.extension_id, run->riscv_sbi.function_id, { 0 },
				 vcpu->id };
	struct sbi_reply reply = { .kind = SBI_KIND_KVM };
	int reported = (*env->sbi_user & BOOTCASE_KVM_SBI_REPORT) &&
		       (run->flags & BOOTCASE_KVM_SBI_RUN_REPORTED);
	struct jline l;
	int r;

	memcpy(call.args, run->riscv_sbi.args, sizeof(call.args));
	/* console calls reach the shared console buffer and input; under the same lock, the
	 * trace events of all harts come out in the order the calls were handled */
	pthread_mutex_lock(&env->dev->lock);
	if (reported) /* KVM answered it already (REPORT): only show it */
		memcpy(reply.ret, run->riscv_sbi.ret, sizeof(reply.ret));
	else
		sbi__handle(&call, env->sbi, &reply);
	if (env->sbi_trace) {
		events__begin(env->ev, &l, "sbi");
		sbi__trace(&l, vcpu->id, &call, &reply);
		events__emit_batched(env->ev, &l);
	}
	pthread_mutex_unlock(&env->dev->lock);
	vcpu->stats.sbi_calls[reply.kind]++;
	if (reported)
		return VCPU_CONTINUE;
	run->riscv_sbi.ret[0] = reply.ret[0];
	run->riscv_sbi.ret[1] = reply.ret[1];
	switch (reply.action) {
	case SBI_ACT_RETURN:
	case SBI_ACT_PARK: /* hart_stop: the HSM gate at the top of the loop parks us */
		return VCPU_CONTINUE;
	case SBI_ACT_SUSPEND:
	case SBI_ACT_RESUME:
		r = env->ops->suspend(vcpu);
		if (!r && reply.action == SBI_ACT_RESUME)
			r = env->ops->enter_at(vcpu, reply.value, reply.opaque);
		if (!r)
			return VCPU_CONTINUE;
		vcpu->fault.err = -r;
		snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
			 "HSM suspend: cannot wait or resume at 0x%llx: %s",
			 (unsigned long long)reply.value, strerror(-r));
		return vcpu_fault(vcpu, FAULT_KVM_RUN);
	case SBI_ACT_MARK:
		pthread_mutex_lock(&env->dev->lock);
		console__flush(env->con);
		events__begin(env->ev, &l, "mark");
		jline__u64(&l, "id", reply.value);
		events__emit(env->ev, &l);
		pthread_mutex_unlock(&env->dev->lock);
		return VCPU_CONTINUE;
	case SBI_ACT_EXIT:
		vcpu->code = reply.value;
		return VCPU_REPORT;
	default:
		vcpu->fault.eid = call.eid;
		vcpu->fault.fid = call.fid;
		return vcpu_fault(vcpu, FAULT_SBI_UNKNOWN);
	}
}

static enum vcpu_exit vcpu_mmio(struct vcpu *vcpu, const struct vcpu_env *env)
{
	struct kvm_run *run = vcpu->run;
	struct mmio_miss miss;
	int ret;

	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
	/* under the lock of the device it reaches: a disk's own, else dev.lock */
	ret = devices__mmio(env->dev, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			    run->mmio.is_write, &miss);
	if (!ret)
		return VCPU_CONTINUE;
	vcpu->fault.addr = run->mmio.phys_addr;
	vcpu->fault.len = run->mmio.len;
	vcpu->fault.is_write = run->mmio.is_write;
	if (ret == -ENOENT)
		return vcpu_fault(vcpu, FAULT_MMIO_UNMAPPED);
	vcpu->fault.device = miss.device;
	snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg), "%s", miss.msg);
	return vcpu_fault(vcpu, FAULT_DEVICE);
}

static enum vcpu_exit vcpu_system_event(struct vcpu *vcpu, const struct vcpu_env *env)
{
	struct kvm_run *run = vcpu->run;

	if (env->sbi_trace)
		env->ops->trace_system_event(vcpu);
	/* KVM's SRST handler puts the SBI reset_reason in data[0] */
	vcpu->reason = run->system_event.ndata ? run->system_event.data[0] : 0;
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		return VCPU_SHUTDOWN;
	case KVM_SYSTEM_EVENT_RESET:
		return VCPU_RESET;
	default:
		vcpu->fault.reason = KVM_EXIT_SYSTEM_EVENT;
		snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg), "system event type %u",
			 run->system_event.type);
		return vcpu_fault(vcpu, FAULT_KVM_EXIT);
	}
}

#define CSR_SEED 0x015	     /* Zkr's entropy source (RISC-V scalar crypto spec, "seed" CSR) */
#define SEED_OPST_ES16 (2U << 30) /* OPST = ES16: bits 15:0 hold 16 bits of entropy */

/*
 * KVM_EXIT_RISCV_CSR: the CSR accesses KVM leaves to user space. In KVM 6.12 that is only
 * `seed`, when the hart has Zkr (QEMU's -cpu max): Linux reads it for early randomness. The
 * VMM is the entropy source: each access returns ES16 with 16 fresh bits from the host's
 * getrandom(); the written value is ignored, as the spec has it. Any other CSR is a fault that
 * names it, not a guess.
 */
static enum vcpu_exit vcpu_csr(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	uint16_t bits;

	if (run->riscv_csr.csr_num == CSR_SEED &&
	    getrandom(&bits, sizeof(bits), 0) == (ssize_t)sizeof(bits)) {
		run->riscv_csr.ret_value = SEED_OPST_ES16 | bits;
		return VCPU_CONTINUE;
	}
	vcpu->fault.reason = KVM_EXIT_RISCV_CSR;
	snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg), "CSR 0x%03lx access left to user space (%s)",
		 (unsigned long)run->riscv_csr.csr_num,
		 run->riscv_csr.csr_num == CSR_SEED ? "getrandom failed" : "no model for it");
	return vcpu_fault(vcpu, FAULT_KVM_EXIT);
}

static enum vcpu_exit vcpu_handle_exit(struct vcpu *vcpu, const struct vcpu_env *env)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_RISCV_SBI:
		vcpu->stats.sbi++;
		return vcpu_sbi(vcpu, env);
	case KVM_EXIT_MMIO:
		vcpu->stats.mmio++;
		return vcpu_mmio(vcpu, env);
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu->stats.system_event++;
		return vcpu_system_event(vcpu, env);
	case KVM_EXIT_INTR:
		vcpu->stats.intr++;
		return VCPU_CONTINUE;
	case KVM_EXIT_RISCV_CSR:
		vcpu->stats.other++;
		return vcpu_csr(vcpu);
	default:
		vcpu->stats.other++;
		vcpu->fault.reason = run->exit_reason;
		if (run->exit_reason == KVM_EXIT_FAIL_ENTRY)
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
				 "entry failed, hardware reason 0x%llx",
				 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		else if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
				 "internal error, suberror %u", run->internal.suberror);
		else
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
				 "unhandled exit reason %u", run->exit_reason);
		return vcpu_fault(vcpu, FAULT_KVM_EXIT);
	}
}

enum vcpu_exit vcpu__run(struct vcpu *vcpu)
{
	const struct vcpu_env *env = vcpu->env;
	enum vcpu_exit ret;
	int r, err;

	for (;;) {
		if (*env->stopping)
			return VCPU_STOPPED;
		/* the CLINT model raised SSIP and kicked us here (vm-clint.c) */
		if (__atomic_exchange_n(&vcpu->ssip_pending, 0, __ATOMIC_SEQ_CST) &&
		    (r = env->ops->deliver_ssip(vcpu)) < 0) {
			vcpu->fault.err = -r;
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
				 "setting sip.SSIP for the CLINT timer: %s", strerror(-r));
			return vcpu_fault(vcpu, FAULT_KVM_RUN);
		}
		/* a hart stopped by a served HSM waits here until someone starts it */
		if ((r = env->ops->hsm_gate(vcpu)) != 0) {
			if (r > 0)
				return VCPU_STOPPED;
			vcpu->fault.err = -r;
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg),
				 "HSM hart_start: cannot load the start state: %s", strerror(-r));
			return vcpu_fault(vcpu, FAULT_KVM_RUN);
		}
		if (!vcpu->started) {
			vcpu->started = 1;
			vcpu->t_first_run_ns = events__now_ns();
			env->ops->phase(vcpu, VCPU_PHASE_FIRST_RUN);
		}
		r = ioctl(vcpu->fd, KVM_RUN, 0);
		err = errno;
		if (vcpu->stats.total++ == 0)
			env->ops->phase(vcpu, VCPU_PHASE_FIRST_EXIT);
		if (r < 0 && (err == EINTR || err == EAGAIN)) {
			vcpu->stats.intr++;
			/* clear before testing the flag: a kick after this re-arms it */
			__atomic_store_n(&vcpu->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			continue;
		}
		if (r < 0) {
			vcpu->fault.err = err;
			snprintf(vcpu->fault.msg, sizeof(vcpu->fault.msg), "%s", strerror(err));
			/* KVM logged the trap it could not handle (scause, stval, htval): fetch it */
			kmsg__read_trap(syscall(SYS_gettid), &vcpu->fault.trap);
			return vcpu_fault(vcpu, FAULT_KVM_RUN);
		}
		ret = vcpu_handle_exit(vcpu, env);
		if (ret != VCPU_CONTINUE)
			return ret;
	}
}
