/*
 * agent-sys.c - the PID 1 side of the agent: mount the pseudo file systems, find the
 * virtio-serial ports by name (there is no udev in L1), announce agent-ready, signal and reap
 * runs (every VMM or program exit, by status or by signal, becomes a run-exit; a program's also
 * an end event first) and power L1 off.
 * Diagnostics go to stdout (ttyS0, the stage log), prefixed "agent:".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "agent.h"

uint64_t agent__clock_us(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

void agent__log(const char *fmt, ...)
{
	va_list ap;

	printf("agent: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void agent__begin(struct jline *l, const char *name)
{
	jline__begin(l, name);
	jline__u64(l, "uptime_us", agent__clock_us(CLOCK_BOOTTIME));
}

void agent__error(struct agent *a, int has_run, uint64_t run, const char *fmt, ...)
{
	struct jline l;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	agent__log("error: %s", msg);
	agent__begin(&l, "error");
	if (has_run)
		jline__u64(&l, "run", run);
	jline__str(&l, "msg", msg);
	events__emit(&a->ev, &l);
}

void agent__mounts(void)
{
	static const struct { const char *src, *dir, *type; } m[] = {
		{ "devtmpfs", "/dev", "devtmpfs" },
		{ "proc", "/proc", "proc" },
		{ "sysfs", "/sys", "sysfs" },
		{ "tmpfs", "/tmp", "tmpfs" },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		mkdir(m[i].dir, 0755);
		if (mount(m[i].src, m[i].dir, m[i].type, 0, NULL) < 0 && errno != EBUSY)
			agent__log("mount %s on %s: %s", m[i].type, m[i].dir, strerror(errno));
	}
}

static int agent_is_ko(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 3 && !strcmp(d->d_name + n - 3, ".ko");
}

/*
 * Load each .ko in /modules in lexical order (the harness numbers them in dependency order),
 * for an L1 kernel with KVM or virtio built as modules; before the ports and /dev/kvm are
 * looked for. A failure is logged and left to show as missing ports or /dev/kvm.
 */
void agent__load_modules(void)
{
	struct dirent **names;
	int i, n = scandir("/modules", &names, agent_is_ko, alphasort);

	for (i = 0; i < n; i++) {
		char path[300];
		uint64_t t = agent__clock_us(CLOCK_MONOTONIC);
		int fd, err = 0;

		snprintf(path, sizeof(path), "/modules/%s", names[i]->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST))
			err = errno;
		if (fd >= 0)
			close(fd);
		if (err)
			agent__log("load module %s: %s", path, strerror(err));
		else
			agent__log("module %s loaded in %llu ms", path,
				   (unsigned long long)(agent__clock_us(CLOCK_MONOTONIC) - t) / 1000);
		free(names[i]);
	}
	if (n > 0)
		free(names);
}

/* Open the port named `name` (/sys/class/virtio-ports/vportNpM/name) or return -1. */
static int agent_open_port(const char *name)
{
	char path[300], got[64];
	struct dirent *d;
	DIR *dir = opendir("/sys/class/virtio-ports");
	int fd = -1;

	if (!dir)
		return -1;
	while (fd < 0 && (d = readdir(dir))) {
		FILE *f;

		if (strncmp(d->d_name, "vport", 5))
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(got, sizeof(got), f)) {
			got[strcspn(got, "\n")] = '\0';
			if (!strcmp(got, name)) {
				snprintf(path, sizeof(path), "/dev/%s", d->d_name);
				fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
				if (fd < 0)
					agent__log("open %s (%s): %s", path, name, strerror(errno));
			}
		}
		fclose(f);
	}
	closedir(dir);
	return fd;
}

/* The ports appear while virtio-console probes; usually all are there before /init runs. */
int agent__find_ports(struct agent *a, int *ev_fd)
{
	int waited;

	a->ctl_fd = a->con_fd = *ev_fd = -1;
	for (waited = 0; waited <= PORT_WAIT_MS; waited += 10) {
		if (a->ctl_fd < 0)
			a->ctl_fd = agent_open_port("bootcase.ctl");
		if (a->con_fd < 0)
			a->con_fd = agent_open_port("bootcase.console");
		if (*ev_fd < 0)
			*ev_fd = agent_open_port("bootcase.events");
		if (a->ctl_fd >= 0 && a->con_fd >= 0 && *ev_fd >= 0)
			return 0;
		usleep(10000);
	}
	agent__log("virtio-serial ports missing:%s%s%s", a->ctl_fd < 0 ? " bootcase.ctl" : "",
		   a->con_fd < 0 ? " bootcase.console" : "", *ev_fd < 0 ? " bootcase.events" : "");
	return -ENODEV;
}

void agent__ready(struct agent *a)
{
	struct utsname u;
	struct jline l;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), api = -1;

	if (kvm >= 0) {
		api = ioctl(kvm, KVM_GET_API_VERSION, 0);
		close(kvm);
	} else {
		agent__log("/dev/kvm: %s", strerror(errno));
	}
	if (uname(&u) < 0)
		strcpy(u.release, "?");
	agent__begin(&l, "agent-ready");
	jline__str(&l, "kernel", u.release);
	jline__i64(&l, "kvm_api", api);
	events__emit(&a->ev, &l);
	agent__log("ready: kernel %s, kvm api %d, uptime %llu us", u.release, api,
		   (unsigned long long)agent__clock_us(CLOCK_BOOTTIME));
}

void agent__signal_run(struct agent *a, int sig)
{
	if (a->run_pid)
		kill(a->run_exec ? -a->run_pid : a->run_pid, sig);
}

/* A program's end event (a VMM sends its own): exit report with its status, or error. */
static void agent_exec_end(struct agent *a, int status, int sig)
{
	struct jline l;
	char msg[64];

	agent__begin(&l, "end");
	jline__u64(&l, "run", a->run_id);
	jline__u64(&l, "t_us", agent__clock_us(CLOCK_MONOTONIC) - a->run_t0_us);
	if (sig) {
		snprintf(msg, sizeof(msg), "killed by signal %d (%s)", sig, strsignal(sig));
		jline__str(&l, "exit", "error");
		jline__str(&l, "msg", msg);
	} else {
		jline__str(&l, "exit", "report");
		jline__i64(&l, "code", status);
	}
	events__emit(&a->ev, &l);
}

void agent__reap(struct agent *a)
{
	struct signalfd_siginfo si;
	struct jline l;
	pid_t pid;
	int st;

	while (read(a->sig_fd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;

		if (pid != a->run_pid)
			continue; /* an orphan PID 1 inherited */
		agent__log("run %llu exited: status %d signal %d", (unsigned long long)a->run_id,
			   status, sig);
		if (a->run_exec && !a->end_sent)
			agent_exec_end(a, status, sig);
		agent__begin(&l, "run-exit");
		jline__u64(&l, "run", a->run_id);
		jline__i64(&l, "status", status);
		jline__i64(&l, "signal", sig);
		events__emit(&a->ev, &l);
		a->run_pid = 0;
		a->run_exec = 0;
		a->kill_at_ms = 0;
	}
}

void agent__poweroff(struct agent *a, const char *why)
{
	agent__log("power off (%s)", why);
	if (a->run_pid) {
		agent__signal_run(a, SIGKILL);
		while (a->run_pid) {
			struct pollfd p = { .fd = a->sig_fd, .events = POLLIN };

			poll(&p, 1, 1000);
			agent__reap(a);
		}
	}
	sync();
	reboot(RB_POWER_OFF);
	exit(0); /* not PID 1 (--agent): just leave */
}
