/*
 * init.c - PID 1 of the L2 Linux guest. It checks what the guest sees and reports each check
 * as a TAP line on the console, then powers off (the VMM sees an SRST shutdown).
 *
 * Expectations come from the kernel command line: the kernel hands unknown "key=value"
 * parameters to init as environment variables, so the harness passes bootcase_cpus=N,
 * bootcase_disk=<marker> (a file /marker on the ext2 disk must contain it), bootcase_input=1
 * (read one line from the console and echo it back), bootcase_irqchip=<name> (the virtio
 * interrupts in /proc/interrupts belong to a chip of that name) and bootcase_blkread=1 (time a
 * read of all of /dev/vda, for the bench).
 * Output: "BOOTCASE-READY" first (the readiness marker), then TAP version 14.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int tests;

static void tap(int ok, const char *what, const char *diag)
{
	tests++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", tests, what);
	if (diag && *diag)
		printf("  ---\n  message: \"%s\"\n  ...\n", diag);
	fflush(stdout);
}

static int count_cpus(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int n = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "processor", 9))
			n++;
	fclose(f);
	return n;
}

/* The ISA the kernel took from the device tree: /proc/cpuinfo's first "isa" line. */
static void print_isa(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "isa", 3) && strchr(line, ':')) {
			printf("isa: %s", strchr(line, ':') + 2);
			break;
		}
	fclose(f);
}

static void check_cpus(const char *want)
{
	char diag[128];
	int n = count_cpus();
	snprintf(diag, sizeof diag, "/proc/cpuinfo lists %d processors, want %s", n, want);
	tap(n == atoi(want), "CPU count matches --cpus", n == atoi(want) ? NULL : diag);
}

static void check_disk(const char *marker)
{
	char diag[160], buf[128] = { 0 };
	mkdir("/mnt", 0755);
	if (mount("/dev/vda", "/mnt", "ext2", MS_RDONLY, NULL) < 0) {
		snprintf(diag, sizeof diag, "mount /dev/vda: %s", strerror(errno));
		tap(0, "virtio-blk disk mounts and holds the marker", diag);
		return;
	}
	int fd = open("/mnt/marker", O_RDONLY);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	buf[r > 0 ? r : 0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	snprintf(diag, sizeof diag, "/mnt/marker holds '%s', want '%s'", buf, marker);
	tap(!strcmp(buf, marker), "virtio-blk disk mounts and holds the marker", strcmp(buf, marker) ? diag : NULL);
	umount("/mnt");
}

/* /proc/interrupts, echoed as "irq:" lines; some virtio line must name the chip `want`. */
static void check_irqchip(const char *want)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[256], diag[160];
	int found = 0;

	if (!f) {
		snprintf(diag, sizeof diag, "/proc/interrupts: %s", strerror(errno));
		tap(0, "virtio interrupts come through the named irqchip", diag);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		printf("irq: %s", line);
		if (strstr(line, "virtio") && strstr(line, want))
			found = 1;
	}
	fclose(f);
	snprintf(diag, sizeof diag, "no virtio line of /proc/interrupts names '%s'", want);
	tap(found, "virtio interrupts come through the named irqchip", found ? NULL : diag);
}

/* Read all of /dev/vda with O_DIRECT (no page cache, no readahead) in 128 KiB requests. */
static void blk_read(void)
{
	enum { CHUNK = 128 << 10 };
	struct timespec t0, t1;
	long long total = 0;
	void *buf = NULL;
	ssize_t r;
	int fd = open("/dev/vda", O_RDONLY | O_DIRECT);

	if (fd < 0 || posix_memalign(&buf, 4096, CHUNK)) {
		tap(0, "virtio-blk read of the whole disk", strerror(errno));
		return;
	}
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t0);
	while ((r = read(fd, buf, CHUNK)) > 0)
		total += r;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t1);
	close(fd);
	free(buf);
	printf("blk-read: bytes=%lld us=%lld\n", total,
	       (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
	tap(r == 0 && total > 0, "virtio-blk read of the whole disk", r < 0 ? strerror(errno) : NULL);
}

static void check_input(void)
{
	char line[128] = { 0 }, diag[200];
	printf("BOOTCASE-INPUT?\n");
	fflush(stdout);
	if (!fgets(line, sizeof line, stdin)) {
		tap(0, "console input round trip", "EOF on the console");
		return;
	}
	line[strcspn(line, "\r\n")] = 0;
	printf("echo: %s\n", line);
	snprintf(diag, sizeof diag, "read '%s'", line);
	tap(!strcmp(line, "ping"), "console input round trip", strcmp(line, "ping") ? diag : NULL);
}

int main(void)
{
	struct timespec ts;
	/* The raw syscall, not the vDSO: the vDSO reads the time CSR from user mode, which traps
	 * (SIGILL) under some VMMs (seen with QEMU 10 -accel kvm nested in QEMU 7.2 TCG). */
	syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &ts);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	printf("BOOTCASE-READY uptime_ms=%ld\n", (long)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
	char cmdline[512] = { 0 };
	int cfd = open("/proc/cmdline", O_RDONLY);
	if (cfd >= 0) {
		ssize_t n = read(cfd, cmdline, sizeof cmdline - 1);
		cmdline[n > 0 ? n : 0] = 0;
		close(cfd);
	}
	printf("cmdline: %s", cmdline);
	print_isa();
	printf("TAP version 14\n");
	fflush(stdout);
	const char *cpus = getenv("bootcase_cpus");
	const char *disk = getenv("bootcase_disk");
	const char *input = getenv("bootcase_input");
	const char *irqchip = getenv("bootcase_irqchip");
	if (cpus)
		check_cpus(cpus);
	if (disk)
		check_disk(disk);
	if (getenv("bootcase_blkread"))
		blk_read();
	if (input)
		check_input();
	if (irqchip) /* after the disk and the input: their interrupts have been counted */
		check_irqchip(irqchip);
	tap(1, "init reached userspace", NULL);
	printf("1..%d\n", tests);
	fflush(stdout);
	/* the power-off does not wait for the tty: let the UART send what the console holds, or
	 * the last lines are lost when its interrupt is on another, slower vCPU (seen with the
	 * APLIC, which spread ttyS0 onto CPU 1 of 2) */
	tcdrain(STDOUT_FILENO);
	sync();
	reboot(RB_POWER_OFF); /* pass or fail, TAP carries the verdict */
	return 0;
}
