/*
 * util.h - small helpers shared by the agent and the VMM.
 */
#ifndef BOOTCASE_UTIL_H
#define BOOTCASE_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct file_map {
	const uint8_t *data;
	size_t len;
};

/* Map a whole file read-only. Returns 0 or -errno (-EINVAL for an empty file). */
int file__map(const char *path, struct file_map *fm);
void file__unmap(struct file_map *fm);
/* write() all of buf, retrying on EINTR and short writes; 0 or -errno. */
int fd__write_all(int fd, const void *buf, size_t len);
/* The same, but a write interrupted by a signal while *abort is set gives up with -EINTR;
 * *done (if not NULL) says how many bytes went out. */
int fd__write_all_abortable(int fd, const void *buf, size_t len,
			    const volatile sig_atomic_t *abort, size_t *done);
/* mkdir -p for the parent directories of path; 0 or -errno. */
int path__mkdir_parents(const char *path);
/* Strict decimal parse of a whole string into [0, max]; 0 or -EINVAL. */
int parse__u64(const char *s, uint64_t max, uint64_t *out);
/* A guest address: "0x..." hex or decimal. 0 or -EINVAL. */
int parse__addr(const char *s, uint64_t *out);

#endif
