/*
 * main.c - entry point. As PID 1 (or with --agent) the binary is the agent; otherwise it
 * runs one VM from its command line and reports it on the events fd:
 *
 *   start, phase..., [mark... sbi...], end     exit status: see vmm.h
 *
 * Every problem before the guest runs (bad option, unreadable file, bad image, KVM
 * failure) becomes an "error" event plus an "end" with exit "error", status 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "kvm-riscv.h"
#include "layout.h"
#include "vm.h"
#include "vmm.h"

/* The end event's "exit" for each way a run that reached the guest can end. */
static const char *const exit_names[] = {
	[VCPU_SHUTDOWN] = "shutdown", [VCPU_RESET] = "reboot", [VCPU_REPORT] = "report",
	[VCPU_FAULT] = "fault",       [VCPU_TIMEOUT] = "timeout",
};

static void end_fault(struct jline *l, const struct vcpu_fault *f, const struct vcpu *vcpu)
{
	jline__obj_begin(l, "fault");
	jline__str(l, "kind", vcpu__fault_kind_name(f->kind));
	if (vcpu) /* which hart; absent for a fault found by the main thread */
		jline__u64(l, "hart", vcpu->id);
	switch (f->kind) {
	case FAULT_MMIO_UNMAPPED:
		jline__hex(l, "addr", f->addr);
		jline__u64(l, "len", f->len);
		jline__bool(l, "write", f->is_write);
		break;
	case FAULT_SBI_UNKNOWN:
		jline__hex(l, "eid", f->eid);
		jline__hex(l, "fid", f->fid);
		break;
	case FAULT_KVM_RUN:
		jline__i64(l, "errno", f->err);
		jline__str(l, "msg", f->msg);
		if (f->trap.have) { /* the trap KVM could not handle, from its log (kmsg.h) */
			jline__hex(l, "scause", f->trap.scause);
			jline__hex(l, "stval", f->trap.stval);
			jline__hex(l, "htval", f->trap.htval);
			jline__hex(l, "htinst", f->trap.htinst);
		}
		break;
	case FAULT_KVM_EXIT:
		jline__u64(l, "reason", f->reason);
		jline__str(l, "msg", f->msg);
		break;
	case FAULT_DEVICE:
		jline__str(l, "device", f->device ? f->device : "?");
		jline__str(l, "msg", f->msg);
		jline__hex(l, "addr", f->addr);
		break;
	}
	if (vcpu && !f->pc_err)
		jline__hex(l, "pc", f->pc);
	else /* unknown: KVM did not read it back, or no hart was involved */
		jline__null(l, "pc");
	jline__obj_end(l);
}

/*
 * A run that did not end by itself: where each hart was (the vCPU threads have left KVM_RUN),
 * and whether SIGTERM (the agent's kill at the harness deadline) or --timeout-ms stopped it.
 */
static void end_hart_pcs(struct jline *l, const struct vm *vm)
{
	uint64_t pc;
	unsigned i;

	jline__str(l, "by", vm->terminated ? "sigterm" : "deadline");
	jline__arr_begin(l, "hart_pcs");
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].fd >= 0 &&
		    !vcpu__one_reg(vm->vcpus[i].fd, KVM_GET_ONE_REG, RISCV_CORE_REG(regs.pc), &pc))
			jline__hex(l, NULL, pc);
		else /* unknown, never a made-up 0x0 */
			jline__null(l, NULL);
	}
	jline__arr_end(l);
}

/* Exit counts summed over the vCPUs; guest time from the first KVM_RUN of any of them. */
static void end_stats(struct jline *l, const struct vm *vm)
{
	struct vcpu_stats s = { 0 };
	uint64_t t0 = 0;
	unsigned i;
	int k;

	for (i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		s.total += v->stats.total;
		s.sbi += v->stats.sbi;
		s.mmio += v->stats.mmio;
		s.system_event += v->stats.system_event;
		s.intr += v->stats.intr;
		s.other += v->stats.other;
		for (k = 0; k < SBI_KIND__COUNT; k++)
			s.sbi_calls[k] += v->stats.sbi_calls[k];
		if (v->started && (!t0 || v->t_first_run_ns < t0))
			t0 = v->t_first_run_ns;
	}
	jline__obj_begin(l, "exits");
	jline__u64(l, "total", s.total);
	jline__u64(l, "sbi", s.sbi);
	jline__u64(l, "mmio", s.mmio);
	jline__u64(l, "system_event", s.system_event);
	jline__u64(l, "intr", s.intr);
	jline__u64(l, "other", s.other);
	jline__obj_end(l);
	jline__obj_begin(l, "sbi");
	for (k = 0; k < SBI_KIND_UNKNOWN; k++)
		jline__u64(l, sbi__kind_name((enum sbi_kind)k), s.sbi_calls[k]);
	jline__obj_end(l);
	jline__u64(l, "guest_us", t0 ? (events__now_ns() - t0) / 1000 : 0);
}

/* The "end" event for a run that reached the guest; returns the exit status. */
static int report_end(struct events *ev, const struct vm *vm)
{
	const struct vcpu *vcpu = vm->end.vcpu;
	const struct vcpu_fault *fault = vcpu ? &vcpu->fault : &vm->end.fault;
	enum vcpu_exit why = vm->end.why;
	struct jline l;
	int status = VMM_EXIT_PASS;

	events__begin(ev, &l, "end");
	jline__str(&l, "exit", exit_names[why]);
	switch (why) {
	case VCPU_SHUTDOWN:
	case VCPU_RESET:
		jline__u64(&l, "reason", vcpu->reason);
		break;
	case VCPU_REPORT:
		jline__i64(&l, "code", (int64_t)vcpu->code);
		status = vcpu->code ? VMM_EXIT_FAIL : VMM_EXIT_PASS;
		break;
	case VCPU_FAULT:
		end_fault(&l, fault, vcpu);
		status = VMM_EXIT_FAULT;
		break;
	default:
		status = VMM_EXIT_TIMEOUT;
		end_hart_pcs(&l, vm);
		break;
	}
	end_stats(&l, vm);
	jline__u64(&l, "console_bytes", vm->con->written);
	if (vm->con->dropped) /* the console reader was gone, or stalled at the end */
		jline__u64(&l, "console_dropped", vm->con->dropped);
	if (vm->cfg->sbi_trace) /* did KVM show us the calls it answered (the L1 patch)? */
		jline__bool(&l, "sbi_trace_kvm", (vm->sbi_user & BOOTCASE_KVM_SBI_REPORT) != 0);
	events__emit(ev, &l);
	/* a human-readable line on the stage log for the runs worth a look */
	if (ev->fd != STDERR_FILENO && why == VCPU_FAULT)
		fprintf(stderr, "vmm: fault %s on hart %d at pc 0x%llx: addr 0x%llx eid 0x%llx "
			"fid 0x%llx %s\n",
			vcpu__fault_kind_name(fault->kind), vcpu ? (int)vcpu->id : -1,
			(unsigned long long)fault->pc, (unsigned long long)fault->addr,
			(unsigned long long)fault->eid, (unsigned long long)fault->fid, fault->msg);
	else if (ev->fd != STDERR_FILENO && why == VCPU_TIMEOUT)
		fprintf(stderr, "vmm: timeout after %llu ms\n",
			(unsigned long long)(events__t_us(ev) / 1000));
	return status;
}

static int report_error(struct events *ev, const char *msg)
{
	struct jline l;

	if (ev->fd != STDERR_FILENO) /* a human-readable copy on the stage log */
		fprintf(stderr, "vmm: %s\n", msg);
	events__error(ev, msg);
	events__begin(ev, &l, "end");
	jline__str(&l, "exit", "error");
	jline__str(&l, "msg", msg);
	events__emit(ev, &l);
	return VMM_EXIT_ERROR;
}

/* The end-of-run fdatasync failed: the end is an error that says how the run had ended. */
static int report_sync_error(struct events *ev, const struct vm *vm)
{
	char msg[400];
	struct jline l;

	snprintf(msg, sizeof(msg), "the run ended (%s) but its disk writes may be lost: %s",
		 exit_names[vm->end.why], vm->dev.err);
	if (ev->fd != STDERR_FILENO)
		fprintf(stderr, "vmm: %s\n", msg);
	events__error(ev, msg);
	events__begin(ev, &l, "end");
	jline__str(&l, "exit", "error");
	jline__str(&l, "msg", msg);
	end_stats(&l, vm);
	jline__u64(&l, "console_bytes", vm->con->written);
	events__emit(ev, &l);
	return VMM_EXIT_ERROR;
}

static int map_input(struct events *ev, const char *opt, const char *path, struct file_map *fm)
{
	char msg[600];
	int ret = file__map(path, fm);

	if (!ret)
		return 0;
	snprintf(msg, sizeof(msg), "%s %s: %s", opt, path,
		 ret == -EINVAL ? "empty or not a regular file" : strerror(-ret));
	return report_error(ev, msg);
}

static void report_start(struct events *ev, const struct vm_config *cfg, enum image_format fmt)
{
	struct jline l;

	events__begin(ev, &l, "start");
	jline__u64(&l, "mem_mib", cfg->mem_mib);
	jline__u64(&l, "cpus", cfg->cpus);
	jline__str(&l, "image", cfg->kernel);
	jline__str(&l, "format", loader__format_name(fmt));
	sbi__ext_list(&l, "sbi_disabled", cfg->sbi_disable);
	sbi__ext_list(&l, "sbi_served", cfg->sbi_serve);
	jline__bool(&l, "sbi_trace", cfg->sbi_trace);
	events__emit(ev, &l);
}

/* --dump-dtb: the device tree these options give the guest, then an end without a run. */
static int vmm_dump_dtb(struct events *ev, struct console *con, const struct vm_config *cfg)
{
	struct file_map initrd = { 0 };
	static struct vm vm;
	struct jline l;
	int ret;

	if (cfg->initrd && map_input(ev, "--initrd", cfg->initrd, &initrd))
		return VMM_EXIT_ERROR;
	/* with KVM the DT names the real ISA and timebase; without it (qemu-user) the defaults,
	 * but the devices (a --disk that is not there) must be right either way */
	ret = vm__open(&vm, cfg, NULL, con);
	if (ret && ret != -ENODEV) {
		ret = report_error(ev, vm.err);
		goto out;
	}
	if (vm__dump_dtb(&vm, &initrd, cfg->dump_dtb)) {
		ret = report_error(ev, vm.err);
		goto out;
	}
	events__begin(ev, &l, "end");
	jline__str(&l, "exit", "shutdown");
	jline__u64(&l, "reason", 0);
	jline__u64(&l, "console_bytes", con->written);
	events__emit(ev, &l);
	ret = VMM_EXIT_PASS;
out:
	vm__close(&vm);
	file__unmap(&initrd);
	return ret;
}

static int vmm_run(struct events *ev, struct console *con, const struct vm_config *cfg)
{
	struct file_map image = { 0 }, initrd = { 0 }, firmware = { 0 };
	static struct vm vm; /* static: large (device state), and the threads share it */
	const struct image_decl decl = { cfg->flat ? IMAGE_FLAT : IMAGE_AUTO, cfg->flat_load,
					 cfg->flat_entry };
	struct load_info info;
	enum image_format fmt;
	char err[256];
	int status;

	if (map_input(ev, "--kernel", cfg->kernel, &image))
		return VMM_EXIT_ERROR;
	if ((cfg->initrd && map_input(ev, "--initrd", cfg->initrd, &initrd)) ||
	    (cfg->firmware && map_input(ev, "--firmware", cfg->firmware, &firmware))) {
		file__unmap(&image);
		file__unmap(&initrd);
		return VMM_EXIT_ERROR;
	}
	/* the loader's rules, before KVM is opened: the harness runs the same check (native/) */
	if (loader__check(image.data, image.len, &decl, LAYOUT_DRAM_BASE, cfg->mem_mib << 20, &info,
			  err, sizeof(err))) {
		char msg[600];

		snprintf(msg, sizeof(msg), "--kernel %s: %s (%s)", cfg->kernel, err,
			 loader__reason_name(info.reason));
		status = report_error(ev, msg);
		goto out;
	}
	fmt = info.format;
	report_start(ev, cfg, fmt);
	if (vm__open(&vm, cfg, ev, con) || vm__load(&vm, &image, &decl, &initrd) ||
	    (cfg->firmware && vm__load_firmware(&vm, &firmware)) || vm__boot_vcpus(&vm)) {
		status = report_error(ev, vm.err);
		goto out;
	}
	file__unmap(&image);
	file__unmap(&initrd);
	file__unmap(&firmware);
	vm__run(&vm);
	/* the guest's writes reach the disk before anyone looks at it; a run whose writes may
	 * be lost cannot pass, whatever the guest said */
	if (devices__sync(&vm.dev))
		status = report_sync_error(ev, &vm);
	else
		status = report_end(ev, &vm);
out:
	vm__close(&vm);
	file__unmap(&image);
	file__unmap(&initrd);
	file__unmap(&firmware);
	return status;
}

int vmm__main(int argc, char **argv)
{
	struct vm_config cfg;
	struct events ev;
	struct console con;
	char err[512];
	sigset_t term;
	int ret;

	/* first of all: a kill at any point must still end in an "end" event. The agent starts
	 * us with SIGTERM blocked, so one sent before this point is delivered now */
	vm__catch_sigterm();
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	ret = config__parse(&cfg, argc, argv, err, sizeof(err));
	events__init(&ev, cfg.events_fd >= 0 ? cfg.events_fd : STDERR_FILENO);
	if (cfg.has_run_id)
		events__set_run(&ev, cfg.run_id);
	console__init(&con, cfg.console_fd >= 0 ? cfg.console_fd : STDOUT_FILENO,
		      cfg.console_fd >= 0 ? cfg.console_fd : STDIN_FILENO, &ev);
	if (ret)
		return report_error(&ev, err);
	/* a console or events reader that went away must not kill us before "end" */
	signal(SIGPIPE, SIG_IGN);
	if (cfg.dump_dtb)
		return vmm_dump_dtb(&ev, &con, &cfg);
	return vmm_run(&ev, &con, &cfg);
}

int main(int argc, char **argv)
{
	if (getpid() == 1 || (argc > 1 && !strcmp(argv[1], "--agent")))
		return agent__main(vmm__main);
	return vmm__main(argc, argv);
}
