/*
 * agent.h - the door of agent/, the agent (PID 1 of L1): shared state of agent.c (control
 * loop), agent-exec.c (the exec command) and agent-sys.c (mounts, ports, logging, signalling
 * and reaping runs, power off). The agent knows nothing of the VM: main.c hands it the VMM's
 * entry point, which each run's child calls.
 */
#ifndef BOOTCASE_AGENT_H
#define BOOTCASE_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "events.h"

#define CTL_BUF 65536
#define MAX_ARGS 64
#define PORT_WAIT_MS 5000 /* how long the ports may take to show up / connect */
#define KILL_GRACE_MS 500 /* kill: SIGTERM, then SIGKILL if the run is still there after this */

struct agent {
	int ctl_fd, con_fd, sig_fd;
	struct events ev;
	char buf[CTL_BUF]; /* control port bytes not consumed yet: buf[off, len) */
	size_t off, len;
	int ctl_seen;      /* the host has been connected at least once */
	uint64_t start_ms;
	pid_t run_pid;     /* 0 = no live run */
	uint64_t run_id;
	int run_exec;      /* the live run is an L1 program (exec), in its own process group */
	int end_sent;      /* its end event is out already (its execve failed) */
	uint64_t run_t0_us; /* CLOCK_MONOTONIC at its fork: t_us of the agent's start/end events */
	uint64_t kill_at_ms; /* SIGKILL the live run at this CLOCK_MONOTONIC ms; 0 = none due */
	int (*run_vm)(int argc, char **argv); /* a run's child: the VMM, argv[0] ignored */
};

/* PID 1: mounts, ports, control loop; each run command forks a child that returns
 * run_vm(argc, argv) as its exit status. Does not return. */
int agent__main(int (*run_vm)(int argc, char **argv));
uint64_t agent__clock_us(clockid_t clk);
void agent__log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void agent__begin(struct jline *l, const char *name);
void agent__error(struct agent *a, int has_run, uint64_t run, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void agent__mounts(void);
void agent__load_modules(void);
int agent__find_ports(struct agent *a, int *ev_fd);
void agent__ready(struct agent *a);
/* Send sig to the live run (the whole process group of an exec run). */
void agent__signal_run(struct agent *a, int sig);
void agent__reap(struct agent *a);
void agent__poweroff(struct agent *a, const char *why) __attribute__((noreturn));
/* agent-exec.c: exec ID [NAME=VALUE]... PATH ARG... */
void agent__cmd_exec(struct agent *a, char **f, int nf);
/* agent-ping.c: ping TOKEN [SEED]: the liveness question of a restored stage */
void agent__cmd_ping(struct agent *a, char **f, int nf);

#endif
