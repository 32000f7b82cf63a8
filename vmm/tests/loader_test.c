/*
 * loader_test.c - ELF, flat and Linux Image loaders on hand-made (and broken) buffers.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>

#include "layout.h"
#include "loader.h"
#include "test.h"

#define RAM_BASE LAYOUT_DRAM_BASE
#define RAM_SIZE 0x100000ULL

static uint8_t ram_buf[RAM_SIZE];
static const struct guest_ram ram = { ram_buf, RAM_BASE, RAM_SIZE };
static char err[256];

/* An ELF with one PT_LOAD of `n` payload bytes at file offset 0x100, loaded at paddr. */
static size_t make_elf(uint8_t *buf, uint64_t paddr, uint64_t memsz, size_t n)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };
	size_t i;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = 243;
	eh.e_version = EV_CURRENT;
	eh.e_entry = paddr;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = 1;
	ph.p_type = PT_LOAD;
	ph.p_offset = 0x100;
	ph.p_vaddr = ph.p_paddr = paddr;
	ph.p_filesz = n;
	ph.p_memsz = memsz;
	memset(buf, 0, 0x100 + n);
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	for (i = 0; i < n; i++)
		buf[0x100 + i] = (uint8_t)(i + 1);
	return 0x100 + n;
}

static Elf64_Ehdr *ehdr(uint8_t *buf)
{
	return (Elf64_Ehdr *)buf;
}

static Elf64_Phdr *phdr(uint8_t *buf)
{
	return (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
}

static int load(const uint8_t *buf, size_t len, struct load_info *info)
{
	return loader__load(buf, len, NULL, &ram, info, err, sizeof(err));
}

/* the reason code of the last refusal: what the harness and the corpus test compare */
#define CHECK_REASON(info, r) CHECK_STR(loader__reason_name((info).reason), r)

static void test_elf_good(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len = make_elf(buf, RAM_BASE + 0x1000, 0x40, 0x20);

	memset(ram_buf + 0x1000, 0xff, 0x40);
	CHECK_EQ(loader__detect(buf, len, NULL), IMAGE_ELF);
	CHECK_EQ(load(buf, len, &info), 0);
	CHECK_REASON(info, "ok");
	CHECK_EQ(info.format, IMAGE_ELF);
	CHECK_EQ(info.nr_segs, 1);
	CHECK_EQ(info.segs[0].filesz, 0x20);
	CHECK_EQ(info.entry, RAM_BASE + 0x1000);
	CHECK_EQ(info.lo, RAM_BASE + 0x1000);
	CHECK_EQ(info.hi, RAM_BASE + 0x1040);
	CHECK_EQ(ram_buf[0x1000], 1);
	CHECK_EQ(ram_buf[0x101f], 0x20);
	CHECK_EQ(ram_buf[0x1020], 0); /* bss zeroed */
	CHECK_EQ(ram_buf[0x103f], 0);
}

static void test_elf_truncated(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len = make_elf(buf, RAM_BASE, 0x20, 0x20);

	CHECK_EQ(load(buf, 40, &info), -EINVAL);
	CHECK_CONTAINS(err, "truncated ELF: 40 bytes");
	CHECK_REASON(info, "elf-truncated");
	CHECK_EQ(load(buf, 100, &info), -EINVAL); /* phdrs cut off */
	CHECK_CONTAINS(err, "program headers");
	CHECK_REASON(info, "elf-phdrs");
	CHECK_EQ(load(buf, len - 1, &info), -EINVAL); /* segment bytes cut off */
	CHECK_CONTAINS(err, "past the end of the file");
	CHECK_REASON(info, "elf-segment-file");
	phdr(buf)->p_offset = UINT64_MAX - 4; /* offset + size wraps */
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	ehdr(buf)->e_phoff = UINT64_MAX - 8;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
}

static void test_elf_bad_header(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len;

	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	ehdr(buf)->e_machine = 62; /* x86-64 */
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "ELF machine 62, want RISC-V (243)");
	CHECK_REASON(info, "elf-machine");
	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	ehdr(buf)->e_ident[EI_CLASS] = ELFCLASS32;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "ELFCLASS64");
	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	ehdr(buf)->e_ident[EI_DATA] = ELFDATA2MSB;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "little-endian");
	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	ehdr(buf)->e_type = ET_DYN;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "ET_EXEC");
	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	ehdr(buf)->e_entry = RAM_BASE + 0x5000;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "entry point");
	CHECK_REASON(info, "elf-entry");
	len = make_elf(buf, RAM_BASE, 0x10, 0x20); /* filesz > memsz */
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "p_filesz");
	CHECK_REASON(info, "elf-filesz");
	len = make_elf(buf, RAM_BASE, 0, 0x20); /* file bytes and memsz 0: refused, not skipped */
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_REASON(info, "elf-filesz");
	len = make_elf(buf, RAM_BASE, 0x20, 0x20);
	phdr(buf)->p_type = PT_NOTE;
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_CONTAINS(err, "no PT_LOAD");
	CHECK_REASON(info, "elf-no-load");
	len = make_elf(buf, RAM_BASE, 0, 0); /* an empty PT_LOAD loads nothing */
	CHECK_EQ(load(buf, len, &info), -EINVAL);
	CHECK_REASON(info, "elf-no-load");
}

/* Linked at a virtual address (VMA != LMA): placed by p_paddr, entered at the physical byte
 * the virtual entry point names. */
static void test_elf_virtual_entry(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len = make_elf(buf, RAM_BASE + 0x2000, 0x40, 0x20);

	phdr(buf)->p_vaddr = 0xffffffff80000000ULL;
	ehdr(buf)->e_entry = 0xffffffff80000010ULL;
	CHECK_EQ(load(buf, len, &info), 0);
	CHECK_EQ(info.entry, RAM_BASE + 0x2010);
	CHECK_EQ(info.lo, RAM_BASE + 0x2000);
}

static void test_elf_outside_ram(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len;

	len = make_elf(buf, 0x20000000, 0x20, 0x20);
	CHECK_EQ(load(buf, len, &info), -E2BIG);
	CHECK_CONTAINS(err, "outside RAM");
	CHECK_REASON(info, "outside-ram");
	len = make_elf(buf, RAM_BASE + RAM_SIZE - 0x10, 0x20, 0x20); /* runs off the end */
	CHECK_EQ(load(buf, len, &info), -E2BIG);
	len = make_elf(buf, RAM_BASE, UINT64_MAX, 0x20); /* memsz wraps */
	CHECK_EQ(load(buf, len, &info), -E2BIG);
	len = make_elf(buf, UINT64_MAX - 0x10, 0x20, 0x20);
	ehdr(buf)->e_entry = UINT64_MAX - 0x10;
	CHECK_EQ(load(buf, len, &info), -E2BIG);
}

/* ld -Ttext=RAM maps the headers a page below RAM: tolerated only if it is headers + zeros */
static void test_elf_headers_below_ram(void)
{
	static uint8_t buf[0x2000];
	struct load_info info;
	Elf64_Phdr *ph;
	size_t len = make_elf(buf, RAM_BASE, 0x20, 0x20);

	memmove(buf + 0x1000, buf + 0x100, 0x20);
	memset(buf + 0x100, 0, 0x20);
	ph = phdr(buf);
	ph->p_offset = 0;
	ph->p_paddr = ph->p_vaddr = RAM_BASE - 0x1000;
	ph->p_filesz = ph->p_memsz = 0x1020;
	len = 0x1020;
	CHECK_EQ(load(buf, len, &info), 0);
	CHECK_EQ(info.lo, RAM_BASE);
	CHECK_EQ(info.entry, RAM_BASE);
	CHECK_EQ(ram_buf[0], 1);
	buf[0x800] = 0xcc; /* something real below RAM: refused */
	CHECK_EQ(load(buf, len, &info), -E2BIG);
	CHECK_CONTAINS(err, "outside RAM");
}

static void test_flat(void)
{
	static const uint8_t code[] = { 0x73, 0x00, 0x00, 0x00 };
	const struct image_decl flat = { IMAGE_FLAT, 0, 0 };
	const struct image_decl at = { IMAGE_FLAT, RAM_BASE + 0x2000, RAM_BASE + 0x2002 };
	struct load_info info;
	uint8_t *big;

	/* undeclared, bytes without magic are refused: a text file must not boot */
	CHECK_EQ(loader__detect(code, sizeof(code), NULL), IMAGE_AUTO);
	CHECK_EQ(load(code, sizeof(code), &info), -EINVAL);
	CHECK_REASON(info, "unknown-format");
	CHECK_CONTAINS(err, "not declared a flat binary (starts with 73 00 00 00)");
	CHECK_EQ(loader__load(code, sizeof(code), &flat, &ram, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, RAM_BASE);
	CHECK_EQ(info.hi, RAM_BASE + 4);
	CHECK_EQ(ram_buf[0], 0x73);
	CHECK_EQ(loader__load(code, sizeof(code), &at, &ram, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, RAM_BASE + 0x2002);
	CHECK_EQ(ram_buf[0x2000], 0x73);
	CHECK_EQ(loader__load(code, 0, &flat, &ram, &info, err, sizeof(err)), -EINVAL);
	CHECK_REASON(info, "empty");
	const struct image_decl past = { IMAGE_FLAT, RAM_BASE, RAM_BASE + 4 };
	CHECK_EQ(loader__load(code, sizeof(code), &past, &ram, &info, err, sizeof(err)), -EINVAL);
	CHECK_REASON(info, "flat-entry");
	big = calloc(1, RAM_SIZE + 1);
	CHECK(big != NULL);
	CHECK_EQ(loader__load(big, RAM_SIZE + 1, &flat, &ram, &info, err, sizeof(err)), -E2BIG);
	CHECK_REASON(info, "outside-ram");
	free(big);
	CHECK_STR(loader__format_name(IMAGE_FLAT), "flat");
}

/* --flat-load / --flat-entry: a flat binary linked elsewhere than the start of RAM (U-Boot's
 * u-boot.bin at 0x80200000), every refusal with its reason code */
static void test_flat_at(void)
{
	static const uint8_t code[] = { 0x13, 0, 0, 0, 0x73, 0x00, 0x00, 0x00 };
	struct image_decl d = { IMAGE_FLAT, RAM_BASE + 0x1000, 0 };
	static uint8_t elf[0x400];
	struct load_info info;
	size_t elf_len;

	memset(ram_buf, 0, 0x1010);
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, RAM_BASE + 0x1000);
	CHECK_EQ(info.lo, RAM_BASE + 0x1000);
	CHECK_EQ(info.hi, RAM_BASE + 0x1008);
	CHECK_EQ(ram_buf[0x1004], 0x73);
	CHECK_EQ(ram_buf[0], 0);
	d.entry = RAM_BASE + 0x1004;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, RAM_BASE + 0x1004);
	/* an entry just past the image, or odd (no RISC-V instruction starts there) */
	d.entry = RAM_BASE + 0x1008;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), -EINVAL);
	CHECK_REASON(info, "flat-entry");
	d.entry = RAM_BASE + 0x1001;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), -EINVAL);
	CHECK_REASON(info, "flat-entry");
	CHECK_CONTAINS(err, "entry 0x80001001 is not an instruction");
	/* below RAM, at its end, running off its end */
	d.entry = 0;
	d.load = RAM_BASE - 0x1000;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), -E2BIG);
	CHECK_REASON(info, "outside-ram");
	d.load = RAM_BASE + RAM_SIZE;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), -E2BIG);
	CHECK_REASON(info, "outside-ram");
	d.load = RAM_BASE + RAM_SIZE - 4;
	CHECK_EQ(loader__load(code, sizeof(code), &d, &ram, &info, err, sizeof(err)), -E2BIG);
	CHECK_REASON(info, "outside-ram");
	/* an ELF or a Linux Image says where it goes: declaring it flat is a mistake */
	elf_len = make_elf(elf, RAM_BASE, 0x40, 0x20);
	d.load = RAM_BASE;
	CHECK_EQ(loader__load(elf, elf_len, &d, &ram, &info, err, sizeof(err)), -EINVAL);
	CHECK_REASON(info, "flat-not-raw");
	CHECK_CONTAINS(err, "an ELF file");
	memset(elf, 0, sizeof(elf));
	memcpy(elf + 0x30, "RISCV\0\0\0" "RSC\x05", 12);
	CHECK_EQ(linux__detect(elf, sizeof(elf)), 1);
	CHECK_EQ(loader__check(elf, sizeof(elf), &d, RAM_BASE, RAM_SIZE, &info, err, sizeof(err)),
		 -EINVAL);
	CHECK_REASON(info, "flat-not-raw");
	CHECK_CONTAINS(err, "a RISC-V Linux Image");
}

/* loader__check: the same rules, nothing written, plus the device tree window */
static void test_check_only(void)
{
	static uint8_t buf[0x400];
	struct load_info info;
	size_t len = make_elf(buf, RAM_BASE + 0x1000, 0x40, 0x20);

	memset(ram_buf, 0xee, 0x2000);
	CHECK_EQ(loader__check(buf, len, NULL, RAM_BASE, RAM_SIZE, &info, err, sizeof(err)), 0);
	CHECK_EQ(info.entry, RAM_BASE + 0x1000);
	CHECK_EQ(ram_buf[0x1000], 0xee); /* untouched */
	len = make_elf(buf, RAM_BASE + RAM_SIZE - DTB_MAX_SIZE - 0x10, 0x20, 0x20);
	CHECK_EQ(loader__check(buf, len, NULL, RAM_BASE, RAM_SIZE, &info, err, sizeof(err)),
		 -E2BIG);
	CHECK_REASON(info, "dtb-overlap");
	ehdr(buf)->e_machine = 62;
	CHECK_EQ(loader__check(buf, len, NULL, RAM_BASE, RAM_SIZE, &info, err, sizeof(err)),
		 -EINVAL);
	CHECK_REASON(info, "elf-machine");
}

static void test_linux_image(void)
{
	static uint8_t img[0x100];
	struct load_info info;

	memset(img, 0, sizeof(img));
	img[0x08 + 2] = 0x01;      /* text_offset 0x10000: not 2 MiB aligned */
	img[0x10 + 2] = 0x02;      /* image_size 0x20000 */
	memcpy(img + 0x30, "RISCV\0\0\0", 8);
	memcpy(img + 0x38, "RSC\x05", 4);
	img[0x40] = 0xab;
	CHECK_EQ(loader__detect(img, sizeof(img), NULL), IMAGE_LINUX);
	CHECK_EQ(load(img, sizeof(img), &info), -EINVAL);
	CHECK_CONTAINS(err, "not 2 MiB aligned");
	CHECK_REASON(info, "linux-align");
	img[0x08 + 2] = 0; /* text_offset 0: the kernel at the RAM base */
	CHECK_EQ(load(img, sizeof(img), &info), 0);
	CHECK_EQ(info.entry, RAM_BASE);
	CHECK_EQ(info.hi, RAM_BASE + 0x20000);
	CHECK_EQ(ram_buf[0x40], 0xab);
	img[0x10 + 2] = 0; /* image_size 16 MiB: larger than RAM */
	img[0x10 + 3] = 0x01;
	CHECK_EQ(load(img, sizeof(img), &info), -E2BIG);
	CHECK_CONTAINS(err, "Linux Image needs RAM");
	img[0x10 + 3] = 0;
	img[0x18] = 1; /* big-endian flag */
	CHECK_EQ(load(img, sizeof(img), &info), -EINVAL);
	CHECK_REASON(info, "linux-endian");
	CHECK_EQ(loader__detect(img, 0x3f, NULL), IMAGE_AUTO); /* too short for the header */
}

const struct test loader_tests[] = {
	{ "loader: good ELF, bss zeroed", test_elf_good },
	{ "loader: truncated ELF", test_elf_truncated },
	{ "loader: wrong machine/class/endianness/type/entry", test_elf_bad_header },
	{ "loader: ELF segment outside RAM", test_elf_outside_ram },
	{ "loader: ELF headers mapped below RAM", test_elf_headers_below_ram },
	{ "loader: ELF linked at a virtual address", test_elf_virtual_entry },
	{ "loader: flat binary only when declared", test_flat },
	{ "loader: flat binary at --flat-load, entered at --flat-entry", test_flat_at },
	{ "loader: check only, and the DTB window", test_check_only },
	{ "loader: Linux Image header", test_linux_image },
	{ NULL, NULL },
};
