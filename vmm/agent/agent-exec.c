/*
 * agent-exec.c - the agent's exec command: run an L1 program (a peer VMM, a tool) as a run
 * instead of our VMM (docs/protocol.md, "exec: an L1 program as a run"). The child gets
 * stdin /dev/null, the console port as stdout and stderr, and a process group of its own, so
 * kill reaches everything it started; a close-on-exec pipe tells the agent whether execve
 * worked before it says "start".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "util.h"

/* The child of exec: stdin /dev/null, stdout and stderr the console port, its own group. */
static void __attribute__((noreturn))
agent_exec_child(struct agent *a, int err_fd, char **env, int nenv, char **argv)
{
	sigset_t none;
	int i, null, err;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC); /* dup2 leaves fd 0 without it */
	if (null >= 0 && dup2(null, 0) == 0 && dup2(a->con_fd, 1) == 1 && dup2(a->con_fd, 2) == 2) {
		for (i = 0; i < nenv; i++)
			putenv(env[i]);
		execv(argv[0], argv);
	}
	err = errno;
	if (write(err_fd, &err, sizeof(err)) < 0)
		_exit(126);
	_exit(127);
}

/* The agent's start (or, when execve failed, end) event for exec run `id`. */
static void agent_exec_started(struct agent *a, uint64_t id, pid_t pid, const char *path, int err)
{
	struct jline l;

	agent__begin(&l, err ? "end" : "start");
	jline__u64(&l, "run", id);
	jline__u64(&l, "t_us", agent__clock_us(CLOCK_MONOTONIC) - a->run_t0_us);
	if (err) {
		char msg[512];

		snprintf(msg, sizeof(msg), "exec %s: %s", path, strerror(err));
		jline__str(&l, "exit", "error");
		jline__str(&l, "msg", msg);
		agent__log("run %llu: %s", (unsigned long long)id, msg);
	} else {
		jline__str(&l, "path", path);
		jline__i64(&l, "pid", pid);
	}
	events__emit(&a->ev, &l);
}

/*
 * exec ID [NAME=VALUE]... PATH ARG...: run an L1 program as run ID (one run at a time, VMM or
 * program). The environment entries come before PATH, which must be absolute.
 */
void agent__cmd_exec(struct agent *a, char **f, int nf)
{
	char *argv[MAX_ARGS + 2];
	int errp[2], i = 2, nenv, argc = 0, err = 0;
	uint64_t id;
	ssize_t n;
	pid_t pid;

	if (nf < 2 || parse__u64(f[1], UINT64_MAX, &id)) {
		agent__error(a, 0, 0, "exec: bad run id '%s'", nf < 2 ? "" : f[1]);
		return;
	}
	while (i < nf && f[i][0] != '/' && strchr(f[i], '='))
		i++;
	nenv = i - 2;
	if (i == nf || f[i][0] != '/') {
		agent__error(a, 1, id, "exec %llu: want [NAME=VALUE]... /absolute/path [ARG]...",
			     (unsigned long long)id);
		return;
	}
	if (a->run_pid) {
		agent__error(a, 1, id, "exec %llu: run %llu is still live", (unsigned long long)id,
			     (unsigned long long)a->run_id);
		return;
	}
	for (; i < nf; i++)
		argv[argc++] = f[i];
	argv[argc] = NULL;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		agent__error(a, 1, id, "exec %llu: pipe: %s", (unsigned long long)id, strerror(errno));
		return;
	}
	a->run_t0_us = agent__clock_us(CLOCK_MONOTONIC);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(errp[0]);
		agent_exec_child(a, errp[1], f + 2, nenv, argv);
	}
	close(errp[1]);
	if (pid < 0) {
		close(errp[0]);
		agent__error(a, 1, id, "exec %llu: fork: %s", (unsigned long long)id, strerror(errno));
		return;
	}
	setpgid(pid, pid); /* as the child does: a kill must find the group even before execve */
	/* EOF when execve succeeded (the pipe is close-on-exec), else the child's errno */
	do
		n = read(errp[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	if (n != sizeof(err))
		err = 0;
	a->run_pid = pid;
	a->run_id = id;
	a->run_exec = 1;
	a->end_sent = err != 0;
	agent_exec_started(a, id, pid, argv[0], err);
}
