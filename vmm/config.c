/*
 * config.c - parse the VMM command line (docs/protocol.md, "VMM command line").
 * Every error names the option it is about.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "kvm-riscv.h"
#include "sbi.h"
#include "util.h"

enum opt_kind {
	OPT_PATH, OPT_STR, OPT_U64, OPT_ADDR, OPT_FD, OPT_FLAG, OPT_DISK, OPT_PROFILE, OPT_SBI_EXT,
	OPT_SBI_SERVE, OPT_TRANSPORT, OPT_ISA_EXT, OPT_IRQCHIP
};

struct opt {
	const char *name;
	enum opt_kind kind;
	size_t off;   /* field in struct vm_config */
	uint64_t max; /* OPT_U64 */
};

#define F(field) offsetof(struct vm_config, field)

static const struct opt opts[] = {
	{ "--kernel", OPT_PATH, F(kernel), 0 },
	{ "--initrd", OPT_PATH, F(initrd), 0 },
	{ "--firmware", OPT_PATH, F(firmware), 0 },
	{ "--flat-load", OPT_ADDR, F(flat_load), 0 },
	{ "--flat-entry", OPT_ADDR, F(flat_entry), 0 },
	{ "--profile", OPT_PROFILE, F(profile), 0 },
	{ "--dump-dtb", OPT_PATH, F(dump_dtb), 0 },
	{ "--append", OPT_STR, F(append), 0 },
	{ "--mem", OPT_U64, F(mem_mib), CONFIG_MAX_MEM_MIB },
	{ "--timeout-ms", OPT_U64, F(timeout_ms), 86400000ULL * 365 },
	{ "--run-id", OPT_U64, F(run_id), UINT64_MAX },
	{ "--console-fd", OPT_FD, F(console_fd), 0 },
	{ "--events-fd", OPT_FD, F(events_fd), 0 },
	{ "--cpus", OPT_U64, F(cpus), CONFIG_MAX_CPUS },
	{ "--disk", OPT_DISK, 0, 0 },
	{ "--virtio-console", OPT_FLAG, F(virtio_console), 0 },
	{ "--virtio-transport", OPT_TRANSPORT, F(virtio_transport), 0 },
	{ "--harts-running", OPT_FLAG, F(harts_running), 0 },
	{ "--sbi-disable", OPT_SBI_EXT, F(sbi_disable), 0 },
	{ "--sbi-serve", OPT_SBI_SERVE, F(sbi_serve), 0 },
	{ "--sbi-trace", OPT_FLAG, F(sbi_trace), 0 },
	{ "--isa-disable", OPT_ISA_EXT, F(isa_disable), 0 },
	{ "--irqchip", OPT_IRQCHIP, F(irqchip), 0 },
};

/* --isa-disable EXT[,EXT...]: names as the device tree spells them (kvm-riscv.h); repeatable. */
static int set_isa_disable(struct vm_config *cfg, const char *list, char *err, size_t errlen)
{
	static const char *const names[] = {
#define ISA_NAME(n, name) [n] = name,
		BOOTCASE_KVM_ISA_EXTS(ISA_NAME)
#undef ISA_NAME
	};
	const char *p = list, *end;
	unsigned n;

	for (;; p = end + 1) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (n = 0; n < BOOTCASE_KVM_ISA_EXT__COUNT; n++)
			if (strlen(names[n]) == (size_t)(end - p) && !strncasecmp(p, names[n], (size_t)(end - p)))
				break;
		if (n == BOOTCASE_KVM_ISA_EXT__COUNT) {
			snprintf(err, errlen, "option --isa-disable: unknown ISA extension '%.*s' (KVM's "
				 "names: sstc, zicbom, svpbmt, zba, v, ...)", (int)(end - p), p);
			return -EINVAL;
		}
		cfg->isa_disable |= 1ULL << n;
		if (!*end)
			return 0;
	}
}

/* --disk PATH[,ro]: only the last ",ro" is an option, so a path may itself contain commas. */
static int set_disk(struct vm_config *cfg, const char *val, char *err, size_t errlen)
{
	struct disk_config *d = &cfg->disks[cfg->nr_disks];
	size_t n = strlen(val);

	if (cfg->nr_disks == CONFIG_MAX_DISKS) {
		snprintf(err, errlen, "option --disk: at most %d disks", CONFIG_MAX_DISKS);
		return -EINVAL;
	}
	d->path = val;
	d->read_only = 0;
	if (n >= 3 && !strcmp(val + n - 3, ",ro")) {
		if (n - 3 >= sizeof(d->buf)) {
			snprintf(err, errlen, "option --disk: path longer than %zu bytes",
				 sizeof(d->buf) - 1);
			return -EINVAL;
		}
		memcpy(d->buf, val, n - 3);
		d->buf[n - 3] = '\0';
		d->path = d->buf;
		d->read_only = 1;
	}
	if (!*d->path || !strcmp(d->path, "serial:")) {
		snprintf(err, errlen, "option --disk: empty %s in '%s'",
			 *d->path ? "serial name" : "file name", val);
		return -EINVAL;
	}
	cfg->nr_disks++;
	return 0;
}

static int set_opt(struct vm_config *cfg, const struct opt *o, const char *val, char *err,
		   size_t errlen)
{
	char *field = (char *)cfg + o->off;
	uint64_t v;

	switch (o->kind) {
	case OPT_FLAG:
		*(int *)field = 1;
		return 0;
	case OPT_DISK:
		return set_disk(cfg, val, err, errlen);
	case OPT_SBI_EXT: /* repeatable: the lists add up */
		return sbi__parse_ext_list("--sbi-disable", val, &cfg->sbi_disable, err, errlen);
	case OPT_SBI_SERVE:
		return sbi__parse_serve_list(val, &cfg->sbi_serve, err, errlen);
	case OPT_ISA_EXT:
		return set_isa_disable(cfg, val, err, errlen);
	case OPT_PROFILE:
		if (strcmp(val, "xv6")) {
			snprintf(err, errlen, "option --profile: unknown profile '%s' (known: xv6)", val);
			return -EINVAL;
		}
		cfg->profile = PROFILE_XV6;
		return 0;
	case OPT_TRANSPORT:
		if (!strcmp(val, "mmio"))
			cfg->virtio_transport = VIRTIO_TRANSPORT_MMIO;
		else if (!strcmp(val, "mmio-legacy"))
			cfg->virtio_transport = VIRTIO_TRANSPORT_MMIO_LEGACY;
		else {
			snprintf(err, errlen, "option --virtio-transport: unknown transport '%s' "
				 "(known: mmio = virtio-mmio version 2, mmio-legacy = version 1)", val);
			return -EINVAL;
		}
		return 0;
	case OPT_IRQCHIP:
		if (!strcmp(val, "plic"))
			cfg->irqchip = IRQCHIP_PLIC;
		else if (!strcmp(val, "aia"))
			cfg->irqchip = IRQCHIP_AIA;
		else {
			snprintf(err, errlen, "option --irqchip: unknown interrupt controller '%s' "
				 "(known: plic = the VMM's PLIC model, aia = KVM's in-kernel APLIC and "
				 "IMSICs)", val);
			return -EINVAL;
		}
		return 0;
	case OPT_PATH:
		if (!*val) {
			snprintf(err, errlen, "option %s: empty file name", o->name);
			return -EINVAL;
		}
		/* fall through */
	case OPT_STR:
		memcpy(field, &val, sizeof(val));
		return 0;
	case OPT_U64:
		if (parse__u64(val, o->max, &v)) {
			snprintf(err, errlen, "option %s: '%s' is not a number in 0..%llu", o->name,
				 val, (unsigned long long)o->max);
			return -EINVAL;
		}
		if (o->off == F(mem_mib) && v == 0) {
			snprintf(err, errlen, "option --mem: must be at least 1 MiB");
			return -EINVAL;
		}
		if (o->off == F(cpus) && v == 0) {
			snprintf(err, errlen, "option --cpus: must be at least 1");
			return -EINVAL;
		}
		memcpy(field, &v, sizeof(v));
		if (o->off == F(run_id))
			cfg->has_run_id = 1;
		return 0;
	case OPT_ADDR: /* a guest physical address, 0x-hex or decimal; 0 is never RAM */
		if (parse__addr(val, &v) || v == 0) {
			snprintf(err, errlen, "option %s: '%s' is not a guest address (0x80200000)",
				 o->name, val);
			return -EINVAL;
		}
		memcpy(field, &v, sizeof(v));
		cfg->flat = 1;
		return 0;
	case OPT_FD:
		if (parse__u64(val, 1 << 20, &v)) {
			snprintf(err, errlen, "option %s: '%s' is not a file descriptor number",
				 o->name, val);
			return -EINVAL;
		}
		if (fcntl((int)v, F_GETFD) < 0) {
			snprintf(err, errlen, "option %s: file descriptor %llu is not open", o->name,
				 (unsigned long long)v);
			return -EINVAL;
		}
		*(int *)field = (int)v;
		return 0;
	}
	return -EINVAL;
}

/*
 * --profile xv6: all harts start at the entry (xv6's entry.S expects every hart there), and the
 * options that contradict the xv6 machine are refused rather than half-honoured.
 */
static int check_xv6(struct vm_config *cfg, char *err, size_t errlen)
{
	const char *why = NULL;

	if (!cfg->firmware && !cfg->dump_dtb)
		why = "needs --firmware (the M-mode personality shim, guests/xv6-riscv/shim.S): "
		      "xv6's start() runs M-mode code";
	else if (cfg->mem_mib < CONFIG_XV6_MIN_MEM_MIB)
		why = "needs --mem 128 or more: xv6 uses RAM up to PHYSTOP = 0x88000000";
	else if (cfg->virtio_console)
		why = "does not take --virtio-console: xv6 reads its console from the UART only";
	else if (cfg->initrd)
		why = "does not take --initrd: xv6 has its file system on a --disk";
	if (why) {
		snprintf(err, errlen, "option --profile xv6 %s", why);
		return -EINVAL;
	}
	cfg->harts_running = 1;
	return 0;
}

int config__parse(struct vm_config *cfg, int argc, char *const argv[], char *err, size_t errlen)
{
	char scratch[256];
	int i, ret = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_mib = CONFIG_DEFAULT_MEM_MIB;
	cfg->cpus = 1;
	cfg->console_fd = -1;
	cfg->events_fd = -1;
	err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const struct opt *o = NULL;
		size_t k;

		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (!strcmp(argv[i], opts[k].name))
				o = &opts[k];
		if (!o) {
			/* keep scanning so --events-fd/--run-id still take effect for the report */
			if (!ret)
				snprintf(err, errlen, "%s '%s'",
					 argv[i][0] == '-' ? "unknown option" : "unexpected argument",
					 argv[i]);
			ret = -EINVAL;
			continue;
		}
		if (o->kind == OPT_FLAG) {
			set_opt(cfg, o, NULL, err, errlen);
			continue;
		}
		if (i + 1 >= argc) {
			if (!ret)
				snprintf(err, errlen, "option %s needs a value", o->name);
			return -EINVAL;
		}
		/* report the first problem only; later ones go to a scratch buffer */
		if (set_opt(cfg, o, argv[++i], ret ? scratch : err, ret ? sizeof(scratch) : errlen))
			ret = -EINVAL;
	}
	if (!ret && !cfg->kernel && !cfg->dump_dtb) {
		snprintf(err, errlen, "missing --kernel FILE");
		ret = -EINVAL;
	}
	/* the virtio slots are shared: disks first (slot 0 up), then the console */
	if (!ret && cfg->nr_disks + !!cfg->virtio_console > CONFIG_MAX_DISKS) {
		snprintf(err, errlen, "option --virtio-console: all %d virtio slots hold disks",
			 CONFIG_MAX_DISKS);
		ret = -EINVAL;
	}
	if (!ret && (cfg->sbi_serve & cfg->sbi_disable)) {
		snprintf(err, errlen, "options --sbi-serve and --sbi-disable name the same extension");
		ret = -EINVAL;
	}
	/*
	 * A hart suspended by a served HSM waits in the VMM for an interrupt, woken by what the
	 * VMM itself raises; an IPI that KVM answers in-kernel queues VSSIP without telling us, so
	 * the hart would sleep until its timer. Serving IPI too makes every IPI one of ours.
	 */
	if (!ret && (cfg->sbi_serve & (1u << BOOTCASE_KVM_SBI_EXT_HSM)) &&
	    !(cfg->sbi_serve & (1u << BOOTCASE_KVM_SBI_EXT_IPI))) {
		snprintf(err, errlen, "option --sbi-serve hsm needs ipi too (--sbi-serve hsm,ipi): a "
			 "hart suspended by the VMM's HSM would not wake on the IPIs KVM answers");
		ret = -EINVAL;
	}
	if (!ret && cfg->flat_entry && !cfg->flat_load) {
		snprintf(err, errlen, "option --flat-entry needs --flat-load ADDR (where the flat "
			 "binary goes)");
		ret = -EINVAL;
	}
	/* SUSP is allowed only when every other hart is STOPPED: the VMM knows only its own HSM's */
	if (!ret && (cfg->sbi_serve & (1u << BOOTCASE_KVM_SBI_EXT_SUSP)) &&
	    !(cfg->sbi_serve & (1u << BOOTCASE_KVM_SBI_EXT_HSM))) {
		snprintf(err, errlen, "option --sbi-serve susp needs hsm and ipi too (--sbi-serve "
			 "hsm,ipi,susp): system suspend needs every other hart stopped, and only the "
			 "VMM's own HSM tells it so");
		ret = -EINVAL;
	}
	/* KVM's APLIC and IMSICs take the external interrupts out of the VMM's sight: a hart
	 * suspended by the VMM's HSM could never see one, and xv6's drivers program a PLIC */
	if (!ret && cfg->irqchip == IRQCHIP_AIA && cfg->profile == PROFILE_XV6) {
		snprintf(err, errlen, "option --irqchip aia: not with --profile xv6 (xv6 drives a PLIC)");
		ret = -EINVAL;
	}
	if (!ret && cfg->irqchip == IRQCHIP_AIA && (cfg->sbi_serve & (1u << BOOTCASE_KVM_SBI_EXT_HSM))) {
		snprintf(err, errlen, "option --irqchip aia: not with --sbi-serve hsm (a hart the VMM "
			 "suspends would not see the in-kernel irqchip's interrupts)");
		ret = -EINVAL;
	}
	if (!ret && cfg->profile == PROFILE_XV6)
		ret = check_xv6(cfg, err, errlen);
	return ret;
}
