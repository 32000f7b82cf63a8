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
 * SIGTERM (the agent's kill) ends the run as a timeout too.
 *
 * Then it sets vm->stopping, kicks every vCPU out of KVM_RUN (vcpu__kick) and joins them, so
 * exactly one "end" is reported whatever the other vCPUs were doing. A vCPU blocked writing
 * console output under dev.lock is released the same way: the kick interrupts the write, and
 * console__flush() gives up on it once con->abort (= vm->stopping) is set.
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
/* Console input waits while the input device is full; look again this often. */
#define INPUT_RETRY_MS 10

int vm__claim_end(struct vm *vm, enum vcpu_exit why, struct vcpu *vcpu)
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
	if (vm->done_fd >= 0 && write(vm->done_fd, &one, sizeof(one)) < 0)
		fprintf(stderr, "vmm: eventfd write: %s\n", strerror(errno));
	return 1;
}

void vm__phase_once(struct vm *vm, int *flag, const char *name)
{
	pthread_mutex_lock(&vm->dev.lock);
	if (!*flag) {
		*flag = 1;
		events__phase(vm->ev, name);
	}
	pthread_mutex_unlock(&vm->dev.lock);
}

static void on_kick(int sig)
{
	(void)sig; /* only here to make KVM_RUN (and a blocked write) return EINTR */
}

/*
 * SIGTERM is how the agent stops a run whose harness deadline passed (docs/protocol.md, kill):
 * end it as a timeout, so the end event still says where every hart was. The handler only
 * sets a flag and claims the end (an atomic and a write() to the eventfd).
 */
static struct vm *term_vm;

static void on_term(int sig)
{
	(void)sig;
	if (!__atomic_load_n(&term_vm->end_claimed, __ATOMIC_SEQ_CST)) {
		term_vm->terminated = 1;
		vm__claim_end(term_vm, VCPU_TIMEOUT, NULL);
	}
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
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vm__claim_end(vcpu->vm, vcpu__run(vcpu, vcpu->vm), vcpu);
	return NULL;
}

static int vm_run_setup(struct vm *vm, int *deadline_fd)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa;

	/* no SA_RESTART: the point of the kick is to interrupt KVM_RUN */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_kick;
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0)
		return -errno;
	term_vm = vm;
	sa.sa_handler = on_term;
	if (sigaction(SIGTERM, &sa, NULL) < 0)
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
	return 0;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) > 0)
		;
}

static void vm_host_fault(struct vm *vm, enum vcpu_fault_kind kind, const char *device,
			  int err, const char *msg)
{
	vm->end.fault.kind = kind;
	vm->end.fault.device = device;
	vm->end.fault.err = err;
	snprintf(vm->end.fault.msg, sizeof(vm->end.fault.msg), "%s", msg);
	vm__claim_end(vm, VCPU_FAULT, NULL);
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
		console__flush(vm->con);
	}
	if (!input_due)
		return 0;
	if (!devices__input_space(&vm->dev))
		/* a polling guest may have pulled the bytes itself in the meantime */
		return console__input_ready(vm->con);
	if (devices__pump_input(&vm->dev)) /* the guest broke its receive queue: as for MMIO */
		vm_host_fault(vm, FAULT_DEVICE, "virtio-console", 0, vm->dev.err);
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
				vm_host_fault(vm, FAULT_KVM_RUN, NULL, errno, strerror(errno));
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

enum vcpu_exit vm__run(struct vm *vm)
{
	int deadline_fd = -1, ret;
	unsigned i;

	ret = vm_run_setup(vm, &deadline_fd);
	if (ret) {
		vm_host_fault(vm, FAULT_KVM_RUN, NULL, -ret,
			      "cannot set up the run (signal, eventfd, timerfd)");
		goto out;
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
		if (ret) {
			vm_host_fault(vm, FAULT_KVM_RUN, NULL, ret, "cannot start a vCPU thread");
			break;
		}
		vcpu->has_thread = 1;
	}
	vm_watch(vm, deadline_fd);

	__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
	vm__sbi_release(vm); /* harts parked by a served HSM */
	for (i = 0; i < vm->nr_vcpus; i++)
		vcpu__kick(&vm->vcpus[i]);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].has_thread)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].has_thread = 0;
	}
out:
	vm->con->arm_flush = NULL;
	console__flush(vm->con);
	if (deadline_fd >= 0)
		close(deadline_fd);
	if (vm->done_fd >= 0)
		close(vm->done_fd);
	if (vm->flush_fd >= 0)
		close(vm->flush_fd);
	vm->done_fd = vm->flush_fd = -1;
	return vm->end.why;
}
