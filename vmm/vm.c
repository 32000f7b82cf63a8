/*
 * vm.c - build one VM: the devices, /dev/kvm, guest RAM as memslot 0 at the layout.h DRAM
 * base, one vCPU per --cpus, the boot image, initrd and device tree.
 *
 * Top of RAM, from high to low (Documentation/arch/riscv/boot.rst: both above the kernel's
 * image_size, inside RAM, not overlapping it or each other):
 *   [ram_end - DTB_MAX_SIZE, ram_end)  device tree, placed as high as it fits (8-aligned)
 *   below that, page aligned           initrd (--initrd)
 *   the image                          where the loader put it; must not reach the above
 *
 * KVM starts vCPU 0 and keeps the others STOPPED (kvm_arch_vcpu_postcreate) until the guest
 * starts them with SBI HSM hart_start, which KVM answers in-kernel. --harts-running makes
 * every vCPU RUNNABLE at the entry point instead, for kernels (xv6) that expect all harts there.
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

#include "dtb.h"
#include "kvm-riscv.h"
#include "layout.h"
#include "vm.h"

#define PAGE_SIZE 4096ULL
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))

static int vm_fail(struct vm *vm, int err, const char *fmt, ...)
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

static void *vm_translate(void *ctx, uint64_t gpa, uint64_t len)
{
	struct guest_ram *ram = ctx;

	if (!ram->host || gpa < ram->base || gpa - ram->base > ram->size ||
	    len > ram->size - (gpa - ram->base))
		return NULL;
	return ram->host + (gpa - ram->base);
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
	if (ioctl(vm->vcpus[hart].fd, KVM_INTERRUPT, &irq) < 0)
		fprintf(stderr, "vmm: KVM_INTERRUPT %s on vCPU %u: %s\n", level ? "set" : "unset",
			hart, strerror(errno));
}

static int one_reg(int fd, unsigned long req, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(fd, req, &reg) < 0 ? -errno : 0;
}

/* What the vCPUs really are, for the device tree; fall back to a plain rv64gc hart. The
 * timebase is KVM's timer frequency register, so the DT and the guest's time CSR agree. */
static void vm_probe_cpu(struct vm *vm, int fd)
{
	uint64_t isa = 0, satp = 0, freq = 0;
	const char *mmu;

	if (one_reg(fd, KVM_GET_ONE_REG, RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_ISA), &isa) == 0 &&
	    isa)
		riscv__isa_string(isa, vm->isa, sizeof(vm->isa));
	if (one_reg(fd, KVM_GET_ONE_REG, RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_SATP_MODE), &satp) ==
		    0 &&
	    (mmu = riscv__mmu_type(satp)))
		vm->mmu_type = mmu;
	if (one_reg(fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(frequency), &freq) == 0 && freq &&
	    freq <= UINT32_MAX)
		vm->timebase_hz = (uint32_t)freq;
}

static int vm_create_vcpu(struct vm *vm, unsigned id)
{
	struct vcpu *vcpu = &vm->vcpus[id];
	uint64_t on = 1;
	int size;

	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return vm_fail(vm, errno, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vm_fail(vm, EINVAL, "KVM_GET_VCPU_MMAP_SIZE returned %d", size);
	vcpu->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		return vm_fail(vm, errno, "mmap of kvm_run: %s", strerror(errno));
	}
	vcpu->run_size = (size_t)size;
	/* KVM keeps DBCN off unless user space turns it on, and only before the first KVM_RUN */
	if (one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_SBI_EXT_REG(BOOTCASE_KVM_SBI_EXT_DBCN), &on) &&
	    id == 0)
		fprintf(stderr, "vmm: cannot enable SBI DBCN (needs Linux >= 6.8 in L1): %s\n",
			strerror(errno));
	if (id == 0)
		vm_probe_cpu(vm, vcpu->fd);
	return 0;
}

int vm__open(struct vm *vm, const struct vm_config *cfg, struct events *ev, struct console *con)
{
	struct kvm_userspace_memory_region slot;
	char err[256];
	int api, ret;
	unsigned i;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ev = ev;
	vm->con = con;
	vm->kvm_fd = vm->vm_fd = vm->done_fd = vm->flush_fd = -1;
	vm->nr_vcpus = (unsigned)cfg->cpus;
	for (i = 0; i < VM_MAX_VCPUS; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].id = i;
		vm->vcpus[i].fd = -1;
	}
	vm->ram.base = layout[LAYOUT_DRAM].base;
	vm->ram.size = cfg->mem_mib << 20;
	snprintf(vm->isa, sizeof(vm->isa), "rv64imafdc");
	vm->mmu_type = "riscv,sv48";
	vm->timebase_hz = LAYOUT_TIMEBASE_HZ;
	vm->sbi.mem = (struct guest_mem){ vm_translate, &vm->ram };
	vm->sbi.out = con->sink;
	vm->sbi.in = con->source;

	/* devices first: a --disk that is not there is the user's error even without KVM */
	ret = devices__init(&vm->dev, cfg, con, vm->sbi.mem, vm_plic_notify, vm, "", err,
			    sizeof(err));
	if (ret) /* -ENODEV means "no KVM" to the caller */
		return vm_fail(vm, ret == -ENODEV ? -EIO : ret, "%s", err);

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return vm_fail(vm, -ENODEV, "cannot open /dev/kvm: %s", strerror(errno));
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return vm_fail(vm, ENODEV, "/dev/kvm: API version %d, want %d", api, KVM_API_VERSION);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return vm_fail(vm, ENODEV, "/dev/kvm: no KVM_CAP_IMMEDIATE_EXIT");
	vm_phase(vm, "kvm-open");

	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return vm_fail(vm, errno, "KVM_CREATE_VM: %s", strerror(errno));
	vm->ram.host = mmap(NULL, vm->ram.size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram.host == MAP_FAILED) {
		vm->ram.host = NULL;
		return vm_fail(vm, errno, "option --mem: cannot map %llu MiB of guest RAM: %s",
			       (unsigned long long)cfg->mem_mib, strerror(errno));
	}
	slot = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = vm->ram.base,
		.memory_size = vm->ram.size,
		.userspace_addr = (uintptr_t)vm->ram.host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return vm_fail(vm, errno, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
	vm_phase(vm, "vm-created");

	for (i = 0; i < vm->nr_vcpus; i++) {
		ret = vm_create_vcpu(vm, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Where the initrd goes (below the DTB window); 0 or -E2BIG. */
static int vm_place_initrd(struct vm *vm, size_t len, uint64_t *start)
{
	uint64_t top = vm->ram.size - DTB_MAX_SIZE;

	if (vm->ram.size < DTB_MAX_SIZE || len > top)
		return -E2BIG;
	*start = vm->ram.base + ALIGN_DOWN(top - len, PAGE_SIZE);
	return 0;
}

static int vm_build_dtb(struct vm *vm, const struct file_map *initrd, uint8_t **blob,
			size_t *len)
{
	struct dtb_params p = {
		.nr_cpus = vm->nr_vcpus,
		.ram_size = vm->ram.size,
		.timebase_hz = vm->timebase_hz,
		.isa = vm->isa,
		.mmu_type = vm->mmu_type,
		.bootargs = vm->cfg->append,
	};
	int ret;

	if (initrd && initrd->len) {
		if (vm_place_initrd(vm, initrd->len, &p.initrd_start))
			return vm_fail(vm, E2BIG, "--initrd %s: %zu bytes do not fit in %llu MiB of RAM",
				       vm->cfg->initrd, initrd->len,
				       (unsigned long long)vm->cfg->mem_mib);
		p.has_initrd = 1;
		p.initrd_end = p.initrd_start + initrd->len;
	}
	ret = riscv__dtb_build(&p, blob, len);
	if (ret)
		return vm_fail(vm, ret, "building the device tree: %s", strerror(-ret));
	if (*len > DTB_MAX_SIZE || *len > vm->ram.size) {
		free(*blob);
		return vm_fail(vm, E2BIG, "device tree of %zu bytes is larger than its window", *len);
	}
	return 0;
}

int vm__dump_dtb(struct vm *vm, const struct file_map *initrd, const char *path)
{
	uint8_t *blob;
	size_t len;
	int fd, ret = vm_build_dtb(vm, initrd, &blob, &len);

	if (ret)
		return ret;
	if (!strcmp(path, "-")) {
		/* raw bytes on the console, counted in console_bytes like any output */
		vm->con->sink.write(vm->con->sink.ctx, blob, len);
		console__flush(vm->con);
		free(blob);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		free(blob);
		return vm_fail(vm, ret, "--dump-dtb %s: %s", path, strerror(-ret));
	}
	ret = fd__write_all(fd, blob, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	free(blob);
	if (ret)
		return vm_fail(vm, ret, "--dump-dtb %s: %s", path, strerror(-ret));
	return 0;
}

int vm__load(struct vm *vm, const struct file_map *image, enum image_format fmt,
	     const struct file_map *initrd)
{
	uint64_t limit = vm->ram.base + vm->ram.size - DTB_MAX_SIZE, initrd_start;
	char err[256];
	uint8_t *blob;
	size_t len;
	int ret;

	if (vm->ram.size <= DTB_MAX_SIZE)
		return vm_fail(vm, EINVAL, "option --mem: too small");
	vm->format = fmt;
	ret = loader__load(fmt, image->data, image->len, &vm->ram, &vm->image, err, sizeof(err));
	if (ret)
		return vm_fail(vm, ret, "--kernel %s: %s", vm->cfg->kernel, err);
	if (initrd && initrd->len) {
		if (vm_place_initrd(vm, initrd->len, &initrd_start))
			return vm_fail(vm, E2BIG, "--initrd %s: %zu bytes do not fit in %llu MiB of RAM",
				       vm->cfg->initrd, initrd->len,
				       (unsigned long long)vm->cfg->mem_mib);
		limit = initrd_start;
	}
	if (vm->image.hi > limit)
		return vm_fail(vm, E2BIG, "--kernel %s: image reaches 0x%llx, past 0x%llx where the "
			       "%s starts (raise --mem)", vm->cfg->kernel,
			       (unsigned long long)vm->image.hi, (unsigned long long)limit,
			       initrd && initrd->len ? "initrd" : "device tree");
	if (initrd && initrd->len)
		memcpy(vm->ram.host + (initrd_start - vm->ram.base), initrd->data, initrd->len);
	ret = vm_build_dtb(vm, initrd, &blob, &len);
	if (ret)
		return ret;
	vm->dtb_gpa = ALIGN_DOWN(vm->ram.base + vm->ram.size - len, 8ULL);
	memcpy(vm->ram.host + (vm->dtb_gpa - vm->ram.base), blob, len);
	free(blob);
	vm_phase(vm, "loaded");
	return 0;
}

int vm__boot_vcpus(struct vm *vm)
{
	struct kvm_mp_state runnable = { .mp_state = KVM_MP_STATE_RUNNABLE };
	uint64_t pc = vm->image.entry, dtb = vm->dtb_gpa;

	/* the RISC-V boot protocol: a0 = hartid, a1 = device tree, entered in S-mode */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint64_t hartid = i;
		int fd = vm->vcpus[i].fd;

		if (one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.pc), &pc) ||
		    one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a0), &hartid) ||
		    one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a1), &dtb))
			return vm_fail(vm, errno, "KVM_SET_ONE_REG (boot registers of vCPU %u): %s",
				       i, strerror(errno));
		if (i && vm->cfg->harts_running && ioctl(fd, KVM_SET_MP_STATE, &runnable) < 0)
			return vm_fail(vm, errno, "option --harts-running: KVM_SET_MP_STATE on vCPU "
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
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vm_fd = vm->kvm_fd = -1;
	vm->ram.host = NULL;
}
