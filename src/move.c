// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move.c - moving a process: pagemig_move() and pagemig_move_region(), the move path's top.
 *
 * How a move flows, down this file and one step per file:
 *  1. records.c  reads the target's regions once and keeps those the filter selects as records
 *                (numa_maps and maps alone when the move will go by the whole process);
 *  2. plan.c     counts each record by the plan (the progress total; a dry run's counts), and
 *     hooks.c    runs the region handlers' migrate hooks (the owner's, in its agent, first) in
 *                address order: an error there stops the move before any page moves;
 *  3. whole.c    moves the whole process with migrate_pages(2) when nothing needs page-by-page
 *                moves (no filter, rate or region kept by a handler), each region counted from
 *                numa_maps before and after; the regions with pages left on a source node, or
 *                every region when it may not run, go on to
 *     batches.c  which moves the records' pages, one phase per plan step in the kernel's order
 *                (do_migrate_pages(): a node that is both a source and a destination is emptied
 *                before it is filled, and no page moves twice), cut into chunks that threads take
 *                in address order; engine.c moves a chunk in batches of move_pages(2), the
 *                status array and a placement query of the rest deciding what moved;
 *  4. verify.c   reads numa_maps again: resident pages move_pages(2) could not see are hidden
 *                (NUMA-hinting protection on 6.1), and migrate_pages(2) moves them when it may;
 *     object.c   with PAGEMIG_MOVE_OBJECTS, moves the pages of each shared object that are in
 *                memory but not mapped by the target, through a mapping of its own;
 *  5. hooks.c    gives every handler that ran its finish hook, with the move's outcome;
 *  6. move.c     reports: region_done for each record, then the totals.
 * pagemig_move_region() takes the same path with one record and no handler.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* One pagemig_move() call: its steps' state, each owned by its step's file. */
struct move {
	struct pagemig *pm;
	const struct pagemig_plan *plan;
	const struct pagemig_move_opts *opts;
	bool dry_run;
	bool whole_may;		/* whole.c's whole_may(), asked once before the regions are read */
	struct engine e;	/* batches.c's and engine.c's */
	struct recs rs;		/* records.c's */
	struct hooks h;		/* hooks.c's */
	uint64_t fallback_calls;	/* whole.c's and verify.c's migrate_pages(2) calls */
};

/*
 * The options first (libbpf's OPTS_VALID), then move_pages(2)'s access rule and MOVE_ALL's
 * privilege: without them, nothing may move, and a dry run fails the same way.
 */
static int move_start(struct move *mv, struct pagemig *pm, const struct pagemig_plan *plan,
		      const struct pagemig_move_opts *opts)
{
	unsigned int flags = OPTS_GET(opts, flags, 0);
	int err;

	memset(mv, 0, sizeof(*mv));
	if (!OPTS_VALID(opts, pagemig_move_opts) || (flags & ~PAGEMIG_MOVE_FLAGS) ||
	    OPTS_GET(opts, threads, 0) > PAGEMIG_MAX_THREADS ||
	    ((flags & PAGEMIG_MOVE_OBJECTS) && !(flags & PAGEMIG_MOVE_ALL)))
		return -EINVAL;
	err = space_check_move(pm, NULL, 0);	/* the kernel's rule, before anything, a dry run too */
	if (err)
		return err;
	if ((flags & PAGEMIG_MOVE_ALL) && !has_cap(CAP_SYS_NICE))
		return -EPERM;
	if (flags & PAGEMIG_MOVE_OBJECTS) {
		err = object_check_privilege();		/* /proc/PID/map_files */
		if (err)
			return err;
	}
	mv->pm = pm;
	mv->plan = plan;
	mv->opts = opts;
	mv->dry_run = flags & PAGEMIG_MOVE_DRY_RUN;
	mv->h = (struct hooks){ .pm = pm, .plan = plan, .flags = flags,
				.he = OPTS_GET(opts, handler_error, NULL) };
	return engine_init(&mv->e, pm, plan, opts);
}

/* A dry run's counts of @x: its numa_maps counts, by what the plan does with them. */
static int plan_count(const struct pagemig_plan *plan, struct rec *x)
{
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_region rb;

	plan_count_region(plan, rec_region(x, &rb), &st);
	return rec_stats_add(x, &st);
}

/* PAGEMIG_MOVE_OBJECTS: the pages of @x's object that the target does not map, in its counts. */
static int object_count(struct move *mv, struct rec *x)
{
	struct pagemig_stats st;
	struct pagemig_region rb;
	int err, err2;

	rec_stats(x, &st);
	err = object_move(mv->pm, &mv->e, rec_region(x, &rb), mv->dry_run, &st);
	err2 = rec_stats_set(x, &st);
	return err ? err : err2;
}

/* Step 2 for each record as it is read: the plan's counts, then its handler. */
static int prepare_record(struct rec *x, void *ctx)
{
	struct move *mv = ctx;
	struct pagemig_region rb;
	const struct pagemig_region *r = rec_region(x, &rb);

	if (pagemig_kind_is_movable(r->kind))
		engine_add_total(&mv->e, plan_source_bytes(mv->plan, r));
	if (mv->dry_run && plan_count(mv->plan, x))	/* numa_maps' counts, as read here */
		return -ENOMEM;
	return hooks_migrate(&mv->h, x);
}

/*
 * Whether step 1 may go without smaps (PAGEMIG_REGIONS_LIGHT: maps and numa_maps, one walk of the
 * target's page tables where smaps adds a second, and most of the text per region): when the move
 * will go by the whole process, which counts from numa_maps alone, and no handler but the
 * built-ins may look at a region.
 */
static bool light_first(const struct move *mv)
{
	if (!mv->whole_may || OPTS_GET(mv->opts, agent, NULL) ||
	    (OPTS_GET(mv->opts, flags, 0) & (PAGEMIG_MOVE_PER_PAGE | PAGEMIG_MOVE_OBJECTS)))
		return false;
	return builtins_only(mv->pm);
}

static bool any_needs_vmflags(const struct recs *rs)
{
	struct pagemig_region rb;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (kind_needs_vmflags(rec_region(&rs->v[i], &rb)->path))
			return true;
	return false;
}

/*
 * Step 1, without smaps when it may (light_first()) and no region's kind hangs on its VmFlags (a
 * device's, a driver's); then step 2 for each record.  Else step 1 with smaps, each record
 * prepared as it is read.
 */
static int read_records(struct move *mv, const struct pagemig_filter *filter)
{
	size_t i;
	int err;

	if (light_first(mv)) {
		err = records_read(mv->pm, NULL, PAGEMIG_REGIONS_LIGHT | REGIONS_NO_SPLIT, &mv->rs, NULL, NULL);
		if (err)
			return err;
		if (!any_needs_vmflags(&mv->rs)) {
			mv->e.thp_probe = true;	/* no AnonHugePages: the per-page engine looks for THPs */
			for (i = 0; i < mv->rs.n && !err; i++)
				err = prepare_record(&mv->rs.v[i], mv);
			return err;
		}
		records_free(&mv->rs);
	}
	return records_read(mv->pm, filter, 0, &mv->rs, prepare_record, mv);
}

/* Steps 1 and 2: the owner's handlers (in its agent), then the records, each counted and handled. */
static int select_and_prepare(struct move *mv)
{
	struct pagemig_agent_conn *agent = OPTS_GET(mv->opts, agent, NULL);
	const struct pagemig_filter *filter = OPTS_GET(mv->opts, filter, NULL);
	int err;

	if (agent && !mv->dry_run) {
		mv->h.user_progress = OPTS_GET(mv->opts, progress, NULL);
		mv->h.user_ctx = OPTS_GET(mv->opts, progress_ctx, NULL);
		engine_set_progress(&mv->e, hooks_progress, &mv->h);
		err = hooks_owner_migrate(&mv->h, agent, filter);
		if (err)
			return err;
	}
	mv->whole_may = !mv->dry_run && whole_may(mv->pm, mv->plan, mv->opts);
	return read_records(mv, filter);
}

static unsigned int move_threads(const struct pagemig_move_opts *opts)
{
	unsigned int n = MIN(OPTS_GET(opts, threads, 0), PAGEMIG_MAX_THREADS);

	return n ? n : sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

/* Step 3: one phase per plan step, the pages of that step's source node. */
static int move_phases(struct move *mv)
{
	const struct pagemig_plan *p = mv->plan;
	unsigned int threads = move_threads(mv->opts);
	int i, err = 0, nphases = MAX(1, p->nr_steps);

	for (i = 0; i < nphases && !err; i++) {
		struct pagemig_nodemask phase = { 0 };

		if (i < p->nr_steps)
			pagemig_nodemask_set(&phase, p->steps[i].from);
		err = batches_move(&mv->e, &mv->rs, threads, &phase, i == 0);
	}
	return err;
}

/*
 * Step 3, by the whole process when it may (whole.c): migrate_pages(2), then the per-page engine
 * for the regions that still have pages on a source node; else the per-page engine alone.
 */
static int move_pages_of(struct move *mv)
{
	unsigned int flags = OPTS_GET(mv->opts, flags, 0);
	size_t left = 0;
	int err, err2;

	if ((flags & PAGEMIG_MOVE_PER_PAGE) || !mv->whole_may || whole_kept(&mv->rs))
		return move_phases(mv);
	hooks_keep_lease(&mv->h, true);	/* numa_maps is read twice with no progress between */
	err = whole_move(&mv->e, &mv->rs, flags & PAGEMIG_MOVE_ALL, &left, &mv->fallback_calls);
	if (!err && left)
		err = move_phases(mv);
	err2 = whole_fixup(mv->plan, &mv->rs, !err || left == 0);
	return err ? err : err2;
}

/* Step 4b (PAGEMIG_MOVE_OBJECTS): the shared objects' pages that the target does not map. */
static int move_objects(struct move *mv)
{
	size_t i;
	int err = 0;

	if (!(mv->h.flags & PAGEMIG_MOVE_OBJECTS))
		return 0;
	hooks_keep_lease(&mv->h, true);		/* mapping and mincore(2) call nothing back */
	for (i = 0; i < mv->rs.n && !err; i++) {
		struct rec *x = &mv->rs.v[i];

		if (!x->done)	/* a region a handler moved itself is left to it */
			err = object_count(mv, x);
	}
	return err;
}

static bool numa_balancing_on(const struct pagemig *pm)
{
	char path[PATH_MAX];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/sys/kernel/numa_balancing", pm->proc.root);
	return !read_file_u64(path, &v) && v != 0;
}

/* Step 6: each record to the caller's region_done, in address order; the totals; whether complete. */
static bool report(struct move *mv, struct pagemig_stats *total)
{
	void (*done)(const struct pagemig_region *, const struct pagemig_stats *, void *) =
		OPTS_GET(mv->opts, region_done, NULL);
	struct pagemig_stats sum = { .sz = sizeof(sum) };	/* the caller's @total may be smaller */
	size_t i;

	for (i = 0; i < mv->rs.n; i++) {
		struct pagemig_stats st;
		struct pagemig_region rb;

		rec_stats(&mv->rs.v[i], &st);
		st.regions = 1;
		pagemig_stats_add(&sum, &st);
		if (done)
			done(rec_region(&mv->rs.v[i], &rb), &st, OPTS_GET(mv->opts, region_ctx, NULL));
	}
	sum.syscalls = engine_syscalls(&mv->e) + mv->fallback_calls;
	sum.elapsed_ns = engine_elapsed_ns(&mv->e);
	sum.numa_balancing = numa_balancing_on(mv->pm);
	stats_copy_out(total, &sum);
	return pagemig_stats_is_complete(&sum);
}

/* An error of a target that has exited is -ESRCH: its mm is gone, move_pages(2) says -EINVAL. */
static int exited_or(struct pagemig *pm, int err)
{
	return err && err != -ECANCELED && space_check_alive(pm) == -ESRCH ? -ESRCH : err;
}

static void move_release(struct move *mv)
{
	hooks_release(&mv->h);
	engine_release(&mv->e);
	records_free(&mv->rs);
}

PAGEMIG_API int pagemig_move(struct pagemig *pm, const struct pagemig_plan *plan,
			     const struct pagemig_move_opts *opts, struct pagemig_stats *total)
{
	struct pagemig_handler_error *he = OPTS_GET(opts, handler_error, NULL);
	struct move mv;
	bool complete;
	size_t sz;
	int err;

	if (!pm || !plan || !total || !total->sz)
		return -EINVAL;
	sz = MIN(total->sz, sizeof(*total));
	memset(total, 0, sz);
	total->sz = sz;
	if (he)
		memset(he, 0, sizeof(*he));
	err = move_start(&mv, pm, plan, opts);
	if (err)
		return err;
	ops_lock(pm);	/* our handlers stay registered until their finish hook */
	err = select_and_prepare(&mv);
	if (!err && !mv.dry_run)
		err = move_pages_of(&mv);
	if (!err && !mv.dry_run)
		err = verify_move(pm, plan, opts, &mv.rs, &mv.h, &mv.fallback_calls);
	if (!err)
		err = move_objects(&mv);
	if (!err && !mv.dry_run)
		engine_report(&mv.e);	/* the last word, also for a move that had no batch */
	err = exited_or(pm, err);
	hooks_finish(&mv.h, &mv.rs, err);
	ops_unlock(pm);
	complete = report(&mv, total);
	move_release(&mv);
	if (err)
		return err;
	return complete ? 0 : PAGEMIG_PARTIAL;
}

PAGEMIG_API int pagemig_move_region(struct pagemig *pm, const struct pagemig_region *r,
				    const struct pagemig_plan *plan, const struct pagemig_move_opts *opts,
				    struct pagemig_stats *st)
{
	struct move mv;
	struct rec *x;
	int err;

	if (!pm || !r || !plan || !st || !st->sz)
		return -EINVAL;
	err = move_start(&mv, pm, plan, opts);
	if (err)
		return err;
	x = records_add(&mv.rs, r);
	if (!x) {
		err = -ENOMEM;
		goto out;
	}
	x->empty = false;	/* the caller's copy says what to move, not whether it is resident */
	if (mv.dry_run) {
		err = plan_count(plan, x);	/* numa_maps' counts, as pagemig_move() */
	} else {
		/* the region's sources all at once: a handler moves one region, no page twice */
		err = batches_move(&mv.e, &mv.rs, 1, &plan->from, true);
		if (!err)
			err = verify_only(pm, plan, &mv.rs);
	}
	if (!err && (OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_OBJECTS))
		err = object_count(&mv, x);
	if (!mv.dry_run)
		err = exited_or(pm, err);
	mv.opts = NULL;		/* no region_done: the region's counts are @st */
	if (!report(&mv, st) && !err)
		err = PAGEMIG_PARTIAL;
out:
	move_release(&mv);
	return err;
}
