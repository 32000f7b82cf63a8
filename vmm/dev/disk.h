/*
 * disk.h - open the backing file of a --disk option.
 */
#ifndef BOOTCASE_DISK_H
#define BOOTCASE_DISK_H

#include <stddef.h>

#define DISK_SERIAL_PREFIX "serial:"

/*
 * path is a file or block device, or "serial:NAME": the L1 virtio disk whose
 * <root>/sys/block/vd*\/serial reads NAME, opened as <root>/dev/vd* (the harness hands host
 * files to L1 as QEMU virtio-blk drives with serial=NAME; L1 has no udev, so the name is found
 * by scanning sysfs). root is "" except in the host tests. Opens O_RDONLY or O_RDWR; returns
 * the fd or -errno with a message naming the disk in err. *serial_out (may be NULL) gets the
 * serial name or NULL.
 */
int disk__open(const char *path, int read_only, const char *root, const char **serial_out,
	       char *err, size_t errlen);

#endif
