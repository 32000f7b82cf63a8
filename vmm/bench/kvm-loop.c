/*
 * kvm-loop: the floor under the VMM's exit cost (npm run bench, issue 13 §3). A bare KVM_RUN
 * loop in L1 that runs N BOOTCASE NOP calls (the same SBI exit to user space as
 * guests/asm/cases/bench.S loop 0..1) and answers each with nothing else: no events, no
 * console, no SBI table, no locks. What the VMM's NOP exit costs above this is what the VMM adds.
 *
 *   kvm-loop [N]   prints "kvm-loop: N exits in T us: X us/exit" and exits 0
 *
 * The guest is 11 instructions written into RAM here (no loader, no device tree): a7/a6 name
 * the NOP, s1 counts down, then BOOTCASE EXIT. Static, built like the VMM (vmm/Makefile).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvm-riscv.h"

#define RAM_BASE 0x80000000UL
#define RAM_SIZE 0x10000UL
#define EXT_BOOTCASE 0x08424354UL
#define FID_NOP 2
#define FID_EXIT 0

/* lui t1,0x8424; addiw t1,t1,0x354; li a6,2; 1: mv a7,t1; ecall; addi s1,s1,-1; bnez s1,1b;
 * li a6,0; li a0,0; ecall; 2: j 2b */
static const uint32_t guest_code[] = {
	0x08424337, 0x3543031b, 0x00200813, 0x00030893, 0x00000073, 0xfff48493,
	0xfe049ae3, 0x00000813, 0x00000513, 0x00000073, 0x0000006f,
};

static void die(const char *what)
{
	fprintf(stderr, "kvm-loop: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void set_reg(int fd, uint64_t id, unsigned long v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };
	if (ioctl(fd, KVM_SET_ONE_REG, &r) < 0)
		die("KVM_SET_ONE_REG");
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000;
	if (n == 0) {
		fprintf(stderr, "kvm-loop: N must be a positive count, not \"%s\"\n", argv[1]);
		return 2;
	}
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	void *ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	memcpy(ram, guest_code, sizeof(guest_code));
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE, .userspace_addr = (uintptr_t)ram,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	int size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		die("KVM_GET_VCPU_MMAP_SIZE");
	struct kvm_run *run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	set_reg(vcpu, RISCV_CORE_REG(regs.pc), RAM_BASE);
	set_reg(vcpu, RISCV_CORE_REG(regs.s1), n);

	unsigned long nops = 0;
	double t0 = 0;
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (run->exit_reason != KVM_EXIT_RISCV_SBI || run->riscv_sbi.extension_id != EXT_BOOTCASE) {
			fprintf(stderr, "kvm-loop: unexpected exit %u (eid 0x%lx)\n", run->exit_reason,
				run->exit_reason == KVM_EXIT_RISCV_SBI ? run->riscv_sbi.extension_id : 0UL);
			return 1;
		}
		if (run->riscv_sbi.function_id == FID_EXIT)
			break;
		/* the clock starts at the first NOP exit, as bench.S's mark 0 does */
		if (nops++ == 0)
			t0 = now_us();
		run->riscv_sbi.ret[0] = 0;
		run->riscv_sbi.ret[1] = 0;
	}
	double t = now_us() - t0;
	if (nops != n) {
		fprintf(stderr, "kvm-loop: %lu NOP exits, expected %lu\n", nops, n);
		return 1;
	}
	/* n NOPs and the EXIT: n intervals between the first NOP exit and the EXIT exit */
	printf("kvm-loop: %lu exits in %.0f us: %.2f us/exit\n", n, t, t / n);
	return 0;
}
