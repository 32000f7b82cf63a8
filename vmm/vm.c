/*
 * vm.c - build one VM: /dev/kvm, guest RAM as memslot 0 at the layout.h DRAM base, the
 * device table, vCPU 0, the boot image, initrd and device tree.
 *
 * Top of RAM, from high to low:
 *   [ram_end - DTB_MAX_SIZE, ram_end)  device tree, placed as high as it fits (8-aligned)
 *   below that, page aligned           initrd (--initrd)
 *   the image                          where the loader put it; must not reach the above
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

	if (gpa < ram->base || gpa - ram->base > ram->size || len > ram->size - (gpa - ram->base))
		return NULL;
	return ram->host + (gpa - ram->base);
}

/* The UART window as the bus sees it: fill the RX FIFO from the console before a read of
 * RBR, IIR or LSR (the registers that show received data), so a guest polling LSR.DR sees
 * input without any input thread. Other registers skip the poll() and stay one exit cheap. */
static int vm_uart_read(void *state, uint64_t off, uint8_t *data, uint32_t len)
{
	struct vm *vm = state;
	uint8_t buf[UART16550_FIFO];
	size_t n = uart16550__rx_space(&vm->uart);

	if (n && vm->con && (off == 0 || off == 2 || off == 5)) {
		n = console__read(vm->con, buf, n);
		uart16550__push_input(&vm->uart, buf, n);
	}
	return uart16550_ops.read(&vm->uart, off, data, len);
}

static int vm_uart_write(void *state, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct vm *vm = state;

	return uart16550_ops.write(&vm->uart, off, data, len);
}

static const struct dev_ops vm_uart_ops = {
	.name = "uart16550",
	.read = vm_uart_read,
	.write = vm_uart_write,
};

static int one_reg(int fd, unsigned long req, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(fd, req, &reg) < 0 ? -errno : 0;
}

/* What the vCPU really is, for the device tree; fall back to a plain rv64gc hart. */
static void vm_probe_cpu(struct vm *vm)
{
	uint64_t isa = 0, satp = 0, freq = 0;
	const char *mmu;

	if (one_reg(vm->vcpu.fd, KVM_GET_ONE_REG, RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_ISA), &isa) == 0 &&
	    isa)
		riscv__isa_string(isa, vm->isa, sizeof(vm->isa));
	if (one_reg(vm->vcpu.fd, KVM_GET_ONE_REG,
		    RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_SATP_MODE), &satp) == 0 &&
	    (mmu = riscv__mmu_type(satp)))
		vm->mmu_type = mmu;
	if (one_reg(vm->vcpu.fd, KVM_GET_ONE_REG, RISCV_TIMER_REG(frequency), &freq) == 0 && freq &&
	    freq <= UINT32_MAX)
		vm->timebase_hz = (uint32_t)freq;
}

static int vm_create_vcpu(struct vm *vm)
{
	struct vcpu *vcpu = &vm->vcpu;
	uint64_t on = 1;
	int size;

	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu->fd < 0)
		return vm_fail(vm, errno, "KVM_CREATE_VCPU: %s", strerror(errno));
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
	if (one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_SBI_EXT_REG(BOOTCASE_KVM_SBI_EXT_DBCN), &on))
		fprintf(stderr, "vmm: cannot enable SBI DBCN (needs Linux >= 6.8 in L1): %s\n",
			strerror(errno));
	vm_probe_cpu(vm);
	return 0;
}

int vm__open(struct vm *vm, const struct vm_config *cfg, struct events *ev, struct console *con)
{
	struct kvm_userspace_memory_region slot;
	int api;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->ev = ev;
	vm->con = con;
	vm->kvm_fd = vm->vm_fd = vm->vcpu.fd = -1;
	vm->ram.base = layout[LAYOUT_DRAM].base;
	vm->ram.size = cfg->mem_mib << 20;
	snprintf(vm->isa, sizeof(vm->isa), "rv64imafdc");
	vm->mmu_type = "riscv,sv48";
	vm->timebase_hz = LAYOUT_TIMEBASE_HZ;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return vm_fail(vm, errno, "cannot open /dev/kvm: %s", strerror(errno));
	api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return vm_fail(vm, EINVAL, "/dev/kvm: API version %d, want %d", api, KVM_API_VERSION);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return vm_fail(vm, ENOSYS, "/dev/kvm: no KVM_CAP_IMMEDIATE_EXIT");
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

	mmio__init(&vm->bus);
	uart16550__init(&vm->uart, con->sink, (struct irq_line){ NULL, NULL });
	if (mmio__register(&vm->bus, layout[LAYOUT_UART0].base, layout[LAYOUT_UART0].size,
			   &vm_uart_ops, vm))
		return vm_fail(vm, EINVAL, "cannot register the UART");
	vm->sbi.mem = (struct guest_mem){ vm_translate, &vm->ram };
	vm->sbi.out = con->sink;
	vm->sbi.in = con->source;
	return vm_create_vcpu(vm);
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

int vm__boot_vcpu(struct vm *vm)
{
	uint64_t pc = vm->image.entry, hartid = 0, dtb = vm->dtb_gpa;
	int fd = vm->vcpu.fd;

	/* the RISC-V boot protocol: a0 = hartid, a1 = device tree, entered in S-mode */
	if (one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.pc), &pc) ||
	    one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a0), &hartid) ||
	    one_reg(fd, KVM_SET_ONE_REG, RISCV_CORE_REG(regs.a1), &dtb))
		return vm_fail(vm, errno, "KVM_SET_ONE_REG (boot registers): %s", strerror(errno));
	vm_phase(vm, "vcpu-ready");
	return 0;
}

void vm__close(struct vm *vm)
{
	if (vm->vcpu.run)
		munmap(vm->vcpu.run, vm->vcpu.run_size);
	if (vm->vcpu.fd >= 0)
		close(vm->vcpu.fd);
	if (vm->ram.host)
		munmap(vm->ram.host, vm->ram.size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->vcpu.run = NULL;
	vm->vcpu.fd = vm->vm_fd = vm->kvm_fd = -1;
	vm->ram.host = NULL;
}
