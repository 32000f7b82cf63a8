/*
 * vm.h - one virtual machine: KVM fds, guest RAM, the device table, the boot image.
 */
#ifndef BOOTCASE_VM_H
#define BOOTCASE_VM_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "util.h"
#include "console.h"
#include "events.h"
#include "loader.h"
#include "mmio.h"
#include "sbi.h"
#include "uart16550.h"
#include "vcpu.h"

struct vm {
	const struct vm_config *cfg;
	struct events *ev;
	struct console *con;
	int kvm_fd, vm_fd;
	struct guest_ram ram;
	struct mmio_bus bus;
	struct uart16550 uart;
	struct sbi_env sbi;
	struct vcpu vcpu;
	enum image_format format;
	struct load_info image;
	uint64_t dtb_gpa;
	char isa[64];
	const char *mmu_type;
	uint32_t timebase_hz;
	char err[512]; /* why the last vm__* call failed, naming the file or step */
};

/* Each returns 0 or -errno with vm->err set. */
int vm__open(struct vm *vm, const struct vm_config *cfg, struct events *ev, struct console *con);
int vm__load(struct vm *vm, const struct file_map *image, enum image_format fmt,
	     const struct file_map *initrd);
int vm__dump_dtb(struct vm *vm, const struct file_map *initrd, const char *path);
int vm__boot_vcpu(struct vm *vm);
void vm__close(struct vm *vm);

#endif
