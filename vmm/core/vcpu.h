/*
 * vcpu.h - one virtual hart and its run loop: the lowest piece of the VM core. The loop reaches
 * the machine it runs in only through struct vcpu_env, which the VM fills in (vm-vcpu.c), so
 * the VM calls down into the loop and the loop never calls up into the VM by name.
 */
#ifndef BOOTCASE_VCPU_H
#define BOOTCASE_VCPU_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "faults.h"
#include "kmsg.h"
#include "sbi.h"

struct vm;
struct vcpu;
struct kvm_run;
struct devices;
struct events;
struct console;

/* The run's phase events a vCPU reaches first: its first KVM_RUN, its first exit. */
enum vcpu_phase { VCPU_PHASE_FIRST_RUN, VCPU_PHASE_FIRST_EXIT };

/* What the loop asks of the VM above it, each on the vCPU's own thread, outside KVM_RUN. */
struct vcpu_ops {
	/* Before each KVM_RUN, when the CLINT model raised SSIP for this hart: set sip.SSIP.
	 * 0 or -errno. */
	int (*deliver_ssip)(struct vcpu *vcpu);
	/* Before each KVM_RUN: park a hart stopped by a served HSM, start a pending one. 0, 1 =
	 * the run is over, or -errno. */
	int (*hsm_gate)(struct vcpu *vcpu);
	/* After a served HSM suspend: wait as WFI would. 0 or -errno. */
	int (*suspend)(struct vcpu *vcpu);
	/* Enter the guest next at pc with a0 = hartid, a1 = opaque. 0 or -errno. */
	int (*enter_at)(struct vcpu *vcpu, uint64_t pc, uint64_t opaque);
	/* --sbi-trace: the SRST call KVM answered with a system event. */
	void (*trace_system_event)(struct vcpu *vcpu);
	/* A phase event ("first-run", "first-exit"), once per run, from the first hart there. */
	void (*phase)(struct vcpu *vcpu, enum vcpu_phase phase);
};

/* The shared machine as the loop sees it; one per VM, filled in before any vCPU runs. */
struct vcpu_env {
	const struct vcpu_ops *ops;
	const volatile sig_atomic_t *stopping; /* the end is claimed: leave with VCPU_STOPPED */
	struct devices *dev;   /* MMIO; dev->lock guards the console, events and SBI state */
	struct sbi_env *sbi;
	struct events *ev;
	struct console *con;
	const uint32_t *sbi_user; /* BOOTCASE_KVM_SBI_* enabled on this VM (vm-sbi.c) */
	int sbi_trace;            /* --sbi-trace */
};

/* Why vcpu__run() returned. VCPU_CONTINUE never leaves the loop. */
enum vcpu_exit {
	VCPU_CONTINUE,
	VCPU_SHUTDOWN, /* SRST shutdown: vcpu->reason */
	VCPU_RESET,    /* SRST cold/warm reboot: vcpu->reason */
	VCPU_REPORT,   /* BOOTCASE EXIT: vcpu->code */
	VCPU_FAULT,    /* vcpu->fault */
	VCPU_TIMEOUT,  /* --timeout-ms expired (decided by the main thread, not by a vCPU) */
	VCPU_STOPPED,  /* the run ended elsewhere (another vCPU, the deadline): not an end */
};

/* The fault kinds (include/faults.h): one list, so an enum value cannot lose its name. */
enum vcpu_fault_kind {
#define VCPU_FAULT_ENUM(kind, name) kind,
	VCPU_FAULT_KINDS(VCPU_FAULT_ENUM)
#undef VCPU_FAULT_ENUM
};

struct vcpu_fault {
	enum vcpu_fault_kind kind;
	uint64_t pc;
	int pc_err;          /* errno of reading pc back (0: pc is valid); null in the event */
	uint64_t addr;       /* mmio-unmapped, device */
	uint32_t len;        /* mmio-unmapped */
	int is_write;        /* mmio-unmapped */
	uint64_t eid, fid;   /* sbi-unknown */
	int err;             /* kvm-run: errno */
	uint32_t reason;     /* kvm-exit: exit_reason */
	const char *device;  /* device */
	char msg[256];       /* kvm-run, kvm-exit, device */
	struct kvm_trap_regs trap; /* kvm-run of a failed KVM_RUN: KVM's trap registers, if logged */
};

struct vcpu_stats {
	uint64_t total, sbi, mmio, system_event, intr, other;
	uint64_t sbi_calls[SBI_KIND__COUNT];
};

struct vcpu {
	struct vm *vm; /* opaque here: for the ops, which belong to the VM */
	const struct vcpu_env *env;
	unsigned id; /* = hartid = KVM vcpu id */
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	int has_thread;
	int exited; /* atomic: the thread has left vcpu__run (the stop stops kicking it) */
	int started;
	uint64_t t_first_run_ns;
	struct vcpu_stats stats;
	int ssip_pending; /* atomic: the CLINT model raised this hart's SSIP (vm-clint.c) */
	uint64_t reason; /* SRST reset_reason */
	uint64_t code;   /* BOOTCASE EXIT code */
	struct vcpu_fault fault;
};

const char *vcpu__fault_kind_name(enum vcpu_fault_kind kind);
/* KVM_GET_ONE_REG / KVM_SET_ONE_REG (req) of register id on a vCPU fd: 0 or -errno. */
int vcpu__one_reg(int fd, unsigned long req, uint64_t id, uint64_t *val);
/*
 * Make the vCPU's KVM_RUN return (now, or at once when it next enters): sets immediate_exit
 * and signals the thread, whose handler does nothing, so KVM_RUN fails with EINTR
 * (KVM_CAP_IMMEDIATE_EXIT, api.rst 4.1). vcpu__run() then returns VCPU_STOPPED when
 * *env->stopping is set. VCPU_KICK_SIGNAL must have a handler installed without SA_RESTART.
 */
#define VCPU_KICK_SIGNAL SIGUSR1
void vcpu__kick(struct vcpu *vcpu);
/* Run until an exit ends the run (or *env->stopping): the calling thread is this vCPU's. */
enum vcpu_exit vcpu__run(struct vcpu *vcpu);

#endif
