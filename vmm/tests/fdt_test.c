/*
 * fdt_test.c - the FDT writer and the machine DT, decoded by dtc when it is installed.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "dtb.h"
#include "fdt.h"
#include "test.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_header(void)
{
	struct fdt f;
	uint8_t *blob;
	size_t len;

	fdt__init(&f);
	fdt__begin_node(&f, "");
	fdt__prop_u32(&f, "a", 1);
	fdt__prop_u32(&f, "a", 2); /* name deduplicated in the strings block */
	fdt__prop_str(&f, "b", "xyz");
	fdt__end_node(&f);
	CHECK_EQ(fdt__finish(&f, 0, &blob, &len), 0);
	CHECK_EQ(be32(blob), 0xd00dfeed);
	CHECK_EQ(be32(blob + 4), len);
	CHECK_EQ(be32(blob + 20), 17);
	CHECK_EQ(be32(blob + 24), 16);
	CHECK_EQ(be32(blob + 32), 4); /* strings: "a\0b\0" */
	CHECK_EQ(be32(blob + 8) % 4, 0);
	CHECK_EQ(be32(blob + 16) % 8, 0);
	CHECK_EQ(be32(blob + 12) + be32(blob + 32), len);
	free(blob);

	/* free space: zeros after the strings block, counted in totalsize, 8-aligned */
	fdt__init(&f);
	fdt__begin_node(&f, "");
	fdt__prop_u32(&f, "a", 1);
	fdt__end_node(&f);
	CHECK_EQ(fdt__finish(&f, 13, &blob, &len), 0);
	CHECK_EQ(be32(blob + 4), len);
	CHECK_EQ(len - (be32(blob + 12) + be32(blob + 32)), 16);
	CHECK_EQ(blob[len - 1], 0);
	free(blob);
}

static void test_unbalanced(void)
{
	struct fdt f;
	uint8_t *blob = NULL;
	size_t len;

	fdt__init(&f);
	fdt__begin_node(&f, "");
	CHECK_EQ(fdt__finish(&f, 0, &blob, &len), -EINVAL);
	fdt__init(&f);
	fdt__end_node(&f);
	CHECK_EQ(fdt__finish(&f, 0, &blob, &len), -EINVAL);
	fdt__init(&f);
	fdt__prop_u32(&f, "outside-any-node", 1);
	CHECK_EQ(fdt__finish(&f, 0, &blob, &len), -EINVAL);
}

static const char *const gc[] = { "i", "m", "a", "f", "d", "c" };

static void test_isa_and_mmu(void)
{
	/* as KVM lists them (by register id), not in canonical order */
	const char *names[] = { "a", "c", "d", "f", "i", "m", "sstc", "zicsr", "zbb", "svpbmt",
				"zifencei", "zba", "zicntr", "zihintpause", "zfh", "xfoo", "zca" };
	unsigned n = sizeof(names) / sizeof(names[0]);
	char isa[160];

	riscv__isa_sort(names, n);
	CHECK_EQ(riscv__isa_string(names, n, isa, sizeof(isa)), 0);
	/* letters IMAFDC; Z by the letter they extend (i, then f, then c, then b), alphabetical
	 * within; then S; then X */
	CHECK_STR(isa, "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zfh_zca_zba_zbb_sstc_svpbmt_xfoo");
	CHECK_EQ(riscv__isa_string(names, n, isa, 12), -1);
	CHECK_EQ(riscv__isa_string(gc, 6, isa, sizeof(isa)), 0);
	CHECK_STR(isa, "rv64imafdc");
	CHECK_STR(riscv__mmu_type(9), "riscv,sv48");
	CHECK_STR(riscv__mmu_type(10), "riscv,sv57");
	CHECK(riscv__mmu_type(0) == NULL);
}

/* Decode with dtc; returns the DTS text (malloc'd) or NULL when dtc is missing. */
static char *dtc_decode(const uint8_t *blob, size_t len)
{
	char path[] = "/tmp/bootcase-dtb-XXXXXX", cmd[128];
	static char dts[16384];
	size_t n = 0, r;
	FILE *p;
	int fd = mkstemp(path);

	if (fd < 0)
		return NULL;
	if (write(fd, blob, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dtb -O dts %s 2>&1", path);
	p = popen(cmd, "r");
	if (!p) {
		unlink(path);
		return NULL;
	}
	while ((r = fread(dts + n, 1, sizeof(dts) - 1 - n, p)) > 0)
		n += r;
	dts[n] = '\0';
	if (pclose(p) != 0) {
		unlink(path);
		return strstr(dts, "not found") ? NULL : strdup(dts);
	}
	unlink(path);
	return strdup(dts);
}

/* Build the machine DT for p and decode it with dtc into *dts: NULL when the build failed
 * (the CHECK reports it) or dtc could not decode it. */
static void machine_dts(const struct dtb_params *p, char **dts)
{
	uint8_t *blob;
	size_t len;

	*dts = NULL;
	CHECK_EQ(riscv__dtb_build(p, &blob, &len), 0);
	*dts = dtc_decode(blob, len);
	/* room for a bootloader's edits inside totalsize (DTB_FREE_SPACE: U-Boot edits in place) */
	CHECK(len - (be32(blob + 12) + be32(blob + 32)) >= DTB_FREE_SPACE);
	free(blob);
	CHECK(len < DTB_MAX_SIZE);
}

static void test_machine_dt(void)
{
	static const uint8_t seed[DTB_RNG_SEED_SIZE] = { 0xab, 0xcd };
	static const char *const exts[] = { "i", "m", "a", "f", "d", "c", "zicsr", "zifencei", "sstc" };
	struct dtb_params p = {
		.ram_size = 128ULL << 20,
		.timebase_hz = 10000000,
		.isa_ext = exts, .nr_isa_ext = 9,
		.mmu_type = "riscv,sv48",
		.bootargs = "console=ttyS0 \"quoted\"",
		.has_initrd = 1,
		.initrd_start = 0x87000000,
		.initrd_end = 0x87001234,
		.rng_seed = seed,
	};
	char *dts;

	machine_dts(&p, &dts);
	if (!dts && system("command -v dtc >/dev/null 2>&1") != 0) {
		printf("      (dtc not installed: decoding skipped)\n");
		return;
	}
	CHECK(dts != NULL);
	CHECK_CONTAINS(dts, "compatible = \"bootcase,virt\"");
	CHECK_CONTAINS(dts, "#address-cells = <0x02>");
	CHECK_CONTAINS(dts, "timebase-frequency = <0x989680>");
	CHECK_CONTAINS(dts, "cpu@0 {");
	/* both forms, as QEMU virt writes them: what KVM enabled, Sstc included */
	CHECK_CONTAINS(dts, "riscv,isa = \"rv64imafdc_zicsr_zifencei_sstc\"");
	CHECK_CONTAINS(dts, "riscv,isa-base = \"rv64i\"");
	/* a string list; dtc 1.6 prints one of one-letter strings with \0 between */
	CHECK(strstr(dts, "riscv,isa-extensions = \"i\", \"m\", \"a\", \"f\", \"d\", \"c\", \"zicsr\", \"zifencei\", \"sstc\";") ||
	      strstr(dts, "riscv,isa-extensions = \"i\\0m\\0a\\0f\\0d\\0c\\0zicsr\\0zifencei\\0sstc\";"));
	CHECK_CONTAINS(dts, "mmu-type = \"riscv,sv48\"");
	CHECK_CONTAINS(dts, "rng-seed = <0xabcd0000 0x00"); /* 64 bytes, as cells */
	CHECK_CONTAINS(dts, "cpu-map {");
	CHECK_CONTAINS(dts, "core0 {");
	CHECK_CONTAINS(dts, "cpu = <0x20>;");
	CHECK_CONTAINS(dts, "compatible = \"riscv,cpu-intc\"");
	CHECK_CONTAINS(dts, "interrupt-controller;");
	CHECK_CONTAINS(dts, "memory@80000000 {");
	CHECK_CONTAINS(dts, "reg = <0x00 0x80000000 0x00 0x8000000>");
	CHECK_CONTAINS(dts, "bootargs = \"console=ttyS0 \\\"quoted\\\"\"");
	CHECK_CONTAINS(dts, "stdout-path = \"/soc/serial@10000000\"");
	CHECK_CONTAINS(dts, "linux,initrd-start = <0x00 0x87000000>");
	CHECK_CONTAINS(dts, "linux,initrd-end = <0x00 0x87001234>");
	CHECK_CONTAINS(dts, "compatible = \"simple-bus\"");
	CHECK_CONTAINS(dts, "serial@10000000 {");
	CHECK_CONTAINS(dts, "compatible = \"ns16550a\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0x10000000 0x00 0x100>");
	CHECK_CONTAINS(dts, "interrupts = <0x0a>");
	CHECK(!strstr(dts, "Warning") && !strstr(dts, "ERROR"));
	free(dts);
}

static void test_machine_dt_minimal(void)
{
	struct dtb_params p = { .ram_size = 1ULL << 20, .timebase_hz = 1, .isa_ext = gc, .nr_isa_ext = 1,
				.mmu_type = "riscv,sv39" };
	char *dts;

	machine_dts(&p, &dts);
	if (!dts)
		return;
	CHECK(!strstr(dts, "bootargs"));
	CHECK(!strstr(dts, "linux,initrd"));
	CHECK(!strstr(dts, "rng-seed"));
	free(dts);
}

static void test_machine_dt_devices(void)
{
	struct dtb_params p = { .nr_cpus = 2, .ram_size = 64ULL << 20, .timebase_hz = 10000000,
				.isa_ext = gc, .nr_isa_ext = 6, .mmu_type = "riscv,sv39" };
	char *dts;

	machine_dts(&p, &dts);
	if (!dts)
		return;
	CHECK_CONTAINS(dts, "cpu@0 {");
	CHECK_CONTAINS(dts, "cpu@1 {");
	CHECK(!strstr(dts, "cpu@2"));
	/* one core per hart in cpu-map, each naming its cpu node */
	CHECK_CONTAINS(dts, "core1 {\n\t\t\t\t\tcpu = <0x21>;");
	CHECK(!strstr(dts, "core2"));
	CHECK_CONTAINS(dts, "plic@c000000 {");
	CHECK_CONTAINS(dts, "compatible = \"sifive,plic-1.0.0\\0riscv,plic0\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0xc000000 0x00 0x600000>");
	/* the highest source wired (the UART's 10), not the 95 the model has */
	CHECK_CONTAINS(dts, "riscv,ndev = <0x0a>");
	CHECK_CONTAINS(dts, "#address-cells = <0x00>");
	/* M then S external interrupt of each hart: contexts 0..3 */
	CHECK_CONTAINS(dts, "interrupts-extended = <0x01 0x0b 0x01 0x09 0x02 0x0b 0x02 0x09>");
	CHECK_CONTAINS(dts, "phandle = <0x40>");
	CHECK_CONTAINS(dts, "interrupt-parent = <0x40>");
	CHECK_CONTAINS(dts, "virtio_mmio@10001000 {");
	CHECK_CONTAINS(dts, "virtio_mmio@10008000 {");
	CHECK(!strstr(dts, "virtio_mmio@10009000"));
	CHECK_CONTAINS(dts, "compatible = \"virtio,mmio\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0x10008000 0x00 0x1000>");
	CHECK_CONTAINS(dts, "interrupts = <0x08>");
	CHECK(!strstr(dts, "Warning") && !strstr(dts, "ERROR"));
	CHECK(!strstr(dts, "clint")); /* only the xv6 profile has one */
	free(dts);
	p.nr_cpus = DTB_MAX_CPUS + 1;
	uint8_t *blob;
	size_t len;
	CHECK(riscv__dtb_build(&p, &blob, &len) != 0);
}

/* --profile xv6: QEMU virt's CLINT node, machine software (3) and timer (7) per hart. */
static void test_machine_dt_clint(void)
{
	struct dtb_params p = { .nr_cpus = 2, .ram_size = 128ULL << 20, .timebase_hz = 10000000,
				.isa_ext = gc, .nr_isa_ext = 6, .mmu_type = "riscv,sv39", .has_clint = 1 };
	char *dts;

	machine_dts(&p, &dts);
	if (!dts)
		return;
	CHECK_CONTAINS(dts, "clint@2000000 {");
	CHECK_CONTAINS(dts, "compatible = \"sifive,clint0\\0riscv,clint0\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0x2000000 0x00 0x10000>");
	CHECK_CONTAINS(dts, "interrupts-extended = <0x01 0x03 0x01 0x07 0x02 0x03 0x02 0x07>");
	CHECK(!strstr(dts, "Warning") && !strstr(dts, "ERROR"));
	free(dts);
}

/* --irqchip aia: IMSICs on each hart's S external interrupt, the APLIC sending them MSIs, and
 * every device under the APLIC with a level-high second cell; no PLIC. */
static void test_machine_dt_aia(void)
{
	struct dtb_params p = { .nr_cpus = 3, .ram_size = 64ULL << 20, .timebase_hz = 10000000,
				.isa_ext = gc, .nr_isa_ext = 6, .mmu_type = "riscv,sv39", .aia = 1,
				.aia_nr_ids = 255 };
	char *dts;

	/* KVM's hart index bits and the DT's: enough bits for every hart index */
	CHECK_EQ(riscv__aia_hart_bits(1), 0);
	CHECK_EQ(riscv__aia_hart_bits(2), 1);
	CHECK_EQ(riscv__aia_hart_bits(3), 2);
	CHECK_EQ(riscv__aia_hart_bits(4), 2);
	CHECK_EQ(riscv__aia_hart_bits(5), 3);
	CHECK_EQ(riscv__aia_hart_bits(8), 3);
	machine_dts(&p, &dts);
	if (!dts)
		return;
	CHECK_CONTAINS(dts, "imsics@28000000 {");
	CHECK_CONTAINS(dts, "compatible = \"qemu,imsics\\0riscv,imsics\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0x28000000 0x00 0x3000>");
	CHECK_CONTAINS(dts, "interrupts-extended = <0x01 0x09 0x02 0x09 0x03 0x09>");
	CHECK_CONTAINS(dts, "msi-controller;");
	CHECK_CONTAINS(dts, "riscv,num-ids = <0xff>");
	CHECK_CONTAINS(dts, "riscv,hart-index-bits = <0x02>");
	CHECK_CONTAINS(dts, "phandle = <0x41>");
	CHECK_CONTAINS(dts, "aplic@d000000 {");
	CHECK_CONTAINS(dts, "compatible = \"qemu,aplic\\0riscv,aplic\"");
	CHECK_CONTAINS(dts, "reg = <0x00 0xd000000 0x00 0x4000>");
	CHECK_CONTAINS(dts, "#interrupt-cells = <0x02>");
	CHECK_CONTAINS(dts, "msi-parent = <0x41>");
	CHECK_CONTAINS(dts, "riscv,num-sources = <0x5f>");
	CHECK_CONTAINS(dts, "phandle = <0x42>");
	CHECK_CONTAINS(dts, "interrupts = <0x0a 0x04>"); /* the UART */
	CHECK_CONTAINS(dts, "interrupts = <0x08 0x04>"); /* virtio slot 7 */
	CHECK_CONTAINS(dts, "interrupt-parent = <0x42>");
	CHECK(!strstr(dts, "plic@c000000") && !strstr(dts, "riscv,plic0"));
	CHECK(!strstr(dts, "interrupt-parent = <0x40>"));
	CHECK(!strstr(dts, "Warning") && !strstr(dts, "ERROR"));
	free(dts);
}

const struct test fdt_tests[] = {
	{ "dtb: --irqchip aia's IMSIC and APLIC nodes, devices under the APLIC", test_machine_dt_aia },
	{ "dtb: the xv6 profile's CLINT node", test_machine_dt_clint },
	{ "dtb: PLIC, virtio slots and one cpu node per hart", test_machine_dt_devices },
	{ "fdt: v17 header, aligned blocks, deduplicated strings", test_header },
	{ "fdt: unbalanced nodes and stray props are errors", test_unbalanced },
	{ "dtb: ISA string in canonical order, mmu-type", test_isa_and_mmu },
	{ "dtb: machine DT decodes with dtc", test_machine_dt },
	{ "dtb: no bootargs/initrd when not given", test_machine_dt_minimal },
	{ NULL, NULL },
};
