// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * plan.c - the from -> to mapping of migrate_pages(2), node by node and in the kernel's order.
 *
 * Written from the description of do_migrate_pages() in the kernel's mm/mempolicy.c (unchanged in
 * substance from 2.6.x through 6.12):
 *  - the n-th node of `from` maps to the (n mod weight(to))-th node of `to` (node_remap());
 *  - when the masks differ in weight, a source that is also in `to` is left alone;
 *  - a source that maps to itself does not move;
 *  - the kernel then migrates one node at a time: it scans the sources still pending and takes the
 *    first one whose destination is not a pending source; when there is none it takes the last
 *    moving source of the scan.
 *
 * Nodes are sets, so "0,1 -> 1,0" is the identity, not a swap, and no mapping a pair of masks can
 * express has a cycle: with equal weights the mapping is an increasing bijection of `from` onto
 * `to`, and an increasing permutation of the pending movers can only be the identity; with unequal
 * weights no mover is a destination at all.  So the kernel's order always finds a destination that
 * is not pending, and each page moves once, to target[its original node] -- the same placement
 * pagemig reaches by giving every page the target of the node it was on when the move began.
 * tests/unit/plan.c checks this exhaustively for small masks; tests/lab/plan_vs_kernel.c against
 * the kernel.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* The kernel's choice of the next step among the pending sources @tmp; -1 when nothing moves. */
static int pick_source(const struct pagemig_plan *plan, const struct pagemig_nodemask *tmp)
{
	int s, source = -1;

	for (s = pagemig_nodemask_next(tmp, -1); s >= 0; s = pagemig_nodemask_next(tmp, s)) {
		if (plan->target[s] < 0)
			continue;
		source = s;
		if (!pagemig_nodemask_is_set(tmp, plan->target[s]))
			break;
	}
	return source;
}

PAGEMIG_API int pagemig_plan(const struct pagemig_nodemask *from, const struct pagemig_nodemask *to,
			     struct pagemig_plan *plan)
{
	bool same_weight = pagemig_nodemask_weight(from) == pagemig_nodemask_weight(to);
	struct pagemig_nodemask tmp = *from;
	int s, d;

	if (pagemig_nodemask_is_empty(from) || pagemig_nodemask_is_empty(to))
		return -EINVAL;
	memset(plan, 0, sizeof(*plan));
	plan->from = *from;
	plan->to = *to;
	for (s = 0; s < PAGEMIG_MAX_NODES; s++)
		plan->target[s] = -1;
	for (s = pagemig_nodemask_next(from, -1); s >= 0; s = pagemig_nodemask_next(from, s)) {
		if (!same_weight && pagemig_nodemask_is_set(to, s))
			continue;
		d = pagemig_nodemask_remap(from, to, s);
		if (d != s)
			plan->target[s] = (int16_t)d;
	}
	while ((s = pick_source(plan, &tmp)) >= 0) {
		pagemig_nodemask_clear(&tmp, s);
		plan->steps[plan->nr_steps].from = (int16_t)s;
		plan->steps[plan->nr_steps].to = plan->target[s];
		plan->nr_steps++;
	}
	return 0;
}

uint64_t plan_source_bytes(const struct pagemig_plan *p, const struct pagemig_region *r)
{
	uint64_t sum = 0;
	int n;

	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES && r->node_pages; n++)
		if (p->target[n] >= 0 && p->target[n] != n)
			sum += r->node_pages[n] * r->page_size;
	return sum;
}

uint64_t plan_dest_bytes(const struct pagemig_plan *p, const struct pagemig_region *r)
{
	uint64_t sum = 0;
	int n;

	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES && r->node_pages; n++)
		if (pagemig_nodemask_is_set(&p->to, n) && !(p->target[n] >= 0 && p->target[n] != n))
			sum += r->node_pages[n] * r->page_size;
	return sum;
}

void plan_count_region(const struct pagemig_plan *p, const struct pagemig_region *r, struct pagemig_stats *st)
{
	int n;

	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES && r->node_pages; n++) {
		uint64_t b = r->node_pages[n] * r->page_size;

		if (!pagemig_kind_is_movable(r->kind))
			st->bytes[PAGEMIG_STAT_UNMOVABLE] += b;
		else if (p->target[n] >= 0 && p->target[n] != n)
			st->bytes[PAGEMIG_STAT_PLANNED] += b;
		else if (pagemig_nodemask_is_set(&p->from, n))
			st->bytes[PAGEMIG_STAT_STAYED] += b;
		else
			st->bytes[PAGEMIG_STAT_ELSEWHERE] += b;
	}
}
