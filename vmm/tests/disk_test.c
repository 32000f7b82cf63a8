/*
 * disk_test.c - "serial:NAME" lookup over a fake /sys and /dev tree, and the error messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"
#include "test.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static void dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

/* vda "rw", vdb "rw2", vdc "dup", vdd "dup", sda "rw" (not a virtio disk: ignored) */
static void make_tree(void)
{
	snprintf(root, sizeof(root), "/tmp/bootcase-disk-XXXXXX");
	if (!mkdtemp(root))
		return;
	dir("sys");
	dir("sys/block");
	dir("dev");
	for (const char *const *d = (const char *const[]){ "vda", "vdb", "vdc", "vdd", "sda", NULL };
	     *d; d++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "sys/block/%s", *d);
		dir(rel);
	}
	put("sys/block/vda/serial", "rw\n");
	put("sys/block/vdb/serial", "rw2\n");
	put("sys/block/vdc/serial", "dup\n");
	put("sys/block/vdd/serial", "dup\n");
	put("sys/block/sda/serial", "rw\n");
	put("dev/vda", "disk a");
	put("dev/vdb", "disk b");
}

static void remove_tree(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
}

static void test_serial_lookup(void)
{
	const char *serial = NULL;
	char err[256], buf[16] = { 0 };
	int fd;

	make_tree();
	fd = disk__open("serial:rw", 1, root, &serial, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK_STR(serial, "rw");
	CHECK(read(fd, buf, sizeof(buf) - 1) == 6);
	CHECK_STR(buf, "disk a"); /* whole-name match: not vdb's "rw2" */
	CHECK(write(fd, "x", 1) < 0); /* read-only open */
	close(fd);
	fd = disk__open("serial:rw2", 0, root, &serial, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(write(fd, "x", 1) == 1);
	close(fd);

	CHECK_EQ(disk__open("serial:nope", 0, root, NULL, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "--disk serial:nope: no L1 virtio disk has that serial");
	CHECK_EQ(disk__open("serial:dup", 0, root, NULL, err, sizeof(err)), -EEXIST);
	CHECK_CONTAINS(err, "two L1 virtio disks have that serial");
	remove_tree();
}

static void test_plain_path(void)
{
	const char *serial = "x";
	char err[256];
	int fd;

	make_tree();
	CHECK_EQ(disk__open("/nonexistent/disk.img", 0, root, NULL, err, sizeof(err)), -ENOENT);
	CHECK_STR(err, "--disk /nonexistent/disk.img: No such file or directory");
	snprintf(err, sizeof(err), "%s/dev/vda", root);
	fd = disk__open(err, 0, "", &serial, err, sizeof(err));
	CHECK(fd >= 0);
	CHECK(serial == NULL);
	close(fd);
	remove_tree();
}

const struct test disk_tests[] = {
	{ "disk: serial:NAME finds /sys/block/vd*/serial, whole names only", test_serial_lookup },
	{ "disk: a plain path, and its error", test_plain_path },
	{ NULL, NULL },
};
