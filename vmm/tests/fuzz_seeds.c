/*
 * fuzz_seeds.c - writes a starting corpus for fuzz_virtqueue into the directory argv[1]:
 * well-formed inputs for each mode (raw chain, blk T_OUT/T_IN/FLUSH/GET_ID, console tx+rx,
 * an MMIO bring-up op stream). Random bytes rarely form a whole-sector request inside the
 * disk; from these the fuzzer mutates its way into the edge cases instead.
 *
 * The input format is described in fuzz_virtqueue.c. Guest RAM starts at 0 and the rings sit
 * at 0x1000 (descriptors), 0x2000 (available), 0x3000 (used); queue q adds q * 0x100.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define HDR 20
#define RAM 0x8000 /* enough of guest RAM for every seed */

static uint8_t in[HDR + 64 * 7 + RAM];
static uint8_t *ram;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* mode, flags 0x10 (repair), num field 4 (-> 16 in repair mode), rings as above. */
static void header(uint8_t mode, unsigned nops)
{
	memset(in, 0, sizeof(in));
	in[0] = mode;
	in[1] = 0x10;
	put16(in + 2, 4);
	put32(in + 4, 0x1000);
	put32(in + 8, 0x2000);
	put32(in + 12, 0x3000);
	in[18] = (uint8_t)nops;
	ram = in + HDR + (mode == 3 ? nops * 7 : 0);
}

/* Descriptor d of queue q: addr, len, flags (1 NEXT, 2 WRITE), next = d + 1. */
static void desc(unsigned q, unsigned d, uint32_t addr, uint32_t len, uint16_t flags)
{
	uint8_t *p = ram + 0x1000 + 0x100 * q + 16 * d;

	put64(p, addr);
	put32(p + 8, len);
	put16(p + 12, flags);
	put16(p + 14, (uint16_t)(d + 1));
}

/* Publish chain heads on queue q's available ring. */
static void avail(unsigned q, const uint16_t *heads, unsigned n)
{
	uint8_t *p = ram + 0x2000 + 0x100 * q;

	for (unsigned i = 0; i < n; i++)
		put16(p + 4 + 2 * i, heads[i]);
	put16(p + 2, (uint16_t)n);
}

/* A virtio-blk request header at addr. */
static void blk_hdr(uint32_t addr, uint32_t type, uint64_t sector)
{
	put32(ram + addr, type);
	put64(ram + addr + 8, sector);
}

static int save(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(in, 1, (size_t)(ram - in) + RAM, f) != (size_t)(ram - in) + RAM) {
		perror(path);
		return 1;
	}
	return fclose(f) != 0;
}

/* An MMIO op: kind (bit 0 write, bits 1-2 log2 width), offset, value. */
static uint8_t *op(uint8_t *p, uint8_t kind, uint16_t off, uint32_t val)
{
	p[0] = kind;
	put16(p + 1, off);
	put32(p + 3, val);
	return p + 7;
}

int main(int argc, char **argv)
{
	const uint16_t blk_heads[] = { 0, 3, 6 }, one[] = { 0 };
	const char *dir = argc > 1 ? argv[1] : ".";
	uint8_t *p;
	int err = 0;

	/* raw: one 3-descriptor chain */
	header(0, 0);
	desc(0, 0, 0x4000, 16, 1);
	desc(0, 1, 0x5000, 512, 1);
	desc(0, 2, 0x6000, 1, 2);
	avail(0, one, 1);
	err |= save(dir, "raw");

	/* blk: T_OUT 1024 bytes at sector 2, T_IN them back, FLUSH, GET_ID */
	header(1, 0);
	blk_hdr(0x4000, 1, 2);
	desc(0, 0, 0x4000, 16, 1);
	desc(0, 1, 0x5000, 1024, 1);
	desc(0, 2, 0x4f00, 1, 2);
	blk_hdr(0x4010, 0, 2);
	desc(0, 3, 0x4010, 16, 1);
	desc(0, 4, 0x6000, 1024, 3);
	desc(0, 5, 0x4f01, 1, 2);
	blk_hdr(0x4020, 4, 0);
	desc(0, 6, 0x4020, 16, 1);
	desc(0, 7, 0x4f02, 1, 2);
	avail(0, blk_heads, 3);
	err |= save(dir, "blk-rw");
	blk_hdr(0x4020, 8, 0);
	desc(0, 6, 0x4020, 16, 1);
	desc(0, 7, 0x6000, 20, 3);
	desc(0, 8, 0x4f03, 1, 2);
	avail(0, (const uint16_t[]){ 6 }, 1);
	err |= save(dir, "blk-getid");

	/* console: "hello" on the transmitq, two receive buffers */
	header(2, 0);
	memcpy(ram + 0x5000, "hello", 5);
	desc(1, 0, 0x5000, 5, 0);
	avail(1, one, 1);
	desc(0, 0, 0x6000, 64, 2);
	desc(0, 1, 0x6100, 64, 2);
	avail(0, (const uint16_t[]){ 0, 1 }, 2);
	err |= save(dir, "console");

	/* MMIO ops: the driver bring-up by hand, then a notify */
	header(3, 12);
	p = in + HDR;
	p = op(p, 5, 0x070, 3);
	p = op(p, 5, 0x024, 1);
	p = op(p, 5, 0x020, 1);
	p = op(p, 5, 0x070, 11);
	p = op(p, 5, 0x038, 16);
	p = op(p, 5, 0x080, 0x1000);
	p = op(p, 5, 0x090, 0x2000);
	p = op(p, 5, 0x0a0, 0x3000);
	p = op(p, 5, 0x044, 1);
	p = op(p, 5, 0x070, 15);
	p = op(p, 5, 0x050, 0);
	op(p, 4, 0x100, 0);
	err |= save(dir, "mmio-ops");
	return err;
}
