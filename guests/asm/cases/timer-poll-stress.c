/*
 * timer-poll-stress: timer-poll with 250 rounds per hart. Without any trace, on 2 harts that
 * share the stage's one L1 CPU, KVM's vCPU threads are switched at every tick; one switched
 * out right after KVM answered a set_timer lost it (issue 12: the vstimecmp KVM wrote was
 * replaced by its stale saved copy at vcpu_load), so this failed within a few hundred rounds.
 */
#define ROUNDS 250
#include "timer-poll.c"
