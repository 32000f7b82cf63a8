/*
 * sbi-ext.c - KVM's in-kernel SBI extensions by name, and the SBI call trace.
 *
 * --sbi-disable and --sbi-serve turn extensions off through KVM_REG_RISCV_SBI_EXT before the
 * first KVM_RUN (vm.c). A stock KVM (6.12) then answers their calls itself with
 * SBI_ERR_NOT_SUPPORTED and BASE probe_extension says 0; our L1 patch forwards them to us
 * instead (sbi-serve.c). BASE has no register and cannot be disabled.
 *
 * --sbi-trace makes every call an "sbi" event (vcpu.c): the call as the guest made it and the
 * a0/a1 it got, with "by" saying who answered. Calls KVM answers itself are shown only by a
 * kernel with the patch's REPORT mode, and SRST (a system event) by the VMM reading the
 * caller's registers (docs/protocol.md, "sbi").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "kvm-riscv.h"
#include "sbi.h"

static const char *const kvm_ext_names[BOOTCASE_KVM_SBI_EXT__COUNT] = {
	[BOOTCASE_KVM_SBI_EXT_V01] = "v01",
	[BOOTCASE_KVM_SBI_EXT_TIME] = "time",
	[BOOTCASE_KVM_SBI_EXT_IPI] = "ipi",
	[BOOTCASE_KVM_SBI_EXT_RFENCE] = "rfence",
	[BOOTCASE_KVM_SBI_EXT_SRST] = "srst",
	[BOOTCASE_KVM_SBI_EXT_HSM] = "hsm",
	[BOOTCASE_KVM_SBI_EXT_PMU] = "pmu",
	[BOOTCASE_KVM_SBI_EXT_EXPERIMENTAL] = "experimental",
	[BOOTCASE_KVM_SBI_EXT_VENDOR] = "vendor",
	[BOOTCASE_KVM_SBI_EXT_DBCN] = "dbcn",
	[BOOTCASE_KVM_SBI_EXT_STA] = "sta",
	[BOOTCASE_KVM_SBI_EXT_SUSP] = "susp",
	[BOOTCASE_KVM_SBI_EXT_FWFT] = "fwft",
	[BOOTCASE_KVM_SBI_EXT_MPXY] = "mpxy",
};

const char *sbi__kvm_ext_name(unsigned id)
{
	return id < BOOTCASE_KVM_SBI_EXT__COUNT ? kvm_ext_names[id] : NULL;
}

static int kvm_ext_id(const char *name, size_t len)
{
	unsigned id;

	for (id = 0; id < BOOTCASE_KVM_SBI_EXT__COUNT; id++)
		if (strlen(kvm_ext_names[id]) == len && !strncasecmp(kvm_ext_names[id], name, len))
			return (int)id;
	return -1;
}

static void known_names(char *buf, size_t len)
{
	size_t n = 0;
	unsigned id;

	buf[0] = '\0';
	for (id = 0; id < BOOTCASE_KVM_SBI_EXT__COUNT && n < len; id++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", id ? ", " : "", kvm_ext_names[id]);
}

int sbi__kvm_ext_of(uint64_t eid)
{
	static const struct { uint64_t eid; int ext; } owners[] = {
		{ SBI_EXT_TIME, BOOTCASE_KVM_SBI_EXT_TIME }, { SBI_EXT_IPI, BOOTCASE_KVM_SBI_EXT_IPI },
		{ SBI_EXT_RFENCE, BOOTCASE_KVM_SBI_EXT_RFENCE },
		{ SBI_EXT_SRST, BOOTCASE_KVM_SBI_EXT_SRST }, { SBI_EXT_HSM, BOOTCASE_KVM_SBI_EXT_HSM },
		{ SBI_EXT_PMU, BOOTCASE_KVM_SBI_EXT_PMU },   { SBI_EXT_DBCN, BOOTCASE_KVM_SBI_EXT_DBCN },
		{ SBI_EXT_STA, BOOTCASE_KVM_SBI_EXT_STA },   { SBI_EXT_SUSP, BOOTCASE_KVM_SBI_EXT_SUSP },
		{ SBI_EXT_FWFT, BOOTCASE_KVM_SBI_EXT_FWFT }, { SBI_EXT_MPXY, BOOTCASE_KVM_SBI_EXT_MPXY },
	};
	unsigned i;

	if (eid <= SBI_EXT_LEGACY_LAST) /* the legacy v0.1 calls are one KVM extension */
		return BOOTCASE_KVM_SBI_EXT_V01;
	if (eid >= 0x08000000 && eid <= 0x08FFFFFF)
		return BOOTCASE_KVM_SBI_EXT_EXPERIMENTAL;
	if (eid >= 0x09000000 && eid <= 0x09FFFFFF)
		return BOOTCASE_KVM_SBI_EXT_VENDOR;
	for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++)
		if (owners[i].eid == eid)
			return owners[i].ext;
	return -1;
}

int sbi__parse_ext_list(const char *opt, const char *list, uint32_t *mask, char *err,
			size_t errlen)
{
	const char *p = list, *end;
	char known[160];
	int id;

	for (;; p = end + 1) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (end == p) {
			snprintf(err, errlen, "option %s: empty extension name in '%s'", opt, list);
			return -EINVAL;
		}
		id = kvm_ext_id(p, (size_t)(end - p));
		if (id < 0 && (size_t)(end - p) == 4 && !strncasecmp(p, "base", 4)) {
			snprintf(err, errlen, "option %s: base cannot be taken from KVM "
				 "(it has no enable register)", opt);
			return -EINVAL;
		}
		if (id < 0) {
			known_names(known, sizeof(known));
			snprintf(err, errlen, "option %s: unknown SBI extension '%.*s' (known: %s)",
				 opt, (int)(end - p), p, known);
			return -EINVAL;
		}
		*mask |= 1u << id;
		if (!*end)
			return 0;
	}
}

int sbi__parse_serve_list(const char *list, uint32_t *mask, char *err, size_t errlen)
{
	const uint32_t servable = (1u << BOOTCASE_KVM_SBI_EXT_TIME) |
				  (1u << BOOTCASE_KVM_SBI_EXT_IPI) | (1u << BOOTCASE_KVM_SBI_EXT_HSM) |
				  (1u << BOOTCASE_KVM_SBI_EXT_SUSP) | (1u << BOOTCASE_KVM_SBI_EXT_FWFT);
	uint32_t m = 0;
	int ret = sbi__parse_ext_list("--sbi-serve", list, &m, err, errlen);

	if (ret)
		return ret;
	if (m & (1u << BOOTCASE_KVM_SBI_EXT_RFENCE)) {
		/* a remote fence must run on the other hart, inside KVM; user space cannot */
		snprintf(err, errlen, "option --sbi-serve: rfence cannot be served outside KVM (no "
			 "way to fence another vCPU from user space); --sbi-disable rfence makes a "
			 "guest fall back to IPIs");
		return -EINVAL;
	}
	if (m & ~servable) {
		snprintf(err, errlen, "option --sbi-serve: '%s': the VMM serves only time, ipi, "
			 "hsm, susp and fwft (KVM forwards dbcn, v01 and the experimental range anyway)", list);
		return -EINVAL;
	}
	*mask |= m;
	return 0;
}

void sbi__ext_list(struct jline *l, const char *key, uint32_t mask)
{
	unsigned id;

	jline__arr_begin(l, key);
	for (id = 0; id < BOOTCASE_KVM_SBI_EXT__COUNT; id++)
		if (mask & (1u << id))
			jline__str(l, NULL, kvm_ext_names[id]);
	jline__arr_end(l);
}

/*
 * What the guest got in a0/a1: error and value for SBI v0.2+ calls; for the legacy calls a0
 * is their only return (getchar's character or -1). A call that ends the run (BOOTCASE
 * EXIT, SRST, an sbi-unknown fault) is traced too; the guest never sees its return.
 */
void sbi__trace(struct jline *l, unsigned hart, const struct sbi_call *call,
		const struct sbi_reply *reply)
{
	unsigned i;

	jline__u64(l, "hart", hart);
	jline__hex(l, "eid", call->eid);
	jline__hex(l, "fid", call->fid);
	jline__arr_begin(l, "args");
	for (i = 0; i < sizeof(call->args) / sizeof(call->args[0]); i++)
		jline__hex(l, NULL, call->args[i]);
	jline__arr_end(l);
	jline__i64(l, "error", (int64_t)reply->ret[0]);
	jline__hex(l, "value", reply->ret[1]);
	jline__str(l, "by", reply->kind == SBI_KIND_KVM ? "kvm" : "vmm");
}
