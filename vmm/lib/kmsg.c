/*
 * kmsg.c - the trap registers of a failed KVM_RUN, from KVM's lines in the kernel log
 * (kmsg.h). /dev/kmsg gives one record per read(): "<prio>,<seq>,<usec>,<flags>;<text>".
 * Opened fresh, it starts at the oldest record still buffered; the lines we want were
 * printed before KVM_RUN returned, so they are there, and the last match is the latest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

/* "NAME=0x<hex>" anywhere in s -> *v; 1 if found. */
static int field(const char *s, const char *name, uint64_t *v)
{
	const char *p = strstr(s, name);
	char *end;

	if (!p)
		return 0;
	p += strlen(name);
	*v = strtoull(p, &end, 16);
	return end != p;
}

int kmsg__parse_trap(const char *record, long tid, struct kvm_trap_regs *t)
{
	char prefix[32];
	const char *text = strchr(record, ';'), *p;

	text = text ? text + 1 : record; /* a dmesg line has no record header */
	snprintf(prefix, sizeof(prefix), "kvm [%ld]: ", tid);
	p = strstr(text, prefix);
	if (!p)
		return 0;
	p += strlen(prefix);
	if (!strncmp(p, "SEPC=", 5))
		return field(p, "SEPC=", &t->sepc);
	if (!strncmp(p, "SCAUSE=", 7)) {
		if (!field(p, "SCAUSE=", &t->scause))
			return 0;
		field(p, "STVAL=", &t->stval);
		field(p, "HTVAL=", &t->htval);
		field(p, "HTINST=", &t->htinst);
		t->have = 1;
		return 1;
	}
	return 0;
}

int kmsg__read_trap(long tid, struct kvm_trap_regs *t)
{
	char rec[1024];
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	memset(t, 0, sizeof(*t));
	if (fd < 0)
		return -errno;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) /* a record was overwritten while we read: go on */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		kmsg__parse_trap(rec, tid, t);
	}
	close(fd);
	return t->have ? 0 : -ENOENT;
}
