/* tap.h - TAP version 14 output for C guests: one line per check, the plan at the end. */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H
#include "rt.h"

extern int tap_count;
extern int tap_failed;

/* ok N - <ext>: <what>   (or not ok, with a YAML diagnostic naming got/want) */
void tap_check(int ok, const char *ext, const char *what, long got, long want);
/* ok N - <ext>: <what> # SKIP <reason> */
void tap_skip(const char *ext, const char *what, const char *reason);
void tap_plan(void);
/* Bail out! naming a trap the guest did not expect, then end the run with exit code 0x7a. */
void tap_bail_trap(unsigned long scause, unsigned long sepc, unsigned long stval);

#endif
