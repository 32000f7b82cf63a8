/*
 * vmm.h - the VMM personality of the one binary (docs/protocol.md): main.c runs it, or hands
 * vmm__main to the agent (agent.h), which calls it in each run's child.
 */
#ifndef BOOTCASE_VMM_H
#define BOOTCASE_VMM_H

/* VMM exit statuses */
#define VMM_EXIT_PASS 0    /* shutdown, reboot, report with code 0 */
#define VMM_EXIT_FAIL 1    /* report with a non-zero code */
#define VMM_EXIT_FAULT 2
#define VMM_EXIT_ERROR 3
#define VMM_EXIT_TIMEOUT 4

/* Run one VM as described by argv (argv[0] is ignored); returns the exit status. */
int vmm__main(int argc, char **argv);

#endif
