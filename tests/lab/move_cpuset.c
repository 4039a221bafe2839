// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_cpuset.c - targets and callers confined by cgroup v2 cpusets (cpuset.mems).
 *
 * The kernel's rules: move_pages(2) refuses a destination outside the target's cpuset.mems
 * (-EACCES for the whole call); the new pages are allocated by the caller, under the caller's
 * cpuset (__GFP_HARDWALL), so a confined caller may get -ENOMEM per page.  Each case asks the
 * kernel first with a raw move_pages(2) of one page (from the same cgroup as the move), then
 * pagemig must agree with what the kernel did:
 *  - a target in a cpuset with mems 0-1, moved 0 -> 1: exit 0, every page on node 1;
 *  - the same target moved 1 -> 2 (node 2 is outside its cpuset): nothing may move, pagemig must
 *    not exit 0 and must not count anything as moved: exit 2 (it refuses a destination outside
 *    the target's Mems_allowed up front), 4 or 5, with a message on stderr;
 *  - an unconfined target moved 0 -> 2 by a pagemig process in a cpuset with mems 0: whatever the
 *    kernel does, pagemig's exit (0 exactly when every page reached node 2, else 5) and its
 *    MOVED must match the pages the kernel shows on node 2.
 * Placement: move_pages(nodes = NULL) from outside the cgroups.
 */
#include "labtest.h"
#include <sys/stat.h>

#define MIB (1UL << 20)
#define SZ (4 * MIB)
#define CG "/sys/fs/cgroup/"
#define CG_T CG "pagemig-cpuset-target"
#define CG_C CG "pagemig-cpuset-caller"

struct layout {
	char *buf;
	char *probe;		/* one page for the kernel's own answer, a region of its own */
	uint64_t sum;
};

static struct layout *L;

static void setup(void *arg)
{
	const char *cg = arg;

	if (cg && lab_set_sysctl(cg, "0"))
		FAIL("join %s: %s", cg, strerror(errno));
	L->buf = lab_alloc_on_node(SZ, 0, 0);
	L->probe = lab_alloc_on_node(lab_page_size(), 0, MAP_SHARED);
	lab_fill(L->buf, SZ, 40);
	L->sum = lab_checksum(L->buf, SZ);
}

static void make_cg(const char *dir, const char *mems)
{
	char path[128];
	int err;

	if (mkdir(dir, 0755) && errno != EEXIST)
		FAIL("mkdir %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/cpuset.mems", dir);
	err = lab_set_sysctl(path, mems);
	if (err)
		FAIL("write %s to %s: %s", mems, path, strerror(-err));
}

/* The kernel's own answer: move_pages(2) of @pid's probe page to @node, run from @cg. */
static long kernel_moves(pid_t pid, int node, const char *cg)
{
	int fds[2], st = -1234;
	long r = -EIO;
	pid_t child;

	if (pipe(fds))
		FAIL("pipe: %s", strerror(errno));
	child = fork();
	if (child == 0) {
		long res[2];

		if (cg && lab_set_sysctl(cg, "0"))
			_exit(1);
		res[0] = lab_move_pages(pid, L->probe, 1, lab_page_size(), node, &st, MPOL_MF_MOVE);
		res[1] = st;
		_exit(write(fds[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	{
		long res[2];

		if (read(fds[0], res, sizeof(res)) != sizeof(res))
			FAIL("the probe child wrote nothing");
		r = res[0] < 0 ? res[0] : res[1];
	}
	close(fds[0]);
	waitpid(child, NULL, 0);
	return r;	/* -errno of the call, else the page's status: its node or -errno */
}

static int move(pid_t pid, int from, int to, const char *cg, char *out, size_t outsz, char *err, size_t errsz)
{
	char args[256], cmd[512];
	int rc;

	snprintf(args, sizeof(args), "move %d %d %d --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes", (int)pid,
		 from, to);
	if (!cg)
		return lab_pagemig(out, outsz, err, errsz, "%s", args);
	/* The shell joins the cgroup (echo is its builtin), then becomes pagemig. */
	snprintf(cmd, sizeof(cmd), "echo 0 > %s && exec pagemig %s", cg, args);
	rc = lab_run_cmd((uid_t)-1, cmd, out, outsz, err, errsz);
	lab_log("%sexit %d, stderr: %s", out, rc, err);
	return rc;
}

int main(void)
{
	static char out[65536], err[8192];
	size_t ps = lab_page_size(), n = SZ / ps, on;
	char ctl[256];
	uint64_t v[4];
	long k;
	pid_t pid;
	int rc;

	L = lab_require_cli(3, sizeof(*L));
	if (lab_read_file(CG "cgroup.controllers", ctl, sizeof(ctl)) < 0 || !strstr(ctl, "cpuset"))
		SKIP("no cpuset controller in cgroup v2 (" CG "cgroup.controllers: '%s')", ctl);
	if (lab_set_sysctl(CG "cgroup.subtree_control", "+cpuset"))
		FAIL("enable the cpuset controller: %s", strerror(errno));
	make_cg(CG_T, "0-1");
	make_cg(CG_C, "0");

	/* A confined target: within its cpuset, then outside it. */
	pid = lab_spawn(setup, CG_T "/cgroup.procs");
	lab_expect_on(pid, L->buf, SZ, ps, 0, "confined target before the moves");
	rc = move(pid, 0, 1, NULL, out, sizeof(out), NULL, 0);
	if (rc != 0)
		FAIL("confined target 0 -> 1 (inside its cpuset): exit %d, expected 0", rc);
	lab_expect_on(pid, L->buf, SZ, ps, 1, "confined target 0 -> 1");
	k = kernel_moves(pid, 2, NULL);
	lab_log("the kernel, asked to move a page of the confined target to node 2: %ld (%s)", k,
		k < 0 ? strerror((int)-k) : "its node");
	rc = move(pid, 1, 2, NULL, out, sizeof(out), err, sizeof(err));
	on = lab_count_on_node(pid, L->buf, n, ps, 2);
	if (k == 2)
		FAIL("the kernel moved a page outside the target's cpuset (the test's premise is wrong)");
	if (on)
		FAIL("confined target 1 -> 2: %zu pages on node 2, outside its cpuset", on);
	if (rc == 0)
		FAIL("confined target 1 -> 2 (outside its cpuset): exit 0, yet nothing could move");
	if (rc != 2 && rc != 4 && rc != 5)
		FAIL("confined target 1 -> 2: exit %d, expected 2, 4 or 5", rc);
	if (!err[0])
		FAIL("confined target 1 -> 2: exit %d without a word on stderr", rc);
	if (lab_move_row(out, L->buf, v) && v[1])
		FAIL("confined target 1 -> 2: the row says %lu bytes moved, none could", v[1]);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("confined target: contents changed");
	lab_kill(pid);

	/* A confined caller, mems 0, moving an unconfined target to node 2. */
	pid = lab_spawn(setup, NULL);
	k = kernel_moves(pid, 2, CG_C "/cgroup.procs");
	lab_log("the kernel, asked by a caller confined to node 0 to move a page to node 2: %ld (%s)", k,
		k < 0 ? strerror((int)-k) : "its node");
	rc = move(pid, 0, 2, CG_C "/cgroup.procs", out, sizeof(out), err, sizeof(err));
	on = lab_count_on_node(pid, L->buf, n, ps, 2);
	lab_log("confined caller: exit %d; the kernel shows %zu of %zu pages on node 2", rc, on, n);
	if (rc != 0 && rc != 5)
		FAIL("confined caller 0 -> 2: exit %d, expected 0 or 5", rc);
	if ((rc == 0) != (on == n))
		FAIL("confined caller 0 -> 2: exit %d with %zu of %zu pages on node 2", rc, on, n);
	if (!lab_move_row(out, L->buf, v))
		FAIL("confined caller 0 -> 2: no row for the buffer");
	if (v[1] != on * ps)
		FAIL("confined caller 0 -> 2: the row says %lu bytes moved, the kernel shows %zu on node 2", v[1], on * ps);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("confined caller: contents changed");
	lab_kill(pid);
	rmdir(CG_T);
	rmdir(CG_C);
	return 0;
}
