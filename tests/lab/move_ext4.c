// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_ext4.c - `pagemig move` of the page cache of a block filesystem: ext4 on a loop device.
 *
 * tmpfs and ramfs (move_file) have no block device behind them.  ext4's page cache has buffer
 * heads, a journal and writeback, and the kernel migrates it with buffer_migrate_folio(), which
 * must move the buffers with the page.  Two files on an ext4 filesystem (with its journal: made by
 * mkfs.ext4 on the host, see lab.sh), their page cache allocated on node 0:
 *  - one written with write(2), fsync'ed, mapped shared, and then half of it written again
 *    through the mapping: clean and dirty page cache;
 *  - one mapped private and only read: clean page cache mapped once.
 * `pagemig move PID 0 2` (MOVE: both are mapped by the target only) must move every page to
 * node 2 and say so row by row, contents intact; then the dirty pages, written back only after
 * the move (the target exits, the filesystem is unmounted), must be what a cold mount reads back.
 *
 * Placement: move_pages(nodes = NULL) on the target, never pagemig's own report.
 */
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define FSZ (4 * MIB)
#define IMAGE "/tmp/ext4.img"
#define MNT "/mnt/ext4"

enum { F_SHARED, F_READ, F_MAX };
static const char *const fnames[F_MAX] = { "ext4 MAP_SHARED, half dirty", "ext4 MAP_PRIVATE read" };
static const char *const fpaths[F_MAX] = { MNT "/shared", MNT "/read" };

struct layout {
	char *f[F_MAX];
	uint64_t sum[F_MAX];
};

static struct layout *L;
static char loopdev[32];

/* A free loop device bound to @image: its path in loopdev. */
static void loop_attach(const char *image)
{
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), nr, fd, img;

	if (ctl < 0)
		SKIP("no /dev/loop-control: the loop module did not load (%s)", strerror(errno));
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (nr < 0)
		FAIL("LOOP_CTL_GET_FREE: %s", strerror(errno));
	snprintf(loopdev, sizeof(loopdev), "/dev/loop%d", nr);
	fd = open(loopdev, O_RDWR | O_CLOEXEC);
	img = open(image, O_RDWR | O_CLOEXEC);
	if (fd < 0 || img < 0)
		FAIL("open %s / %s: %s", loopdev, image, strerror(errno));
	if (ioctl(fd, LOOP_SET_FD, img))
		FAIL("LOOP_SET_FD %s: %s", loopdev, strerror(errno));
	close(img);
	close(fd);
}

static void loop_detach(void)
{
	int fd = open(loopdev, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		ioctl(fd, LOOP_CLR_FD);
		close(fd);
	}
}

static void mount_ext4(void)
{
	if (mount(loopdev, MNT, "ext4", 0, NULL))
		FAIL("mount -t ext4 %s %s: %s", loopdev, MNT, strerror(errno));
}

/* The filesystem, ready: skips with the reason when the guest lacks a piece of it. */
static void setup_fs(void)
{
	char fs[4096];
	int rc;

	if (access("/lab/ext4.img.xz", R_OK))
		SKIP("no ext4 image in the initramfs (the host lacked mkfs.ext4 or xz when lab.sh ran)");
	if (lab_read_file("/proc/filesystems", fs, sizeof(fs)) < 0 || !strstr(fs, "\text4\n"))
		SKIP("no ext4 in /proc/filesystems: the ext4 module did not load");
	rc = lab_run(NULL, 0, "xzcat /lab/ext4.img.xz > " IMAGE);
	if (rc)
		FAIL("unpacking the ext4 image exited %d", rc);
	loop_attach(IMAGE);
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	mount_ext4();
}

static void teardown_fs(void)
{
	umount(MNT);
	loop_detach();
	unlink(IMAGE);
}

/* @path: FSZ bytes written with write(2) and fsync'ed (clean page cache); returns it mapped. */
static char *make_file(const char *path, uint64_t seed, int flags)
{
	char *buf = malloc(FSZ), *p;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || !buf)
		FAIL("create %s: %s", path, strerror(errno));
	lab_fill(buf, FSZ, seed);
	if (write(fd, buf, FSZ) != (ssize_t)FSZ || fsync(fd))
		FAIL("write %s: %s", path, strerror(errno));
	free(buf);
	p = mmap(NULL, FSZ, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %s: %s", path, strerror(errno));
	close(fd);
	return p;
}

static void setup_target(void *arg)
{
	volatile char sink = 0;
	int err;

	/* Page-cache pages are allocated under the task's policy: node 0 while we create them. */
	err = lab_set_mempolicy(MPOL_BIND, 1ULL << 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	L->f[F_SHARED] = make_file(fpaths[F_SHARED], 51, MAP_SHARED);
	lab_fill(L->f[F_SHARED], FSZ / 2, 52);		/* the first half dirty again */
	L->f[F_READ] = make_file(fpaths[F_READ], 53, MAP_PRIVATE);
	for (size_t off = 0; off < FSZ; off += lab_page_size())
		sink += L->f[F_READ][off];
	(void)sink;
	for (int i = 0; i < F_MAX; i++)
		L->sum[i] = lab_checksum(L->f[i], FSZ);
}

/* The whole file read with read(2): its checksum. */
static uint64_t file_checksum(const char *path)
{
	char *buf = malloc(FSZ);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint64_t sum;

	if (fd < 0 || !buf || read(fd, buf, FSZ) != (ssize_t)FSZ)
		FAIL("read %s: %s", path, strerror(errno));
	close(fd);
	sum = lab_checksum(buf, FSZ);
	free(buf);
	return sum;
}

int main(void)
{
	static char out[65536];
	size_t ps = lab_page_size();
	uint64_t v[4];
	pid_t pid;
	int rc, i;

	L = lab_require_cli(4, sizeof(*L));
	setup_fs();
	pid = lab_spawn(setup_target, NULL);
	for (i = 0; i < F_MAX; i++)
		lab_expect_on(pid, L->f[i], FSZ, ps, 0, fnames[i]);

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT,RESULT --bytes",
		     pid);
	lab_log("%s", out);
	for (i = 0; i < F_MAX; i++) {
		lab_expect_on(pid, L->f[i], FSZ, ps, 2, fnames[i]);
		if (!lab_move_row(out, L->f[i], v))
			FAIL("%s: no row for the region at %p", fnames[i], (void *)L->f[i]);
		if (v[0] != FSZ || v[1] != FSZ || v[3] != 0)
			FAIL("%s: planned %" PRIu64 " moved %" PRIu64 " left %" PRIu64 ", expected %lu moved", fnames[i],
			     v[0], v[1], v[3], FSZ);
		if (lab_mem_checksum(pid, L->f[i], FSZ) != L->sum[i])
			FAIL("%s: contents changed by the move", fnames[i]);
	}
	if (rc != 0)
		FAIL("every page moved, yet pagemig exited %d", rc);

	/* The dirty half reaches the disk only now: from the pages on node 2. */
	lab_kill(pid);
	if (umount(MNT))
		FAIL("umount %s: %s", MNT, strerror(errno));
	mount_ext4();
	for (i = 0; i < F_MAX; i++)
		if (file_checksum(fpaths[i]) != L->sum[i])
			FAIL("%s: the file read back after umount and mount differs from what was written",
			     fnames[i]);
	lab_log("ext4: both files moved to node 2 and read back intact after writeback");
	teardown_fs();
	return LAB_EXIT_PASS;
}
