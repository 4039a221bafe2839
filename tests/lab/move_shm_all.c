// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_shm_all.c - MOVE vs MOVE_ALL on shared memory that is not anonymous: a tmpfs file mapped
 * MAP_SHARED, a POSIX shared memory object (shm_open(3), /dev/shm) and a System V segment
 * (shmget(2)), each 2 MiB, mapped and touched by the target and by another process.
 *
 * The pages are allocated on node 0 (the target's task policy while it creates them).  `pagemig
 * move PID 0 2` (MOVE) must leave every one of them on node 0 (each is mapped by two processes)
 * and report each region's bytes as shared, none as moved, exit 0; `--all` must put every page
 * on node 2 — as the target and the other process both see it — exit 0, contents intact.
 * Placement: move_pages(nodes = NULL) on both processes.
 */
#include "labtest.h"
#include <sys/ipc.h>
#include <sys/shm.h>

#define MIB (1UL << 20)
#define SZ (2 * MIB)
#define FILE_PATH "/tmp/move_shm_all.dat"
#define SHM_NAME "/move_shm_all"

enum { R_FILE, R_POSIX, R_SYSV, R_MAX };
static const char *const rnames[R_MAX] = { "tmpfs MAP_SHARED file", "shm_open object", "SysV segment" };

struct layout {
	char *r[R_MAX];		/* in the target */
	char *o[R_MAX];		/* in the other process */
	int shmid;
	uint64_t sum[R_MAX];
};

static struct layout *L;

static char *map_fd(int fd, bool create)
{
	char *p;

	if (fd < 0 || (create && ftruncate(fd, SZ)))
		FAIL("open/ftruncate: %s", strerror(errno));
	p = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	close(fd);
	return p;
}

static void setup_target(void *arg)
{
	int err = lab_set_mempolicy(MPOL_BIND, 1);

	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	L->r[R_FILE] = map_fd(open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600), true);
	L->r[R_POSIX] = map_fd(shm_open(SHM_NAME, O_RDWR | O_CREAT | O_TRUNC, 0600), true);
	L->shmid = shmget(IPC_PRIVATE, SZ, IPC_CREAT | 0600);
	if (L->shmid < 0 || (L->r[R_SYSV] = shmat(L->shmid, NULL, 0)) == (void *)-1)
		FAIL("shmget/shmat: %s", strerror(errno));
	for (int i = 0; i < R_MAX; i++) {
		lab_fill(L->r[i], SZ, 20 + (uint64_t)i);
		L->sum[i] = lab_checksum(L->r[i], SZ);
	}
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
}

static void setup_other(void *arg)
{
	volatile char sink = 0;

	L->o[R_FILE] = map_fd(open(FILE_PATH, O_RDWR), false);
	L->o[R_POSIX] = map_fd(shm_open(SHM_NAME, O_RDWR, 0), false);
	if ((L->o[R_SYSV] = shmat(L->shmid, NULL, 0)) == (void *)-1)
		FAIL("shmat: %s", strerror(errno));
	for (int i = 0; i < R_MAX; i++)
		for (size_t off = 0; off < SZ; off += 4096)
			sink += L->o[i][off];
	(void)sink;
}

static void expect_all_on(pid_t pid, pid_t other, int node, const char *what)
{
	char buf[128];

	for (int i = 0; i < R_MAX; i++) {
		snprintf(buf, sizeof(buf), "%s: %s in the target", what, rnames[i]);
		lab_expect_on(pid, L->r[i], SZ, lab_page_size(), node, buf);
		snprintf(buf, sizeof(buf), "%s: %s in the other process", what, rnames[i]);
		lab_expect_on(other, L->o[i], SZ, lab_page_size(), node, buf);
	}
}

static void expect_rows(const char *out, uint64_t moved, uint64_t shared, const char *what)
{
	uint64_t v[4];

	for (int i = 0; i < R_MAX; i++) {
		if (!lab_move_row(out, L->r[i], v))
			FAIL("%s: no row for the %s", what, rnames[i]);
		if (v[1] != moved || v[2] != shared || v[3] != 0)
			FAIL("%s: %s reported moved %lu, shared %lu, left %lu; expected %lu, %lu, 0", what, rnames[i], v[1],
			     v[2], v[3], moved, shared);
	}
}

int main(void)
{
	static char out[65536];
	pid_t pid, other;
	int rc;

	L = lab_require_cli(3, sizeof(*L));
	pid = lab_spawn(setup_target, NULL);
	other = lab_spawn(setup_other, NULL);
	expect_all_on(pid, other, 0, "before the moves");

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("MOVE: exit %d, expected 0", rc);
	expect_all_on(pid, other, 0, "MOVE (shared pages stay)");
	expect_rows(out, 0, SZ, "MOVE");

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --all --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("MOVE_ALL: exit %d, expected 0", rc);
	expect_all_on(pid, other, 2, "MOVE_ALL");
	expect_rows(out, SZ, 0, "MOVE_ALL");
	for (int i = 0; i < R_MAX; i++)
		if (lab_mem_checksum(other, L->o[i], SZ) != L->sum[i])
			FAIL("MOVE_ALL: %s: contents changed", rnames[i]);
	lab_kill(other);
	lab_kill(pid);
	shmctl(L->shmid, IPC_RMID, NULL);
	shm_unlink(SHM_NAME);
	return 0;
}
