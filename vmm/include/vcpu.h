/*
 * vcpu.h - one virtual hart and its run loop.
 */
#ifndef BOOTCASE_VCPU_H
#define BOOTCASE_VCPU_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
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
	VCPU_TIMEOUT,  /* --timeout-ms expired */
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
	uint64_t addr;       /* mmio-unmapped, device */
	uint32_t len;        /* mmio-unmapped */
	int is_write;        /* mmio-unmapped */
	uint64_t eid, fid;   /* sbi-unknown */
	int err;             /* kvm-run: errno */
	uint32_t reason;     /* kvm-exit: exit_reason */
	const char *device;  /* device */
	char msg[192];       /* kvm-run, kvm-exit, device */
};

struct vcpu_stats {
	uint64_t total, sbi, mmio, system_event, intr, other;
	uint64_t sbi_calls[SBI_KIND__COUNT];
};

struct vcpu {
	int fd;
	struct kvm_run *run;
	size_t run_size;
	int started;
	volatile sig_atomic_t timeout_hit; /* set by the deadline signal */
	volatile sig_atomic_t flush_due;   /* set by the console flush timer */
	uint64_t t_first_run_ns;
	struct vcpu_stats stats;
	uint64_t reason; /* SRST reset_reason */
	uint64_t code;   /* BOOTCASE EXIT code */
	struct vcpu_fault fault;
};

const char *vcpu__fault_kind_name(enum vcpu_fault_kind kind);
/* Ask the running loop to stop: safe from a signal handler. */
void vcpu__kick(struct vcpu *vcpu);
enum vcpu_exit vcpu__run(struct vcpu *vcpu, struct vm *vm);

#endif
