/*
 * vm-run.c - one thread per vCPU, and the main thread that watches them.
 *
 * Each vCPU thread loops in vcpu__run() until an exit ends the run (shutdown, reboot, report,
 * fault) and claims the end; the first claim wins and wakes the main thread through an
 * eventfd. The main thread meanwhile waits in poll() for:
 *
 *   done_fd   eventfd    a vCPU ended the run
 *   deadline  timerfd    --timeout-ms expired: the run ends as "timeout"
 *   flush_fd  timerfd    a partial console line has waited 10 ms: write it out
 *   clint_fd  timerfd    the CLINT's next mtimecmp deadline (--profile xv6, vm-clint.c)
 *   console   the console input fd, while the guest's input device takes bytes (devices.c)
 * SIGTERM (the agent's kill) ends the run as a timeout too; its handler is installed when the
 * VMM starts (vm__catch_sigterm), so a kill during set-up still ends with an "end".
 *
 * The claim of the end sets vm->stopping. The main thread then stops the vCPUs without ever
 * waiting on a lock (vm_stop_vcpus): it kicks every vCPU out of KVM_RUN (vcpu__kick), and
 * again every STOP_KICK_NS until each thread has left, because a kick that lands just before
 * a thread enters a blocking write interrupts nothing. A vCPU blocked writing console output
 * or an event under dev.lock is released by the kick: the write fails with EINTR, and the
 * console and the events give up on it since their abort flag (= vm->stopping) is set. Harts
 * parked by a served HSM are woken with a broadcast taken only with trylock, retried each
 * round. Device loops under the lock are bounded (virtio_mmio__may_serve), so no guest, even
 * one with a second hart that keeps re-posting requests, keeps the lock for long.
 *
 * Disk requests are served by one I/O thread per disk (devices__start_io), under that disk's
 * lock and never under dev.lock, so a disk sleeping in host I/O stalls no other device. A vCPU
 * waiting for a busy disk's lock cannot be kicked, but the I/O thread's batch ends with the
 * request in hand once vm->stopping is set, so it waits for one request at most. After the
 * vCPUs, the I/O threads are joined (devices__stop_io): the caller's devices__sync comes after
 * every write. A request that breaks a disk there ends the run with a device fault.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "vm.h"

#define FLUSH_DELAY_NS (10 * 1000 * 1000)
/* Kick the vCPUs that have not left yet this often while stopping. */
#define STOP_KICK_NS (2 * 1000 * 1000)
/* At the end, the console reader gets this long to take what is still buffered. */
#define DRAIN_MS 1000
/* Console input waits while the input device is full; look again this often. */
#define INPUT_RETRY_MS 10

/*
 * The first claim wins. Async-signal-safe (the SIGTERM handler claims too): atomics and a
 * write() to the eventfd only.
 */
static int vm_claim(struct vm *vm, enum vcpu_exit why, struct vcpu *vcpu, int by_sigterm)
{
	int expected = 0;
	uint64_t one = 1;

	if (why == VCPU_STOPPED || why == VCPU_CONTINUE)
		return 0;
	if (!__atomic_compare_exchange_n(&vm->end_claimed, &expected, 1, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return 0;
	vm->end.why = why;
	vm->end.vcpu = vcpu;
	vm->terminated = by_sigterm;
	/* from now on every vCPU leaves at its next look, and blocked writes give up */
	__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
	if (vm->done_fd >= 0) {
		/* adds 1 to a counter the main thread drains: fails only on overflow */
		ssize_t n = write(vm->done_fd, &one, sizeof(one));

		(void)n;
	}
	return 1;
}

int vm__claim_end(struct vm *vm, enum vcpu_exit why, struct vcpu *vcpu)
{
	return vm_claim(vm, why, vcpu, 0);
}

static void on_kick(int sig)
{
	(void)sig; /* only here to make KVM_RUN (and a blocked write) return EINTR */
}

/*
 * SIGTERM is how the agent stops a run whose harness deadline passed (docs/protocol.md, kill):
 * end it as a timeout, so the end event still says where every hart was. Caught from the
 * start of the VMM: a kill during set-up is remembered and ends the run as soon as it
 * starts. The handler only sets flags and claims the end (atomics and an eventfd write).
 */
static volatile sig_atomic_t sigterm_seen;
static struct vm *term_vm; /* atomic: the run a SIGTERM ends */

static void on_term(int sig)
{
	struct vm *vm = __atomic_load_n(&term_vm, __ATOMIC_SEQ_CST);
	int saved = errno; /* the interrupted code may be about to read it */

	(void)sig;
	sigterm_seen = 1;
	if (vm)
		vm_claim(vm, VCPU_TIMEOUT, NULL, 1);
	errno = saved;
}

int vm__catch_sigterm(void)
{
	struct sigaction sa;

	/* SA_RESTART: during set-up the signal must not fail a read; the run's waits (poll, the
	 * vCPUs' KVM_RUN) return EINTR anyway, and the stop's kicks interrupt the rest */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESTART;
	return sigaction(SIGTERM, &sa, NULL) < 0 ? -errno : 0;
}

const volatile sig_atomic_t *vm__sigterm_flag(void)
{
	return &sigterm_seen;
}

void vm__host_fault(struct vm *vm, enum vcpu_fault_kind kind, const char *device, int err,
		    const char *msg)
{
	if (__atomic_load_n(&vm->end_claimed, __ATOMIC_SEQ_CST))
		return; /* the run already ended: keep the fault of whoever ended it */
	vm->end.fault.kind = kind;
	vm->end.fault.device = device;
	vm->end.fault.err = err;
	snprintf(vm->end.fault.msg, sizeof(vm->end.fault.msg), "%s", msg);
	vm__claim_end(vm, VCPU_FAULT, NULL);
}

/* A partial console line is pending (called under dev.lock): flush it in 10 ms. */
static void arm_flush(void *ctx)
{
	struct vm *vm = ctx;
	struct itimerspec its = { .it_value = { 0, FLUSH_DELAY_NS } };

	if (vm->flush_armed || vm->flush_fd < 0)
		return;
	if (timerfd_settime(vm->flush_fd, 0, &its, NULL) == 0)
		vm->flush_armed = 1;
	else /* the line would wait for the next newline, maybe forever: a host failure */
		vm__host_fault(vm, FAULT_KVM_RUN, NULL, errno,
			      "timerfd_settime of the console flush timer failed");
}

/* A disk's I/O thread found a request that broke the device: no vCPU's access sees it. */
static void vm_device_fault(void *ctx, const char *device, const char *msg)
{
	vm__host_fault(ctx, FAULT_DEVICE, device, 0, msg);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vm__claim_end(vcpu->vm, vcpu__run(vcpu), vcpu);
	__atomic_store_n(&vcpu->exited, 1, __ATOMIC_SEQ_CST); /* the stop kicks it no more */
	return NULL;
}

static int vm_run_setup(struct vm *vm, int *deadline_fd)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;
	int ret;

	/* no SA_RESTART: the point of the kick is to interrupt KVM_RUN */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_kick;
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	vm->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	vm->flush_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	*deadline_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (vm->done_fd < 0 || vm->flush_fd < 0 || *deadline_fd < 0)
		return -errno;
	if (vm->cfg->timeout_ms) {
		its.it_value.tv_sec = (time_t)(vm->cfg->timeout_ms / 1000);
		its.it_value.tv_nsec = (long)(vm->cfg->timeout_ms % 1000) * 1000000L;
		if (timerfd_settime(*deadline_fd, 0, &its, NULL) < 0)
			return -errno;
	}
	vm->con->arm_ctx = vm;
	vm->con->arm_flush = arm_flush;
	vm->con->abort = &vm->stopping;
	vm->ev->abort = &vm->stopping;
	devices__set_stop(&vm->dev, &vm->stopping);
	if ((ret = devices__start_io(&vm->dev, vm_device_fault, vm)))
		return ret;
	return vm->cfg->irqchip == IRQCHIP_AIA ? vm__notify_start(vm) : 0;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

/*
 * Deferred work, with dev.lock held: a CLINT deadline, a due flush, and console input. Returns
 * whether console bytes still wait for room in the input device (then they are retried, not
 * re-polled).
 */
static int vm_service(struct vm *vm, int flush_due, int input_due, int clint_due)
{
	if (clint_due)
		vm__clint_service(vm);
	if (flush_due) {
		vm->flush_armed = 0;
		/* never blocks: a stalled reader takes the rest at a later flush, or never */
		if (console__flush_nowait(vm->con))
			arm_flush(vm);
	}
	if (!input_due)
		return 0;
	if (!devices__input_space(&vm->dev))
		/* a polling guest may have pulled the bytes itself in the meantime */
		return console__input_ready(vm->con);
	if (devices__pump_input(&vm->dev)) /* the guest broke its receive queue: as for MMIO */
		vm__host_fault(vm, FAULT_DEVICE, "virtio-console", 0, vm->dev.err);
	return 0;
}

/*
 * The main thread's share of the run: wait until it ends. It only ever trylocks dev.lock, so
 * a vCPU stuck in a console write under the lock cannot keep the deadline from firing; work
 * it cannot do now (lock busy, input device full) it retries every INPUT_RETRY_MS, and it
 * stops polling the console meanwhile, so a readable console never makes it spin.
 */
static void vm_watch(struct vm *vm, int deadline_fd)
{
	enum { P_DONE, P_DEADLINE, P_FLUSH, P_CLINT, P_INPUT, P__COUNT };
	int flush_due = 0, input_due = 0, clint_due = 0;

	while (!__atomic_load_n(&vm->end_claimed, __ATOMIC_SEQ_CST)) {
		struct pollfd p[P__COUNT] = {
			[P_DONE] = { vm->done_fd, POLLIN, 0 },
			[P_DEADLINE] = { deadline_fd, POLLIN, 0 },
			[P_FLUSH] = { vm->flush_fd, POLLIN, 0 },
			[P_CLINT] = { clint_due ? -1 : vm->clint_fd, POLLIN, 0 },
			[P_INPUT] = { -1, POLLIN, 0 },
		};
		int pending = flush_due || input_due || clint_due;

		if (!input_due && !vm->con->in_eof)
			p[P_INPUT].fd = vm->con->in_fd;
		if (poll(p, P__COUNT, pending ? INPUT_RETRY_MS : -1) < 0) {
			if (errno != EINTR)
				vm__host_fault(vm, FAULT_KVM_RUN, NULL, errno, strerror(errno));
			continue;
		}
		if (p[P_DEADLINE].revents)
			vm__claim_end(vm, VCPU_TIMEOUT, NULL);
		if (p[P_FLUSH].revents) {
			drain(vm->flush_fd);
			flush_due = 1;
		}
		if (p[P_CLINT].revents)
			clint_due = 1;
		if (p[P_INPUT].revents)
			input_due = 1;
		if ((flush_due || input_due || clint_due) &&
		    pthread_mutex_trylock(&vm->dev.lock) == 0) {
			input_due = vm_service(vm, flush_due, input_due, clint_due);
			flush_due = clint_due = 0;
			pthread_mutex_unlock(&vm->dev.lock);
		}
	}
}

/*
 * Stop every vCPU thread without waiting on anything they may hold (see the top of the
 * file), then join them.
 */
static void vm_stop_vcpus(struct vm *vm)
{
	const struct timespec pause = { 0, STOP_KICK_NS };
	unsigned i, live;

	do {
		live = 0;
		for (i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *vcpu = &vm->vcpus[i];

			if (!vcpu->has_thread || __atomic_load_n(&vcpu->exited, __ATOMIC_SEQ_CST))
				continue;
			live++;
			vcpu__kick(vcpu);
		}
		if (live)
			vm__sbi_release(vm); /* harts parked by a served HSM, if the lock is free */
		if (live)
			nanosleep(&pause, NULL);
	} while (live);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].has_thread)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].has_thread = 0;
	}
}

enum vcpu_exit vm__run(struct vm *vm)
{
	int deadline_fd = -1, ret;
	unsigned i;

	ret = vm_run_setup(vm, &deadline_fd);
	if (ret) {
		vm__host_fault(vm, FAULT_KVM_RUN, NULL, -ret, vm->err[0] ? vm->err :
			      "cannot set up the run (signal, eventfd, timerfd, disk I/O thread)");
		goto out;
	}
	/* a SIGTERM from now on ends this run; one that came during set-up ends it at once */
	__atomic_store_n(&term_vm, vm, __ATOMIC_SEQ_CST);
	if (sigterm_seen)
		vm_claim(vm, VCPU_TIMEOUT, NULL, 1);
	for (i = 0; i < vm->nr_vcpus && !vm->stopping; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
		if (ret) {
			vm__host_fault(vm, FAULT_KVM_RUN, NULL, ret, "cannot start a vCPU thread");
			break;
		}
		vcpu->has_thread = 1;
	}
	vm_watch(vm, deadline_fd);
	vm_stop_vcpus(vm);
out:
	__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
	vm__notify_stop(vm); /* no notify reaches a disk from now on */
	devices__stop_io(&vm->dev); /* each ends with the request in hand */
	vm->con->arm_flush = NULL;
	/* only the main thread is left: the end event may wait for a slow port, but a SIGTERM
	 * still gets the VMM out of a stalled one */
	vm->ev->abort = vm__sigterm_flag();
	console__drain(vm->con, sigterm_seen ? 0 : DRAIN_MS);
	if (deadline_fd >= 0)
		close(deadline_fd);
	if (vm->done_fd >= 0)
		close(vm->done_fd);
	if (vm->flush_fd >= 0)
		close(vm->flush_fd);
	vm->done_fd = vm->flush_fd = -1;
	return vm->end.why;
}
