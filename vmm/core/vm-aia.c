/*
 * vm-aia.c - --irqchip aia: KVM's in-kernel AIA irqchip (Documentation/virt/kvm/devices/
 * riscv-aia.rst) in place of the VMM's PLIC model.
 *
 * With the PLIC model every device interrupt costs the guest MMIO exits to the VMM (claim,
 * complete, and the masking the driver does) and the VMM a KVM_INTERRUPT per level change. Here
 * KVM owns an APLIC (MSI mode) and one IMSIC interrupt file per vCPU, both at the layout.h
 * addresses and both emulated inside L1's kernel: the VMM only drives the wired sources with
 * KVM_IRQ_LINE, and the guest's claims and completions never leave KVM.
 *
 * The device is made once the vCPUs exist (KVM_CREATE_DEVICE refuses once a vCPU has run, and
 * CTRL_INIT wants every vCPU's IMSIC address): the mode and the MSI identity count are KVM's
 * choice (read back for the DT), the source count and hart index bits ours.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm-aia.h"
#include "vm.h"

_Static_assert(LAYOUT_IMSIC_HARTS >= VM_MAX_VCPUS, "layout.h's IMSIC window holds a file per vCPU");

static int aia_attr(struct vm *vm, unsigned long req, uint32_t group, uint64_t attr, void *val,
		    const char *what)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val };

	if (ioctl(vm->aia_fd, req, &a) < 0)
		return vm__fail(vm, errno, "--irqchip aia: %s %s: %s",
				req == KVM_GET_DEVICE_ATTR ? "reading" : "setting", what, strerror(errno));
	return 0;
}

/* A wired source changed level (any thread; devices.c sends only changes). */
static void vm_aia_set(void *ctx, unsigned source, int level)
{
	struct vm *vm = ctx;
	struct kvm_irq_level irq = { .irq = source, .level = (uint32_t)level };
	char msg[128];

	if (vm->aia_fd < 0 || ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) >= 0)
		return;
	/* the guest would wait for an interrupt that never comes: end the run, say why */
	snprintf(msg, sizeof(msg), "KVM_IRQ_LINE source %u level %d: %s", source, level,
		 strerror(errno));
	vm__host_fault(vm, FAULT_KVM_RUN, NULL, errno, msg);
}

const struct devices_irqchip *vm__aia_irqchip(struct vm *vm)
{
	vm->aia_irqchip = (struct devices_irqchip){ vm_aia_set, vm };
	return &vm->aia_irqchip;
}

int vm__aia_setup(struct vm *vm)
{
	struct kvm_create_device dev = { .type = BOOTCASE_KVM_DEV_TYPE_RISCV_AIA };
	uint32_t srcs = LAYOUT_AIA_SOURCES, bits = riscv__aia_hart_bits(vm->nr_vcpus);
	uint64_t addr = layout[LAYOUT_APLIC].base;
	int ret;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		return vm__fail(vm, errno == ENODEV ? EOPNOTSUPP : errno,
				"option --irqchip aia: KVM in L1 has no in-kernel AIA irqchip "
				"(KVM_CREATE_DEVICE RISCV_AIA: %s); it needs Linux >= 6.5 on an L1 "
				"machine with AIA (QEMU -M virt,aia=aplic-imsic)", strerror(errno));
	vm->aia_fd = (int)dev.fd;
	if ((ret = aia_attr(vm, KVM_GET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_CONFIG,
			    BOOTCASE_KVM_AIA_CONFIG_MODE, &vm->aia_mode, "the mode")) ||
	    (ret = aia_attr(vm, KVM_GET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_CONFIG,
			    BOOTCASE_KVM_AIA_CONFIG_IDS, &vm->aia_nr_ids, "the MSI identities")) ||
	    (ret = aia_attr(vm, KVM_SET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_CONFIG,
			    BOOTCASE_KVM_AIA_CONFIG_SRCS, &srcs, "the APLIC sources")) ||
	    (ret = aia_attr(vm, KVM_SET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_CONFIG,
			    BOOTCASE_KVM_AIA_CONFIG_HART_BITS, &bits, "the hart index bits")) ||
	    (ret = aia_attr(vm, KVM_SET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_ADDR,
			    BOOTCASE_KVM_AIA_ADDR_APLIC, &addr, "the APLIC address")))
		return ret;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		addr = layout[LAYOUT_IMSIC].base + i * LAYOUT_IMSIC_STRIDE;
		if ((ret = aia_attr(vm, KVM_SET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_ADDR,
				    BOOTCASE_KVM_AIA_ADDR_IMSIC(i), &addr, "an IMSIC address")))
			return ret;
	}
	return aia_attr(vm, KVM_SET_DEVICE_ATTR, BOOTCASE_KVM_AIA_GRP_CTRL,
			BOOTCASE_KVM_AIA_CTRL_INIT, NULL, "CTRL_INIT (the device)");
}
