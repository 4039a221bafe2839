// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * verify.c - after the batches: numa_maps, read again, says what move_pages(2) could not see.
 * Resident bytes still on a source node that no counter explains were hidden from it (NUMA-hinting
 * protection on 6.1); the rest of what it could not see was not ours (the zero page) or is gone.
 * migrate_pages(2) walks page tables itself and so moves hidden pages: when the move allows it,
 * it runs once, and a last look credits what left the source nodes.
 */
#include <errno.h>

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
	if (!err && sum_hidden(rs) && whole_allowed(pm, plan, opts, rs)) {
		err = whole_migrate(pm, plan, OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_ALL, NULL, syscalls);
		v.fallback_done = true;
		if (!err)
			err = records_reread(pm, rs, verify_region, &v);
	}
	return err;
}
