/*
 * vm-isa.c - what ISA the harts have: KVM's ISA_EXT registers (one per extension: Zicsr,
 * Sstc, Zba...), read on every vCPU for the device tree, and --isa-disable, which switches
 * some off before the first KVM_RUN. The DT generator gets the names (vm__isa_names) and
 * nothing of KVM.
 */
#include <errno.h>
#include <string.h>
#include <linux/kvm.h>

#include "kvm-riscv.h"
#include "vm.h"

static const char *const isa_names[] = {
#define ISA_NAME(n, name) [n] = name,
	BOOTCASE_KVM_ISA_EXTS(ISA_NAME)
#undef ISA_NAME
};

unsigned vm__isa_names(const struct vm *vm, const char **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BOOTCASE_KVM_ISA_EXT__COUNT; i++)
		if (vm->isa_ext & 1ULL << i)
			out[n++] = isa_names[i];
	riscv__isa_sort(out, n);
	return n;
}

/*
 * The extensions KVM enabled on this vCPU (its KVM_REG_RISCV_ISA_EXT registers), kept where
 * every vCPU so far agrees. A KVM too old for the registers leaves the single letters of the
 * CONFIG isa bitmap.
 */
void vm__probe_isa(struct vm *vm, unsigned id, int fd)
{
	static const char letters[] = "acdfhimv"; /* the single-letter ids, for the fallback */
	const char *const *names = isa_names;
	uint64_t have = 0, on, bits = 0;

	for (unsigned n = 0; n < BOOTCASE_KVM_ISA_EXT__COUNT; n++)
		if (!vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_ISA_EXT_REG(n), &on) && on)
			have |= 1ULL << n;
	if (!have &&
	    !vcpu__one_reg(fd, KVM_GET_ONE_REG, RISCV_CONFIG_REG(BOOTCASE_KVM_CONFIG_ISA), &bits))
		for (unsigned n = 0; n < BOOTCASE_KVM_ISA_EXT__COUNT; n++)
			if (!names[n][1] && strchr(letters, names[n][0]) &&
			    (bits & 1ULL << (names[n][0] - 'a')))
				have |= 1ULL << n;
	if (have)
		vm->isa_ext = id == 0 ? have : vm->isa_ext & have;
}

/*
 * --isa-disable: switch ISA extensions off before the first KVM_RUN, so the guest neither
 * has them nor sees them in the DT (vm__probe_isa reads back what is left), for tests of a
 * guest's fallbacks. KVM lets go only of what it can hide from a guest (6.12: F, D, V, Svpbmt,
 * Zicbom/Zicboz, H...; not Sstc, the Zb*, Zicsr), and says EINVAL for the rest.
 */
int vm__isa_disable(struct vm *vm, struct vcpu *vcpu)
{
	uint64_t off = 0;
	int ret;

	for (unsigned n = 0; n < BOOTCASE_KVM_ISA_EXT__COUNT; n++) {
		if (!(vm->cfg->isa_disable & 1ULL << n))
			continue;
		ret = vcpu__one_reg(vcpu->fd, KVM_SET_ONE_REG, RISCV_ISA_EXT_REG(n), &off);
		if (ret)
			return vm__fail(vm, ret, "option --isa-disable %s: KVM refused on vCPU %u: %s%s",
				       isa_names[n], vcpu->id, strerror(-ret),
				       ret == -EINVAL ? " (this KVM cannot switch it off)"
				       : ret == -ENOENT ? " (this KVM does not offer it)" : "");
	}
	return 0;
}
