/*
 * elf.c - load an ELF64 RISC-V executable (System V gABI, RISC-V ELF psABI).
 *
 * Checks, each with its own message: the identification bytes (magic, ELFCLASS64,
 * ELFDATA2LSB, EV_CURRENT), e_type ET_EXEC, e_machine EM_RISCV (243), the program header
 * table inside the file, and for every PT_LOAD: file bytes inside the file, p_filesz <=
 * p_memsz, and [p_paddr, p_paddr + p_memsz) inside guest RAM. Segments are placed by their
 * physical address; the entry point is translated from the segment that contains it, so a
 * kernel linked at a virtual address still starts at the right physical byte.
 * Headers that ld maps below RAM in front of .text are tolerated (elf_header_skip()); an empty
 * PT_LOAD (no file bytes, no memory) is skipped; p_filesz > p_memsz is refused even when
 * p_memsz is 0. The harness checks images with this same code (loader__check, native/).
 * The file is a buffer of untrusted bytes: every offset is checked for overflow first.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

/* [off, off + n) inside a buffer of len bytes, without overflow */
static int in_range(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

#define FAIL(ret, reason, ...) loader__fail(info, ret, reason, err, errlen, __VA_ARGS__)

static int elf_check_header(const Elf64_Ehdr *eh, size_t len, struct load_info *info, char *err,
			    size_t errlen)
{
	if (len < sizeof(*eh))
		return FAIL(-EINVAL, LOADER_ELF_TRUNCATED,
			    "truncated ELF: %zu bytes, an ELF64 header alone is %zu", len,
			    sizeof(*eh));
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return FAIL(-EINVAL, LOADER_UNKNOWN_FORMAT, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return FAIL(-EINVAL, LOADER_ELF_IDENT, "ELF class %u, want ELFCLASS64",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return FAIL(-EINVAL, LOADER_ELF_IDENT, "ELF data encoding %u, want little-endian",
			    eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return FAIL(-EINVAL, LOADER_ELF_IDENT, "ELF version %u, want %u",
			    eh->e_ident[EI_VERSION], EV_CURRENT);
	if (eh->e_machine != EM_RISCV)
		return FAIL(-EINVAL, LOADER_ELF_MACHINE, "ELF machine %u, want RISC-V (243)",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return FAIL(-EINVAL, LOADER_ELF_TYPE, "ELF type %u, want ET_EXEC (2)%s", eh->e_type,
			    eh->e_type == ET_DYN ? ": link with -no-pie / -static" : "");
	if (eh->e_phnum == 0)
		return FAIL(-EINVAL, LOADER_ELF_PHDRS, "ELF has no program headers");
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return FAIL(-EINVAL, LOADER_ELF_PHDRS, "ELF program header size %u, want %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!in_range(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return FAIL(-EINVAL, LOADER_ELF_PHDRS,
			    "ELF program headers (offset 0x%llx, %u entries) run past the end of "
			    "the file (%zu bytes)", (unsigned long long)eh->e_phoff, eh->e_phnum,
			    len);
	return 0;
}

/*
 * Linking with -Ttext=RAM_BASE makes ld map the ELF and program headers into the first
 * PT_LOAD, a page below RAM. Those leading bytes are dropped when they are exactly the
 * headers plus zero padding (so nothing the guest could use is lost); the segment is
 * trimmed to start at RAM base. Returns how many bytes to drop (0 = none).
 */
static uint64_t elf_header_skip(const Elf64_Ehdr *eh, Elf64_Phdr *ph, const uint8_t *buf,
				size_t len, const struct guest_ram *ram)
{
	uint64_t skip = ram->base - ph->p_paddr, hdr_end, k;

	if (ph->p_paddr >= ram->base || ph->p_offset != 0 || skip > ph->p_filesz || skip > len)
		return 0;
	hdr_end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (hdr_end < sizeof(*eh))
		hdr_end = sizeof(*eh);
	if (hdr_end > skip)
		return 0;
	for (k = hdr_end; k < skip; k++)
		if (buf[k])
			return 0;
	ph->p_paddr += skip;
	ph->p_vaddr += skip;
	ph->p_offset += skip;
	ph->p_filesz -= skip;
	ph->p_memsz -= skip;
	return skip;
}

/* A PT_LOAD's file bytes and sizes, before anything is trimmed. */
static int elf_check_file(const Elf64_Phdr *ph, int i, size_t len, struct load_info *info,
			  char *err, size_t errlen)
{
	if (!in_range(ph->p_offset, ph->p_filesz, len))
		return FAIL(-EINVAL, LOADER_ELF_SEGMENT_FILE,
			    "segment %d: file bytes [0x%llx, +0x%llx) run past the end of the file "
			    "(%zu bytes)", i, (unsigned long long)ph->p_offset,
			    (unsigned long long)ph->p_filesz, len);
	if (ph->p_filesz > ph->p_memsz)
		return FAIL(-EINVAL, LOADER_ELF_FILESZ, "segment %d: p_filesz 0x%llx > p_memsz 0x%llx",
			    i, (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
	return 0;
}

int elf__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
	      char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	int i, ret, entry_found = 0;

	if (len >= sizeof(eh))
		memcpy(&eh, buf, sizeof(eh)); /* the buffer need not be aligned */
	ret = elf_check_header(&eh, len, info, err, errlen);
	if (ret)
		return ret;

	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		/* an empty PT_LOAD (ld emits them for empty sections) loads nothing */
		if (ph.p_type != PT_LOAD || (ph.p_memsz == 0 && ph.p_filesz == 0))
			continue;
		ret = elf_check_file(&ph, i, len, info, err, errlen);
		if (ret)
			return ret;
		if (ph.p_offset == 0)
			elf_header_skip(&eh, &ph, buf, len, ram);
		if (ph.p_memsz == 0)
			continue;
		if (ph.p_paddr < ram->base || !in_range(ph.p_paddr - ram->base, ph.p_memsz, ram->size))
			return FAIL(-E2BIG, LOADER_OUTSIDE_RAM,
				    "segment %d: [0x%llx, 0x%llx) is outside RAM [0x%llx, 0x%llx)", i,
				    (unsigned long long)ph.p_paddr,
				    (unsigned long long)(ph.p_paddr + ph.p_memsz),
				    (unsigned long long)ram->base,
				    (unsigned long long)(ram->base + ram->size));
		if (ram->host) {
			uint8_t *dst = ram->host + (ph.p_paddr - ram->base);

			memcpy(dst, buf + ph.p_offset, ph.p_filesz);
			memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		}
		/* the entry is a virtual address when the kernel is linked at one (VMA != LMA):
		 * it starts at the physical byte of the segment that holds it */
		if (!entry_found && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			info->entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
			entry_found = 1;
		}
		loader__add_seg(info, ph.p_paddr, ph.p_memsz, ph.p_filesz, ph.p_offset);
	}
	if (!info->nr_segs)
		return FAIL(-EINVAL, LOADER_ELF_NO_LOAD, "ELF has no PT_LOAD segment");
	if (!entry_found)
		return FAIL(-EINVAL, LOADER_ELF_ENTRY,
			    "ELF entry point 0x%llx is not inside any PT_LOAD segment",
			    (unsigned long long)eh.e_entry);
	return 0;
}
