/*
 * vm.h - the door of core/, one virtual machine: KVM fds, guest RAM, the devices, the vCPUs,
 * the boot image, and the state of the run (vm-run.c) that one thread per vCPU shares with the
 * main thread.
 */
#ifndef BOOTCASE_VM_H
#define BOOTCASE_VM_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "kvm-riscv.h"
#include "util.h"
#include "devices.h"
#include "events.h"
#include "loader.h"
#include "sbi.h"
#include "vcpu.h"

#define VM_MAX_VCPUS CONFIG_MAX_CPUS
/* The ISA the DT gives when KVM tells nothing: rv64imafdc (KVM ISA_EXT ids A 0, C 1, D 2,
 * F 3, I 5, M 6; kvm-riscv.h) */
#define VM_ISA_EXT_DEFAULT 0x6fULL
_Static_assert(BOOTCASE_KVM_ISA_EXT__COUNT <= 64, "vm.isa_ext is a 64-bit mask");

/* One disk's QueueNotify ioeventfd and the thread that serves it (vm-notify.c). */
struct vm_notifier {
	struct vm *vm;
	unsigned disk;
	int efd;
	int assigned, has_thread;
	pthread_t thread;
};

/* How the run ended: the first claim wins (vm__claim_end). */
struct vm_end {
	enum vcpu_exit why;
	struct vcpu *vcpu; /* the vCPU that ended it; NULL for the deadline or a host-side fault */
	struct vcpu_fault fault; /* a fault found outside any vCPU (console input to a device) */
};

struct vm {
	const struct vm_config *cfg;
	struct events *ev;
	struct console *con;
	int kvm_fd, vm_fd;
	struct guest_ram ram;
	struct guest_ram fw; /* the firmware window (--firmware), else host == NULL */
	struct devices dev; /* dev.lock also guards con, ev, the phase flags and HSM below;
			     * a disk's state has its own lock (devices.h) */
	struct sbi_env sbi;
	unsigned nr_vcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	enum image_format format;
	struct load_info image;
	uint64_t dtb_gpa;
	uint64_t isa_ext; /* bit n: every vCPU has KVM ISA extension n (kvm-riscv.h), for the DT */
	const char *mmu_type;
	uint32_t timebase_hz;
	int aia_fd; /* --irqchip aia: KVM's AIA device (vm-aia.c), else -1 */
	uint32_t aia_mode, aia_nr_ids;
	struct devices_irqchip aia_irqchip;
	struct vm_notifier notifiers[CONFIG_MAX_DISKS]; /* --irqchip aia (vm-notify.c) */
	unsigned nr_notifiers;
	int notify_quit_fd;

	/* the run */
	/* the run is over (set when the end is claimed): vCPU threads return VCPU_STOPPED,
	 * blocked console and event writes give up, devices serve no more requests */
	volatile sig_atomic_t stopping;
	int phase_first_run, phase_first_exit; /* emitted (under dev.lock) */
	struct vcpu_env vcpu_env; /* the run loop's view of this VM (vm-vcpu.c) */
	int end_claimed; /* atomic */
	struct vm_end end;
	volatile sig_atomic_t terminated; /* SIGTERM ended the run (set with the claim) */
	int done_fd;  /* eventfd: a vCPU claimed the end */
	int clint_fd; /* timerfd: the CLINT's next deadline (--profile xv6; vm-clint.c) */
	struct clint_hooks clint_hooks;
	uint64_t time_offset; /* guest time CSR - L1 time CSR (KVM's time_delta) */
	int has_sstc;         /* KVM gives the guest Sstc (stimecmp) */
	int dbcn_err;         /* -errno of enabling DBCN on vCPU 0: every vCPU must agree */
	uint32_t sbi_user;          /* BOOTCASE_KVM_SBI_* enabled on this VM (vm-sbi.c) */
	struct sbi_served served;   /* the extensions taken from KVM; vm->sbi.served points here */
	pthread_cond_t hsm_cond;    /* with dev.lock: a stopped hart may have been started */
	int hsm_cond_init;
	int flush_fd; /* timerfd: a partial console line is due */
	int flush_armed;

	char err[512]; /* why the last vm__* call failed, naming the file or step */
};

/* Set vm->err from the format and return -|err|: how every vm__* call fails. */
__attribute__((format(printf, 3, 4))) int vm__fail(struct vm *vm, int err, const char *fmt, ...);

/* Each returns 0 or -errno with vm->err set (vm.c, vm-load.c). */
int vm__open(struct vm *vm, const struct vm_config *cfg, struct events *ev, struct console *con);
/* The extensions every vCPU has (KVM's ISA_EXT registers), by name, in canonical order, into
 * out (room for BOOTCASE_KVM_ISA_EXT__COUNT); returns how many. */
unsigned vm__isa_names(const struct vm *vm, const char **out);
/* vm-isa.c: at vCPU creation, --isa-disable (0 or -errno with vm->err set), then what the
 * vCPU has, kept in vm->isa_ext where every vCPU so far agrees. */
int vm__isa_disable(struct vm *vm, struct vcpu *vcpu);
void vm__probe_isa(struct vm *vm, unsigned id, int fd);
int vm__load(struct vm *vm, const struct file_map *image, const struct image_decl *decl,
	     const struct file_map *initrd);
/* --firmware: copy the flat binary into the firmware window. */
int vm__load_firmware(struct vm *vm, const struct file_map *fw);
/* --dump-dtb: the device tree for these options; path "-" writes it to the console. */
int vm__dump_dtb(struct vm *vm, const struct file_map *initrd, const char *path);
int vm__boot_vcpus(struct vm *vm);
void vm__close(struct vm *vm);

/* vm-clint.c (--profile xv6): the CLINT's hooks for devices__init, then, once the vCPUs
 * exist, the guest-time offset, the deadline timerfd and the Sstc check (0 or -errno). */
const struct clint_hooks *vm__clint_hooks(struct vm *vm);
int vm__clint_setup(struct vm *vm);
/* The deadline timerfd fired (main thread, dev.lock held). */
void vm__clint_service(struct vm *vm);
/* On vcpu's own thread, outside KVM_RUN: set the guest's sip.SSIP. 0 or -errno. */
int vm__deliver_ssip(struct vm *vm, struct vcpu *vcpu);
/* The same, raising (pending = 1) or dropping sip.SSIP, for a caller holding dev.lock. */
int vm__set_ssip(struct vcpu *vcpu, int pending);

/* vm-aia.c (--irqchip aia): the devices' lines into KVM's APLIC, for devices__init; then,
 * once the vCPUs exist, the AIA device itself (0 or -errno with vm->err set; a KVM without
 * AIA is an error that names the option). */
const struct devices_irqchip *vm__aia_irqchip(struct vm *vm);
int vm__aia_setup(struct vm *vm);
/* vm-notify.c (--irqchip aia): each disk's QueueNotify as a KVM ioeventfd served by a thread
 * of its own, started with the disks' I/O (0 or -errno with vm->err set); stop joins them. */
int vm__notify_start(struct vm *vm);
void vm__notify_stop(struct vm *vm);

/* vm-sbi.c: the SBI extensions the VMM serves and the trace, over KVM. vm__sbi_setup runs
 * once the VM exists, before its vCPUs (0 or -errno with vm->err set). */
int vm__sbi_setup(struct vm *vm);
/* On vcpu's thread: enter the guest next at pc with a0 = hartid, a1 = opaque. 0 or -errno. */
int vm__sbi_enter_at(struct vcpu *vcpu, uint64_t pc, uint64_t opaque);
/* On vcpu's thread, before KVM_RUN: park a stopped hart, start a pending one. 0, 1 = the run
 * is over, or -errno. */
int vm__sbi_hsm_gate(struct vm *vm, struct vcpu *vcpu);
/* On vcpu's thread, after a served HSM suspend: wait, as WFI would, for an enabled interrupt
 * (or the end of the run). 0 or -errno. */
int vm__sbi_suspend(struct vm *vm, struct vcpu *vcpu);
/* The run is over: wake the harts parked by a served HSM so they see vm->stopping. Takes
 * dev.lock only if it is free (the stop must never wait on it): the stop calls it again
 * each round until every vCPU thread has left. */
void vm__sbi_release(struct vm *vm);
void vm__sbi_trace_system_event(struct vm *vm, struct vcpu *vcpu);

/* vm-run.c: catch SIGTERM from the start of the VMM (0 or -errno); a SIGTERM before the run
 * ends it as a timeout as soon as it starts. The flag says whether one came. */
int vm__catch_sigterm(void);
const volatile sig_atomic_t *vm__sigterm_flag(void);
/* Run every vCPU on its own thread until the run ends; returns vm->end.why. */
enum vcpu_exit vm__run(struct vm *vm);
/* Record why the run ended unless something already did; 1 if this call won. Any thread. */
int vm__claim_end(struct vm *vm, enum vcpu_exit why, struct vcpu *vcpu);
/* End the run with a fault the host found outside any vCPU's exit (a failed ioctl or timer,
 * a device broken by console input), unless it already ended. Any thread. */
void vm__host_fault(struct vm *vm, enum vcpu_fault_kind kind, const char *device, int err,
		    const char *msg);

/* vm-vcpu.c: what the run loop is given of this VM (struct vcpu_env, its ops); vm__open
 * calls it before it creates the vCPUs. */
void vm__vcpu_env(struct vm *vm);

#endif
