/*
 * vm-notify.c - virtio-blk queue notifies through KVM ioeventfds (--irqchip aia).
 *
 * A driver announces new requests by writing the queue index to QueueNotify (virtio-mmio
 * 0x050). As an MMIO exit that write stops the vCPU, leaves L1's kernel for the VMM and comes
 * back: under nested TCG the dearest thing a request does. With KVM_IOEVENTFD, KVM matches the
 * store (the slot's QueueNotify, 4 bytes, value 0: the disk's only queue) inside L1's kernel,
 * signals an eventfd and resumes the guest at once. One thread per disk waits on it and hands
 * the notify to the device table exactly as the MMIO write would have (devices__blk_notify,
 * under the disk's lock), so the device model does not know the difference, and a notify the
 * transport refuses (a queue not ready) still ends the run as a device fault.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vm.h"

static void *notify_thread(void *arg)
{
	struct vm_notifier *n = arg;
	struct vm *vm = n->vm;
	struct pollfd p[2] = { { .fd = n->efd, .events = POLLIN }, { .fd = vm->notify_quit_fd, .events = POLLIN } };
	uint64_t count;

	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			/* the disk would never hear of a request again: end the run, say why */
			vm__host_fault(vm, FAULT_KVM_RUN, NULL, errno, "poll on a QueueNotify ioeventfd failed");
			break;
		}
		if (p[1].revents || vm->stopping)
			break;
		if (!(p[0].revents & POLLIN) || read(n->efd, &count, sizeof(count)) != sizeof(count))
			continue;
		if (devices__blk_notify(&vm->dev, n->disk, 0)) {
			vm__host_fault(vm, FAULT_DEVICE, vm->dev.slots[n->disk].name, 0, vm->dev.err);
			break;
		}
	}
	return NULL;
}

/* Assign (or, with KVM_IOEVENTFD_FLAG_DEASSIGN, remove) disk i's QueueNotify ioeventfd. */
static int notify_ioeventfd(struct vm *vm, struct vm_notifier *n, uint32_t flags)
{
	struct kvm_ioeventfd io = {
		.datamatch = 0,
		.addr = devices__blk_notify_addr(&vm->dev, n->disk),
		.len = 4,
		.fd = n->efd,
		.flags = KVM_IOEVENTFD_FLAG_DATAMATCH | flags,
	};

	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

int vm__notify_start(struct vm *vm)
{
	int ret;

	vm->notify_quit_fd = eventfd(0, EFD_CLOEXEC);
	if (vm->notify_quit_fd < 0)
		return vm__fail(vm, errno, "--irqchip aia: eventfd: %s", strerror(errno));
	for (unsigned i = 0; i < vm->dev.nr_blk; i++) {
		struct vm_notifier *n = &vm->notifiers[i];

		*n = (struct vm_notifier){ .vm = vm, .disk = i, .efd = eventfd(0, EFD_CLOEXEC) };
		if (n->efd < 0)
			return vm__fail(vm, errno, "--irqchip aia: eventfd: %s", strerror(errno));
		if ((ret = notify_ioeventfd(vm, n, 0)))
			return vm__fail(vm, -ret, "--irqchip aia: KVM_IOEVENTFD for %s: %s",
					vm->dev.slots[i].name, strerror(-ret));
		n->assigned = 1;
		if ((ret = pthread_create(&n->thread, NULL, notify_thread, n)))
			return vm__fail(vm, ret, "--irqchip aia: cannot start a notify thread");
		n->has_thread = 1;
		vm->nr_notifiers = i + 1;
	}
	return 0;
}

void vm__notify_stop(struct vm *vm)
{
	uint64_t one = 1;

	if (vm->notify_quit_fd >= 0 && write(vm->notify_quit_fd, &one, sizeof(one)) < 0)
		perror("vmm: notify quit");
	for (unsigned i = 0; i < vm->nr_notifiers; i++) {
		struct vm_notifier *n = &vm->notifiers[i];

		if (n->has_thread)
			pthread_join(n->thread, NULL);
		if (n->assigned)
			notify_ioeventfd(vm, n, KVM_IOEVENTFD_FLAG_DEASSIGN);
		if (n->efd >= 0)
			close(n->efd);
		*n = (struct vm_notifier){ .efd = -1 };
	}
	vm->nr_notifiers = 0;
	if (vm->notify_quit_fd >= 0)
		close(vm->notify_quit_fd);
	vm->notify_quit_fd = -1;
}
