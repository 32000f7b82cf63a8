/*
 * config.h - the VMM command line (docs/protocol.md, "VMM command line") as a struct.
 */
#ifndef BOOTCASE_CONFIG_H
#define BOOTCASE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_DEFAULT_MEM_MIB 128
#define CONFIG_MAX_MEM_MIB 65536
#define CONFIG_MAX_CPUS 8  /* PLIC_MAX_HARTS */
#define CONFIG_MAX_DISKS 8 /* LAYOUT_VIRTIO_SLOTS */
#define CONFIG_XV6_MIN_MEM_MIB 128 /* xv6's memlayout.h: PHYSTOP = 0x80000000 + 128 MiB */

/* --disk PATH[,ro]: a host file or block device, or "serial:NAME" (an L1 virtio disk). */
struct disk_config {
	const char *path; /* points into argv, or into the copy below when ",ro" was cut off */
	int read_only;
	char buf[256];
};

/*
 * --profile: a machine personality for one kind of guest. PROFILE_XV6 is the xv6-riscv machine
 * (issue #5): every hart running at reset, the CLINT at QEMU virt's address with the timer
 * model of vmm/dev/clint.c, virtio transports that accept a legacy-feature driver, the UART
 * acknowledging THRE on LSR reads, and a --firmware shim that plays M-mode for xv6's start().
 */
enum vm_profile { PROFILE_NONE, PROFILE_XV6 };

/*
 * --virtio-transport: the register layout every virtio-mmio slot offers. mmio is version 2
 * (virtio 1.x, 4.2.2); mmio-legacy is version 1 (4.2.4: GuestPageSize, QueuePFN), for drivers
 * older than virtio 1.0 such as xv6-riscv before October 2021. The names are kvmtool's.
 */
enum virtio_transport { VIRTIO_TRANSPORT_MMIO, VIRTIO_TRANSPORT_MMIO_LEGACY };

/*
 * --irqchip: who models the interrupt controller. plic is the VMM's own PLIC (dev/plic.c),
 * which raises a hart's external interrupt with KVM_INTERRUPT; aia is KVM's in-kernel APLIC
 * with an IMSIC per hart (Linux >= 6.5 in L1, on an L1 machine with AIA: QEMU -M
 * virt,aia=aplic-imsic), fed with KVM_IRQ_LINE (core/vm-aia.c).
 */
enum irqchip { IRQCHIP_PLIC, IRQCHIP_AIA };

struct vm_config {
	const char *kernel;
	const char *firmware; /* --firmware: flat binary at the layout.h firmware window */
	/* --flat-load ADDR: the kernel is a flat binary, loaded at ADDR and entered there, or at
	 * --flat-entry ADDR. Without it a kernel must be an ELF or a Linux Image (loader.h). */
	int flat;
	uint64_t flat_load, flat_entry;
	enum vm_profile profile;
	const char *append;
	const char *initrd;
	const char *dump_dtb; /* "-" = the console fd */
	uint64_t mem_mib;
	uint64_t cpus;        /* 1..CONFIG_MAX_CPUS */
	int harts_running;    /* every vCPU runnable at reset, not only vCPU 0 */
	int virtio_console;   /* console input/output through a virtio-console too */
	enum virtio_transport virtio_transport;
	enum irqchip irqchip;
	uint32_t sbi_disable; /* --sbi-disable: bit n = KVM_RISCV_SBI_EXT_ID n off (sbi-ext.c) */
	uint32_t sbi_serve;   /* --sbi-serve: the same bits, served by the VMM (sbi-serve.c) */
	int sbi_trace;        /* --sbi-trace: an "sbi" event per SBI call (sbi-ext.c) */
	uint64_t isa_disable; /* --isa-disable: bit n = KVM ISA extension n off (kvm-riscv.h) */
	struct disk_config disks[CONFIG_MAX_DISKS];
	unsigned nr_disks;
	uint64_t timeout_ms; /* 0 = no deadline */
	int console_fd;      /* -1 = stdout (output) and stdin (input) */
	int events_fd;       /* -1 = stderr */
	int has_run_id;
	uint64_t run_id;
};

/*
 * Parse argv[1..argc) into cfg. Returns 0, or -EINVAL with a message naming the option in
 * err. Even on error, cfg holds whatever was parsed (so --events-fd/--run-id can still be used
 * to report the error).
 */
int config__parse(struct vm_config *cfg, int argc, char *const argv[], char *err, size_t errlen);

#endif
