// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * batches.c - one phase of a move over the records of the first read: their /proc rows are not
 * read again (pagemap and the placement queries say what is there now; an unmapped range reads as
 * absent).  The work is cut into chunks (engine_chunk_end()), here and only here, that the threads
 * take in address order, each with an engine of its own (engine.c moves a chunk in batches); the
 * calling thread is one of them.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "internal.h"

struct work {
	struct recs *rs;
	const struct pagemig_nodemask *phase;
	bool first;
	pthread_mutex_t lock;
	size_t rec;		/* the next chunk: in rs->v[rec], from addr */
	uint64_t addr;
	int err;
	unsigned int running;	/* helper threads still working, under lock */
	pthread_cond_t done;	/* signalled as each helper ends */
};

/* Under w->lock: the next chunk, false when there is none (or the move stopped). */
static bool take(struct work *w, struct engine *e, size_t *ri, uint64_t *start, uint64_t *end)
{
	for (; !w->err && w->rec < w->rs->n; w->rec++, w->addr = 0) {
		struct rec *x = &w->rs->v[w->rec];
		struct pagemig_region rb;
		const struct pagemig_region *r = rec_region(x, &rb);
		struct pagemig_stats st = { .sz = sizeof(st) };

		if (x->done || x->settled)
			continue;
		if (x->empty && pagemig_kind_is_movable(r->kind)) {
			/*
			 * Nothing was resident when the regions were read: its pages are not walked,
			 * a reservation of terabytes costs nothing (before 6.7 reading pagemap over it
			 * cost 8 bytes per 4 KiB page).  Pages faulted in since are not this move's.
			 */
			if (w->first && rec_count(x, PAGEMIG_STAT_NOT_PRESENT, r->end - r->start))
				w->err = -ENOMEM;
			continue;
		}
		*ri = w->rec;
		/* a sparse region's holes are skipped here, in one walk, not chunk by chunk */
		*start = engine_skip_holes(e, r, MAX(w->addr, r->start), r->end, w->first, &st);
		if (rec_stats_add(x, &st)) {
			w->err = -ENOMEM;
			return false;
		}
		if (*start >= r->end)
			continue;
		*end = engine_chunk_end(e, r, *start);
		w->addr = *end;
		if (*end >= r->end) {
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
	struct pagemig_region rb;
	uint64_t start, end, unseen;
	size_t ri;
	int err = 0;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		if (!take(w, e, &ri, &start, &end)) {
			pthread_mutex_unlock(&w->lock);
			return 0;
		}
		pthread_mutex_unlock(&w->lock);
		memset(&st, 0, sizeof(st));
		st.sz = sizeof(st);
		err = engine_move_chunk(e, rec_region(&w->rs->v[ri], &rb), start, end, w->phase, w->first, &st, &unseen);
		pthread_mutex_lock(&w->lock);
		if (rec_stats_add(&w->rs->v[ri], &st) && !err)
			err = -ENOMEM;
		w->rs->v[ri].unseen += unseen;
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
	pthread_mutex_lock(&k->w->lock);
	k->w->running--;
	pthread_cond_signal(&k->w->done);
	pthread_mutex_unlock(&k->w->lock);
	return NULL;
}

/*
 * The calling thread, out of chunks, waits for the helpers' last ones; it alone calls the progress
 * callback (engine_report()), so it keeps doing so meanwhile, about every 50 ms: a stop asked for
 * then reaches the helpers at their next batch, and a lease kept by the callback stays alive.
 */
static void wait_workers(struct work *w, struct engine *e)
{
	struct timespec ts;
	int err;

	pthread_mutex_lock(&w->lock);
	while (w->running) {
		engine_deadline(&ts, 50000000L);
		pthread_cond_timedwait(&w->done, &w->lock, &ts);
		if (!w->running)
			break;
		pthread_mutex_unlock(&w->lock);
		err = engine_report(e);
		pthread_mutex_lock(&w->lock);
		if (err && !w->err)
			w->err = err;
	}
	pthread_mutex_unlock(&w->lock);
}

/* Start up to @n - 1 helper threads; fewer when the system says no. */
static void start_workers(struct work *w, struct worker *ks, unsigned int n, const struct engine *main,
			  struct engine_shared *sh)
{
	unsigned int i;

	for (i = 0; i + 1 < n; i++) {
		struct worker *k = &ks[i];

		k->w = w;
		if (engine_init_worker(&k->e, main, sh))
			break;
		pthread_mutex_lock(&w->lock);
		w->running++;
		pthread_mutex_unlock(&w->lock);
		if (thread_start(&k->thread, worker_main, k)) {
			pthread_mutex_lock(&w->lock);
			w->running--;
			pthread_mutex_unlock(&w->lock);
			engine_release(&k->e);
			break;
		}
		k->started = true;
	}
}

/* Stop the helpers at their next batch (after an error of the calling thread), and wait for them. */
static void join_workers(struct worker *ks, unsigned int n, struct engine_shared *sh, int err)
{
	unsigned int i;

	if (err) {
		pthread_mutex_lock(&sh->lock);
		sh->stop = sh->stop ? sh->stop : err;
		pthread_mutex_unlock(&sh->lock);
	}
	for (i = 0; i + 1 < n; i++) {
		if (!ks[i].started)
			continue;
		pthread_join(ks[i].thread, NULL);
		engine_release(&ks[i].e);	/* its syscalls are added to the shared counts */
	}
}

int batches_move(struct engine *e, struct recs *rs, unsigned int threads, const struct pagemig_nodemask *phase,
		 bool first)
{
	struct engine_shared sh = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct work w = { .rs = rs, .phase = phase, .first = first, .lock = PTHREAD_MUTEX_INITIALIZER,
			  .done = PTHREAD_COND_INITIALIZER };
	struct worker ks[PAGEMIG_MAX_THREADS] = { 0 };
	int err;

	if (threads <= 1)
		return work_loop(&w, e), w.err;
	err = engine_share(e, &sh);
	if (err)
		return err;
	start_workers(&w, ks, threads, e, &sh);
	err = work_loop(&w, e);
	if (!err)
		wait_workers(&w, e);
	join_workers(ks, threads, &sh, err);
	engine_unshare(e, &sh);
	return w.err;
}
