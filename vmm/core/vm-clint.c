/*
 * vm-clint.c - the xv6 profile's timers on KVM: the CLINT model (dev/clint.c) wired to the
 * vCPUs, and the Sstc check for the newer xv6.
 *
 * xv6-riscv has had two timer designs, and this profile runs both unmodified:
 *
 *   CLINT era (to 2024): start() programs mtimecmp and points mtvec at timervec, which turns
 *   each machine timer interrupt into a supervisor software interrupt. The CLINT model plays
 *   timervec (see clint.c); this file gives it its three hooks:
 *     now()       the guest's time CSR. KVM's guest time is the L1 time CSR plus a per-VM
 *                 offset (time_delta); we sample it once through the timer ONE_REG register
 *                 "time" next to an rdtime, so mtime and the guest's rdtime agree exactly.
 *     arm()       a CLOCK_MONOTONIC timerfd that the main thread polls (vm-run.c). L1's
 *                 monotonic clock is driven by the same time CSR, so ticks convert to ns at
 *                 the timebase frequency; an early wake-up only re-arms (clint__tick).
 *     soft_irq()  flag the hart and kick its vCPU out of KVM_RUN; the vCPU thread then sets
 *                 the guest's sip.SSIP (vm__deliver_ssip). KVM has no interrupt ioctl for it
 *                 (KVM_INTERRUPT drives only the external interrupt), so it goes through the
 *                 sip CSR register, which needs the vCPU out of KVM_RUN: its own thread is.
 *
 *   Sstc era (2024 on): start() sets menvcfg.STCE and mcounteren.TM, which the shim shadows,
 *   and the kernel programs stimecmp itself. In VS-mode that is vstimecmp, which KVM gives the
 *   guest when the host has Sstc (henvcfg.STCE); nothing here is involved beyond checking that
 *   KVM offers the extension, so a missing one is a clear note rather than a mystery.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvm-riscv.h"
#include "vm.h"

#define NSEC_PER_SEC 1000000000ULL
#define MAX_WAIT_NS (3600 * NSEC_PER_SEC) /* a deadline further out is re-armed on wake-up */
#define SIP_SSIP (1ULL << 1)

/* The L1 time CSR; Linux lets user space read it (the vDSO clock does). */
static uint64_t rdtime(void)
{
	uint64_t t;

	__asm__ __volatile__("rdtime %0" : "=r"(t));
	return t;
}

static uint64_t clint_now(void *ctx)
{
	struct vm *vm = ctx;

	return rdtime() + vm->time_offset;
}

static void clint_arm(void *ctx, uint64_t deadline)
{
	struct vm *vm = ctx;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (deadline != CLINT_NEVER) {
		uint64_t now = clint_now(vm), ticks = deadline > now ? deadline - now : 0;
		uint64_t hz = vm->timebase_hz, ns = MAX_WAIT_NS;

		if (ticks / hz < MAX_WAIT_NS / NSEC_PER_SEC) /* in two parts: no 64-bit overflow */
			ns = ticks / hz * NSEC_PER_SEC + ticks % hz * NSEC_PER_SEC / hz;
		if (!ns)
			ns = 1; /* 0 would disarm the timerfd: due now means "as soon as possible" */
		its.it_value.tv_sec = (time_t)(ns / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(ns % NSEC_PER_SEC);
	}
	/* without its timer the guest's next tick never comes: end the run, say why */
	if (timerfd_settime(vm->clint_fd, 0, &its, NULL) < 0)
		vm__host_fault(vm, FAULT_DEVICE, "clint", errno,
			       "timerfd_settime of the CLINT deadline timer failed");
}

static void clint_soft_irq(void *ctx, unsigned hart)
{
	struct vm *vm = ctx;
	struct vcpu *vcpu = &vm->vcpus[hart];

	/* the flag before the kick: the vCPU looks at it whenever KVM_RUN returns */
	__atomic_store_n(&vcpu->ssip_pending, 1, __ATOMIC_SEQ_CST);
	vcpu__kick(vcpu);
}

const struct clint_hooks *vm__clint_hooks(struct vm *vm)
{
	vm->clint_hooks = (struct clint_hooks){ clint_now, clint_soft_irq, clint_arm, vm };
	return &vm->clint_hooks;
}

int vm__clint_setup(struct vm *vm)
{
	uint64_t guest_time, sstc = 0;
	int fd = vm->vcpus[0].fd, ret;

	ret = vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(time), &guest_time);
	if (ret)
		return ret;
	vm->time_offset = guest_time - rdtime();
	vm->clint_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vm->clint_fd < 0)
		return -errno;
	/* KVM turns on every extension the host has; ask, and try once if it did not. Harts
	 * must agree: one with stimecmp and one without is no machine xv6 can run on */
	if (vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_ISA_EXT_REG(KVM_RISCV_ISA_EXT_SSTC), &sstc) ||
	    !sstc) {
		unsigned on = 0;

		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			sstc = 1;
			if (!vcpu__one_reg(vm->vcpus[i].fd, KVM_SET_ONE_REG,
					   RISCV_ISA_EXT_REG(KVM_RISCV_ISA_EXT_SSTC), &sstc))
				on++;
		}
		if (on && on != vm->nr_vcpus)
			return vm__fail(vm, EIO, "--profile xv6: KVM enabled Sstc on %u of %u vCPUs; "
				       "the harts would differ", on, vm->nr_vcpus);
		sstc = on != 0;
	}
	vm->has_sstc = sstc != 0;
	if (!vm->has_sstc)
		fprintf(stderr, "vmm: --profile xv6: KVM offers no Sstc, so only a CLINT-timer xv6 "
			"can boot (one that writes stimecmp gets an illegal instruction)\n");
	return 0;
}

/*
 * Set the guest's sip.SSIP. KVM_GET_ONE_REG(sip) first folds interrupt changes KVM has queued
 * (irqs_pending) into the VS interrupt state and returns it as sip; KVM_SET_ONE_REG(sip) then
 * replaces that state and drops whatever was queued in between (arch/riscv/kvm/vcpu_onereg.c,
 * kvm_riscv_vcpu_general_{get,set}_csr). Our own queued changes are KVM_INTERRUPTs issued
 * under dev.lock (the PLIC's lines, the served IPI of vm-sbi.c), so holding it makes the
 * read-modify-write atomic against them. Two paths use it: the CLINT model (xv6's timervec,
 * vm__deliver_ssip) and a served HSM hart_start, which drops an IPI left from before the hart
 * stopped (Linux under --sbi-serve hsm,ipi; vm__sbi_hsm_gate). KVM's in-kernel SBI IPI runs
 * beside neither: xv6 sends no IPIs, and --sbi-serve hsm needs ipi served by the VMM too
 * (config.c). KVM's timer without Sstc could still queue VSTIP in between; on the hart_start
 * path that is a timer armed before the hart stopped, which a hart starting afresh does not
 * expect. vm__set_ssip does the read-modify-write; its caller holds dev.lock.
 */
int vm__set_ssip(struct vcpu *vcpu, int pending)
{
	uint64_t sip = 0;
	int ret = vcpu__one_reg(vcpu->fd, KVM_GET_ONE_REG, RISCV_CSR_REG(sip), &sip);

	if (ret || !(sip & SIP_SSIP) == !pending)
		return ret;
	sip ^= SIP_SSIP;
	return vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_CSR_REG(sip), &sip);
}

int vm__deliver_ssip(struct vm *vm, struct vcpu *vcpu)
{
	int ret;

	pthread_mutex_lock(&vm->dev.lock);
	ret = vm__set_ssip(vcpu, 1);
	pthread_mutex_unlock(&vm->dev.lock);
	return ret;
}

/* The timerfd fired: the main thread runs the model (dev.lock held). */
void vm__clint_service(struct vm *vm)
{
	uint64_t v;

	while (read(vm->clint_fd, &v, sizeof(v)) > 0)
		;
	clint__tick(&vm->dev.clint);
}
