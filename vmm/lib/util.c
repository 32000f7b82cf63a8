/*
 * util.c - file mapping, robust writes and strict number parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int file__map(const char *path, struct file_map *fm)
{
	struct stat st;
	void *p;
	int fd, err;

	fm->data = NULL;
	fm->len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return -EINVAL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	err = p == MAP_FAILED ? -errno : 0;
	close(fd);
	if (err)
		return err;
	fm->data = p;
	fm->len = (size_t)st.st_size;
	return 0;
}

void file__unmap(struct file_map *fm)
{
	if (fm->data)
		munmap((void *)fm->data, fm->len);
	fm->data = NULL;
	fm->len = 0;
}

int fd__write_all(int fd, const void *buf, size_t len)
{
	return fd__write_all_abortable(fd, buf, len, NULL, NULL);
}

int fd__write_all_abortable(int fd, const void *buf, size_t len,
			    const volatile sig_atomic_t *abort, size_t *done)
{
	const char *p = buf;
	size_t sent = 0;

	if (!done)
		done = &sent;
	*done = 0;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			/* a signal interrupted a blocked write: go on, unless it was sent to stop us */
			if (errno == EINTR && !(abort && *abort))
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		*done += (size_t)n;
	}
	return 0;
}

int path__mkdir_parents(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	char *p;

	if (n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

/* "0x..." hex or decimal, the whole string, no sign, no overflow. */
int parse__addr(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned d;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return parse__u64(s, UINT64_MAX, out);
	if (!s[2])
		return -EINVAL;
	for (s += 2; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			return -EINVAL;
		if (v >> 60)
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int parse__u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -EINVAL;
		d = (unsigned)(*s - '0');
		/* v * 10 + d <= max, without wrapping (d > max would wrap max - d) */
		if (d > max || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
