// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hugetlb.c - make room in the target nodes' huge page pools before hugetlb regions move.
 *
 * A hugetlb page migrates into a free huge page of the same size in the target node's pool;
 * failing that, the kernel tries a temporary surplus page from the buddy allocator (seen on 6.1
 * and 6.12 with overcommit 0), which leaves the target's pool larger than its administrator sized
 * it, and fails when the node is short of contiguous memory.  This handler keeps pools as sized:
 * before any page moves, it counts what each target node must take, checks its pool (per-node
 * free_hugepages in sysfs; pages another process has reserved count as free there, so the check
 * can pass and the move still end in no-memory) and, when the policy allows and we are root,
 * grows it (nr_hugepages); otherwise it fails the whole move up front with the numbers.  With
 * grow-shrink, finish() gives the pages that came free back on the sources.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "handlers.h"

static bool match(const struct pagemig_region *r, void *ctx)
{
	return r->kind == PAGEMIG_KIND_HUGETLB;
}

static int pool_path(const struct pagemig *pm, int node, uint64_t kb, const char *file, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/devices/system/node/node%d/hugepages/hugepages-%" PRIu64 "kB/%s",
			 pm->sys_root, node, kb, file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int pool_get(const struct pagemig *pm, int node, uint64_t kb, const char *file, uint64_t *val)
{
	char path[PATH_MAX];
	int err = pool_path(pm, node, kb, file, path, sizeof(path));

	return err ? err : read_file_u64(path, val);
}

static int pool_set(const struct pagemig *pm, int node, uint64_t kb, uint64_t nr)
{
	char path[PATH_MAX], val[32];
	int err = pool_path(pm, node, kb, "nr_hugepages", path, sizeof(path));

	if (err)
		return err;
	snprintf(val, sizeof(val), "%" PRIu64 "\n", nr);
	return write_file_str(path, val);
}

/* Grow @node's pool by @more pages; the kernel may give fewer (fragmentation): check. */
static int pool_grow(struct pagemig *pm, struct hugetlb_state *hs, int node, uint64_t more)
{
	uint64_t nr, after;
	int err = pool_get(pm, node, hs->page_kb, "nr_hugepages", &nr);

	if (!err)
		err = pool_set(pm, node, hs->page_kb, nr + more);
	if (!err)
		err = pool_get(pm, node, hs->page_kb, "nr_hugepages", &after);
	if (err)
		return err;
	hs->grown[node] += after > nr ? after - nr : 0;
	return after >= nr + more ? 0 : -ENOMEM;
}

/* Shrink @node's pool by up to @fewer pages, never below what is in use. */
static void pool_shrink(struct pagemig *pm, const struct hugetlb_state *hs, int node, uint64_t fewer)
{
	uint64_t nr, free_;

	if (pool_get(pm, node, hs->page_kb, "nr_hugepages", &nr) ||
	    pool_get(pm, node, hs->page_kb, "free_hugepages", &free_))
		return;
	pool_set(pm, node, hs->page_kb, nr - MIN(fewer, MIN(free_, nr)));
}

/*
 * Give back the pages the move freed on source node @n: only as many as really came free (pages
 * that did not move, busy or shared, keep theirs), never the pool's free pages from before.
 */
static void give_back(struct pagemig *pm, const struct hugetlb_state *hs, int n)
{
	uint64_t free_now;

	if (hs->free_before[n] == UINT64_MAX || pool_get(pm, n, hs->page_kb, "free_hugepages", &free_now) ||
	    free_now <= hs->free_before[n])
		return;
	pool_shrink(pm, hs, n, MIN(hs->freed[n], free_now - hs->free_before[n]));
}

static int reserve(struct pagemig *pm, struct builtins *b, int t, uint64_t need)
{
	struct hugetlb_state *hs = &b->huge;
	uint64_t free_ = 0;
	int err = pool_get(pm, t, hs->page_kb, "free_hugepages", &free_);

	if (err == -ENOENT)
		free_ = 0;
	else if (err)
		return err;
	if (free_ >= hs->reserved[t] + need)
		return 0;
	if (b->opts.hugetlb_pool != PAGEMIG_HUGETLB_POOL_NO) {
		err = pool_grow(pm, hs, t, hs->reserved[t] + need - free_);
		if (!err)
			return 0;
	}
	pagemig_handler_explain(pm, "node %d has %" PRIu64 " free %" PRIu64 " kB huge pages, %" PRIu64 " needed%s",
				t, free_, hs->page_kb, hs->reserved[t] + need,
				b->opts.hugetlb_pool == PAGEMIG_HUGETLB_POOL_NO ? " (--hugetlb-pool=grow grows the pool)"
										: " (growing the pool failed)");
	return -ENOMEM;
}

static int migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		   const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct builtins *b = ctx;
	struct hugetlb_state *hs = &b->huge;
	int n, err;

	if (!hs->outstanding) {
		memset(hs, 0, sizeof(*hs));
		hs->page_kb = r->page_size / 1024;
	}
	hs->outstanding++;
	if (r->page_size / 1024 != hs->page_kb) {
		pagemig_handler_explain(pm, "huge pages of two sizes in one move (%" PRIu64 " and %" PRIu64 " kB)",
					hs->page_kb, r->page_size / 1024);
		return -EOPNOTSUPP;
	}
	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES; n++) {
		int t = pagemig_nodemask_remap(from, to, n);

		if (!r->node_pages[n] || !pagemig_nodemask_is_set(from, n) || t == n ||
		    (pagemig_nodemask_weight(from) != pagemig_nodemask_weight(to) && pagemig_nodemask_is_set(to, n)))
			continue;
		err = reserve(pm, b, t, r->node_pages[n]);
		if (err)
			return err;
		if (!hs->freed[n] && pool_get(pm, n, hs->page_kb, "free_hugepages", &hs->free_before[n]))
			hs->free_before[n] = UINT64_MAX;	/* unknown: never shrink it */
		hs->reserved[t] += r->node_pages[n];
		hs->freed[n] += r->node_pages[n];
	}
	return 0;
}

static void finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct builtins *b = ctx;
	struct hugetlb_state *hs = &b->huge;
	int n;

	hs->failed |= err != 0;
	if (--hs->outstanding > 0)
		return;
	for (n = 0; n < PAGEMIG_MAX_NODES; n++) {
		if (hs->failed && hs->grown[n])
			pool_shrink(pm, hs, n, hs->grown[n]);	/* undo our growth */
		else if (!hs->failed && b->opts.hugetlb_pool == PAGEMIG_HUGETLB_POOL_GROW_SHRINK && hs->freed[n])
			give_back(pm, hs, n);
	}
	memset(hs, 0, sizeof(*hs));
}

const struct pagemig_region_ops handler_hugetlb_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "hugetlb",
	.match = match,
	.migrate = migrate,
	.finish = finish,
	.description = "hugetlb: room in the target nodes' huge page pools first (--hugetlb-pool)",
};
