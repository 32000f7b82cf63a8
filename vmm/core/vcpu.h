/*
 * vcpu.h - one virtual hart and its run loop.
 */
#ifndef BOOTCASE_VCPU_H
#define BOOTCASE_VCPU_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "sbi.h"

struct vm;
struct kvm_run;

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

enum vcpu_fault_kind {
	FAULT_MMIO_UNMAPPED,
	FAULT_SBI_UNKNOWN,
	FAULT_KVM_RUN,
	FAULT_KVM_EXIT,
	FAULT_DEVICE,
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
};

struct vcpu_stats {
	uint64_t total, sbi, mmio, system_event, intr, other;
	uint64_t sbi_calls[SBI_KIND__COUNT];
};

struct vcpu {
	struct vm *vm;
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
/*
 * Make the vCPU's KVM_RUN return (now, or at once when it next enters): sets immediate_exit
 * and signals the thread, whose handler does nothing, so KVM_RUN fails with EINTR
 * (KVM_CAP_IMMEDIATE_EXIT, api.rst 4.1). vcpu__run() then returns VCPU_STOPPED when
 * vm->stopping is set. VCPU_KICK_SIGNAL must have a handler installed without SA_RESTART.
 */
#define VCPU_KICK_SIGNAL SIGUSR1
void vcpu__kick(struct vcpu *vcpu);
/* Run until an exit ends the run (or vm->stopping): the calling thread is this vCPU's. */
enum vcpu_exit vcpu__run(struct vcpu *vcpu, struct vm *vm);

#endif
