/*
 * disk.c - find and open a --disk backing file.
 *
 * "serial:NAME" names a disk of L1 by the serial its virtio-blk device reports (virtio 1.x
 * 5.2.6, VIRTIO_BLK_T_GET_ID), which Linux shows as /sys/block/vdX/serial. The device node is
 * /dev/vdX (devtmpfs, mounted by the agent). Matching is on the whole name: "rw" must not
 * match a disk named "rw2". A name that matches two disks is refused rather than guessed.
 *
 * Linux lets a read-only block device (a QEMU drive with readonly=on) be opened O_RDWR and only
 * fails the writes (EPERM); a writable --disk on one would hand the guest I/O errors it did
 * not ask for, so it is refused here: the user meant ",ro" or the wrong disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fs.h>

#include "disk.h"

/* Read <root>/sys/block/<dev>/serial without its trailing newline; 0 or -errno. */
static int disk_read_serial(const char *root, const char *dev, char *buf, size_t cap)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/sys/block/%s/serial", root, dev);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

/* The vd* device whose serial is name, into dev; 0, -ENOENT or -EEXIST (ambiguous). */
static int disk_find_serial(const char *root, const char *name, char *dev, size_t cap)
{
	char path[512], serial[128];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/block", root);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vd", 2) ||
		    disk_read_serial(root, de->d_name, serial, sizeof(serial)) ||
		    strcmp(serial, name))
			continue;
		if (found++)
			break;
		snprintf(dev, cap, "%s/dev/%s", root, de->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

static int disk_is_read_only(int fd)
{
	struct stat st;
	int ro = 0;

	return fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && ioctl(fd, BLKROGET, &ro) == 0 && ro;
}

int disk__open(const char *path, int read_only, const char *root, const char **serial_out,
	       char *err, size_t errlen)
{
	size_t plen = strlen(DISK_SERIAL_PREFIX);
	const char *serial = NULL;
	char dev[600];
	int fd, ret;

	if (!strncmp(path, DISK_SERIAL_PREFIX, plen)) {
		serial = path + plen;
		ret = disk_find_serial(root, serial, dev, sizeof(dev));
		if (ret) {
			snprintf(err, errlen, "--disk %s: %s", path,
				 ret == -ENOENT	  ? "no L1 virtio disk has that serial"
				 : ret == -EEXIST ? "two L1 virtio disks have that serial"
						  : strerror(-ret));
			return ret;
		}
		path = dev;
	}
	fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		/* for a serial name, name the node too: the problem is there */
		if (serial)
			snprintf(err, errlen, "--disk %s%s (%s): %s", DISK_SERIAL_PREFIX, serial, path,
				 strerror(-ret));
		else
			snprintf(err, errlen, "--disk %s: %s", path, strerror(-ret));
		return ret;
	}
	if (!read_only && disk_is_read_only(fd)) {
		close(fd);
		snprintf(err, errlen, "--disk %s%s: %s is read-only; add \",ro\"",
			 serial ? DISK_SERIAL_PREFIX : "", serial ? serial : path, path);
		return -EROFS;
	}
	if (serial_out)
		*serial_out = serial;
	return fd;
}
