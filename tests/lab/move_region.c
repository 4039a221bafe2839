// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_region.c - pagemig_move_region(), the one-region call a handler uses, on a real target:
 *
 *  1. PAGEMIG_MOVE_DRY_RUN plans the region (PLANNED = its bytes on node 0) and moves nothing:
 *     every page is still on node 0 afterwards;
 *  2. the move itself puts every page of the region on node 2, contents intact, and fills the
 *     caller's stats: MOVED, regions 1, the syscalls it made, the time it took;
 *  3. a region of transparent huge pages (anon_huge read by the iterator) moves from node 1 to 3.
 *
 * Placement is the kernel's word: move_pages(nodes = NULL) on the target.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "labtest.h"
#include "pagemig.h"

#define MIB (1UL << 20)

struct layout {
	char *small;		/* 2 MiB of 4 KiB pages on node 0 */
	char *thp;		/* 4 MiB of THP on node 1 */
	uint64_t sum;
};

static struct layout *L;

static void setup(void *arg)
{
	L->small = lab_alloc_on_node(2 * MIB, 0, 0);
	madvise(L->small, 2 * MIB, MADV_NOHUGEPAGE);
	lab_fill(L->small, 2 * MIB, 5);
	L->sum = lab_checksum(L->small, 2 * MIB);
	L->thp = lab_map_aligned(4 * MIB, 2 * MIB);
	madvise(L->thp, 4 * MIB, MADV_HUGEPAGE);
	if (lab_mbind(L->thp, 4 * MIB, MPOL_BIND, 1ULL << 1, 0))
		FAIL("mbind thp");
	memset(L->thp, 7, 4 * MIB);
}

/* The target's region that holds @addr, its node counts copied into @nodes. */
static void find(struct pagemig *pm, const void *addr, struct pagemig_region *out, uint64_t nodes[8])
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret;

	ret = pagemig_regions_open(pm, 0, &it);
	if (ret)
		FAIL("pagemig_regions_open: %s", strerror(-ret));
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		if ((uintptr_t)addr < r.start || (uintptr_t)addr >= r.end)
			continue;
		*out = r;
		out->path = out->vmflags_str = out->policy = "";
		out->nr_nodes = r.nr_nodes < 8 ? r.nr_nodes : 8;
		memcpy(nodes, r.node_pages, (size_t)out->nr_nodes * sizeof(*nodes));
		out->node_pages = nodes;
		pagemig_regions_close(it);
		return;
	}
	FAIL("no region of the target holds %p (%d)", addr, ret);
}

static void plan(int from, int to, struct pagemig_plan *p)
{
	struct pagemig_nodemask f = { 0 }, t = { 0 };

	pagemig_nodemask_set(&f, from);
	pagemig_nodemask_set(&t, to);
	if (pagemig_plan(&f, &t, p))
		FAIL("pagemig_plan %d -> %d", from, to);
}

int main(void)
{
	PAGEMIG_OPTS(pagemig_move_opts, dry, .flags = PAGEMIG_MOVE_DRY_RUN);
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_region r;
	struct pagemig_plan p02, p13;
	uint64_t nodes[8];
	struct pagemig *pm;
	size_t ps = lab_page_size();
	char eb[256] = "";
	struct pagemig_open_opts oo = { .sz = sizeof(oo), .errbuf = eb, .errlen = sizeof(eb) };
	pid_t pid;
	int ret;

	lab_require_nodes(4);
	lab_require_root();
	lab_require_thp();
	L = lab_map_shared(sizeof(*L));
	pid = lab_spawn(setup, NULL);
	ret = pagemig_open(pid, &oo, &pm);
	if (ret)
		FAIL("pagemig_open(%d): %s (%s)", (int)pid, strerror(-ret), eb);
	plan(0, 2, &p02);
	plan(1, 3, &p13);

	/* 1. a dry run counts and moves nothing */
	find(pm, L->small, &r, nodes);
	ret = pagemig_move_region(pm, &r, &p02, &dry, &st);
	if (ret)
		FAIL("dry run: pagemig_move_region returned %d", ret);
	if (st.bytes[PAGEMIG_STAT_PLANNED] != 2 * MIB || st.bytes[PAGEMIG_STAT_MOVED] || st.regions != 1)
		FAIL("dry run: planned %" PRIu64 " (want %lu), moved %" PRIu64 ", regions %" PRIu64,
		     st.bytes[PAGEMIG_STAT_PLANNED], 2 * MIB, st.bytes[PAGEMIG_STAT_MOVED], st.regions);
	lab_expect_on(pid, L->small, 2 * MIB, ps, 0, "after a dry run of the region");

	/* 2. the move, and the stats of the one region */
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	ret = pagemig_move_region(pm, &r, &p02, NULL, &st);
	if (ret)
		FAIL("move 0 -> 2: pagemig_move_region returned %d", ret);
	lab_expect_on(pid, L->small, 2 * MIB, ps, 2, "4K pages moved 0 -> 2 by pagemig_move_region");
	if (lab_mem_checksum(pid, L->small, 2 * MIB) != L->sum)
		FAIL("contents changed by the move");
	if (st.bytes[PAGEMIG_STAT_MOVED] != 2 * MIB || st.regions != 1 || !st.syscalls || !st.elapsed_ns)
		FAIL("move 0 -> 2: moved %" PRIu64 " (want %lu), regions %" PRIu64 ", syscalls %" PRIu64
		     ", elapsed %" PRIu64 " ns", st.bytes[PAGEMIG_STAT_MOVED], 2 * MIB, st.regions, st.syscalls,
		     st.elapsed_ns);

	/* 3. transparent huge pages */
	find(pm, L->thp, &r, nodes);
	if (r.anon_huge < 2 * MIB)
		FAIL("the MADV_HUGEPAGE region has %" PRIu64 " bytes of THP: the case would test 4K pages", r.anon_huge);
	ret = pagemig_move_region(pm, &r, &p13, NULL, &st);
	if (ret)
		FAIL("move 1 -> 3 (THP): pagemig_move_region returned %d", ret);
	lab_expect_on(pid, L->thp, 4 * MIB, ps, 3, "THP moved 1 -> 3 by pagemig_move_region");
	if (st.bytes[PAGEMIG_STAT_MOVED] != 4 * MIB)
		FAIL("move 1 -> 3 (THP): moved %" PRIu64 ", want %lu", st.bytes[PAGEMIG_STAT_MOVED], 4 * MIB);
	pagemig_close(pm);
	lab_kill(pid);
	return 0;
}
