// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * verify.c - after the batches: numa_maps, read again, says what move_pages(2) could not see.
 * Resident bytes still on a source node that no counter explains were hidden from it (NUMA-hinting
 * protection on 6.1); the rest of what it could not see was not ours (the zero page) or is gone.
 * migrate_pages(2) walks page tables itself and so moves hidden pages: when the move allows it,
 * it runs once, and a last look credits what left the source nodes.
 */
#include <errno.h>
#include <linux/capability.h>

#include "internal.h"

struct verify {
	const struct pagemig_plan *plan;
	bool fallback_done;
};

bool has_cap(int cap)
{
	uint64_t caps;

	return !sys_capget_effective(&caps) && (caps >> cap) & 1;
}

/* Move bytes that left the source nodes since the last look out of the "left behind" counters. */
static void credit_fallback(struct pagemig_stats *st, uint64_t delta)
{
	static const enum pagemig_stat from[] = {
		PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_BUSY, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_NOMEM,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(from) && delta; i++) {
		uint64_t d = MIN(delta, st->bytes[from[i]]);

		st->bytes[from[i]] -= d;
		st->bytes[PAGEMIG_STAT_MOVED] += d;
		st->bytes[PAGEMIG_STAT_FALLBACK] += d;
		delta -= d;
	}
}

static void verify_counts(const struct pagemig_region *now, struct rec *x, struct verify *v, struct pagemig_stats *st)
{
	uint64_t left, known, extra, hidden;

	if (!now) {	/* unmapped during the move: what was not moved is gone */
		st->bytes[PAGEMIG_STAT_NOT_PRESENT] += x->unseen;
		x->unseen = 0;
		return;
	}
	left = plan_source_bytes(v->plan, now);
	if (v->fallback_done) {
		if (x->src_left > left)
			credit_fallback(st, x->src_left - left);
		x->src_left = left;
		return;
	}
	known = st->bytes[PAGEMIG_STAT_SHARED] + st->bytes[PAGEMIG_STAT_BUSY] + st->bytes[PAGEMIG_STAT_NOMEM] +
		st->bytes[PAGEMIG_STAT_REFUSED] + st->bytes[PAGEMIG_STAT_FAILED];
	extra = left > known ? left - known : 0;
	hidden = MIN(extra, x->unseen);
	st->bytes[PAGEMIG_STAT_HIDDEN] += hidden;
	st->bytes[PAGEMIG_STAT_PLANNED] += hidden;
	st->bytes[PAGEMIG_STAT_NOT_PRESENT] += x->unseen - hidden;
	x->unseen = 0;
	x->src_left = left;
}

/* The record's counters, checked against @now (NULL: its region is gone). */
static int verify_region(const struct pagemig_region *now, struct rec *x, void *ctx)
{
	struct pagemig_stats st;

	rec_stats(x, &st);
	verify_counts(now, x, ctx, &st);
	return rec_stats_set(x, &st);
}

/*
 * migrate_pages(2) moves the whole process, node by node, in the plan's order; it picks MOVE or
 * MOVE_ALL by CAP_SYS_NICE alone, so for MOVE a privileged caller drops that capability for the call.
 */
static int fallback(struct pagemig *pm, const struct pagemig_plan *p, bool move_all, uint64_t *syscalls)
{
	uint64_t saved = 0;
	bool dropped = false;
	int i, err = 0;

	if (!move_all && has_cap(CAP_SYS_NICE)) {
		err = sys_cap_drop_effective(CAP_SYS_NICE, &saved);
		if (err)
			return err;
		dropped = true;
	}
	for (i = 0; i < p->nr_steps && !err; i++) {
		struct pagemig_nodemask from = { 0 }, to = { 0 };
		long ret;

		pagemig_nodemask_set(&from, p->steps[i].from);
		pagemig_nodemask_set(&to, p->steps[i].to);
		ret = sys_migrate_pages(pagemig_pid(pm), PAGEMIG_MAX_NODES + 1, (const unsigned long *)from.bits,
					(const unsigned long *)to.bits);
		(*syscalls)++;
		if (ret < 0)
			err = (int)ret;
		else
			err = space_check_alive(pm);	/* the pid may name another process by now */
	}
	if (dropped)
		sys_cap_restore_effective(saved);
	return err;
}

static bool fallback_allowed(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts,
			     const struct recs *rs)
{
	struct pagemig_nodemask allowed;
	struct pagemig_region rb;
	size_t i;

	/* it cannot keep to a filter, nor move at a rate */
	if (OPTS_GET(opts, filter, NULL) || (OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_NO_FALLBACK) ||
	    OPTS_GET(opts, rate, 0))
		return false;
	/* migrate_pages(2) would move regions whose handler moved them itself, or kept them. */
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].done && pagemig_kind_is_movable(rec_region(&rs->v[i], &rb)->kind))
			return false;
	/* Without CAP_SYS_NICE, migrate_pages(2) only moves to nodes the target may use. */
	return !pagemig_mems_allowed(pm, &allowed) && pagemig_nodemask_is_subset(&p->to, &allowed);
}

static uint64_t sum_unseen(const struct recs *rs)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < rs->n; i++)
		sum += rs->v[i].unseen;
	return sum;
}

static uint64_t sum_hidden(const struct recs *rs)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < rs->n; i++)
		sum += rec_stat(&rs->v[i], PAGEMIG_STAT_HIDDEN);
	return sum;
}

int verify_only(struct pagemig *pm, const struct pagemig_plan *plan, struct recs *rs)
{
	struct verify v = { .plan = plan };

	/* Only pages move_pages(2) could not see can be hidden: without any, numa_maps has no news. */
	if (!sum_unseen(rs))
		return 0;
	return records_reread(pm, rs, verify_region, &v);
}

int verify_move(struct pagemig *pm, const struct pagemig_plan *plan, const struct pagemig_move_opts *opts,
		struct recs *rs, struct hooks *h, uint64_t *syscalls)
{
	struct verify v = { .plan = plan };
	int err;

	if (!sum_unseen(rs))
		return 0;
	hooks_keep_lease(h, true);	/* reading regions and migrate_pages(2) call no progress */
	err = records_reread(pm, rs, verify_region, &v);
	if (!err && sum_hidden(rs) && fallback_allowed(pm, plan, opts, rs)) {
		err = fallback(pm, plan, OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_ALL, syscalls);
		v.fallback_done = true;
		if (!err)
			err = records_reread(pm, rs, verify_region, &v);
	}
	return err;
}
