// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_shared.c - MOVE vs MOVE_ALL: pages shared with another process stay under `pagemig move`
 * and are reported as shared; `--all` moves them; `--all` without CAP_SYS_NICE is refused (exit 4)
 * and moves nothing.
 *
 * Sharing is arranged on purpose (lab-notes): the target maps 4 MiB MAP_SHARED on node 0 and forks
 * a child that touches every page of it (fork does not copy the page tables of shared mappings, so
 * without the touch the child would map nothing).  The target's private 2 MiB on node 0 is
 * MADV_DONTFORK, so it is not copy-on-write shared with the child and must move under MOVE.
 * Placement is checked with move_pages(nodes = NULL) on the target and on its child.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SHARED_SZ (4 * MIB)
#define PRIV_SZ (2 * MIB)
#define NOBODY 65534

struct layout {
	char *shared;		/* MAP_SHARED, node 0, mapped by the target and its child */
	char *priv;		/* private, node 0, MADV_DONTFORK: the target's alone */
	pid_t child;		/* the target's child that maps @shared too */
	uint64_t sum;		/* checksum of @shared */
};

static struct layout *L;

/* The target's child: read faults map the shmem pages that are already there, contents as they are. */
static void map_shared(void *arg)
{
	volatile char sink = 0;

	for (size_t off = 0; off < SHARED_SZ; off += lab_page_size())
		sink += L->shared[off];
	(void)sink;
}

static void setup(void *arg)
{
	L->shared = lab_alloc_on_node(SHARED_SZ, 0, MAP_SHARED);
	lab_fill(L->shared, SHARED_SZ, 11);
	L->sum = lab_checksum(L->shared, SHARED_SZ);
	L->priv = lab_alloc_on_node(PRIV_SZ, 0, 0);
	lab_fill(L->priv, PRIV_SZ, 12);
	if (madvise(L->priv, PRIV_SZ, MADV_DONTFORK))
		FAIL("madvise(MADV_DONTFORK): %s", strerror(errno));
	L->child = lab_spawn(map_shared, NULL);	/* L is the child's too: only the parent writes L->child */
}

static void expect_on(pid_t pid, void *addr, size_t len, int node, const char *what)
{
	lab_expect_on(pid, addr, len, lab_page_size(), node, what);
}

/* MOVE leaves the shared pages and reports them; MOVE_ALL moves them. */
static void move_vs_move_all(void)
{
	static char out[65536];
	uint64_t v[4];
	pid_t pid;
	int rc, st[4];

	pid = lab_spawn(setup, NULL);
	/* Preconditions, from the kernel: the child maps the shared pages, not the private ones. */
	expect_on(pid, L->shared, SHARED_SZ, 0, "shared region in the target before the move");
	expect_on(L->child, L->shared, SHARED_SZ, 0, "shared region in the target's child before the move");
	expect_on(pid, L->priv, PRIV_SZ, 0, "private region before the move");
	if (lab_query_nodes_pid(L->child, L->priv, 4, lab_page_size(), st))
		FAIL("query the child's private range");
	for (int i = 0; i < 4; i++)
		if (st[i] >= 0)
			FAIL("MADV_DONTFORK region is mapped in the child (page %d on node %d)", i, st[i]);

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("pagemig move (MOVE) exited %d, expected 0: shared pages do not make a move partial", rc);
	expect_on(pid, L->shared, SHARED_SZ, 0, "MOVE: shared region (must stay)");
	expect_on(pid, L->priv, PRIV_SZ, 2, "MOVE: private region (must move)");
	if (!lab_move_row(out, L->shared, v))
		FAIL("MOVE: no row for the shared region at %p", (void *)L->shared);
	if (v[2] != SHARED_SZ || v[1] != 0)
		FAIL("MOVE: shared region reported moved %lu, shared %lu; expected 0 and %lu", v[1], v[2], SHARED_SZ);
	if (!lab_move_row(out, L->priv, v))
		FAIL("MOVE: no row for the private region at %p", (void *)L->priv);
	if (v[1] != PRIV_SZ || v[2] != 0 || v[3] != 0)
		FAIL("MOVE: private region reported moved %lu, shared %lu, left %lu; expected %lu, 0, 0", v[1], v[2],
		     v[3], PRIV_SZ);
	if (!strstr(out, "\n  shared "))
		FAIL("MOVE: no 'shared' line in the summary");

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --all --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("pagemig move --all exited %d, expected 0", rc);
	expect_on(pid, L->shared, SHARED_SZ, 2, "MOVE_ALL: shared region in the target");
	expect_on(L->child, L->shared, SHARED_SZ, 2, "MOVE_ALL: shared region in the target's child");
	expect_on(pid, L->priv, PRIV_SZ, 2, "MOVE_ALL: private region");
	if (!lab_move_row(out, L->shared, v))
		FAIL("MOVE_ALL: no row for the shared region");
	if (v[1] != SHARED_SZ || v[2] != 0 || v[3] != 0)
		FAIL("MOVE_ALL: shared region reported moved %lu, shared %lu, left %lu; expected %lu, 0, 0", v[1],
		     v[2], v[3], SHARED_SZ);
	if (lab_mem_checksum(pid, L->shared, SHARED_SZ) != L->sum)
		FAIL("contents of the shared region changed by the move");
	lab_kill(L->child);
	lab_kill(pid);
}

static void setup_nobody(void *arg)
{
	int err = lab_become(NOBODY);

	if (err)
		FAIL("become uid %d: %s", NOBODY, strerror(-err));
	L->priv = lab_alloc_on_node(PRIV_SZ, 0, 0);
}

/* --all as an unprivileged user, on a target of that user: exit 4, CAP_SYS_NICE named, nothing moved. */
static void unprivileged_all(void)
{
	char out[8192], err[8192];
	pid_t pid;
	int rc;

	pid = lab_spawn(setup_nobody, NULL);
	expect_on(pid, L->priv, PRIV_SZ, 0, "unprivileged target before the move");
	rc = lab_pagemig_as(NOBODY, out, sizeof(out), err, sizeof(err), "move %d 0 2 --all --no-progress", pid);
	if (rc != 4)
		FAIL("unprivileged pagemig move --all exited %d, expected 4", rc);
	if (!strstr(err, "CAP_SYS_NICE"))
		FAIL("the refusal does not mention CAP_SYS_NICE: '%s'", err);
	expect_on(pid, L->priv, PRIV_SZ, 0, "unprivileged --all (nothing may move)");

	/* The same user without --all may move its own process: the refusal was about --all alone. */
	rc = lab_pagemig_as(NOBODY, out, sizeof(out), err, sizeof(err), "move %d 0 2 --no-progress", pid);
	if (rc != 0)
		FAIL("unprivileged pagemig move (MOVE) of its own process exited %d, expected 0", rc);
	expect_on(pid, L->priv, PRIV_SZ, 2, "unprivileged MOVE");
	lab_kill(pid);
}

int main(void)
{
	L = lab_require_cli(4, sizeof(*L));
	move_vs_move_all();
	unprivileged_all();
	return 0;
}
