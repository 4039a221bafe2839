// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_anon.c - `pagemig move` of private anonymous memory: 4 KiB pages, THP, mlocked pages,
 * never-touched and zero pages, checked from inside the target with move_pages(nodes = NULL)
 * and get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR), never from pagemig's own report.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)

struct layout {
	char *small[2];		/* 2 MiB of 4 KiB pages on node 0 and node 1 */
	char *thp;		/* 4 MiB of THP on node 1 */
	char *locked;		/* 1 MiB mlocked on node 0 */
	char *untouched;	/* 1 MiB never touched */
	char *zero;		/* 1 MiB only read: the zero page */
	uint64_t sum[2];
	int thp_ok;
};

static struct layout *L;

static void setup(void *arg)
{
	size_t ps = lab_page_size();
	volatile char sink = 0;

	L->small[0] = lab_alloc_on_node(2 * MIB, 0, 0);
	L->small[1] = lab_alloc_on_node(2 * MIB, 1, 0);
	lab_fill(L->small[0], 2 * MIB, 1);
	lab_fill(L->small[1], 2 * MIB, 2);
	L->sum[0] = lab_checksum(L->small[0], 2 * MIB);
	L->sum[1] = lab_checksum(L->small[1], 2 * MIB);
	L->thp = lab_map_aligned(4 * MIB, 2 * MIB);
	madvise(L->thp, 4 * MIB, MADV_HUGEPAGE);
	if (lab_mbind(L->thp, 4 * MIB, MPOL_BIND, 1ULL << 1, 0))
		FAIL("mbind thp");
	memset(L->thp, 7, 4 * MIB);
	L->locked = lab_alloc_on_node(MIB, 0, 0);
	if (mlock(L->locked, MIB))
		FAIL("mlock: %s", strerror(errno));
	L->untouched = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	L->zero = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t off = 0; off < MIB; off += ps)
		sink += L->zero[off];
	(void)sink;
}

int main(void)
{
	char out[65536];
	size_t ps = lab_page_size();
	int st[256], rc;
	pid_t pid;

	lab_require_nodes(4);
	lab_require_cmd("pagemig");
	lab_require_thp();
	L = lab_map_shared(sizeof(*L));
	pid = lab_spawn(setup, NULL);

	/* THP formed? (AnonHugePages of the child's smaps is the kernel's word.) */
	rc = lab_run(out, sizeof(out), "grep AnonHugePages /proc/%d/smaps | awk '{s+=$2} END {print s}'", pid);
	L->thp_ok = rc == 0 && atoi(out) >= 4096;
	if (!L->thp_ok)
		FAIL("the 4 MiB MADV_HUGEPAGE region did not form two THPs (AnonHugePages %s kB): the THP "
		     "case would test 4K pages", out);

	rc = lab_run(out, sizeof(out), "pagemig move %d --from 0,1 --to 2,3 --no-progress", pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("pagemig move exited %d, expected 0", rc);
	lab_expect_on(pid, L->small[0], 2 * MIB, ps, 2, "4K pages from node 0");
	lab_expect_on(pid, L->small[1], 2 * MIB, ps, 3, "4K pages from node 1");
	lab_expect_on(pid, L->thp, 4 * MIB, ps, 3, "THP from node 1");
	lab_expect_on(pid, L->locked, MIB, ps, 2, "mlocked pages from node 0");
	if (lab_query_nodes_pid(pid, L->untouched, MIB / ps, ps, st))
		FAIL("query untouched");
	for (size_t i = 0; i < MIB / ps; i++)
		if (st[i] >= 0)
			FAIL("never-touched page %zu now resident on node %d", i, st[i]);
	/* Only-read pages map the shared zero page: nothing of the target's to move, none made. */
	if (lab_query_nodes_pid(pid, L->zero, MIB / ps, ps, st))
		FAIL("query zero pages");
	for (size_t i = 0; i < MIB / ps; i++)
		if (st[i] >= 0)
			FAIL("zero page %zu became a page of its own on node %d", i, st[i]);
	if (!strstr(out, "moved "))
		FAIL("no summary line in the output");
	if (!strstr(out, "not-present"))
		FAIL("the untouched and zero pages are not reported as not present");

	/* Contents, read through /proc/PID/mem. */
	for (int k = 0; k < 2; k++)
		if (lab_mem_checksum(pid, L->small[k], 2 * MIB) != L->sum[k])
			FAIL("contents of region %d changed by the move", k);

	/* A second move to where everything already is: nothing planned, exit 0. */
	rc = lab_run(out, sizeof(out), "pagemig move %d --from 0,1 --to 2,3 --json", pid);
	if (rc != 0)
		FAIL("second pagemig move exited %d", rc);
	/* And back to node 0 with a dry run first: the dry run must move nothing. */
	rc = lab_run(out, sizeof(out), "pagemig move %d --from 2,3 --to 0 --dry-run", pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("dry run exited %d", rc);
	lab_expect_on(pid, L->small[0], 2 * MIB, ps, 2, "after dry run");
	if (!strstr(out, "2->0") || !strstr(out, "3->0"))
		FAIL("dry run does not show the 2->0 and 3->0 pairs");
	lab_kill(pid);
	return 0;
}
