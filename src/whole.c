// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * whole.c - moving the whole process with migrate_pages(2), accounted region by region.
 *
 * migrate_pages(2) walks the target's page tables once per source node (do_migrate_pages() ->
 * queue_pages_range()), where move_pages(2) looks every address up from the top of the page table:
 * for a move of every region (no filter, no rate, no region kept by a handler) it is the cheaper
 * engine, and the one whose pauses the target already knows from migratepages(8).  It says only
 * how many pages it could not move, so the counts come from numa_maps, read before (the records)
 * and after: per region, what left the source nodes and reached the destinations moved.  A region
 * with pages still on a source node afterwards (shared pages under MOVE, pinned or busy pages) goes
 * through the per-page engine (batches.c), which tells why each page stayed; whole_fixup() then
 * adds what migrate_pages(2) had moved there.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define POLL_NS	100000000L	/* how often progress is reported while a call runs */

bool whole_may(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts)
{
	struct pagemig_nodemask allowed;
	size_t i;

	/* it cannot keep to a filter, nor move at a rate */
	if (OPTS_GET(opts, filter, NULL) || OPTS_GET(opts, rate, 0) ||
	    (OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_NO_FALLBACK))
		return false;
	/*
	 * A destination that is also a source (0,1 -> 1,2): after the calls its pages are the ones
	 * that stayed and the ones that came, which numa_maps cannot tell apart, and a second pass
	 * would move the newcomers again.
	 */
	for (i = 0; i < (size_t)p->nr_steps; i++)
		if (p->target[p->steps[i].to] >= 0)
			return false;
	/* without CAP_SYS_NICE, it only moves to nodes the target may use */
	return !pagemig_mems_allowed(pm, &allowed) && pagemig_nodemask_is_subset(&p->to, &allowed);
}

bool whole_kept(const struct recs *rs)
{
	struct pagemig_region rb;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (rs->v[i].done && pagemig_kind_is_movable(rec_region(&rs->v[i], &rb)->kind))
			return true;
	return false;
}

bool whole_allowed(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts,
		   const struct recs *rs)
{
	return !whole_kept(rs) && whole_may(pm, p, opts);
}

/* The value of "@key " in the text @buf, 0 without it. */
static uint64_t stat_value(const char *buf, const char *key)
{
	size_t n = strlen(key);
	const char *s = buf;

	while ((s = strstr(s, key)))
		if ((s == buf || s[-1] == '\n') && s[n] == ' ')
			return strtoull(s + n + 1, NULL, 10);
		else
			s += n;
	return 0;
}

/*
 * The pages mapped on @to's nodes (nr_anon_pages + nr_mapped of each node's vmstat).  While a
 * migrate_pages(2) call runs they grow by what it has moved so far, where the kernel's own
 * counter (pgmigrate_success) grows only when the call's whole list is done.  Progress only,
 * never a count: other processes map and unmap pages there too.
 */
static uint64_t mapped_on(const struct pagemig *pm, const struct pagemig_nodemask *to)
{
	char path[PATH_MAX], buf[8192];
	uint64_t v = 0;
	int n;

	for (n = pagemig_nodemask_next(to, -1); n >= 0; n = pagemig_nodemask_next(to, n)) {
		snprintf(path, sizeof(path), "%s/devices/system/node/node%d/vmstat", pm->sys_root, n);
		if (read_file_str(path, buf, sizeof(buf)) >= 0)
			v += stat_value(buf, "nr_anon_pages") + stat_value(buf, "nr_mapped");
	}
	return v;
}

struct call {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running;
	pid_t pid;
	struct pagemig_nodemask from, to;
	long ret;
};

static void *call_main(void *arg)
{
	struct call *c = arg;
	long ret = sys_migrate_pages(c->pid, PAGEMIG_MAX_NODES + 1, (const unsigned long *)c->from.bits,
				     (const unsigned long *)c->to.bits);

	pthread_mutex_lock(&c->lock);
	c->ret = ret;
	c->running = false;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/*
 * One migrate_pages(2) call on a thread of its own, while this thread reports progress (the pages
 * mapped on the destination since the call began, capped at the plan: mapped_on()) every POLL_NS:
 * a stop asked for meanwhile is kept in @stop and takes effect when the call returns (the kernel
 * offers no way to cut it short).
 */
static long call_step(struct engine *e, struct call *c, int *stop)
{
	struct pagemig_progress saved = e->prog;
	uint64_t base = mapped_on(e->pm, &c->to), now, gained = 0;
	pthread_t t;
	struct timespec ts;

	c->running = true;
	if (thread_start(&t, call_main, c)) {
		call_main(c);	/* no thread: the call alone, no progress meanwhile */
		return c->ret;
	}
	pthread_mutex_lock(&c->lock);
	while (c->running) {
		engine_deadline(&ts, POLL_NS);
		pthread_cond_timedwait(&c->cond, &c->lock, &ts);
		if (!c->running || *stop)
			continue;
		pthread_mutex_unlock(&c->lock);
		now = mapped_on(e->pm, &c->to);
		gained = MAX(gained, now > base ? now - base : 0);	/* never backwards */
		e->prog.moved = MIN(saved.moved + gained * e->base, e->prog.total);
		e->prog.done = MAX(saved.done, e->prog.moved);
		*stop = engine_report(e);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_join(t, NULL);
	e->prog = saved;
	return c->ret;
}

/*
 * migrate_pages(2) for each plan step, in the plan's (the kernel's) order; it picks MOVE or
 * MOVE_ALL by CAP_SYS_NICE alone, so for MOVE a privileged caller drops that capability for the
 * calls.  A call that fails (the caller's cpuset, a security module) leaves its pages to the
 * per-page engine, which says why; only an exited target ends the move here.  With @e and a
 * progress callback, progress is reported while the calls run (the whole-process move); verify.c's
 * fallback passes NULL.
 */
int whole_migrate(struct pagemig *pm, const struct pagemig_plan *p, bool move_all, struct engine *e,
		  uint64_t *syscalls)
{
	struct call c = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER,
			  .pid = pagemig_pid(pm) };
	uint64_t saved = 0;
	bool dropped = false;
	int i, stop = 0, err = 0;

	if (!move_all && has_cap(CAP_SYS_NICE)) {
		err = sys_cap_drop_effective(CAP_SYS_NICE, &saved);
		if (err)
			return err;
		dropped = true;
	}
	for (i = 0; i < p->nr_steps && !err && !stop; i++) {
		long ret;

		memset(&c.from, 0, sizeof(c.from));
		memset(&c.to, 0, sizeof(c.to));
		pagemig_nodemask_set(&c.from, p->steps[i].from);
		pagemig_nodemask_set(&c.to, p->steps[i].to);
		if (e && e->progress)
			ret = call_step(e, &c, &stop);
		else	/* nobody to tell: the call alone, on this thread */
			ret = (call_main(&c), c.ret);
		(*syscalls)++;
		err = space_check_alive(pm);	/* the pid may name another process by now */
		if (!err && ret == -ESRCH)
			err = -ESRCH;
	}
	if (dropped)
		sys_cap_restore_effective(saved);
	return err ? err : stop;
}

struct account {
	const struct pagemig_plan *plan;
	struct engine *e;
	size_t left;	/* records with pages still on a source node */
};

/*
 * A record after the calls, from its counts before (the record) and now (@now, NULL when it was
 * unmapped meanwhile): what stays and what is elsewhere as numa_maps said before; moved, what
 * both left the sources and reached the destinations; a page that left without arriving is gone
 * (freed, swapped out or unmapped meanwhile).  Pages still on a source node leave the record to
 * the per-page engine, with its counts reset (it counts the region again, from its pages).
 */
static int account_region(const struct pagemig_region *now, struct rec *x, void *ctx)
{
	struct account *a = ctx;
	struct pagemig_region rb;
	const struct pagemig_region *r = rec_region(x, &rb);
	struct pagemig_stats st = { .sz = sizeof(st) };
	uint64_t src0 = plan_source_bytes(a->plan, r), src1, left, gained, resident, size = r->end - r->start;
	uint64_t d0, d1;

	x->settled = true;
	if (!pagemig_kind_is_movable(r->kind))
		return rec_count(x, PAGEMIG_STAT_UNMOVABLE, r->rss);
	if (!now)
		return rec_count(x, PAGEMIG_STAT_NOT_PRESENT, size);
	src1 = plan_source_bytes(a->plan, now);
	d0 = plan_dest_bytes(a->plan, r);
	d1 = plan_dest_bytes(a->plan, now);
	left = src0 > src1 ? src0 - src1 : 0;
	gained = d1 > d0 ? d1 - d0 : 0;
	x->whole_moved = MIN(left, gained);
	a->e->prog.moved += x->whole_moved;
	a->e->prog.done += x->whole_moved;
	if (src1 && src0) {	/* pages faulted in since the first read are not this move's */
		x->settled = false;
		x->empty = false;
		a->left++;
		return 0;
	}
	resident = r->rss + r->hugetlb;
	plan_count_region(a->plan, r, &st);
	st.bytes[PAGEMIG_STAT_MOVED] += x->whole_moved;
	st.bytes[PAGEMIG_STAT_NOT_PRESENT] += (size > resident ? size - resident : 0) + (src0 - x->whole_moved);
	a->e->prog.done += src0 - x->whole_moved;
	return rec_stats_add(x, &st);
}

int whole_move(struct engine *e, struct recs *rs, bool move_all, size_t *left, uint64_t *syscalls)
{
	struct account a = { .plan = e->plan, .e = e };
	int err, stop;

	stop = whole_migrate(e->pm, e->plan, move_all, e, syscalls);
	if (stop && stop != -ECANCELED)
		return stop;
	err = records_reread(e->pm, rs, account_region, &a);
	*left = a.left;
	if (!err)
		err = engine_report(e);
	return stop ? stop : err;
}

int whole_fixup(const struct pagemig_plan *p, struct recs *rs, bool paged)
{
	struct pagemig_region rb;
	size_t i;
	int err = 0;

	for (i = 0; i < rs->n; i++) {
		struct rec *x = &rs->v[i];
		struct pagemig_stats st = { .sz = sizeof(st) };
		uint64_t m = x->whole_moved;

		if (x->settled)
			continue;
		if (!paged) {	/* stopped before the per-page engine: the counts of before, and what moved */
			plan_count_region(p, rec_region(x, &rb), &st);
			st.bytes[PAGEMIG_STAT_MOVED] += m;
			err = err ? err : rec_stats_add(x, &st);
			continue;
		}
		if (!m)
			continue;
		/* the per-page engine saw them on their destination: not part of the move, it thought */
		rec_stats(x, &st);
		st.bytes[PAGEMIG_STAT_ELSEWHERE] -= MIN(m, st.bytes[PAGEMIG_STAT_ELSEWHERE]);
		st.bytes[PAGEMIG_STAT_PLANNED] += m;
		st.bytes[PAGEMIG_STAT_MOVED] += m;
		err = err ? err : rec_stats_set(x, &st);
	}
	return err;
}
