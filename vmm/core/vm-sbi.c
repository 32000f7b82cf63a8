/*
 * vm-sbi.c - the KVM side of the SBI extensions the VMM takes over (sbi/sbi-serve.c), and of
 * the call trace.
 *
 * KVM_CAP_BOOTCASE_SBI_USER is the L1 patch's VM capability (images/kernels/patches/
 * 6.12-sbi-user.patch): FORWARD sends us calls to the extensions we disabled, REPORT shows us
 * the calls KVM answered itself, FORWARD_ABSENT the calls to extensions KVM lacks (SUSP, FWFT). A stock kernel lacks it: then --sbi-serve is refused, and
 * --sbi-disable and --sbi-trace keep their older, narrower meaning.
 *
 * What the served extensions need from KVM, each done on the right thread:
 *   TIME  the timer ONE_REG pair (compare, then state ON), on the caller's own thread;
 *   IPI   the target's VSSIP, through the patch's KVM_INTERRUPT extension, which queues it
 *         and kicks the vCPU as KVM's own IPI does (atomic with KVM's other interrupt
 *         updates, unlike a read-modify-write of the sip register);
 *   HSM   a stopped hart's thread waits here, outside KVM_RUN, on hsm_cond; hart_start makes
 *         it START_PENDING and wakes it, and the thread itself loads the SBI entry state
 *         (pc = start_addr, a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0) and tells
 *         KVM it is runnable. KVM keeps every vCPU but 0 powered off until then.
 *         A suspended hart plays WFI here: it waits on hsm_cond, with a timeout at its timer's
 *         compare value, until an interrupt it enabled in sie is pending. IPIs and PLIC lines
 *         broadcast hsm_cond; the timer is the timeout. (With Sstc the pending timer is not in
 *         sip, so it is compared with the guest's time here.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/kvm.h>

#include "kvm-riscv.h"
#include "vm.h"

#define SSTATUS_SIE (1ULL << 1)
#define IRQ_STIP (1ULL << 5)
#define NSEC_PER_SEC 1000000000ULL

static int sbi_set_timer(void *ctx, unsigned hart, uint64_t when)
{
	struct vm *vm = ctx;
	uint64_t on = KVM_RISCV_TIMER_STATE_ON;
	int fd = vm->vcpus[hart].fd;

	/* with Sstc KVM loads compare into vstimecmp on the next entry; without it, state ON
	 * arms its hrtimer at compare (the patch fixes 6.12 arming it at cycle 1) */
	return vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_TIMER_REG(compare), &when) ?:
	       vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_TIMER_REG(state), &on);
}

static int sbi_send_ipi(void *ctx, unsigned hart)
{
	struct vm *vm = ctx;
	struct kvm_interrupt ssip = { .irq = BOOTCASE_KVM_INTERRUPT_SSIP };

	/* KVM queues VSSIP and kicks the vCPU itself, as for its own IPI (FORWARD is on: a
	 * served IPI needs it) */
	if (ioctl(vm->vcpus[hart].fd, KVM_INTERRUPT, &ssip) < 0)
		return -errno;
	pthread_cond_broadcast(&vm->hsm_cond); /* a suspended hart wakes up (dev.lock held) */
	return 0;
}

static void sbi_wake(void *ctx, unsigned hart)
{
	struct vm *vm = ctx;

	(void)hart; /* each waiter looks at its own state (called with dev.lock held) */
	pthread_cond_broadcast(&vm->hsm_cond);
}

int vm__sbi_setup(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct kvm_enable_cap cap = { .cap = BOOTCASE_KVM_CAP_SBI_USER };
	/* extensions KVM 6.12 lacks: they reach us only through FORWARD_ABSENT */
	const uint32_t absent = (1u << BOOTCASE_KVM_SBI_EXT_SUSP) | (1u << BOOTCASE_KVM_SBI_EXT_FWFT);
	int have = ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, BOOTCASE_KVM_CAP_SBI_USER);
	pthread_condattr_t attr;

	if (have < 0)
		have = 0;
	if (cfg->sbi_serve && !(have & BOOTCASE_KVM_SBI_FORWARD))
		return vm__fail(vm, -ENOTSUP, "option --sbi-serve: this KVM answers disabled SBI "
			       "extensions itself; serving them needs an L1 kernel with "
			       "images/kernels/patches/6.12-sbi-user.patch");
	if ((cfg->sbi_serve & absent) && !(have & BOOTCASE_KVM_SBI_FORWARD_ABSENT))
		return vm__fail(vm, -ENOTSUP, "option --sbi-serve susp/fwft: this KVM does not "
			       "forward the extensions it lacks; serving them needs an L1 kernel with "
			       "the current images/kernels/patches/6.12-sbi-user.patch");
	if ((cfg->sbi_serve || cfg->sbi_disable) && (have & BOOTCASE_KVM_SBI_FORWARD))
		cap.args[0] |= BOOTCASE_KVM_SBI_FORWARD;
	if (cfg->sbi_serve & absent)
		cap.args[0] |= BOOTCASE_KVM_SBI_FORWARD_ABSENT;
	if (cfg->sbi_trace && (have & BOOTCASE_KVM_SBI_REPORT))
		cap.args[0] |= BOOTCASE_KVM_SBI_REPORT;
	if (cap.args[0] && ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return vm__fail(vm, -errno, "KVM_ENABLE_CAP (bootcase SBI forwarding): %s",
			       strerror(errno));
	vm->sbi_user = (uint32_t)cap.args[0];
	if (!(vm->sbi_user & BOOTCASE_KVM_SBI_FORWARD))
		return 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* suspend's timeouts */
	pthread_cond_init(&vm->hsm_cond, &attr);
	pthread_condattr_destroy(&attr);
	vm->hsm_cond_init = 1;
	vm->served.serve = cfg->sbi_serve;
	vm->served.disabled = cfg->sbi_disable;
	vm->served.absent = !!(vm->sbi_user & BOOTCASE_KVM_SBI_FORWARD_ABSENT);
	vm->served.ops = (struct sbi_machine_ops){ vm, sbi_set_timer, sbi_send_ipi, sbi_wake };
	sbi__served_init(&vm->served, vm->nr_vcpus, cfg->harts_running);
	vm->sbi.served = &vm->served;
	return 0;
}

/* Enter the guest next at pc, as the SBI spec starts or resumes a hart. KVM_RUN must not then
 * complete the SBI call that got us here (it would set a0/a1 and step past the ecall), so
 * the last exit is forgotten. */
int vm__sbi_enter_at(struct vcpu *vcpu, uint64_t pc, uint64_t opaque)
{
	uint64_t hart = vcpu->id, zero = 0, sstatus = 0;
	int ret;

	ret = vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.pc), &pc) ?:
	      vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a0), &hart) ?:
	      vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a1), &opaque) ?:
	      vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CSR_REG(satp), &zero) ?:
	      vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_CSR_REG(sstatus), &sstatus);
	if (ret)
		return ret;
	sstatus &= ~SSTATUS_SIE;
	ret = vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CSR_REG(sstatus), &sstatus);
	vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	return ret;
}

/*
 * Served HSM, at the top of each turn of the run loop: a STOPPED hart waits here; a
 * START_PENDING one enters at its start address. 0, 1 when the run is over, or -errno.
 */
int vm__sbi_hsm_gate(struct vm *vm, struct vcpu *vcpu)
{
	struct kvm_mp_state runnable = { .mp_state = KVM_MP_STATE_RUNNABLE };
	struct sbi_hart *h = &vm->served.harts[vcpu->id];
	int ret = 0;

	if (!(vm->sbi.served && (vm->served.serve & (1u << BOOTCASE_KVM_SBI_EXT_HSM))))
		return 0;
	/* the common case, without the lock: only this hart's own thread moves it out of
	 * STARTED (hart_stop, suspend), and hart_start of a started hart changes nothing */
	if (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == SBI_HSM_STARTED)
		return 0;
	pthread_mutex_lock(&vm->dev.lock);
	while (h->state == SBI_HSM_STOPPED && !vm->stopping)
		pthread_cond_wait(&vm->hsm_cond, &vm->dev.lock);
	if (vm->stopping) {
		ret = 1;
	} else if (h->state == SBI_HSM_START_PENDING) {
		/* a started hart begins afresh: an IPI sent while it was stopped is gone, as KVM's
		 * reset drops it (dev.lock keeps our other sip writers out meanwhile) */
		ret = vm__set_ssip(vcpu, 0) ?: vm__sbi_enter_at(vcpu, h->start_addr, h->opaque);
		if (!ret && ioctl(vcpu->fd, KVM_SET_MP_STATE, &runnable) < 0)
			ret = -errno;
		h->state = SBI_HSM_STARTED;
	}
	pthread_mutex_unlock(&vm->dev.lock);
	return ret;
}

/*
 * Is an interrupt that sie enables pending? Returns 1, 0 with *wait_ns until the timer is due
 * (or UINT64_MAX), or -errno. Called with dev.lock held, so no IPI or PLIC line slips between
 * this look and the wait.
 */
static int suspend_pending(struct vm *vm, struct vcpu *vcpu, uint64_t sie, uint64_t *wait_ns)
{
	uint64_t sip = 0, cmp = 0, now = 0, ticks, hz = vm->timebase_hz;
	int ret;

	*wait_ns = UINT64_MAX;
	if ((ret = vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_CSR_REG(sip), &sip)))
		return ret;
	if (sip & sie)
		return 1;
	if (!(sie & IRQ_STIP))
		return 0;
	if ((ret = vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(compare), &cmp)) ||
	    (ret = vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(time), &now)))
		return ret;
	if (now >= cmp)
		return 1;
	ticks = cmp - now;
	if (ticks / hz < 3600) /* further out: wait an hour, then look again */
		*wait_ns = ticks / hz * NSEC_PER_SEC + (ticks % hz * NSEC_PER_SEC + hz - 1) / hz;
	return 0;
}

int vm__sbi_suspend(struct vm *vm, struct vcpu *vcpu)
{
	struct sbi_hart *h = &vm->served.harts[vcpu->id];
	uint64_t sie = 0, wait_ns;
	struct timespec ts;
	int ret;

	if ((ret = vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_CSR_REG(sie), &sie)))
		return ret;
	pthread_mutex_lock(&vm->dev.lock);
	while (!vm->stopping && (ret = suspend_pending(vm, vcpu, sie, &wait_ns)) == 0) {
		if (wait_ns == UINT64_MAX)
			wait_ns = 3600 * NSEC_PER_SEC;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		wait_ns += (uint64_t)ts.tv_nsec;
		ts.tv_sec += (time_t)(wait_ns / NSEC_PER_SEC);
		ts.tv_nsec = (long)(wait_ns % NSEC_PER_SEC);
		pthread_cond_timedwait(&vm->hsm_cond, &vm->dev.lock, &ts);
	}
	h->state = SBI_HSM_STARTED;
	pthread_mutex_unlock(&vm->dev.lock);
	return ret < 0 ? ret : 0;
}

/*
 * The run is over: let every parked hart see vm->stopping. The broadcast is made under the
 * lock so that no waiter is between its look at stopping and its wait; but the lock may be
 * held by a vCPU blocked in a console write, so only try: the stop comes back.
 */
void vm__sbi_release(struct vm *vm)
{
	if (!vm->hsm_cond_init || pthread_mutex_trylock(&vm->dev.lock))
		return;
	pthread_cond_broadcast(&vm->hsm_cond);
	pthread_mutex_unlock(&vm->dev.lock);
}

/* --sbi-trace: SRST (and legacy shutdown) end in a system event, not an SBI exit, so the call
 * is read back from the caller's registers, which KVM leaves as the guest set them. */
void vm__sbi_trace_system_event(struct vm *vm, struct vcpu *vcpu)
{
	static const uint64_t ids[8] = {
		RISCV_CORE_REG(regs.a0), RISCV_CORE_REG(regs.a1), RISCV_CORE_REG(regs.a2),
		RISCV_CORE_REG(regs.a3), RISCV_CORE_REG(regs.a4), RISCV_CORE_REG(regs.a5),
		RISCV_CORE_REG(regs.a6), RISCV_CORE_REG(regs.a7),
	};
	uint64_t a[8];
	struct sbi_call call;
	struct sbi_reply reply = { .kind = SBI_KIND_KVM };
	struct jline l;
	unsigned i;

	for (i = 0; i < 8; i++)
		if (vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, ids[i], &a[i]))
			return;
	call = (struct sbi_call){ .eid = a[7], .fid = a[6], .hart = vcpu->id };
	memcpy(call.args, a, sizeof(call.args));
	pthread_mutex_lock(&vm->dev.lock);
	events__begin(vm->ev, &l, "sbi");
	sbi__trace(&l, vcpu->id, &call, &reply);
	events__emit_batched(vm->ev, &l);
	pthread_mutex_unlock(&vm->dev.lock);
}
