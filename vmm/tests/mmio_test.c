/*
 * mmio_test.c - address -> (device, offset) dispatch and its failure modes.
 */
#include <errno.h>

#include "layout.h"
#include "mmio.h"
#include "test.h"

struct fake {
	uint64_t last_off;
	uint32_t last_len;
	int writes, reads, refuse;
};

static int fake_read(void *s, uint64_t off, uint8_t *data, uint32_t len)
{
	struct fake *f = s;

	f->reads++;
	f->last_off = off;
	f->last_len = len;
	memset(data, 0x5a, len);
	return f->refuse ? -1 : 0;
}

static int fake_write(void *s, uint64_t off, const uint8_t *data, uint32_t len)
{
	struct fake *f = s;

	(void)data;
	f->writes++;
	f->last_off = off;
	f->last_len = len;
	return f->refuse ? -1 : 0;
}

static const char *fake_error(void *s)
{
	return ((struct fake *)s)->refuse == 2 ? "bad register" : NULL;
}

static const struct dev_ops fake_ops = {
	.name = "fake",
	.read = fake_read,
	.write = fake_write,
	.last_error = fake_error,
};

static void test_dispatch(void)
{
	struct mmio_bus bus;
	struct mmio_miss miss;
	struct fake f = { 0 };
	uint8_t d[8] = { 0 };
	uint64_t base = layout[LAYOUT_UART0].base, size = layout[LAYOUT_UART0].size;

	mmio__init(&bus);
	CHECK_EQ(mmio__register(&bus, base, size, &fake_ops, &f), 0);
	CHECK_EQ(mmio__dispatch(&bus, base + 5, d, 1, 0, &miss), 0);
	CHECK_EQ(f.last_off, 5);
	CHECK_EQ(d[0], 0x5a);
	CHECK_EQ(mmio__dispatch(&bus, base, d, 4, 1, &miss), 0);
	CHECK_EQ(f.writes, 1);
	CHECK_EQ(f.last_len, 4);
}

static void test_unmapped(void)
{
	struct mmio_bus bus;
	struct mmio_miss miss;
	struct fake f = { 0 };
	uint8_t d[8];

	mmio__init(&bus);
	CHECK_EQ(mmio__register(&bus, 0x1000, 0x100, &fake_ops, &f), 0);
	CHECK_EQ(mmio__dispatch(&bus, 0x20000000, d, 4, 1, &miss), -ENOENT);
	CHECK(miss.device == NULL);
	CHECK_EQ(mmio__dispatch(&bus, 0x1100, d, 1, 0, &miss), -ENOENT); /* one past the end */
	CHECK_EQ(mmio__dispatch(&bus, 0xfff, d, 1, 0, &miss), -ENOENT);
	CHECK_EQ(mmio__dispatch(&bus, UINT64_MAX, d, 8, 0, &miss), -ENOENT);
	CHECK_EQ(f.reads + f.writes, 0);
}

static void test_refused_and_straddle(void)
{
	struct mmio_bus bus;
	struct mmio_miss miss;
	struct fake f = { 0 };
	uint8_t d[8] = { 0 };

	mmio__init(&bus);
	CHECK_EQ(mmio__register(&bus, 0x1000, 0x100, &fake_ops, &f), 0);
	f.refuse = 1;
	CHECK_EQ(mmio__dispatch(&bus, 0x1010, d, 2, 1, &miss), -EIO);
	CHECK_STR(miss.device, "fake");
	CHECK_EQ(miss.offset, 0x10);
	CHECK_CONTAINS(miss.msg, "refused 2-byte write at offset 0x10");
	f.refuse = 2; /* with the device's own reason */
	CHECK_EQ(mmio__dispatch(&bus, 0x1004, d, 4, 0, &miss), -EIO);
	CHECK_STR(miss.msg, "bad register: refused 4-byte read at offset 0x4");
	f.refuse = 0;
	f.reads = 0;
	/* an 8-byte access at the last 4 bytes of the window never reaches the device */
	CHECK_EQ(mmio__dispatch(&bus, 0x10fc, d, 8, 0, &miss), -EIO);
	CHECK_CONTAINS(miss.msg, "outside the device window");
	CHECK_EQ(f.reads, 0);
}

static void test_register_checks(void)
{
	struct mmio_bus bus;
	struct fake f = { 0 };
	int i;

	mmio__init(&bus);
	CHECK_EQ(mmio__register(&bus, 0x1000, 0x100, &fake_ops, &f), 0);
	CHECK_EQ(mmio__register(&bus, 0x10ff, 0x10, &fake_ops, &f), -EEXIST);
	CHECK_EQ(mmio__register(&bus, 0xf00, 0x101, &fake_ops, &f), -EEXIST);
	CHECK_EQ(mmio__register(&bus, 0x2000, 0, &fake_ops, &f), -EINVAL);
	CHECK_EQ(mmio__register(&bus, UINT64_MAX - 4, 0x10, &fake_ops, &f), -EINVAL);
	for (i = 1; i < MMIO_MAX_REGIONS; i++)
		CHECK_EQ(mmio__register(&bus, 0x10000ULL * (uint64_t)(i + 1), 0x100, &fake_ops, &f), 0);
	CHECK_EQ(mmio__register(&bus, 0x900000, 0x100, &fake_ops, &f), -ENOSPC);
}

const struct test mmio_tests[] = {
	{ "mmio: dispatch by offset", test_dispatch },
	{ "mmio: unmapped addresses", test_unmapped },
	{ "mmio: refused and straddling accesses", test_refused_and_straddle },
	{ "mmio: overlapping/empty/wrapping windows rejected", test_register_checks },
	{ NULL, NULL },
};
