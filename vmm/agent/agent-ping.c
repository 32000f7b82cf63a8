/*
 * agent-ping.c - ping TOKEN [SEED]: answer pong, after adding SEED to L1's entropy.
 *
 * A stage restored from a snapshot (harness/stage/snapshot.ts) cannot say agent-ready again: the
 * agent is already past that, in its control loop, so the harness asks instead and takes the
 * pong as "this L1 is live". Every L1 restored from one snapshot also wakes with the same CRNG
 * state, so the VMM's rng-seed and seed-CSR bytes for a guest (getrandom) would repeat from stage
 * to stage: the harness sends fresh host bytes with the ping, and the agent credits them to the
 * input pool and forces a reseed (reseed() below says why both).
 *
 * And a restored L1 has lost its timer interrupt. QEMU 10.0 does not save the QEMU timers behind
 * stimecmp (nor the ACLINT's): upstream added them to the migration stream in October 2025, for
 * 10.2, not backported. The kernel still believes its next event (the tick, at most 4 ms after
 * the snapshot) is programmed, so it never writes stimecmp again: no tick, no hrtimer, no
 * timerfd (the xv6 CLINT model, KVM's wait for a guest in WFI, the agent's own kill escalation).
 * It reprograms only for a timer that expires before that event, which by now is in the past:
 * so the agent sleeps until an absolute time long gone (CLOCK_MONOTONIC 0) on each CPU. Such a
 * timer is the earliest, the kernel programs the timer for it at once (force, minimum delta), and
 * the interrupt that ends the sleep also runs the overdue tick and programs the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/random.h>

#include "agent.h"
#include "util.h"

#define PING_SEED_MAX 64

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex of at most PING_SEED_MAX bytes; returns the byte count, -1 if malformed. */
static int seed_bytes(const char *hex, unsigned char *out)
{
	size_t n = strlen(hex), i;

	if (!n || n % 2 || n / 2 > PING_SEED_MAX)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

/* Each CPU, in turn: an already expired sleep, which makes the kernel program its timer. */
static int rearm_timers(void)
{
	static const struct timespec past = { 0, 0 };
	long n = sysconf(_SC_NPROCESSORS_ONLN), cpu;
	cpu_set_t one, all;

	if (sched_getaffinity(0, sizeof(all), &all) < 0)
		return errno;
	for (cpu = 0; cpu < n && cpu < CPU_SETSIZE; cpu++) {
		CPU_ZERO(&one);
		CPU_SET((int)cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) < 0)
			continue; /* offline: it has no timer to lose */
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL) == EINTR)
			;
	}
	return sched_setaffinity(0, sizeof(all), &all) < 0 ? errno : 0;
}

/*
 * The seed goes in with RNDADDENTROPY, credited: the bytes are the host's CSPRNG output, as a
 * virtio-rng's would be. A plain write only mixes them into the input pool, and where the CRNG
 * was not initialized when the snapshot was taken (6.1 tinyconfig under TCG is still waiting
 * for entropy at agent-ready) RNDRESEEDCRNG then fails with ENODATA and every restored stage
 * would hand out the snapshot's pre-init bytes. 256 credited bits initialize it.
 */
static int reseed(const unsigned char *seed, int n)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[PING_SEED_MAX];
	} in;
	int fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	in.info.entropy_count = n * 8;
	in.info.buf_size = n;
	memcpy(in.buf, seed, (size_t)n);
	if (ioctl(fd, RNDADDENTROPY, &in) < 0 || ioctl(fd, RNDRESEEDCRNG) < 0)
		err = errno;
	close(fd);
	return err;
}

void agent__cmd_ping(struct agent *a, char **f, int nf)
{
	unsigned char seed[PING_SEED_MAX];
	struct utsname u;
	struct jline l;
	int n, err;

	if (nf < 2 || nf > 3 || !f[1][0]) {
		agent__error(a, 0, 0, "ping: bad command (want ping<TAB>token[<TAB>seed-hex])");
		return;
	}
	if (nf == 3) {
		n = seed_bytes(f[2], seed);
		if (n < 0) {
			agent__error(a, 0, 0, "ping: seed must be 2 to %d lower-case hex digits", 2 * PING_SEED_MAX);
			return;
		}
		err = reseed(seed, n);
		/* said, not hidden: a pong after a failed reseed would claim an L1 that is not fresh */
		if (err) {
			agent__error(a, 0, 0, "ping: reseeding /dev/urandom: %s", strerror(err));
			return;
		}
	}
	err = rearm_timers();
	if (err) {
		agent__error(a, 0, 0, "ping: pinning to each CPU to rearm its timer: %s", strerror(err));
		return;
	}
	if (uname(&u) < 0)
		strcpy(u.release, "?");
	agent__begin(&l, "pong");
	jline__str(&l, "token", f[1]);
	jline__str(&l, "kernel", u.release);
	events__emit(&a->ev, &l);
}
