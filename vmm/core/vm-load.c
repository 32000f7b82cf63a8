/*
 * vm-load.c - what goes into guest memory before the first KVM_RUN: the boot image (through
 * the loaders), the initrd, the device tree, and the --firmware binary.
 *
 * Top of RAM, from high to low (Documentation/arch/riscv/boot.rst: both above the kernel's
 * image_size, inside RAM, not overlapping it or each other):
 *   [ram_end - DTB_MAX_SIZE, ram_end)  device tree, placed as high as it fits (8-aligned)
 *   below that, page aligned           initrd (--initrd)
 *   the image                          where the loader put it; must not reach the above
 *
 * The firmware window (layout.h) is its own memslot; the binary must fit it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "layout.h"
#include "vm.h"

#define PAGE_SIZE 4096ULL
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))

/* Where the initrd goes (below the DTB window); 0 or -E2BIG. */
static int vm_place_initrd(struct vm *vm, size_t len, uint64_t *start)
{
	uint64_t top = vm->ram.size - DTB_MAX_SIZE;

	if (vm->ram.size < DTB_MAX_SIZE || len > top)
		return -E2BIG;
	*start = vm->ram.base + ALIGN_DOWN(top - len, PAGE_SIZE);
	return 0;
}

static int vm_build_dtb(struct vm *vm, const struct file_map *initrd, uint8_t **blob,
			size_t *len)
{
	const char *isa[BOOTCASE_KVM_ISA_EXT__COUNT];
	uint8_t seed[DTB_RNG_SEED_SIZE];
	struct dtb_params p = {
		.nr_cpus = vm->nr_vcpus,
		.ram_size = vm->ram.size,
		.timebase_hz = vm->timebase_hz,
		.isa_ext = isa,
		.nr_isa_ext = vm__isa_names(vm, isa),
		.mmu_type = vm->mmu_type,
		.bootargs = vm->cfg->append,
		.has_clint = vm->cfg->profile == PROFILE_XV6,
		.aia = vm->cfg->irqchip == IRQCHIP_AIA,
		.aia_nr_ids = vm->aia_nr_ids,
	};
	int ret;

	/* fresh entropy for each run; a host without getrandom() just gives no seed */
	if (getrandom(seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		p.rng_seed = seed;
	if (initrd && initrd->len) {
		if (vm_place_initrd(vm, initrd->len, &p.initrd_start))
			return vm__fail(vm, E2BIG, "--initrd %s: %zu bytes do not fit in %llu MiB of RAM",
				       vm->cfg->initrd, initrd->len,
				       (unsigned long long)vm->cfg->mem_mib);
		p.has_initrd = 1;
		p.initrd_end = p.initrd_start + initrd->len;
	}
	ret = riscv__dtb_build(&p, blob, len);
	if (ret)
		return vm__fail(vm, ret, "building the device tree: %s", strerror(-ret));
	if (*len > DTB_MAX_SIZE || *len > vm->ram.size) {
		free(*blob);
		return vm__fail(vm, E2BIG, "device tree of %zu bytes is larger than its window", *len);
	}
	return 0;
}

int vm__dump_dtb(struct vm *vm, const struct file_map *initrd, const char *path)
{
	uint8_t *blob;
	size_t len;
	int fd, ret = vm_build_dtb(vm, initrd, &blob, &len);

	if (ret)
		return ret;
	if (!strcmp(path, "-")) {
		/* raw bytes on the console, counted in console_bytes like any output */
		vm->con->sink.write(vm->con->sink.ctx, blob, len);
		console__flush(vm->con);
		free(blob);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		free(blob);
		return vm__fail(vm, ret, "--dump-dtb %s: %s", path, strerror(-ret));
	}
	ret = fd__write_all(fd, blob, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	free(blob);
	if (ret)
		return vm__fail(vm, ret, "--dump-dtb %s: %s", path, strerror(-ret));
	return 0;
}

/*
 * Map a Linux Image file straight into guest RAM at its load address (MAP_PRIVATE over the
 * anonymous RAM) instead of copying it. Besides skipping the copy, this matters for nested
 * TCG: copying onto RAM pages that an earlier guest executed makes QEMU (L1's CPU) invalidate
 * the code it had translated for them, page by page (measured: the Image copy took 27 ms on a
 * stage's first run and 190-290 ms on every later one). The file's own page-cache pages are
 * the same each run, so their translations stay valid. The guest's writes get private copies.
 * Returns where the image now is, or the file_map's bytes when it cannot map (then the loader
 * copies as before, and reports any problem with the header).
 */
static const uint8_t *vm_map_linux_in_place(struct vm *vm, const struct file_map *image)
{
	uint64_t text_offset;
	void *dst, *p;
	int fd;

	if (image->len < 0x40)
		return image->data;
	memcpy(&text_offset, image->data + 0x08, sizeof(text_offset)); /* little-endian host */
	if ((vm->ram.base + text_offset) % (2ULL << 20) || text_offset >= vm->ram.size ||
	    image->len > vm->ram.size - text_offset)
		return image->data;
	fd = open(vm->cfg->kernel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return image->data;
	dst = vm->ram.host + text_offset;
	p = mmap(dst, image->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
	close(fd);
	if (p != dst || memcmp(p, image->data, 0x40))
		return image->data;
	return p;
}

int vm__load(struct vm *vm, const struct file_map *image, const struct image_decl *decl,
	     const struct file_map *initrd)
{
	uint64_t limit = vm->ram.base + vm->ram.size - DTB_MAX_SIZE, initrd_start;
	char err[256];
	uint8_t *blob;
	size_t len;
	int ret;

	if (vm->ram.size <= DTB_MAX_SIZE)
		return vm__fail(vm, EINVAL, "option --mem: too small");
	vm->format = loader__detect(image->data, image->len, decl);
	ret = loader__load(vm->format == IMAGE_LINUX ? vm_map_linux_in_place(vm, image) : image->data,
			   image->len, decl, &vm->ram, &vm->image, err, sizeof(err));
	if (ret)
		return vm__fail(vm, ret, "--kernel %s: %s (%s)", vm->cfg->kernel, err,
				loader__reason_name(vm->image.reason));
	if (initrd && initrd->len) {
		if (vm_place_initrd(vm, initrd->len, &initrd_start))
			return vm__fail(vm, E2BIG, "--initrd %s: %zu bytes do not fit in %llu MiB of RAM",
				       vm->cfg->initrd, initrd->len,
				       (unsigned long long)vm->cfg->mem_mib);
		limit = initrd_start;
	}
	if (vm->image.hi > limit)
		return vm__fail(vm, E2BIG, "--kernel %s: image reaches 0x%llx, past 0x%llx where the "
			       "%s starts (raise --mem)", vm->cfg->kernel,
			       (unsigned long long)vm->image.hi, (unsigned long long)limit,
			       initrd && initrd->len ? "initrd" : "device tree");
	if (initrd && initrd->len)
		memcpy(vm->ram.host + (initrd_start - vm->ram.base), initrd->data, initrd->len);
	ret = vm_build_dtb(vm, initrd, &blob, &len);
	if (ret)
		return ret;
	vm->dtb_gpa = ALIGN_DOWN(vm->ram.base + vm->ram.size - len, 8ULL);
	memcpy(vm->ram.host + (vm->dtb_gpa - vm->ram.base), blob, len);
	free(blob);
	if (vm->ev)
		events__phase(vm->ev, "loaded");
	return 0;
}

int vm__load_firmware(struct vm *vm, const struct file_map *fw)
{
	if (fw->len > vm->fw.size)
		return vm__fail(vm, E2BIG, "--firmware %s: %zu bytes do not fit the %llu-byte window "
			       "at 0x%llx", vm->cfg->firmware, fw->len,
			       (unsigned long long)vm->fw.size, (unsigned long long)vm->fw.base);
	memcpy(vm->fw.host, fw->data, fw->len);
	return 0;
}
