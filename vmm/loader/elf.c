/*
 * elf.c - load an ELF64 RISC-V executable (System V gABI, RISC-V ELF psABI).
 *
 * Checks, each with its own message: the identification bytes (magic, ELFCLASS64,
 * ELFDATA2LSB, EV_CURRENT), e_type ET_EXEC, e_machine EM_RISCV (243), the program header
 * table inside the file, and for every PT_LOAD: file bytes inside the file, p_filesz <=
 * p_memsz, and [p_paddr, p_paddr + p_memsz) inside guest RAM. Segments are placed by their
 * physical address; the entry point is translated from the segment that contains it, so a
 * kernel linked at a virtual address still starts at the right physical byte.
 * Headers that ld maps below RAM in front of .text are tolerated (elf_header_skip()).
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

static int elf_check_header(const Elf64_Ehdr *eh, size_t len, char *err, size_t errlen)
{
	if (len < sizeof(*eh)) {
		snprintf(err, errlen, "truncated ELF header (%zu bytes)", len);
		return -EINVAL;
	}
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		snprintf(err, errlen, "not an ELF file");
		return -EINVAL;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS64) {
		snprintf(err, errlen, "ELF class %u, want ELFCLASS64", eh->e_ident[EI_CLASS]);
		return -EINVAL;
	}
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, errlen, "ELF data encoding %u, want little-endian",
			 eh->e_ident[EI_DATA]);
		return -EINVAL;
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT) {
		snprintf(err, errlen, "ELF version %u, want %u", eh->e_ident[EI_VERSION],
			 EV_CURRENT);
		return -EINVAL;
	}
	if (eh->e_machine != EM_RISCV) {
		snprintf(err, errlen, "ELF machine %u, want RISC-V (243)", eh->e_machine);
		return -EINVAL;
	}
	if (eh->e_type != ET_EXEC) {
		snprintf(err, errlen, "ELF type %u, want ET_EXEC (2)%s", eh->e_type,
			 eh->e_type == ET_DYN ? ": link with -no-pie / -static" : "");
		return -EINVAL;
	}
	if (eh->e_phnum == 0) {
		snprintf(err, errlen, "ELF has no program headers");
		return -EINVAL;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		snprintf(err, errlen, "ELF program header size %u, want %zu", eh->e_phentsize,
			 sizeof(Elf64_Phdr));
		return -EINVAL;
	}
	if (!in_range(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len)) {
		snprintf(err, errlen, "ELF program headers (offset 0x%llx, %u entries) run past the "
			 "end of the file (%zu bytes)", (unsigned long long)eh->e_phoff,
			 eh->e_phnum, len);
		return -EINVAL;
	}
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

static int elf_check_segment(const Elf64_Phdr *ph, int i, size_t len, const struct guest_ram *ram,
			     char *err, size_t errlen)
{
	if (!in_range(ph->p_offset, ph->p_filesz, len)) {
		snprintf(err, errlen, "segment %d: file bytes [0x%llx, +0x%llx) run past the end of "
			 "the file (%zu bytes)", i, (unsigned long long)ph->p_offset,
			 (unsigned long long)ph->p_filesz, len);
		return -EINVAL;
	}
	if (ph->p_filesz > ph->p_memsz) {
		snprintf(err, errlen, "segment %d: p_filesz 0x%llx > p_memsz 0x%llx", i,
			 (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
		return -EINVAL;
	}
	if (ph->p_paddr < ram->base || !in_range(ph->p_paddr - ram->base, ph->p_memsz, ram->size)) {
		snprintf(err, errlen, "segment %d: [0x%llx, +0x%llx) is outside RAM [0x%llx, 0x%llx)",
			 i, (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz,
			 (unsigned long long)ram->base,
			 (unsigned long long)(ram->base + ram->size));
		return -E2BIG;
	}
	return 0;
}

int elf__load(const uint8_t *buf, size_t len, const struct guest_ram *ram, struct load_info *info,
	      char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	int i, ret, loaded = 0, entry_found = 0;

	if (len >= sizeof(eh))
		memcpy(&eh, buf, sizeof(eh)); /* the buffer need not be aligned */
	ret = elf_check_header(&eh, len, err, errlen);
	if (ret)
		return ret;

	info->lo = UINT64_MAX;
	info->hi = 0;
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_offset == 0 && ph.p_filesz <= len)
			elf_header_skip(&eh, &ph, buf, len, ram);
		if (ph.p_memsz == 0)
			continue;
		ret = elf_check_segment(&ph, i, len, ram, err, errlen);
		if (ret)
			return ret;
		dst = ram->host + (ph.p_paddr - ram->base);
		memcpy(dst, buf + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
		if (ph.p_paddr < info->lo)
			info->lo = ph.p_paddr;
		if (ph.p_paddr + ph.p_memsz > info->hi)
			info->hi = ph.p_paddr + ph.p_memsz;
		if (!entry_found && eh.e_entry >= ph.p_vaddr && eh.e_entry - ph.p_vaddr < ph.p_memsz) {
			info->entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
			entry_found = 1;
		}
		loaded++;
	}
	if (!loaded) {
		snprintf(err, errlen, "ELF has no PT_LOAD segment");
		return -EINVAL;
	}
	if (!entry_found) {
		snprintf(err, errlen, "ELF entry point 0x%llx is not inside any PT_LOAD segment",
			 (unsigned long long)eh.e_entry);
		return -EINVAL;
	}
	return 0;
}
