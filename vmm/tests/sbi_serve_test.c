/*
 * sbi_serve_test.c - the SBI extensions the VMM serves (sbi/sbi-serve.c), against a machine
 * of recording ops: the HSM state machine, IPI hart masks, TIME, BASE probe, disabled ones.
 */
#include <errno.h>

#include "kvm-riscv.h"
#include "layout.h"
#include "sbi.h"
#include "test.h"

#define RAM_BASE LAYOUT_DRAM_BASE
#define RAM_SIZE 0x100000ULL

static struct {
	uint64_t timer[CONFIG_MAX_CPUS];
	unsigned timer_calls, ipis[CONFIG_MAX_CPUS], wakes;
	int timer_err, ipi_err;
} m;

static uint8_t ram[64];

static void *translate(void *ctx, uint64_t gpa, uint64_t len)
{
	(void)ctx;
	return gpa >= RAM_BASE && len <= RAM_SIZE && gpa - RAM_BASE <= RAM_SIZE - len ? ram : NULL;
}

static int set_timer(void *ctx, unsigned hart, uint64_t when)
{
	(void)ctx;
	m.timer[hart] = when;
	m.timer_calls++;
	return m.timer_err;
}

static int send_ipi(void *ctx, unsigned hart)
{
	(void)ctx;
	m.ipis[hart]++;
	return m.ipi_err;
}

static void wake(void *ctx, unsigned hart)
{
	(void)ctx;
	(void)hart;
	m.wakes++;
}

static struct sbi_served served;

static struct sbi_env env(unsigned harts, uint32_t serve, uint32_t disabled)
{
	memset(&m, 0, sizeof(m));
	memset(&served, 0, sizeof(served));
	served.serve = serve;
	served.disabled = disabled;
	served.ops = (struct sbi_machine_ops){ NULL, set_timer, send_ipi, wake };
	sbi__served_init(&served, harts, 0);
	return (struct sbi_env){ { translate, NULL }, { NULL, NULL }, { NULL, NULL }, &served };
}

static struct sbi_reply call(const struct sbi_env *e, unsigned hart, uint64_t eid, uint64_t fid,
			     uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct sbi_call c = { eid, fid, { a0, a1, a2, 0, 0, 0 }, hart };
	struct sbi_reply r;

	sbi__handle(&c, e, &r);
	return r;
}

#define ALL ((1u << BOOTCASE_KVM_SBI_EXT_TIME) | (1u << BOOTCASE_KVM_SBI_EXT_IPI) | \
	     (1u << BOOTCASE_KVM_SBI_EXT_HSM))

static void test_probe(void)
{
	struct sbi_env e = env(2, 1u << BOOTCASE_KVM_SBI_EXT_HSM, 1u << BOOTCASE_KVM_SBI_EXT_RFENCE);
	struct sbi_reply r;

	/* KVM forwards probe only for what it does not own: ours is 1, a disabled one 0 */
	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_HSM, 0, 0);
	CHECK_EQ(r.kind, SBI_KIND_BASE);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK_EQ(r.ret[1], 1);
	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_RFENCE, 0, 0);
	CHECK_EQ(r.ret[1], 0);
	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x12345678, 0, 0);
	CHECK_EQ(r.ret[1], 0);
}

static void test_disabled_is_not_supported(void)
{
	struct sbi_env e = env(1, 0, 1u << BOOTCASE_KVM_SBI_EXT_RFENCE | 1u << BOOTCASE_KVM_SBI_EXT_DBCN);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_RFENCE, 0, 1, 0, 0);
	CHECK_EQ(r.kind, SBI_KIND_DISABLED);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	/* even one the VMM would otherwise handle: the user took it away */
	r = call(&e, 0, SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, 'x', 0, 0);
	CHECK_EQ(r.kind, SBI_KIND_DISABLED);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	/* without a forwarding kernel there is no table: a forwarded HSM call is unknown */
	e.served = NULL;
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 0, 0, 0);
	CHECK_EQ(r.action, SBI_ACT_UNKNOWN);
}

static void test_time(void)
{
	struct sbi_env e = env(2, ALL, 0);
	struct sbi_reply r;

	r = call(&e, 1, SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456, 0, 0);
	CHECK_EQ(r.kind, SBI_KIND_TIME);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK_EQ(m.timer[1], 123456);
	m.timer_err = -EIO;
	r = call(&e, 0, SBI_EXT_TIME, SBI_TIME_SET_TIMER, 1, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_FAILED);
	r = call(&e, 0, SBI_EXT_TIME, 1, 0, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
}

static void test_ipi_masks(void)
{
	struct sbi_env e = env(4, ALL, 0);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x5, 0, 0); /* harts 0 and 2 */
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK(m.ipis[0] == 1 && m.ipis[1] == 0 && m.ipis[2] == 1 && m.ipis[3] == 0);
	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x3, 2, 0); /* base 2: harts 2, 3 */
	CHECK(m.ipis[2] == 2 && m.ipis[3] == 1);
	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, (uint64_t)-1, 0); /* broadcast */
	CHECK(m.ipis[0] == 2 && m.ipis[1] == 1 && m.ipis[2] == 3 && m.ipis[3] == 2);
	/* a hart that does not exist fails the call, and nobody gets an IPI */
	memset(m.ipis, 0, sizeof(m.ipis));
	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x3, 3, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, 1ULL << 40, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	CHECK(m.ipis[0] + m.ipis[1] + m.ipis[2] + m.ipis[3] == 0);
	/* the machine could not raise it: the caller hears of it */
	m.ipi_err = -EIO;
	r = call(&e, 0, SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x1, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_FAILED);
}

static void test_hsm_start_stop(void)
{
	struct sbi_env e = env(2, ALL, 0);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1, 0, 0);
	CHECK_EQ(r.ret[1], SBI_HSM_STOPPED);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 0, 0, 0);
	CHECK_EQ(r.ret[1], SBI_HSM_STARTED);
	/* a start address outside RAM, then a real start */
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, 0x1000, 7);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(m.wakes, 0);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE + 0x40, 7);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK_EQ(m.wakes, 1);
	CHECK_EQ(served.harts[1].state, SBI_HSM_START_PENDING);
	CHECK_EQ(served.harts[1].start_addr, RAM_BASE + 0x40);
	CHECK_EQ(served.harts[1].opaque, 7);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_ALREADY_AVAILABLE);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 2, RAM_BASE, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 9, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	/* the vCPU thread finishes the start (vm-sbi.c); then hart 1 stops itself */
	served.harts[1].state = SBI_HSM_STARTED;
	r = call(&e, 1, SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
	CHECK_EQ(r.action, SBI_ACT_PARK);
	CHECK_EQ(served.harts[1].state, SBI_HSM_STOPPED);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE, 0);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
}

static void test_hsm_suspend(void)
{
	struct sbi_env e = env(1, ALL, 0);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0, 0, 0); /* retentive */
	CHECK_EQ(r.action, SBI_ACT_SUSPEND);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK_EQ(served.harts[0].state, SBI_HSM_SUSPENDED);
	served.harts[0].state = SBI_HSM_STARTED; /* the vCPU thread's part, after the wait */
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000, RAM_BASE + 8, 42);
	CHECK_EQ(r.action, SBI_ACT_RESUME);
	CHECK_EQ(r.value, RAM_BASE + 8);
	CHECK_EQ(r.opaque, 42);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000, 0x10, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_ADDRESS);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	r = call(&e, 0, SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x00000001, 0, 0); /* reserved */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_HSM, 9, 0, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
}

#define SUSP (1u << BOOTCASE_KVM_SBI_EXT_SUSP)
#define FWFT (1u << BOOTCASE_KVM_SBI_EXT_FWFT)

static void test_susp(void)
{
	struct sbi_env e = env(2, ALL | SUSP, 0);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_SUSP, 0, 0);
	CHECK_EQ(r.ret[1], 1);
	/* hart 1 is not stopped: DENIED; then it stops, and suspend resumes at resume_addr */
	served.harts[1].state = SBI_HSM_STARTED;
	r = call(&e, 0, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, 0, RAM_BASE + 8, 42);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_DENIED);
	CHECK_EQ(r.action, SBI_ACT_RETURN);
	served.harts[1].state = SBI_HSM_STOPPED;
	r = call(&e, 0, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, 1ULL << 32, RAM_BASE + 8, 42);
	CHECK_EQ(r.ret[0], SBI_SUCCESS);
	CHECK_EQ(r.action, SBI_ACT_RESUME);
	CHECK_EQ(r.value, RAM_BASE + 8);
	CHECK_EQ(r.opaque, 42);
	CHECK_EQ(r.kind, SBI_KIND_SUSP);
	CHECK_EQ(served.harts[0].state, SBI_HSM_SUSPENDED);
	served.harts[0].state = SBI_HSM_STARTED;
	r = call(&e, 0, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, 1, RAM_BASE, 0); /* reserved */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, 0x80000000, RAM_BASE, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_SUSP, SBI_SUSP_SYSTEM_SUSPEND, 0, 0x10, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_ADDRESS);
	r = call(&e, 0, SBI_EXT_SUSP, 1, 0, RAM_BASE, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
}

static void test_fwft_and_absent(void)
{
	struct sbi_env e = env(1, FWFT, 0);
	struct sbi_reply r;

	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_GET, SBI_FWFT_DOUBLE_TRAP, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_SET, (1ULL << 32) | SBI_FWFT_MISALIGNED_EXC_DELEG, 1, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_GET, 6, 0, 0); /* local reserved */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_DENIED);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_SET, 0xbfffffff, 0, 0); /* global reserved */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_DENIED);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_GET, 0x80000000, 0, 0); /* global id 0: reserved too */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_DENIED);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_SET, SBI_FWFT_LANDING_PAD, 1, 2); /* bad flags */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_INVALID_PARAM);
	r = call(&e, 0, SBI_EXT_FWFT, SBI_FWFT_GET, 0x40000000, 0, 0); /* platform: none */
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	r = call(&e, 0, SBI_EXT_FWFT, 2, 0, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	/* FORWARD_ABSENT: another extension KVM lacks (SSE "SSE") is NOT_SUPPORTED, probe 0;
	 * the experimental range is still not ours to refuse */
	served.absent = 1;
	r = call(&e, 0, 0x535345, 0, 0, 0, 0);
	CHECK_EQ(r.ret[0], (uint64_t)SBI_ERR_NOT_SUPPORTED);
	CHECK_EQ(r.kind, SBI_KIND_ABSENT);
	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, 0x535345, 0, 0);
	CHECK_EQ(r.ret[1], 0);
	r = call(&e, 0, SBI_EXT_BASE, SBI_BASE_PROBE_EXT, SBI_EXT_FWFT, 0, 0);
	CHECK_EQ(r.ret[1], 1);
	CHECK_EQ(sbi__serve(&(struct sbi_call){ .eid = 0x08000042 }, &e, &r), 0);
}

static void test_serve_list(void)
{
	char err[256];
	uint32_t mask = 0;

	CHECK_EQ(sbi__parse_serve_list("hsm,time,ipi", &mask, err, sizeof(err)), 0);
	CHECK_EQ(mask, ALL);
	CHECK_EQ(sbi__parse_serve_list("rfence", &mask, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "option --sbi-serve: rfence cannot be served outside KVM");
	CHECK_EQ(sbi__parse_serve_list("pmu", &mask, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "the VMM serves only time, ipi, hsm, susp and fwft");
	CHECK_EQ(sbi__parse_serve_list("hsx", &mask, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "option --sbi-serve: unknown SBI extension 'hsx'");
	CHECK_EQ(sbi__kvm_ext_of(0x01), BOOTCASE_KVM_SBI_EXT_V01);
	CHECK_EQ(sbi__kvm_ext_of(SBI_EXT_BOOTCASE), BOOTCASE_KVM_SBI_EXT_EXPERIMENTAL);
	CHECK_EQ(sbi__kvm_ext_of(SBI_EXT_BASE), (uint64_t)-1);
}

const struct test sbi_serve_tests[] = {
	{ "sbi-serve: BASE probe answers for the extensions taken from KVM", test_probe },
	{ "sbi-serve: a disabled extension is NOT_SUPPORTED, seen by the VMM",
	  test_disabled_is_not_supported },
	{ "sbi-serve: TIME programs the caller's timer", test_time },
	{ "sbi-serve: IPI hart masks, base and broadcast", test_ipi_masks },
	{ "sbi-serve: HSM start, status, stop and their errors", test_hsm_start_stop },
	{ "sbi-serve: HSM suspend types", test_hsm_suspend },
	{ "sbi-serve: SUSP system suspend, its errors and DENIED while a hart runs", test_susp },
	{ "sbi-serve: FWFT features, reserved ones; extensions KVM lacks", test_fwft_and_absent },
	{ "sbi-serve: --sbi-serve names and EID owners", test_serve_list },
	{ NULL, NULL },
};
