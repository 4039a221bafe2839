// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move.c - moving a whole process: passes over its regions, verification, and the
 * migrate_pages(2) fallback for pages that move_pages(2) cannot see.
 *
 * First every region's handler runs (the seed's migrate_vmas(): struct pagemig_region_ops): an
 * error there stops the move before any page moves.  Then the pass order follows the kernel's
 * do_migrate_pages(): one pass per plan step, so that a node that is both a source and a
 * destination is emptied before it is filled (the step order guarantees that no destination is a
 * later step's source, so no page moves twice).  A verify pass then rereads numa_maps: resident
 * pages still on a source node that move_pages(2) never showed us are "hidden" (NUMA-hinting
 * protection on 6.1).  Last, every handler that ran gets finish().
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

struct rec {
	uint64_t start;
	uint64_t end;
	uint64_t page_size;
	uint64_t anon_huge;
	uint64_t rss;
	uint64_t offset;
	bool shared;
	enum pagemig_kind kind;
	char *path;
	uint64_t unseen;
	uint64_t src_left;
	struct pagemig_stats st;
	const struct pagemig_region_ops *ops;	/* the claiming handler of ours, or NULL */
	const char *owner;	/* the owner's handler (in the target's agent) that claims it, or NULL */
	void *ctx;
	uint64_t *node_pages;	/* a claimed region's node counts, for finish() */
	int nr_nodes;
	bool ran;		/* ops->migrate was called */
	bool done;		/* it returned PAGEMIG_REGION_DONE */
	bool empty;		/* nothing resident when the regions were read (a reservation) */
};

struct recs {
	struct rec *v;
	size_t n;
	size_t cap;
};

static void recs_free(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		free(rs->v[i].path);
		free(rs->v[i].node_pages);
	}
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

static struct rec *recs_push(struct recs *rs, const struct pagemig_region *r)
{
	struct rec *x;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		void *v = realloc(rs->v, cap * sizeof(*rs->v));

		if (!v)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	x = &rs->v[rs->n];
	memset(x, 0, sizeof(*x));
	x->path = strdup(r->path ? r->path : "");
	if (!x->path)
		return NULL;
	x->start = r->start;
	x->end = r->end;
	x->page_size = r->page_size;
	x->anon_huge = r->anon_huge;
	x->rss = r->rss;
	x->offset = r->offset;
	x->shared = r->shared;
	x->kind = r->kind;
	x->empty = !r->rss && !r->hugetlb;
	for (int n = 0; n < r->nr_nodes && r->node_pages; n++)
		x->empty &= !r->node_pages[n];
	x->st.sz = sizeof(x->st);
	rs->n++;
	return x;
}

/* Bytes of @r resident on nodes whose pages should move (numa_maps' counts). */
static uint64_t source_bytes(const struct pagemig_plan *p, const struct pagemig_region *r)
{
	uint64_t sum = 0;
	int n;

	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES; n++)
		if (p->target[n] >= 0 && p->target[n] != n)
			sum += r->node_pages[n] * r->page_size;
	return sum;
}

/* A dry run's counts come from numa_maps alone. */
static void plan_region(const struct pagemig_plan *p, const struct pagemig_region *r, struct pagemig_stats *st)
{
	int n;

	for (n = 0; n < r->nr_nodes && n < PAGEMIG_MAX_NODES; n++) {
		uint64_t b = r->node_pages[n] * r->page_size;

		if (r->kind == PAGEMIG_KIND_SPECIAL || r->kind == PAGEMIG_KIND_NOPAGES)
			st->bytes[PAGEMIG_STAT_UNMOVABLE] += b;
		else if (p->target[n] >= 0 && p->target[n] != n)
			st->bytes[PAGEMIG_STAT_PLANNED] += b;
		else if (pagemig_nodemask_is_set(&p->from, n))
			st->bytes[PAGEMIG_STAT_STAYED] += b;
		else
			st->bytes[PAGEMIG_STAT_ELSEWHERE] += b;
	}
}

typedef int (*visit_fn)(struct pagemig_region *r, struct rec *x, void *ctx);

/*
 * Walk the target's regions that pass @filter.  With @rs empty, every region gets a new record;
 * otherwise regions are matched to their records by start address (regions mapped since the first
 * pass get none and are skipped; records whose region vanished get a NULL region).
 */
static int walk(struct pagemig *pm, const struct pagemig_filter *filter, struct recs *rs, bool create,
		unsigned int flags, visit_fn fn, void *ctx)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	size_t i = 0;
	int ret, err;

	err = pagemig_regions_open(pm, flags, &it);
	if (err)
		return err;
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		struct rec *x = NULL;

		if (!pagemig_filter_match(filter, &r))
			continue;
		if (create) {
			x = recs_push(rs, &r);
			if (!x) {
				err = -ENOMEM;
				goto out;
			}
		} else {
			for (; i < rs->n && rs->v[i].start < r.start; i++)
				fn(NULL, &rs->v[i], ctx);
			if (i == rs->n || rs->v[i].start != r.start)
				continue;
			x = &rs->v[i++];
		}
		err = fn(&r, x, ctx);
		if (err)
			goto out;
	}
	err = ret < 0 ? ret : 0;
	for (; !err && !create && i < rs->n; i++)
		fn(NULL, &rs->v[i], ctx);
out:
	pagemig_regions_close(it);
	return err;
}

struct pass {
	struct pagemig *pm;
	unsigned int flags;
	unsigned int threads;
	struct engine *e;
	const struct pagemig_plan *plan;
	struct pagemig_nodemask phase;
	bool first;
	bool dry_run;
	bool fallback_done;
	const struct pagemig_move_opts *opts;
	struct pagemig_agent_conn *agent;	/* the target's agent, when its handlers ran */
	int (*user_progress)(const struct pagemig_progress *p, void *ctx);	/* under agent_progress() */
	void *user_ctx;
	struct agent_result *owner;		/* what they did, per region they claimed */
	size_t nowner;
};

static bool unmovable(enum pagemig_kind kind)
{
	return kind == PAGEMIG_KIND_SPECIAL || kind == PAGEMIG_KIND_NOPAGES;
}

/*
 * The owner's handler that ran for @r in the target's agent, if any: a region it moved itself (or
 * kept) is done like one of ours, and no handler of ours runs for it.
 */
static bool owner_claims(struct pass *ps, const struct pagemig_region *r, struct rec *x)
{
	size_t i;

	for (i = 0; i < ps->nowner; i++) {
		const struct agent_result *o = &ps->owner[i];

		if (o->start >= r->end || r->start >= o->end)
			continue;
		x->owner = o->name;
		if (o->result == PAGEMIG_REGION_DONE && !x->done) {
			x->done = true;
			x->st.bytes[unmovable(r->kind) ? PAGEMIG_STAT_UNMOVABLE : PAGEMIG_STAT_HANDLED] += r->rss;
		}
	}
	return x->owner != NULL;
}

/* Run the migrate hook of the handler that claims @r, if any; remember it for finish(). */
static int run_handler(struct pass *ps, struct pagemig_region *r, struct rec *x)
{
	const struct handler_reg *h;
	struct pagemig_handler_error *he = OPTS_GET(ps->opts, handler_error, NULL);
	int ret;

	if (owner_claims(ps, r, x) || !(h = ops_claim(ps->pm, r)))
		return 0;
	x->ops = h->ops;
	x->ctx = h->ctx;
	if (ps->dry_run || !h->ops->migrate)
		return 0;
	x->node_pages = calloc((size_t)MAX(r->nr_nodes, 1), sizeof(*x->node_pages));
	if (!x->node_pages)
		return -ENOMEM;
	memcpy(x->node_pages, r->node_pages, (size_t)r->nr_nodes * sizeof(*x->node_pages));
	x->nr_nodes = r->nr_nodes;
	ps->pm->explain[0] = '\0';
	ret = h->ops->migrate(ps->pm, r, &ps->plan->from, &ps->plan->to, ps->flags & PAGEMIG_MOVE_ALL, h->ctx);
	x->ran = true;
	if (ret < 0) {
		if (he) {
			he->err = ret;
			snprintf(he->handler, sizeof(he->handler), "%s", h->ops->name ? h->ops->name : "?");
			he->start = r->start;
			he->end = r->end;
			snprintf(he->detail, sizeof(he->detail), "%s", ps->pm->explain);
		}
		return ret;
	}
	if (ret == PAGEMIG_REGION_DONE) {
		x->done = true;
		x->st.bytes[unmovable(r->kind) ? PAGEMIG_STAT_UNMOVABLE : PAGEMIG_STAT_HANDLED] += r->rss;
	}
	return 0;
}

/* The first walk: records, the progress total, and every handler's migrate hook. */
static int visit_prepare(struct pagemig_region *r, struct rec *x, void *ctx)
{
	struct pass *ps = ctx;

	if (ps->agent)
		agent_keep(ps->agent, false);

	if (!unmovable(r->kind))
		ps->e->prog.total += source_bytes(ps->plan, r);
	if (ps->dry_run)
		plan_region(ps->plan, r, &x->st);	/* numa_maps' counts, as read here */
	return run_handler(ps, r, x);
}

/* finish() for every handler that ran, in address order, with the move's outcome. */
static void finish_handlers(struct pass *ps, struct recs *rs, int err)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct rec *x = &rs->v[i];
		struct pagemig_region r = {
			.sz = sizeof(r), .start = x->start, .end = x->end, .kind = x->kind, .path = x->path,
			.page_size = x->page_size, .nr_nodes = x->nr_nodes, .node_pages = x->node_pages,
		};

		if (x->ran && x->ops->finish)
			x->ops->finish(ps->pm, &r, err, x->ctx);
	}
	if (ps->agent) {
		struct pagemig_handler_error *he = OPTS_GET(ps->opts, handler_error, NULL);
		int fin = agent_finish(ps->agent, err);

		if (he)
			he->finish_err = fin;
	}
}

/* The move's progress, with the agent's lease kept on the way (no thread for a short move). */
static int agent_progress(const struct pagemig_progress *p, void *ctx)
{
	struct pass *ps = ctx;

	if (ps->agent)
		agent_keep(ps->agent, false);
	return ps->user_progress ? ps->user_progress(p, ps->user_ctx) : 0;
}

/* The owner's migrate hooks first, in the target's agent, for the regions the filter selects. */
static int owner_prepare(struct pass *ps, struct pagemig_agent_conn *agent)
{
	int err = agent_prepare(agent, ps->plan, ps->flags, filter_source(OPTS_GET(ps->opts, filter, NULL)),
				&ps->owner, &ps->nowner, OPTS_GET(ps->opts, handler_error, NULL));

	if (!err)
		ps->agent = agent;
	return err;
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

/*
 * Verify against numa_maps.  Resident bytes still on a source node that no counter explains were
 * hidden from move_pages(2); the rest of what it could not see was not ours (zero page) or gone.
 */
static int visit_verify(struct pagemig_region *r, struct rec *x, void *ctx)
{
	struct pass *ps = ctx;
	struct pagemig_stats *st = &x->st;
	uint64_t left, known, extra, hidden;

	if (!r) {	/* unmapped during the move: what was not moved is gone */
		st->bytes[PAGEMIG_STAT_NOT_PRESENT] += x->unseen;
		x->unseen = 0;
		return 0;
	}
	left = source_bytes(ps->plan, r);
	if (ps->fallback_done) {
		if (x->src_left > left)
			credit_fallback(st, x->src_left - left);
		x->src_left = left;
		return 0;
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
	return 0;
}

static bool has_cap(int cap)
{
	uint64_t caps;

	return !sys_capget_effective(&caps) && (caps >> cap) & 1;
}

/*
 * migrate_pages(2) walks page tables itself and so moves pages that move_pages(2) cannot see.  It
 * moves the whole process, node by node, in the plan's order; it picks MOVE or MOVE_ALL by
 * CAP_SYS_NICE alone, so for MOVE a privileged caller drops that capability for the call.
 */
static int fallback(struct engine *e, const struct pagemig_plan *p, bool move_all)
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
		ret = sys_migrate_pages(e->pid, PAGEMIG_MAX_NODES + 1, (const unsigned long *)from.bits,
					(const unsigned long *)to.bits);
		e->syscalls++;
		if (ret < 0)
			err = (int)ret;
		else
			err = space_check_alive(e->pm);	/* the pid may name another process by now */
	}
	if (dropped)
		sys_cap_restore_effective(saved);
	return err;
}

static bool fallback_allowed(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts,
			     const struct recs *rs)
{
	struct pagemig_nodemask allowed;
	size_t i;

	/* nor does it move at a rate */
	if (OPTS_GET(opts, filter, NULL) || (OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_NO_FALLBACK) ||
	    OPTS_GET(opts, rate, 0))
		return false;
	/* migrate_pages(2) would move regions whose handler moved them itself, or kept them. */
	for (i = 0; i < rs->n; i++)
		if (rs->v[i].done && !unmovable(rs->v[i].kind))
			return false;
	/* Without CAP_SYS_NICE, migrate_pages(2) only moves to nodes the target may use. */
	return !pagemig_mems_allowed(pm, &allowed) && pagemig_nodemask_is_subset(&p->to, &allowed);
}

static bool numa_balancing_on(const struct pagemig *pm)
{
	char path[PATH_MAX];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/sys/kernel/numa_balancing", pm->proc.root);
	return !read_file_u64(path, &v) && v != 0;
}

static uint64_t hidden_bytes(const struct recs *rs)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < rs->n; i++)
		sum += rs->v[i].st.bytes[PAGEMIG_STAT_HIDDEN];
	return sum;
}

/*
 * One phase over the regions recorded by the first walk: their /proc rows are not read again
 * (pagemap and the placement queries say what is there now; an unmapped range reads as absent).
 * The work is cut into chunks (engine_chunk_end()) that @nworkers threads take in address order,
 * each with an engine of its own; the calling thread is one of them.
 */
struct work {
	struct pass *ps;
	struct recs *rs;
	pthread_mutex_t lock;
	size_t rec;		/* the next chunk: in rs->v[rec], from addr */
	uint64_t addr;
	int err;
};

static struct pagemig_region rec_region(const struct rec *x)
{
	struct pagemig_region r = {
		.sz = sizeof(r), .start = x->start, .end = x->end, .kind = x->kind, .path = x->path,
		.page_size = x->page_size, .anon_huge = x->anon_huge, .rss = x->rss,
		.offset = x->offset, .shared = x->shared,
	};

	return r;
}

/* Under w->lock: the next chunk, false when there is none (or the move stopped). */
static bool take(struct work *w, struct engine *e, size_t *ri, uint64_t *start, uint64_t *end)
{
	for (; !w->err && w->rec < w->rs->n; w->rec++, w->addr = 0) {
		struct rec *x = &w->rs->v[w->rec];
		struct pagemig_region r = rec_region(x);

		if (x->done)
			continue;
		if (x->empty && !unmovable(x->kind)) {
			/*
			 * Nothing was resident when the regions were read: its pages are not walked,
			 * a reservation of terabytes costs nothing (before 6.7 reading pagemap over it
			 * cost 8 bytes per 4 KiB page).  Pages faulted in since are not this move's.
			 */
			if (w->ps->first)
				x->st.bytes[PAGEMIG_STAT_NOT_PRESENT] += x->end - x->start;
			continue;
		}
		*ri = w->rec;
		/* a sparse region's holes are skipped here, in one walk, not chunk by chunk */
		*start = engine_skip_holes(e, &r, MAX(w->addr, x->start), x->end, w->ps->first, &x->st);
		if (*start >= x->end)
			continue;
		*end = engine_chunk_end(e, &r, *start);
		w->addr = *end;
		if (*end >= x->end) {
			w->rec++;
			w->addr = 0;
		}
		return true;
	}
	return false;
}

static int work_loop(struct work *w, struct engine *e)
{
	struct pagemig_stats st;
	uint64_t start, end;
	size_t ri;
	int err = 0;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if (!take(w, e, &ri, &start, &end)) {
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		pthread_mutex_unlock(&w->lock);
		struct pagemig_region r = rec_region(&w->rs->v[ri]);

		memset(&st, 0, sizeof(st));
		st.sz = sizeof(st);
		e->unseen = 0;
		err = engine_move_range(e, &r, start, end, &w->ps->phase, w->ps->first, &st);
		pthread_mutex_lock(&w->lock);
		pagemig_stats_add(&w->rs->v[ri].st, &st);
		w->rs->v[ri].unseen += e->unseen;
		if (err && !w->err)
			w->err = err;
		pthread_mutex_unlock(&w->lock);
		if (err)
			return err;
	}
}

struct worker {
	pthread_t thread;
	struct work *w;
	struct engine e;
	bool started;
};

static void *worker_main(void *arg)
{
	struct worker *k = arg;

	work_loop(k->w, &k->e);
	return NULL;
}

/* Start up to @n - 1 helper threads; fewer when the system says no. */
static int start_workers(struct work *w, struct worker *ks, unsigned int n, struct engine_shared *sh)
{
	unsigned int i, started = 0;

	for (i = 0; i + 1 < n; i++) {
		struct worker *k = &ks[i];

		k->w = w;
		if (engine_init(&k->e, w->ps->pm, w->ps->plan, w->ps->opts))
			break;
		k->e.sh = sh;
		k->e.rl = w->ps->e->rl;		/* one rate limit for the whole move */
		if (thread_start(&k->thread, worker_main, k)) {
			engine_release(&k->e);
			break;
		}
		k->started = true;
		started++;
	}
	return (int)started;
}

static int move_recs(struct pass *ps, struct recs *rs)
{
	struct engine_shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER, .prog = ps->e->prog };
	struct work w = { .ps = ps, .rs = rs, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct worker ks[PAGEMIG_MAX_THREADS] = { 0 };
	unsigned int i;
	int err;

	if (ps->threads <= 1)
		return work_loop(&w, ps->e), w.err;
	/* the helpers' pagemap reads share one descriptor: open it before they start */
	err = (int)pagemap_read(ps->pm, 0, 0, NULL);
	if (err < 0)
		return err;
	ps->e->sh = &sh;
	ps->e->main = true;
	ps->e->prog.done = ps->e->prog.moved = 0;
	start_workers(&w, ks, ps->threads, &sh);
	err = work_loop(&w, ps->e);
	if (err) {
		pthread_mutex_lock(&sh.lock);
		sh.stop = sh.stop ? sh.stop : err;
		pthread_mutex_unlock(&sh.lock);
	}
	for (i = 0; i + 1 < ps->threads; i++) {
		if (!ks[i].started)
			continue;
		pthread_join(ks[i].thread, NULL);
		ps->e->syscalls += ks[i].e.syscalls;
		engine_release(&ks[i].e);
	}
	ps->e->sh = NULL;
	ps->e->main = false;
	ps->e->prog = sh.prog;
	return w.err;
}

static uint64_t unseen_bytes(const struct recs *rs)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < rs->n; i++)
		sum += rs->v[i].unseen;
	return sum;
}

static int run_passes(struct pagemig *pm, struct pass *ps, struct recs *rs)
{
	const struct pagemig_plan *p = ps->plan;
	const struct pagemig_filter *f = OPTS_GET(ps->opts, filter, NULL);
	int i, err, nphases = MAX(1, p->nr_steps);

	err = walk(pm, f, rs, true, 0, visit_prepare, ps);
	for (i = 0; i < nphases && !err && !ps->dry_run; i++) {
		pagemig_nodemask_zero(&ps->phase);
		if (i < p->nr_steps)
			pagemig_nodemask_set(&ps->phase, p->steps[i].from);
		ps->first = i == 0;
		err = move_recs(ps, rs);
	}
	return err;
}

static int finish(struct pagemig *pm, struct pass *ps, struct recs *rs, struct pagemig_stats *total)
{
	const struct pagemig_move_opts *opts = ps->opts;
	const struct pagemig_filter *f = OPTS_GET(opts, filter, NULL);
	int err;

	/* Only pages move_pages(2) could not see can be hidden: without any, numa_maps has no news. */
	if (!unseen_bytes(rs))
		return 0;
	if (ps->agent)
		agent_keep(ps->agent, true);	/* walks and migrate_pages(2) call no progress */
	err = walk(pm, f, rs, false, 0, visit_verify, ps);
	if (!err && hidden_bytes(rs) && fallback_allowed(pm, ps->plan, opts, rs)) {
		err = fallback(ps->e, ps->plan, OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_ALL);
		ps->fallback_done = true;
		if (!err)
			err = walk(pm, f, rs, false, 0, visit_verify, ps);
	}
	return err;
}

/* PAGEMIG_MOVE_OBJECTS: the shared objects' pages that the target does not map (object.c). */
static int move_objects(struct pass *ps, struct recs *rs)
{
	size_t i;
	int err = 0;

	if (!(ps->flags & PAGEMIG_MOVE_OBJECTS))
		return 0;
	if (ps->agent)
		agent_keep(ps->agent, true);	/* mapping and mincore(2) call nothing back */
	for (i = 0; i < rs->n && !err; i++) {
		struct rec *x = &rs->v[i];
		struct pagemig_region r = rec_region(x);

		if (!x->done)	/* a region a handler moved itself is left to it */
			err = object_move(ps->e, &r, ps->dry_run, &x->st);
	}
	return err;
}

static void report(const struct pagemig_move_opts *opts, struct recs *rs, struct pagemig_stats *total)
{
	void (*done)(const struct pagemig_region *, const struct pagemig_stats *, void *) =
		OPTS_GET(opts, region_done, NULL);
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct rec *x = &rs->v[i];
		struct pagemig_region r = {
			.sz = sizeof(r), .start = x->start, .end = x->end, .kind = x->kind,
			.path = x->path, .page_size = x->page_size,
		};

		x->st.regions = 1;
		pagemig_stats_add(total, &x->st);
		if (done)
			done(&r, &x->st, OPTS_GET(opts, region_ctx, NULL));
	}
}

/*
 * The options first (libbpf's OPTS_VALID), then move_pages(2)'s access rule and MOVE_ALL's
 * privilege: without them, nothing may move, and a dry run fails the same way.
 */
static int start(struct engine *e, struct pagemig *pm, const struct pagemig_plan *plan,
		 const struct pagemig_move_opts *opts)
{
	int err;

	unsigned int flags = OPTS_GET(opts, flags, 0);

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
		err = object_check_privilege();
		if (err)
			return err;
	}
	return engine_init(e, pm, plan, opts);
}

PAGEMIG_API int pagemig_move(struct pagemig *pm, const struct pagemig_plan *plan,
			     const struct pagemig_move_opts *opts, struct pagemig_stats *total)
{
	unsigned int flags = OPTS_GET(opts, flags, 0);
	struct pagemig_agent_conn *agent = OPTS_GET(opts, agent, NULL);
	struct pagemig_handler_error *he = OPTS_GET(opts, handler_error, NULL);
	struct pagemig_stats sum = { .sz = sizeof(sum) };	/* the caller's @total may be smaller */
	struct engine e;
	struct recs rs = { 0 };
	struct pass ps = { .pm = pm, .flags = flags, .plan = plan, .opts = opts,
			   .dry_run = flags & PAGEMIG_MOVE_DRY_RUN };
	size_t sz;
	int err;

	if (!pm || !plan || !total || !total->sz)
		return -EINVAL;
	sz = MIN(total->sz, sizeof(*total));
	memset(total, 0, sz);
	total->sz = sz;
	if (he)
		memset(he, 0, sizeof(*he));
	err = start(&e, pm, plan, opts);
	if (err)
		return err;
	ps.e = &e;
	ps.threads = MIN(OPTS_GET(opts, threads, 0), PAGEMIG_MAX_THREADS);
	if (!ps.threads)
		ps.threads = sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
	if (agent && !ps.dry_run) {
		ps.user_progress = e.progress;
		ps.user_ctx = e.progress_ctx;
		e.progress = agent_progress;
		e.progress_ctx = &ps;
	}
	ops_lock(pm);	/* our handlers stay registered until their finish() */
	err = agent && !ps.dry_run ? owner_prepare(&ps, agent) : 0;
	if (!err)
		err = run_passes(pm, &ps, &rs);
	if (!err && !ps.dry_run)
		err = finish(pm, &ps, &rs, &sum);
	if (!err)
		err = move_objects(&ps, &rs);
	if (!err && !ps.dry_run)
		engine_report(&e);	/* the last word, also for a move that had no batch */
	if (err && err != -ECANCELED && space_check_alive(pm) == -ESRCH)
		err = -ESRCH;	/* an exited target's mm is gone: move_pages(2) says -EINVAL then */
	finish_handlers(&ps, &rs, err);
	ops_unlock(pm);
	free(ps.owner);
	report(opts, &rs, &sum);
	sum.syscalls = e.syscalls;
	sum.elapsed_ns = engine_now_ns() - e.t0;
	sum.numa_balancing = numa_balancing_on(pm);
	stats_copy_out(total, &sum);
	engine_release(&e);
	recs_free(&rs);
	if (err)
		return err;
	return pagemig_stats_is_complete(&sum) ? 0 : PAGEMIG_PARTIAL;
}

PAGEMIG_API int pagemig_move_region(struct pagemig *pm, const struct pagemig_region *r,
				    const struct pagemig_plan *plan, const struct pagemig_move_opts *opts,
				    struct pagemig_stats *st)
{
	unsigned int flags = OPTS_GET(opts, flags, 0);
	struct engine e;
	struct recs rs = { 0 };
	struct pass ps = { .pm = pm, .flags = flags, .plan = plan, .opts = NULL };
	struct rec *x;
	int err;

	if (!pm || !r || !plan || !st || !st->sz)
		return -EINVAL;
	err = start(&e, pm, plan, opts);
	if (err)
		return err;
	ps.e = &e;
	x = recs_push(&rs, r);
	if (!x) {
		err = -ENOMEM;
		goto out;
	}
	if (flags & PAGEMIG_MOVE_DRY_RUN) {
		if (r->node_pages)
			plan_region(plan, r, &x->st);	/* numa_maps' counts, as pagemig_move() plans */
		if (flags & PAGEMIG_MOVE_OBJECTS)
			err = object_move(&e, r, true, &x->st);
	} else {
		err = engine_move_region(&e, r, &plan->from, true, &x->st);
		x->unseen = e.unseen;
		if (!err && x->unseen)
			err = walk(pm, NULL, &rs, false, 0, visit_verify, &ps);
		if (!err && (flags & PAGEMIG_MOVE_OBJECTS))
			err = object_move(&e, r, false, &x->st);
		if (err && space_check_alive(pm) == -ESRCH)
			err = -ESRCH;
	}
	x->st.regions = 1;
	x->st.syscalls = e.syscalls;
	x->st.elapsed_ns = engine_now_ns() - e.t0;
	x->st.numa_balancing = numa_balancing_on(pm);
	stats_copy_out(st, &x->st);
	if (!err && !pagemig_stats_is_complete(&x->st))
		err = PAGEMIG_PARTIAL;
out:
	engine_release(&e);
	recs_free(&rs);
	return err;
}
