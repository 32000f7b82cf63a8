/*
 * config_test.c - the VMM command line and its error messages.
 */
#include "config.h"
#include "test.h"

char test_err[256];

int test__parse(struct vm_config *c, const char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return config__parse(c, argc, (char *const *)argv, test_err, sizeof(test_err));
}

static void test_good(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "/g/x.elf", "--mem", "64",
					    "--append", "console=hvc0", "--timeout-ms", "500",
					    "--events-fd", "2", "--console-fd", "1", "--run-id",
					    "18446744073709551615", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_STR(c.kernel, "/g/x.elf");
	CHECK_EQ(c.isa_disable, 0);
	CHECK_EQ(c.mem_mib, 64);
	CHECK_STR(c.append, "console=hvc0");
	CHECK_EQ(c.timeout_ms, 500);
	CHECK_EQ(c.events_fd, 2);
	CHECK_EQ(c.console_fd, 1);
	CHECK_EQ(c.has_run_id, 1);
	CHECK_EQ(c.run_id, UINT64_MAX);
	{
		static const char *const isa[] = { "vmm", "--kernel", "k", "--isa-disable", "SSTC",
						   "--isa-disable", "zba,v", NULL };

		CHECK_EQ(test__parse(&c, isa), 0); /* repeatable, any case: Sstc 8, V 15, Zba 17 */
		CHECK_EQ(c.isa_disable, 1ULL << 8 | 1ULL << 15 | 1ULL << 17);
	}
}

static void test_defaults(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "k", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.mem_mib, CONFIG_DEFAULT_MEM_MIB);
	CHECK_EQ(c.console_fd, -1);
	CHECK_EQ(c.events_fd, -1);
	CHECK_EQ(c.timeout_ms, 0);
	CHECK(c.initrd == NULL && c.append == NULL && !c.has_run_id);
	CHECK_EQ(c.cpus, 1);
	CHECK(c.nr_disks == 0 && !c.virtio_console && !c.harts_running);
	CHECK(c.profile == PROFILE_NONE && c.firmware == NULL);
	CHECK(c.virtio_transport == VIRTIO_TRANSPORT_MMIO);
	CHECK(c.irqchip == IRQCHIP_PLIC);
	{
		static const char *const aia[] = { "vmm", "--kernel", "k", "--irqchip", "aia", NULL };

		CHECK_EQ(test__parse(&c, aia), 0);
		CHECK(c.irqchip == IRQCHIP_AIA);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *argv[10];
		const char *msg;
	} cases[] = {
		{ { "vmm", NULL }, "missing --kernel FILE" },
		{ { "vmm", "--kernel", NULL }, "option --kernel needs a value" },
		{ { "vmm", "--kernel", "k", "--mem", "12x", NULL }, "option --mem: '12x'" },
		{ { "vmm", "--kernel", "k", "--mem", "0", NULL }, "option --mem: must be at least" },
		{ { "vmm", "--kernel", "k", "--mem", "99999999", NULL }, "option --mem" },
		{ { "vmm", "--kernel", "k", "--bogus", NULL }, "unknown option '--bogus'" },
		{ { "vmm", "stray", "--kernel", "k", NULL }, "unexpected argument 'stray'" },
		{ { "vmm", "--kernel", "k", "--events-fd", "999", NULL },
		  "option --events-fd: file descriptor 999 is not open" },
		{ { "vmm", "--kernel", "", NULL }, "option --kernel: empty file name" },
		{ { "vmm", "--kernel", "k", "--timeout-ms", "-1", NULL }, "option --timeout-ms" },
		{ { "vmm", "--kernel", "k", "--cpus", "0", NULL }, "option --cpus: must be at least 1" },
		{ { "vmm", "--kernel", "k", "--cpus", "9", NULL }, "option --cpus: '9' is not a number in 0..8" },
		{ { "vmm", "--kernel", "k", "--disk", NULL }, "option --disk needs a value" },
		{ { "vmm", "--kernel", "k", "--flat-load", "0x", NULL }, "option --flat-load: '0x' is not a guest address" },
		{ { "vmm", "--kernel", "k", "--flat-load", "0x80000000", "--flat-entry", "0x10000000000000000", NULL }, "option --flat-entry: '0x10000000000000000'" },
		{ { "vmm", "--kernel", "k", "--flat-load", "0x80000000", "--flat-entry", "0", NULL }, "option --flat-entry: '0'" },
		{ { "vmm", "--kernel", "k", "--isa-disable", "sstc,zfoo", NULL }, "option --isa-disable: unknown ISA extension 'zfoo'" },
		{ { "vmm", "--kernel", "k", "--isa-disable", "sstc,", NULL }, "option --isa-disable: unknown ISA extension ''" },
		{ { "vmm", "--kernel", "k", "--disk", ",ro", NULL }, "option --disk: empty file name" },
		{ { "vmm", "--kernel", "k", "--disk", "serial:", NULL }, "option --disk: empty serial name" },
		/* a served HSM suspend would miss the IPIs KVM answers */
		{ { "vmm", "--kernel", "k", "--sbi-serve", "hsm", NULL },
		  "option --sbi-serve hsm needs ipi too (--sbi-serve hsm,ipi)" },
		{ { "vmm", "--kernel", "k", "--sbi-serve", "time,hsm", NULL },
		  "option --sbi-serve hsm needs ipi too" },
		{ { "vmm", "--kernel", "k", "--flat-load", "0x8g", NULL },
		  "option --flat-load: '0x8g' is not a guest address" },
		{ { "vmm", "--kernel", "k", "--flat-load", "0", NULL }, "option --flat-load: '0'" },
		{ { "vmm", "--kernel", "k", "--flat-entry", "0x80000000", NULL },
		  "option --flat-entry needs --flat-load ADDR" },
		{ { "vmm", "--kernel", "k", "--irqchip", "apic", NULL },
		  "option --irqchip: unknown interrupt controller 'apic' (known: plic" },
		/* the in-kernel irqchip's interrupts never reach a hart the VMM suspends; xv6 wants a PLIC */
		{ { "vmm", "--kernel", "k", "--irqchip", "aia", "--sbi-serve", "hsm,ipi", NULL },
		  "option --irqchip aia: not with --sbi-serve hsm" },
		{ { "vmm", "--kernel", "k", "--irqchip", "aia", "--profile", "xv6", "--firmware", "f", NULL },
		  "option --irqchip aia: not with --profile xv6" },
		/* system suspend needs the hart states only the VMM's HSM has */
		{ { "vmm", "--kernel", "k", "--sbi-serve", "susp", NULL },
		  "option --sbi-serve susp needs hsm and ipi too (--sbi-serve hsm,ipi,susp)" },
	};
	struct vm_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(test__parse(&c, cases[i].argv) != 0);
		CHECK_CONTAINS(test_err, cases[i].msg);
	}
}

static void test_error_keeps_report_fds(void)
{
	static const char *const argv[] = { "vmm", "--bogus", "--run-id", "7", "--events-fd", "1",
					    NULL };
	struct vm_config c;

	CHECK(test__parse(&c, argv) != 0);
	CHECK_CONTAINS(test_err, "--bogus");
	CHECK_EQ(c.run_id, 7);
	CHECK_EQ(c.events_fd, 1);
}

static void test_sbi_serve_hsm_with_ipi(void)
{
	static const char *const together[] = { "vmm", "--kernel", "k", "--sbi-serve", "hsm,ipi",
						NULL };
	static const char *const apart[] = { "vmm", "--kernel", "k", "--sbi-serve", "hsm",
					     "--sbi-serve", "ipi", NULL };
	static const char *const ipi_alone[] = { "vmm", "--kernel", "k", "--sbi-serve", "ipi",
						 NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, together), 0);
	CHECK_EQ(test__parse(&c, apart), 0); /* the lists add up before the check */
	CHECK_EQ(test__parse(&c, ipi_alone), 0);
}

static void test_dump_dtb_alone(void)
{
	static const char *const argv[] = { "vmm", "--dump-dtb", "/tmp/x.dtb", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_STR(c.dump_dtb, "/tmp/x.dtb");
}

static void test_devices(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "k", "--disk", "serial:rw",
					    "--disk", "/a,b.img,ro", "--virtio-console", "--cpus", "4",
					    "--harts-running", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.nr_disks, 2);
	CHECK_STR(c.disks[0].path, "serial:rw");
	CHECK_EQ(c.disks[0].read_only, 0);
	CHECK_STR(c.disks[1].path, "/a,b.img"); /* only the last ",ro" is an option */
	CHECK_EQ(c.disks[1].read_only, 1);
	CHECK_EQ(c.virtio_console, 1);
	CHECK_EQ(c.harts_running, 1);
	CHECK_EQ(c.cpus, 4);
}

static void test_virtio_transport(void)
{
	static const char *const legacy[] = { "vmm", "--kernel", "k", "--virtio-transport",
					      "mmio-legacy", NULL };
	static const char *const modern[] = { "vmm", "--kernel", "k", "--virtio-transport", "mmio",
					      NULL };
	static const char *const bad[] = { "vmm", "--kernel", "k", "--virtio-transport", "pci",
					   NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, legacy), 0);
	CHECK(c.virtio_transport == VIRTIO_TRANSPORT_MMIO_LEGACY);
	CHECK_EQ(test__parse(&c, modern), 0);
	CHECK(c.virtio_transport == VIRTIO_TRANSPORT_MMIO);
	CHECK(test__parse(&c, bad) != 0);
	CHECK_CONTAINS(test_err, "option --virtio-transport: unknown transport 'pci'");
}

static void test_xv6_profile(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "kernel", "--profile", "xv6",
					    "--firmware", "shim.bin", "--cpus", "3", NULL };
	static const struct {
		const char *argv[10];
		const char *msg;
	} bad[] = {
		{ { "vmm", "--kernel", "k", "--profile", "linux", NULL },
		  "option --profile: unknown profile 'linux'" },
		{ { "vmm", "--kernel", "k", "--profile", "xv6", NULL },
		  "option --profile xv6 needs --firmware" },
		{ { "vmm", "--kernel", "k", "--profile", "xv6", "--firmware", "f", "--mem", "64", NULL },
		  "option --profile xv6 needs --mem 128" },
		{ { "vmm", "--kernel", "k", "--profile", "xv6", "--firmware", "f", "--virtio-console",
		    NULL },
		  "option --profile xv6 does not take --virtio-console" },
		{ { "vmm", "--kernel", "k", "--profile", "xv6", "--firmware", "f", "--initrd", "i",
		    NULL },
		  "option --profile xv6 does not take --initrd" },
		{ { "vmm", "--kernel", "k", "--firmware", "", NULL }, "option --firmware: empty" },
	};
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.profile, PROFILE_XV6);
	CHECK_STR(c.firmware, "shim.bin");
	CHECK_EQ(c.harts_running, 1); /* implied: xv6 starts every hart at its entry */
	CHECK_EQ(c.mem_mib, 128);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(test__parse(&c, bad[i].argv) != 0);
		CHECK_CONTAINS(test_err, bad[i].msg);
	}
}

static void test_too_many_virtio(void)
{
	const char *argv[24] = { "vmm", "--kernel", "k" };
	struct vm_config c;
	int n = 3;

	for (int i = 0; i < CONFIG_MAX_DISKS; i++) {
		argv[n++] = "--disk";
		argv[n++] = "d.img";
	}
	argv[n] = NULL;
	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.nr_disks, CONFIG_MAX_DISKS);
	argv[n++] = "--virtio-console";
	argv[n] = NULL;
	CHECK(test__parse(&c, argv) != 0);
	CHECK_CONTAINS(test_err, "option --virtio-console: all 8 virtio slots hold disks");
	argv[n - 1] = "--disk";
	argv[n++] = "ninth.img";
	argv[n] = NULL;
	CHECK(test__parse(&c, argv) != 0);
	CHECK_CONTAINS(test_err, "option --disk: at most 8 disks");
}

/* a flat binary is declared, with where it goes and where it starts */
static void test_flat_load(void)
{
	static const char *const argv[] = { "vmm", "--kernel", "u-boot.bin", "--flat-load",
					    "0x80200000", "--flat-entry", "2149580804", NULL };
	struct vm_config c;

	CHECK_EQ(test__parse(&c, argv), 0);
	CHECK_EQ(c.flat, 1);
	CHECK_EQ(c.flat_load, 0x80200000ULL);
	CHECK_EQ(c.flat_entry, 0x80200004ULL);
}

const struct test config_tests[] = {
	{ "config: --flat-load and --flat-entry", test_flat_load },
	{ "config: --disk, --virtio-console, --cpus, --harts-running", test_devices },
	{ "config: disks and the virtio-console share 8 slots", test_too_many_virtio },
	{ "config: all options", test_good },
	{ "config: --profile xv6 and --firmware", test_xv6_profile },
	{ "config: defaults", test_defaults },
	{ "config: every error names its option", test_errors },
	{ "config: --events-fd/--run-id survive an earlier error", test_error_keeps_report_fds },
	{ "config: --dump-dtb needs no --kernel", test_dump_dtb_alone },
	{ "config: --virtio-transport mmio and mmio-legacy", test_virtio_transport },
	{ "config: --sbi-serve hsm needs ipi, in one list or two", test_sbi_serve_hsm_with_ipi },
	{ NULL, NULL },
};
