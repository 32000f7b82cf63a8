/*
 * agent.c - the control loop of the agent (docs/protocol.md, "Control port").
 *
 * Commands arrive one per line, TAB-separated: run (fork a VMM; the child calls the VMM entry
 * point that main.c handed to agent__main() directly, no exec), exec (fork and exec an L1
 * program instead, e.g. a peer VMM to compare with; agent-exec.c), kill (SIGTERM, then SIGKILL
 * after KILL_GRACE_MS), put (a file follows on the port), ping (is a restored L1 live;
 * agent-ping.c), poweroff. The loop polls the control port and a signalfd for SIGCHLD, so
 * run-exit is sent as soon as a run ends, however it ends; a pending SIGKILL is the poll
 * timeout. EOF on the control port (the harness died) powers L1 off.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

/* Fill the buffer from the control port; returns bytes read, 0 at EOF. */
static ssize_t agent_fill(struct agent *a)
{
	ssize_t n;

	if (a->off == a->len)
		a->off = a->len = 0;
	if (a->off && a->len == sizeof(a->buf)) {
		memmove(a->buf, a->buf + a->off, a->len - a->off);
		a->len -= a->off;
		a->off = 0;
	}
	do
		n = read(a->ctl_fd, a->buf + a->len, sizeof(a->buf) - a->len);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		a->len += (size_t)n;
		a->ctl_seen = 1;
	}
	return n < 0 ? 0 : n;
}

static void agent_cmd_run(struct agent *a, char **f, int nf)
{
	sigset_t term, old;
	char fds[3][24];
	char *argv[MAX_ARGS + 8];
	uint64_t id;
	int argc = 0, i;
	pid_t pid;

	if (nf < 2 || parse__u64(f[1], UINT64_MAX, &id)) {
		agent__error(a, 0, 0, "run: bad run id '%s'", nf < 2 ? "" : f[1]);
		return;
	}
	if (a->run_pid) {
		agent__error(a, 1, id, "run %llu: run %llu is still live", (unsigned long long)id,
			     (unsigned long long)a->run_id);
		return;
	}
	if (nf - 2 > MAX_ARGS) {
		agent__error(a, 1, id, "run %llu: more than %d arguments", (unsigned long long)id,
			     MAX_ARGS);
		return;
	}
	snprintf(fds[0], sizeof(fds[0]), "%d", a->con_fd);
	snprintf(fds[1], sizeof(fds[1]), "%d", a->ev.fd);
	snprintf(fds[2], sizeof(fds[2]), "%llu", (unsigned long long)id);
	argv[argc++] = "vmm";
	argv[argc++] = "--console-fd";
	argv[argc++] = fds[0];
	argv[argc++] = "--events-fd";
	argv[argc++] = fds[1];
	argv[argc++] = "--run-id";
	argv[argc++] = fds[2];
	for (i = 2; i < nf; i++)
		argv[argc++] = f[i];
	argv[argc] = NULL;

	fflush(NULL);
	/* SIGTERM blocked across the fork, so the child is born with it blocked: a kill that
	 * follows the run command at once (it may sit right behind it in our buffer) stays
	 * pending until the VMM has its handler, and still ends in an end event */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		agent__error(a, 1, id, "run %llu: fork: %s", (unsigned long long)id, strerror(errno));
		return;
	}
	if (pid == 0) {
		close(a->ctl_fd);
		close(a->sig_fd);
		/* everything unblocked but SIGTERM, which the VMM unblocks itself */
		sigprocmask(SIG_SETMASK, &term, NULL);
		i = a->run_vm(argc, argv);
		fflush(NULL);
		_exit(i);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	a->run_pid = pid;
	a->run_id = id;
	a->run_exec = 0;
	a->end_sent = 0;
	a->run_t0_us = agent__clock_us(CLOCK_MONOTONIC);
}

/* kill ID: SIGTERM, so the run can still report; SIGKILL after KILL_GRACE_MS or a second kill. */
static void agent_cmd_kill(struct agent *a, char **f, int nf)
{
	uint64_t id;

	if (nf != 2 || parse__u64(f[1], UINT64_MAX, &id)) {
		agent__error(a, 0, 0, "kill: bad run id '%s'", nf < 2 ? "" : f[1]);
		return;
	}
	if (!a->run_pid || id != a->run_id) {
		agent__error(a, 1, id, "kill %llu: no such live run", (unsigned long long)id);
		return;
	}
	if (a->kill_at_ms) {
		agent__signal_run(a, SIGKILL);
		a->kill_at_ms = 0;
		return;
	}
	agent__signal_run(a, SIGTERM);
	a->kill_at_ms = agent__clock_us(CLOCK_MONOTONIC) / 1000 + KILL_GRACE_MS;
}

/* The poll timeout: until the pending SIGKILL is due, or forever. */
static int agent_poll_ms(const struct agent *a)
{
	uint64_t now;

	if (!a->kill_at_ms)
		return -1;
	now = agent__clock_us(CLOCK_MONOTONIC) / 1000;
	return now >= a->kill_at_ms ? 0 : (int)(a->kill_at_ms - now);
}

static void agent_kill_due(struct agent *a)
{
	if (!a->kill_at_ms || agent__clock_us(CLOCK_MONOTONIC) / 1000 < a->kill_at_ms)
		return;
	agent__log("run %llu still there %d ms after SIGTERM: SIGKILL", (unsigned long long)a->run_id,
		   KILL_GRACE_MS);
	agent__signal_run(a, SIGKILL);
	a->kill_at_ms = 0;
}

/* put PATH BYTES: the next BYTES raw bytes on the port are the file. */
static void agent_cmd_put(struct agent *a, char **f, int nf)
{
	char path[4096];
	uint64_t size, done = 0;
	int fd = -1, err = 0;
	struct jline l;

	if (nf != 3 || parse__u64(f[2], UINT64_MAX, &size)) {
		/* without a valid size the stream cannot be resynchronised: power off */
		agent__error(a, 0, 0, "put: bad command (want put<TAB>path<TAB>bytes)");
		agent__poweroff(a, "control stream out of sync");
	}
	/* copy: the line lives in the buffer that the file data below refills */
	snprintf(path, sizeof(path), "%s", f[1]);
	if (path[0] != '/' || strlen(f[1]) >= sizeof(path))
		err = EINVAL;
	else if ((err = -path__mkdir_parents(path)) == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0)
			err = errno;
	}
	while (done < size) {
		size_t n = a->len - a->off;

		if (!n) {
			if (agent_fill(a) <= 0)
				agent__poweroff(a, "control port EOF during put");
			continue;
		}
		if (n > size - done)
			n = (size_t)(size - done);
		if (fd >= 0 && !err)
			err = -fd__write_all(fd, a->buf + a->off, n);
		a->off += n;
		done += n;
	}
	if (fd >= 0 && close(fd) < 0 && !err)
		err = errno;
	if (err) {
		agent__error(a, 0, 0, "put %s: %s", path,
			     err == EINVAL ? "path must be absolute" : strerror(err));
		return;
	}
	agent__begin(&l, "put-done");
	jline__str(&l, "path", path);
	jline__u64(&l, "bytes", size);
	events__emit(&a->ev, &l);
}

static void agent_command(struct agent *a, char *line)
{
	char *f[MAX_ARGS + 3];
	int nf = 0;
	char *p = line;

	while (nf < (int)(sizeof(f) / sizeof(f[0]))) {
		f[nf++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (p) {
		agent__error(a, 0, 0, "%s: too many fields", f[0]);
		return;
	}
	if (!strcmp(f[0], "run"))
		agent_cmd_run(a, f, nf);
	else if (!strcmp(f[0], "exec"))
		agent__cmd_exec(a, f, nf);
	else if (!strcmp(f[0], "kill"))
		agent_cmd_kill(a, f, nf);
	else if (!strcmp(f[0], "put"))
		agent_cmd_put(a, f, nf);
	else if (!strcmp(f[0], "ping"))
		agent__cmd_ping(a, f, nf);
	else if (!strcmp(f[0], "poweroff") && nf == 1)
		agent__poweroff(a, "poweroff command");
	else if (f[0][0])
		agent__error(a, 0, 0, "unknown command '%s'", f[0]);
}

/* Run every complete line in the buffer. */
static void agent_lines(struct agent *a)
{
	char *nl;

	while ((nl = memchr(a->buf + a->off, '\n', a->len - a->off))) {
		char *line = a->buf + a->off;

		*nl = '\0';
		a->off = (size_t)(nl - a->buf) + 1;
		agent_command(a, line);
	}
	if (a->off == 0 && a->len == sizeof(a->buf)) {
		agent__error(a, 0, 0, "control line longer than %d bytes, dropped", CTL_BUF);
		a->off = a->len = 0;
	}
}

static void agent_loop(struct agent *a)
{
	for (;;) {
		struct pollfd p[2] = { { a->ctl_fd, POLLIN, 0 }, { a->sig_fd, POLLIN, 0 } };
		/* while the host end of ctl has not connected yet, a hang-up is not an EOF */
		int grace = !a->ctl_seen &&
			    agent__clock_us(CLOCK_MONOTONIC) / 1000 - a->start_ms < PORT_WAIT_MS;

		if (poll(p, 2, agent_poll_ms(a)) < 0 && errno != EINTR)
			agent__poweroff(a, "poll failed");
		if (p[1].revents)
			agent__reap(a);
		agent_kill_due(a);
		if (p[0].revents & POLLIN) {
			if (agent_fill(a) > 0) {
				agent_lines(a);
				continue;
			}
		} else if (!(p[0].revents & (POLLHUP | POLLERR))) {
			continue;
		}
		if (!grace)
			agent__poweroff(a, "control port closed");
		usleep(10000);
	}
}

int agent__main(int (*run_vm)(int argc, char **argv))
{
	static struct agent a;
	sigset_t chld;
	int ev_fd;

	a.run_vm = run_vm;
	setvbuf(stdout, NULL, _IOLBF, 0);
	agent__mounts();
	agent__load_modules();
	a.start_ms = agent__clock_us(CLOCK_MONOTONIC) / 1000;
	if (agent__find_ports(&a, &ev_fd))
		agent__poweroff(&a, "no control ports");
	events__init(&a.ev, ev_fd);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	a.sig_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (a.sig_fd < 0)
		agent__poweroff(&a, "signalfd failed");
	agent__ready(&a);
	agent_loop(&a);
	return 0;
}
