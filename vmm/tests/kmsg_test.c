/*
 * kmsg_test.c - KVM's exit-error report, parsed out of kernel log records.
 */
#include <string.h>

#include "kmsg.h"
#include "test.h"

static void test_parse_trap(void)
{
	struct kvm_trap_regs t;

	memset(&t, 0, sizeof(t));
	/* another thread's report, and other lines of ours, are not the trap */
	CHECK_EQ(kmsg__parse_trap("3,100,5,-;kvm [77]: SCAUSE=0x14 STVAL=0x1 HTVAL=0x2 HTINST=0x0", 42, &t), 0);
	CHECK_EQ(kmsg__parse_trap("3,101,5,-;kvm [42]: VCPU exit error -95", 42, &t), 0);
	CHECK_EQ(t.have, 0);
	CHECK_EQ(kmsg__parse_trap("3,102,5,-;kvm [42]: SEPC=0x20000000 SSTATUS=0x200000120 HSTATUS=0x200200080", 42, &t), 1);
	CHECK_EQ(t.sepc, 0x20000000);
	CHECK_EQ(t.have, 0);
	CHECK_EQ(kmsg__parse_trap("3,103,5,-;kvm [42]: SCAUSE=0x14 STVAL=0x20000000 HTVAL=0x8000000 HTINST=0x0\n", 42, &t), 1);
	CHECK_EQ(t.have, 1);
	CHECK_EQ(t.scause, 0x14);
	CHECK_EQ(t.stval, 0x20000000);
	CHECK_EQ(t.htval, 0x8000000);
	CHECK_EQ(t.htinst, 0);
	/* a dmesg line (timestamp, no record header) reads the same */
	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmsg__parse_trap("[   12.5] kvm [42]: SCAUSE=0x15 STVAL=0x0 HTVAL=0x4000000 HTINST=0x0", 42, &t), 1);
	CHECK_EQ(t.scause, 0x15);
	CHECK_EQ(t.htval, 0x4000000);
	/* "kvm [4]" must not match "kvm [42]" */
	memset(&t, 0, sizeof(t));
	CHECK_EQ(kmsg__parse_trap("3,1,5,-;kvm [42]: SCAUSE=0x14 STVAL=0x0 HTVAL=0x0 HTINST=0x0", 4, &t), 0);
}

const struct test kmsg_tests[] = {
	{ "kmsg: KVM's exit-error trap registers, by vCPU thread", test_parse_trap },
	{ NULL, NULL },
};
