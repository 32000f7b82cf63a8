/*
 * vm.c - build one VM: the devices, /dev/kvm, guest RAM as memslot 0 at the layout.h DRAM
 * base, one vCPU per --cpus and their boot registers. What goes into guest memory (the boot
 * image, initrd, device tree, firmware) is vm-load.c's.
 *
 * KVM starts vCPU 0 and keeps the others STOPPED (kvm_arch_vcpu_postcreate) until the guest
 * starts them with SBI HSM hart_start, which KVM answers in-kernel, or with --sbi-serve hsm
 * the VMM (vm-sbi.c: the hart's thread waits outside KVM_RUN until then). --harts-running
 * makes every vCPU RUNNABLE at the entry point instead, for kernels (xv6) that expect all
 * harts there.
 *
 * --firmware adds a second memslot, the layout.h firmware window (QEMU virt's boot ROM spot),
 * holding a flat binary; every hart then starts there with a2 = the kernel's entry point, the
 * way QEMU's reset vector hands over to firmware. DMA and DBCN may use it like RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "kvm-riscv.h"
#include "layout.h"
#include "vm.h"

int vm__fail(struct vm *vm, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return err < 0 ? err : -err;
}

static void vm_phase(struct vm *vm, const char *name)
{
	if (vm->ev)
		events__phase(vm->ev, name);
}

static void *ram_translate(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	if (!ram->host || gpa < ram->base || gpa - ram->base > ram->size ||
	    len > ram->size - (gpa - ram->base))
		return NULL;
	return ram->host + (gpa - ram->base);
}

/* Guest memory is RAM plus the firmware window; a range must lie inside one of them. */
static void *vm_translate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct vm *vm = ctx;
	void *p = ram_translate(&vm->ram, gpa, len);

	return p ? p : ram_translate(&vm->fw, gpa, len);
}

static int vm_add_slot(struct vm *vm, uint32_t slot, struct guest_ram *r, const char *what)
{
	struct kvm_userspace_memory_region region;

	r->host = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r->host == MAP_FAILED) {
		r->host = NULL;
		return vm__fail(vm, errno, "cannot map %llu KiB for the %s: %s",
			       (unsigned long long)(r->size >> 10), what, strerror(errno));
	}
	region = (struct kvm_userspace_memory_region){
		.slot = slot,
		.guest_phys_addr = r->base,
		.memory_size = r->size,
		.userspace_addr = (uintptr_t)r->host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vm__fail(vm, errno, "KVM_SET_USER_MEMORY_REGION (%s): %s", what,
			       strerror(errno));
	return 0;
}

/*
 * The PLIC's output for a context changed (called under dev.lock). Context 2h + 1 is hart
 * h's S-mode external interrupt, which for a KVM guest is VS-mode: KVM_INTERRUPT sets or
 * clears it (a level; KVM kicks the vCPU, and the ioctl is allowed from any thread).
 * Context 2h, M-mode, has no wire: our guests never run in M-mode.
 */
static void vm_plic_notify(void *ctx, unsigned context, int level)
{
	struct vm *vm = ctx;
	struct kvm_interrupt irq = { .irq = level ? KVM_INTERRUPT_SET : KVM_INTERRUPT_UNSET };
	unsigned hart = context / 2;

	if (!(context & 1) || hart >= vm->nr_vcpus || vm->vcpus[hart].fd < 0)
		return;
	if (ioctl(vm->vcpus[hart].fd, KVM_INTERRUPT, &irq) < 0) {
		/* the guest would wait for an interrupt that never comes: end the run, say why */
		char msg[128];
		int err = errno;

		snprintf(msg, sizeof(msg), "KVM_INTERRUPT %s (PLIC context %u) on vCPU %u: %s",
			 level ? "set" : "unset", context, hart, strerror(err));
		vm__host_fault(vm, FAULT_KVM_RUN, NULL, err, msg);
	}
	if (level && vm->hsm_cond_init) /* a hart in a served HSM suspend looks again */
		pthread_cond_broadcast(&vm->hsm_cond);
}

/* What the vCPUs really are, for the device tree; fall back to a plain rv64gc hart. The
 * timebase is KVM's timer frequency register, so the DT and the guest's time CSR agree. */
static void vm_probe_cpu(struct vm *vm, int fd)
{
	uint64_t satp = 0, freq = 0;
	const char *mmu;

	if (vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_SATP_MODE), &satp) ==
		    0 &&
	    (mmu = riscv__mmu_type(satp)))
		vm->mmu_type = mmu;
	if (vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(frequency), &freq) == 0 && freq &&
	    freq <= UINT32_MAX)
		vm->timebase_hz = (uint32_t)freq;
}

/*
 * --sbi-disable and --sbi-serve, before the first KVM_RUN (KVM refuses with EBUSY after it).
 * A stock KVM answers a disabled extension itself with SBI_ERR_NOT_SUPPORTED; the patched
 * one forwards it to us (vm-sbi.c).
 */
static int vm_sbi_disable(struct vm *vm, struct vcpu *vcpu)
{
	uint64_t off = 0;
	unsigned ext;
	int ret;

	for (ext = 0; sbi__kvm_ext_name(ext); ext++) {
		const char *opt = vm->cfg->sbi_serve & (1u << ext) ? "--sbi-serve" : "--sbi-disable";

		if (!((vm->cfg->sbi_disable | vm->cfg->sbi_serve) & (1u << ext)))
			continue;
		ret = vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_SBI_EXT_REG(ext), &off);
		/* a served extension this KVM lacks (SUSP, FWFT on 6.12) has no register to turn
		 * off: FORWARD_ABSENT brings its calls to us (vm-sbi.c) */
		if (ret == -ENOENT && (vm->cfg->sbi_serve & (1u << ext)) &&
		    ext >= BOOTCASE_KVM_SBI_EXT_SUSP)
			continue;
		if (ret)
			return vm__fail(vm, ret, "option %s %s: KVM refused on vCPU %u: %s%s", opt,
				       sbi__kvm_ext_name(ext), vcpu->id, strerror(-ret),
				       ret == -ENOENT ? " (this KVM does not offer the extension)" : "");
	}
	return 0;
}

static int vm_create_vcpu(struct vm *vm, unsigned id)
{
	struct vcpu *vcpu = &vm->vcpus[id];
	uint64_t on = 1;
	int size, ret;

	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return vm__fail(vm, errno, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vm__fail(vm, EINVAL, "KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	vcpu->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return vm__fail(vm, errno, "mmap of kvm_run: %s", strerror(errno));
	}
	vcpu->run_size = (size_t)size;
	/* KVM keeps DBCN off unless user space turns it on, and only before the first KVM_RUN.
	 * An older KVM lacks it on every vCPU (a note); one that takes it on some vCPUs but not
	 * others would give the guest harts that differ, so that is an error */
	if (!(vm->cfg->sbi_disable & (1u << BOOTCASE_KVM_SBI_EXT_DBCN))) {
		int ret = vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG,
					RISCV_SBI_EXT_REG(BOOTCASE_KVM_SBI_EXT_DBCN), &on);

		if (id == 0)
			vm->dbcn_err = ret;
		if (id == 0 && ret)
			fprintf(stderr, "vmm: cannot enable SBI DBCN (needs Linux >= 6.8 in L1): %s\n",
				strerror(-ret));
		else if (ret && !vm->dbcn_err)
			return vm__fail(vm, ret, "SBI DBCN: KVM enabled it on vCPU 0 but not on "
				       "vCPU %u: %s", id, strerror(-ret));
		else if (!ret && vm->dbcn_err)
			return vm__fail(vm, EIO, "SBI DBCN: KVM refused it on vCPU 0 (%s) but enabled "
				       "it on vCPU %u", strerror(-vm->dbcn_err), id);
	}
	if (id == 0)
		vm_probe_cpu(vm, vcpu->fd);
	ret = vm__isa_disable(vm, vcpu);
	if (ret)
		return ret;
	vm__probe_isa(vm, id, vcpu->fd);
	return vm_sbi_disable(vm, vcpu);
}

int vm__open(struct vm *vm, const struct vm_config *cfg, struct events *ev, struct console *con)
{
	char err[256];
	int api, ret;
	unsigned i;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ev = ev;
	vm->con = con;
	vm->kvm_fd = vm->vm_fd = vm->done_fd = vm->flush_fd = vm->clint_fd = vm->aia_fd = -1;
	vm->notify_quit_fd = -1;
	vm->nr_vcpus = (unsigned)cfg->cpus;
	for (i = 0; i < VM_MAX_VCPUS; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		vm->vcpus[i].fd = -1;
	}
	vm->ram.base = layout[LAYOUT_DRAM].base;
	vm->ram.size = cfg->mem_mib << 20;
	if (cfg->firmware) {
		vm->fw.base = layout[LAYOUT_FIRMWARE].base;
		vm->fw.size = layout[LAYOUT_FIRMWARE].size;
	}
	vm->isa_ext = VM_ISA_EXT_DEFAULT;
	vm->mmu_type = "riscv,sv48";
	vm->timebase_hz = LAYOUT_TIMEBASE_HZ;
	vm->sbi.mem = (struct guest_mem){ vm_translate, vm };
	vm->sbi.out = con->sink;
	vm->sbi.in = con->source;

	/* devices first: a --disk that is not there is the user's error even without KVM */
	ret = devices__init(&vm->dev, cfg, con, vm->sbi.mem, vm_plic_notify, vm,
			    cfg->profile == PROFILE_XV6 ? vm__clint_hooks(vm) : NULL,
			    cfg->irqchip == IRQCHIP_AIA ? vm__aia_irqchip(vm) : NULL, "", err,
			    sizeof(err));
	if (ret) /* -ENODEV means "no KVM" to the caller */
		return vm__fail(vm, ret == -ENODEV ? -EIO : ret, "%s", err);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return vm__fail(vm, -ENODEV, "cannot open /dev/kvm: %s", strerror(errno));
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return vm__fail(vm, ENODEV, "/dev/kvm: API version %d, want %d", api, KVM_API_VERSION);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return vm__fail(vm, ENODEV, "/dev/kvm: no KVM_CAP_IMMEDIATE_EXIT");
	vm_phase(vm, "kvm-open");

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vm__fail(vm, errno, "KVM_CREATE_VM: %s", strerror(errno));
	ret = vm_add_slot(vm, 0, &vm->ram, "guest RAM (option --mem)");
	if (!ret && cfg->firmware)
		ret = vm_add_slot(vm, 1, &vm->fw, "firmware window (option --firmware)");
	if (ret)
		return ret;
	vm_phase(vm, "vm-created");

	/* before the vCPUs: a stock KVM is refused for --sbi-serve by what it lacks, the patch */
	if ((ret = vm__sbi_setup(vm)))
		return ret;
	vm__vcpu_env(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vm_create_vcpu(vm, i);
		if (ret)
			return ret;
	}
	if (cfg->irqchip == IRQCHIP_AIA) {
		if ((ret = vm__aia_setup(vm)))
			return ret;
		vm_phase(vm, "irqchip-aia"); /* L1's KVM took the AIA device: the run's proof */
	}
	if (cfg->profile == PROFILE_XV6 && (ret = vm__clint_setup(vm)))
		return vm->err[0] ? ret : vm__fail(vm, ret, "--profile xv6: cannot set up the CLINT timer: %s",
			       strerror(-ret));
	vm_phase(vm, "vcpus-created");
	return 0;
}

int vm__boot_vcpus(struct vm *vm)
{
	struct kvm_mp_state runnable = { .mp_state = KVM_MP_STATE_RUNNABLE };
	uint64_t entry = vm->image.entry, dtb = vm->dtb_gpa;
	uint64_t pc = vm->cfg->firmware ? vm->fw.base : entry;

	/* the RISC-V boot protocol: a0 = hartid, a1 = device tree, entered in S-mode; firmware
	 * also gets a2 = where to go next */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint64_t hartid = i;
		int fd = vm->vcpus[i].fd;

		if (vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.pc), &pc) ||
		    vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a0), &hartid) ||
		    vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a1), &dtb) ||
		    vcpu__one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a2), &entry))
			return vm__fail(vm, errno, "KVM_SET_ONE_REG (boot registers of vCPU %u): %s",
				       i, strerror(errno));
		if (i && vm->cfg->harts_running && ioctl(fd, KVM_SET_MP_STATE, &runnable) < 0)
			return vm__fail(vm, errno, "option --harts-running: KVM_SET_MP_STATE on vCPU "
				       "%u: %s", i, strerror(errno));
	}
	vm_phase(vm, "vcpu-ready");
	return 0;
}

void vm__close(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, vcpu->run_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		vcpu->run = NULL;
		vcpu->fd = -1;
	}
	devices__close(&vm->dev);
	if (vm->ram.host)
		munmap(vm->ram.host, vm->ram.size);
	if (vm->fw.host)
		munmap(vm->fw.host, vm->fw.size);
	if (vm->hsm_cond_init)
		pthread_cond_destroy(&vm->hsm_cond);
	vm->hsm_cond_init = 0;
	if (vm->clint_fd >= 0)
		close(vm->clint_fd);
	vm->clint_fd = -1;
	if (vm->aia_fd >= 0)
		close(vm->aia_fd);
	vm->aia_fd = -1;
	vm->fw.host = NULL;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	vm->ram.host = NULL;
}
