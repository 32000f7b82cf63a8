/*
 * virtqueue_test.c - split virtqueue parsing against a fake guest RAM: the happy path, index
 * wrap-around, notification suppression, and every hostile ring we refuse.
 */
#include "devtest.h"

#define QGPA (RAM_BASE + 0x10000)
#define BUF (RAM_BASE + 0x100000)

static struct fake_ram ram;
static struct guest_mem mem;
static struct fake_vq fq;
static struct virtq vq;
static struct virtq_chain chain;

/* A started 16-entry queue with the rings at QGPA. */
static int setup(uint16_t num)
{
	memset(ram.host, 0, RAM_SIZE);
	fake_vq_init(&fq, &ram, num, QGPA);
	virtq__reset(&vq, mem, 0);
	vq.num = num;
	vq.desc_gpa = fq.desc;
	vq.avail_gpa = fq.avail;
	vq.used_gpa = fq.used;
	return virtq__start(&vq);
}

static int has(const char *needle)
{
	return strstr(vq.err, needle) != NULL;
}

static void test_start_validation(void)
{
	uint16_t bad_num[] = { 0, 3, 12, 512 };

	for (unsigned i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
		T(setup(bad_num[i]) == -EINVAL);
		T(has("power of two"));
	}
	T(setup(1) == 0 && setup(256) == 0);
	setup(16);
	vq.desc_gpa = QGPA + 8;
	T(virtq__start(&vq) == -EINVAL && has("misaligned") && !vq.started);
	vq.desc_gpa = QGPA;
	vq.avail_gpa = fq.avail + 1;
	T(virtq__start(&vq) == -EINVAL);
	vq.avail_gpa = fq.avail;
	vq.used_gpa = fq.used + 2;
	T(virtq__start(&vq) == -EINVAL);
}

static void test_rings_outside_ram(void)
{
	setup(16);
	vq.desc_gpa = MMIO_GPA; /* DMA into a device window */
	T(virtq__start(&vq) == -EINVAL && has("descriptor ring") && has("not in guest RAM"));
	setup(16);
	vq.avail_gpa = RAM_BASE + RAM_SIZE - 8; /* straddles the end of RAM */
	T(virtq__start(&vq) == -EINVAL && has("available ring"));
	setup(16);
	vq.used_gpa = 0xfffffffffffffff0ULL; /* wraps around the address space */
	T(virtq__start(&vq) == -EINVAL && has("used ring"));
	T(virtq__pop(&vq, &chain) == 0); /* a queue that never started yields nothing */
}

static void test_pop_push_happy(void)
{
	struct drv_buf b[] = { { BUF, 16, 0 }, { BUF + 0x1000, 512, 0 }, { BUF + 0x2000, 1, 1 } };
	uint32_t id, len;
	uint16_t head;

	T(setup(16) == 0);
	T(virtq__pop(&vq, &chain) == 0);
	head = fake_vq_add(&fq, b, 3);
	T(virtq__pop(&vq, &chain) == 1);
	T(chain.head == head && chain.nr_out == 2 && chain.nr_in == 1);
	T(chain.out_bytes == 528 && chain.in_bytes == 1);
	T(chain.iov[1].iov_base == gpa_host(&ram, BUF + 0x1000) && chain.iov[1].iov_len == 512);
	T(virtq__pop(&vq, &chain) == 0);
	T(virtq__push(&vq, head, 1) == 0);
	T(fake_vq_used(&fq, &id, &len) == 1 && id == head && len == 1);
	T(virtq__should_notify(&vq));
	fake_avail(&fq)->flags = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	T(!virtq__should_notify(&vq));
	T(virtq__push(&vq, 16, 0) == -EINVAL && has("beyond the queue"));
}

static void test_index_wraparound(void)
{
	struct drv_buf b = { BUF, 64, 1 };
	uint32_t id, len;

	T(setup(4) == 0);
	/* both sides near the 16-bit wrap, as after a long uptime */
	vq.last_avail = vq.used_idx = 0xfffe;
	fq.avail_idx = fq.used_seen = 0xfffe;
	fake_used(&fq)->idx = htole16(0xfffe);
	for (int i = 0; i < 3; i++)
		fake_vq_add(&fq, &b, 1);
	T(le16toh(fake_avail(&fq)->idx) == 1);
	for (int i = 0; i < 3; i++) {
		T(virtq__pop(&vq, &chain) == 1);
		T(virtq__push(&vq, chain.head, 64) == 0);
		T(fake_vq_used(&fq, &id, &len) == 1 && id == chain.head);
	}
	T(virtq__pop(&vq, &chain) == 0 && le16toh(fake_used(&fq)->idx) == 1);
}

static void test_avail_index_beyond_queue(void)
{
	struct drv_buf b = { BUF, 8, 0 };

	T(setup(8) == 0);
	for (int i = 0; i < 8; i++)
		fake_vq_add(&fq, &b, 1);
	fake_avail(&fq)->idx = htole16(9); /* 9 entries pending in an 8-entry ring */
	T(virtq__pop(&vq, &chain) == -EINVAL && has("ahead"));
	fake_avail(&fq)->idx = htole16(8); /* exactly a full ring is fine */
	for (int i = 0; i < 8; i++)
		T(virtq__pop(&vq, &chain) == 1);
	T(virtq__pop(&vq, &chain) == 0);
	fake_avail(&fq)->idx = htole16(0xffff); /* "behind" is also far ahead, mod 2^16 */
	T(virtq__pop(&vq, &chain) == -EINVAL);
}

static void test_head_beyond_queue(void)
{
	struct drv_buf b = { BUF, 8, 0 };

	T(setup(8) == 0);
	fake_vq_add(&fq, &b, 1);
	fake_avail(&fq)->ring[0] = htole16(8);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("beyond the queue"));
}

static void test_descriptor_outside_ram(void)
{
	struct drv_buf mmio = { MMIO_GPA, 16, 0 };
	struct drv_buf edge = { RAM_BASE + RAM_SIZE - 8, 16, 1 };
	struct drv_buf wrap = { 0xffffffffffffff00ULL, 0x200, 0 };
	struct drv_buf low = { 0x1000, 16, 0 };

	T(setup(8) == 0);
	fake_vq_add(&fq, &mmio, 1);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("not guest RAM") && has("0x10001000"));
	T(setup(8) == 0);
	fake_vq_add(&fq, &edge, 1);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("not guest RAM"));
	T(setup(8) == 0);
	fake_vq_add(&fq, &wrap, 1);
	T(virtq__pop(&vq, &chain) == -EINVAL);
	T(setup(8) == 0);
	fake_vq_add(&fq, &low, 1);
	T(virtq__pop(&vq, &chain) == -EINVAL);
}

static void test_descriptor_loops(void)
{
	struct drv_buf b[] = { { BUF, 8, 0 }, { BUF, 8, 0 }, { BUF, 8, 0 } };

	T(setup(8) == 0);
	fake_vq_add(&fq, b, 3);
	fake_desc(&fq, 2)->flags = htole16(VIRTQ_DESC_F_NEXT);
	fake_desc(&fq, 2)->next = htole16(0); /* 0 -> 1 -> 2 -> 0 ... */
	T(virtq__pop(&vq, &chain) == -EINVAL && has("loop"));
	T(setup(8) == 0);
	fake_vq_add(&fq, b, 1);
	fake_desc(&fq, 0)->flags = htole16(VIRTQ_DESC_F_NEXT); /* a self loop */
	fake_desc(&fq, 0)->next = htole16(0);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("loop"));
	T(setup(8) == 0);
	fake_vq_add(&fq, b, 2);
	fake_desc(&fq, 1)->flags = htole16(VIRTQ_DESC_F_NEXT);
	fake_desc(&fq, 1)->next = htole16(200);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("links to 200"));
}

static void test_chain_as_long_as_queue(void)
{
	struct drv_buf b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (struct drv_buf){ BUF + 64 * i, 64, i >= 4 };
	T(setup(8) == 0);
	fake_vq_add(&fq, b, 8); /* every descriptor once: long, but not a loop */
	T(virtq__pop(&vq, &chain) == 1 && chain.nr_out == 4 && chain.nr_in == 4);
}

static void test_huge_lengths(void)
{
	struct drv_buf huge = { BUF, 0xffffffff, 1 };
	struct drv_buf two[] = { { BUF, 768 << 10, 0 }, { BUF + (768 << 10), 768 << 10, 1 } };
	struct drv_buf exact[] = { { BUF, 512 << 10, 0 }, { BUF + (512 << 10), 512 << 10, 1 } };

	T(setup(8) == 0);
	fake_vq_add(&fq, &huge, 1);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("past"));
	T(setup(8) == 0);
	fake_vq_add(&fq, two, 2); /* each fits, together over the 1 MiB default */
	T(virtq__pop(&vq, &chain) == -EINVAL && has("past 1048576"));
	T(setup(8) == 0);
	fake_vq_add(&fq, exact, 2);
	T(virtq__pop(&vq, &chain) == 1 && chain.out_bytes + chain.in_bytes == 1U << 20);
}

static void test_indirect_and_order(void)
{
	struct drv_buf b[] = { { BUF, 16, 0 }, { BUF + 64, 16, 1 }, { BUF + 128, 16, 0 } };

	T(setup(8) == 0);
	fake_vq_add(&fq, b, 1);
	fake_desc(&fq, 0)->flags = htole16(VIRTQ_DESC_F_INDIRECT);
	T(virtq__pop(&vq, &chain) == -EINVAL && has("INDIRECT"));
	T(setup(8) == 0);
	fake_vq_add(&fq, b, 3); /* readable after writable */
	T(virtq__pop(&vq, &chain) == -EINVAL && has("follows a writable"));
}

static void test_zero_length_and_copies(void)
{
	struct drv_buf b[] = { { BUF, 3, 0 }, { 0, 0, 0 }, { BUF + 100, 5, 0 },
			       { BUF + 200, 2, 1 }, { BUF + 300, 6, 1 } };
	uint8_t in[8], out[] = "abcdefgh";

	T(setup(8) == 0);
	memcpy(gpa_host(&ram, BUF), "012", 3);
	memcpy(gpa_host(&ram, BUF + 100), "34567", 5);
	fake_vq_add(&fq, b, 5);
	T(virtq__pop(&vq, &chain) == 1 && chain.nr_out == 3 && chain.out_bytes == 8);
	T(virtq_chain__read(&chain, 1, in, 6) == 6 && !memcmp(in, "123456", 6));
	T(virtq_chain__read(&chain, 6, in, 8) == 2); /* short at the end of the readable half */
	T(virtq_chain__write(&chain, 0, out, 8) == 8);
	T(!memcmp(gpa_host(&ram, BUF + 200), "ab", 2) && !memcmp(gpa_host(&ram, BUF + 300), "cdefgh", 6));
	T(virtq_chain__write(&chain, 7, out, 4) == 1);
}

static void test_used_idx_is_device_owned(void)
{
	struct drv_buf b = { BUF, 8, 1 };
	uint32_t id, len;

	T(setup(8) == 0);
	fake_vq_add(&fq, &b, 1);
	T(virtq__pop(&vq, &chain) == 1);
	fake_used(&fq)->idx = htole16(0x7777); /* guest scribbles on the used ring */
	T(virtq__push(&vq, chain.head, 8) == 0);
	T(le16toh(fake_used(&fq)->idx) == 1 && fake_vq_used(&fq, &id, &len) == 1 && len == 8);
}

int main(void)
{
	mem = fake_ram_init(&ram);
	RUN(test_start_validation);
	RUN(test_rings_outside_ram);
	RUN(test_pop_push_happy);
	RUN(test_index_wraparound);
	RUN(test_avail_index_beyond_queue);
	RUN(test_head_beyond_queue);
	RUN(test_descriptor_outside_ram);
	RUN(test_descriptor_loops);
	RUN(test_chain_as_long_as_queue);
	RUN(test_huge_lengths);
	RUN(test_indirect_and_order);
	RUN(test_zero_length_and_copies);
	RUN(test_used_idx_is_device_owned);
	free(ram.host);
	DEVTEST_END();
}
