// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * engine.c - moving one region's pages with move_pages(2), page-exact.
 *
 * A region is walked in chunks: pagemap says which pages are resident, a placement query
 * (move_pages with nodes = NULL) says where, the plan says where each should go.  Pages move in
 * batches that all go to one node, with the status array pre-filled with a sentinel (a batch the
 * kernel gives up on leaves its entries unwritten): an entry the kernel set to the destination
 * moved, and a placement query after the batch asks where the others are: the kernel's answers,
 * not our intentions, make the counts.
 */
#include <errno.h>
#include <limits.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define MPOL_MF_MOVE_	(1 << 1)
#define MPOL_MF_MOVE_ALL_ (1 << 2)
#define SENTINEL	INT_MIN
/*
 * Pagemap entries per chunk, and the default batch: one move_pages(2) call per chunk.  Each call
 * pays a fixed cost before its first page (do_pages_move() disables the LRU caches on every CPU,
 * where migrate_pages(2) does that once per move): fewer, larger calls (bench/README.md, "move").
 */
#define CHUNK_PAGES	32768
#define KPF_COMPOUND_HEAD 15
#define KPF_THP		22
#define KPF_ZERO_PAGE	24

#define RATE_SLICE_NS	50000000ULL	/* a batch held back by the rate limit looks up this often */

uint64_t engine_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void engine_deadline(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_nsec += ns;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void ratelimit_init(struct ratelimit *rl, uint64_t rate, uint64_t base, uint64_t now)
{
	pthread_mutex_init(&rl->lock, NULL);
	rl->max_batch = MAX(rate / 16, base);
	rl->pace = rate > rl->max_batch ? rate - rl->max_batch : MAX(rate / 2, 1);
	rl->next_ns = now;
}

/*
 * The scratch arrays for chunks of @cap pages and batches of e->batch, carved from one anonymous
 * mapping: its pages are faulted in only where a move writes, so a small move pays for a few pages,
 * not for the whole chunk (calloc() of the same arrays from the heap zeroed about 1.5 MiB per move
 * and per worker).
 */
static int scratch_map(struct engine *e, size_t cap)
{
	size_t b = e->batch, q = MAX(b, cap), len = 0, i;
	struct { void **p; size_t n; } a[] = {
		{ (void **)&e->ents, cap * sizeof(*e->ents) },
		{ (void **)&e->addr, cap * sizeof(*e->addr) },
		{ (void **)&e->size, cap * sizeof(*e->size) },
		{ (void **)&e->baddr, b * sizeof(*e->baddr) },
		{ (void **)&e->bidx, b * sizeof(*e->bidx) },
		{ (void **)&e->target, cap * sizeof(*e->target) },
		{ (void **)&e->reason, cap * sizeof(*e->reason) },
		{ (void **)&e->bnodes, b * sizeof(*e->bnodes) },
		{ (void **)&e->bstatus, 2 * b * sizeof(*e->bstatus) },	/* and placed()'s query */
		{ (void **)&e->qstatus, q * sizeof(*e->qstatus) },
	};
	char *base;

	for (i = 0; i < ARRAY_SIZE(a); i++)
		len += (a[i].n + 15) & ~(size_t)15;
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -ENOMEM;
	e->scratch = base;
	e->scratch_len = len;
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		*a[i].p = base;
		base += (a[i].n + 15) & ~(size_t)15;
	}
	return 0;
}

int engine_init(struct engine *e, struct pagemig *pm, const struct pagemig_plan *plan,
		const struct pagemig_move_opts *opts)
{
	int err;

	memset(e, 0, sizeof(*e));
	e->pm = pm;
	e->pid = pagemig_pid(pm);
	e->plan = plan;
	e->mpol_flags = (OPTS_GET(opts, flags, 0) & PAGEMIG_MOVE_ALL) ? MPOL_MF_MOVE_ALL_ : MPOL_MF_MOVE_;
	e->batch = OPTS_GET(opts, batch, 0) ? OPTS_GET(opts, batch, 0) : CHUNK_PAGES;
	e->retries = OPTS_HAS(opts, retries) && opts->retries ? opts->retries : 3;
	e->progress = OPTS_GET(opts, progress, NULL);
	e->progress_ctx = OPTS_GET(opts, progress_ctx, NULL);
	e->base = pm->base_page;
	e->thp_size = pm->thp_size ? pm->thp_size : e->base;	/* no THP: chunks end on any page */
	e->t0 = engine_now_ns();
	if (OPTS_GET(opts, rate, 0)) {
		ratelimit_init(&e->own_rl, opts->rate, e->base, e->t0);
		e->rl = &e->own_rl;
	}
	e->kpf_fd = sys_open("/proc/kpageflags", 0);	/* root only; THP heads and zero pages */
	err = scratch_map(e, CHUNK_PAGES);
	if (err) {
		engine_release(e);
		return err;
	}
	return 0;
}

int engine_init_worker(struct engine *w, const struct engine *main, struct engine_shared *sh)
{
	struct pagemig_move_opts opts = {
		.sz = sizeof(opts), .flags = main->mpol_flags == MPOL_MF_MOVE_ALL_ ? PAGEMIG_MOVE_ALL : 0,
		.batch = main->batch, .retries = main->retries,
	};
	int err = engine_init(w, main->pm, main->plan, &opts);

	if (err)
		return err;
	w->t0 = main->t0;
	w->rl = main->rl;	/* one rate limit for the whole move */
	w->thp_probe = main->thp_probe;
	w->sh = sh;
	return 0;
}

int engine_share(struct engine *e, struct engine_shared *sh)
{
	long err = pagemap_read(e->pm, 0, 0, NULL);	/* the workers share its descriptor */

	if (err < 0)
		return (int)err;
	sh->prog = e->prog;
	e->prog.done = e->prog.moved = 0;
	e->sh = sh;
	e->main = true;
	return 0;
}

void engine_unshare(struct engine *e, struct engine_shared *sh)
{
	e->prog = sh->prog;
	e->syscalls += sh->syscalls;
	e->sh = NULL;
	e->main = false;
}

void engine_set_progress(struct engine *e, int (*fn)(const struct pagemig_progress *p, void *ctx), void *ctx)
{
	e->progress = fn;
	e->progress_ctx = ctx;
}

void engine_add_total(struct engine *e, uint64_t bytes)
{
	e->prog.total += bytes;
}

uint64_t engine_syscalls(const struct engine *e)
{
	return e->syscalls;
}

uint64_t engine_elapsed_ns(const struct engine *e)
{
	return engine_now_ns() - e->t0;
}

void engine_release(struct engine *e)
{
	if (e->sh && !e->main) {
		pthread_mutex_lock(&e->sh->lock);
		e->sh->syscalls += e->syscalls;
		pthread_mutex_unlock(&e->sh->lock);
	}
	if (e->kpf_fd >= 0)
		sys_close(e->kpf_fd);
	e->kpf_fd = -1;
	if (e->scratch)
		munmap(e->scratch, e->scratch_len);
	if (e->own_rl.pace)	/* initialized (a worker uses the calling thread's instead) */
		pthread_mutex_destroy(&e->own_rl.lock);
	memset(e, 0, sizeof(*e));
	e->kpf_fd = -1;
}

static uint64_t kpageflags(struct engine *e, uint64_t pfn)
{
	uint64_t f = 0;

	if (e->kpf_fd < 0 || sys_pread(e->kpf_fd, &f, sizeof(f), (off_t)(pfn * sizeof(f))) != sizeof(f))
		return 0;
	return f;
}

/* Whether the @n entries from @i map one transparent huge page, head first. */
static bool is_thp(struct engine *e, size_t i, size_t n)
{
	uint64_t pfn = e->ents[i] & PM_PFN_MASK;
	size_t k, nr = e->thp_size / e->base;

	if (!pfn || e->kpf_fd < 0 || i + nr > n)
		return false;
	for (k = 1; k < nr; k++)
		if (!(e->ents[i + k] & PM_PRESENT) || (e->ents[i + k] & PM_PFN_MASK) != pfn + k)
			return false;
	return (kpageflags(e, pfn) & (1ULL << KPF_THP | 1ULL << KPF_COMPOUND_HEAD)) ==
	       (1ULL << KPF_THP | 1ULL << KPF_COMPOUND_HEAD);
}

static int query(struct engine *e, void **addr, size_t n, int *out)
{
	size_t i;
	long ret;

	for (i = 0; i < n; i++)
		out[i] = SENTINEL;
	ret = sys_move_pages(e->pid, n, addr, NULL, out, 0);
	e->syscalls++;
	if (ret == -EINVAL)
		return -ESRCH;	/* as in move_batch() */
	if (ret < 0)
		return (int)ret;
	/*
	 * move_pages(2) takes a pid, and a pid is reused once its process is reaped: if the target
	 * has exited (its pidfd is readable), what this batch moved and this query saw may be
	 * another process's pages.  None of it is counted.
	 */
	return space_check_alive(e->pm);
}

/*
 * After each batch.  A worker of a shared move adds its counts to the shared ones and looks at
 * the stop flag; only the calling thread's engine calls the progress callback (its contract).
 */
int engine_report(struct engine *e)
{
	struct pagemig_progress now = e->prog;
	int stop = 0;

	if (e->sh) {
		pthread_mutex_lock(&e->sh->lock);
		e->sh->prog.done += e->prog.done;
		e->sh->prog.moved += e->prog.moved;
		e->prog.done = e->prog.moved = 0;
		now = e->sh->prog;
		stop = e->sh->stop;
		pthread_mutex_unlock(&e->sh->lock);
		if (stop)
			return stop;
		if (!e->main)
			return 0;
	}
	if (!e->progress)
		return 0;
	now.elapsed_ns = engine_now_ns() - e->t0;
	if (!e->progress(&now, e->progress_ctx))
		return 0;
	if (e->sh) {
		pthread_mutex_lock(&e->sh->lock);
		e->sh->stop = -ECANCELED;
		pthread_mutex_unlock(&e->sh->lock);
	}
	return -ECANCELED;
}

/*
 * Record the final fate of candidate @j.  Pages that the kernel reported with a reason keep it;
 * pages it left unexplained after every retry are "refused" (long-term pins do that).
 */
static void settle(struct engine *e, size_t j, struct pagemig_stats *st)
{
	uint64_t sz = e->size[j];
	int why = e->reason[j];

	if (why == SENTINEL)
		st->bytes[PAGEMIG_STAT_REFUSED] += sz;
	else if (why == -EACCES)
		st->bytes[PAGEMIG_STAT_SHARED] += sz;
	else if (why == -ENOMEM)
		st->bytes[PAGEMIG_STAT_NOMEM] += sz;
	else if (why == -EBUSY || why == -EAGAIN || why >= 0)
		st->bytes[PAGEMIG_STAT_BUSY] += sz;
	else if (why == -ENOENT || why == -EFAULT)
		e->unseen += sz;	/* vanished or hidden: the verify pass tells which */
	else
		stats_add_error(st, -why, sz);
	e->target[j] = -1;
	e->prog.done += sz;
}

static bool final_reason(int why)
{
	return why == -EACCES || why == -ENOMEM || (why < 0 && why != SENTINEL && why != -EBUSY &&
						   why != -EAGAIN && why != -ENOENT && why != -EFAULT);
}

/*
 * The rate limit: wait until a batch of @bytes may start.  The slot is taken first, so that the
 * threads queue in order; while waiting, the move's stop flag and the progress callback are
 * looked at (engine_report()), so that a stop does not wait for the slot.
 */
static int throttle(struct engine *e, uint64_t bytes)
{
	struct ratelimit *rl = e->rl;
	uint64_t start, now = engine_now_ns();
	int err;

	if (!rl)
		return 0;
	pthread_mutex_lock(&rl->lock);
	start = MAX(rl->next_ns, now);
	rl->next_ns = start + (uint64_t)((double)bytes * 1e9 / (double)rl->pace);
	pthread_mutex_unlock(&rl->lock);
	while ((now = engine_now_ns()) < start) {
		uint64_t d = MIN(start - now, RATE_SLICE_NS);
		struct timespec ts = { .tv_sec = (time_t)(d / 1000000000ULL), .tv_nsec = (long)(d % 1000000000ULL) };

		nanosleep(&ts, NULL);
		err = engine_report(e);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Where the candidates of a batch of @k are now, in @e->qstatus[0..k).  The kernel writes a page's
 * status only once its sub-batch moved whole (or the page already was there): an entry that
 * reads @t, over the pre-filled sentinel, is the kernel's word that the page is on @t.  Only the
 * others (errors, sentinels: a sub-batch that failed in part, or pages after it) are asked again
 * with a placement query; a batch that moved whole costs no query.  Either way the pid is checked
 * to be still the target's, after every batch.
 */
static int placed(struct engine *e, size_t k, int t)
{
	size_t i, m = 0;
	int err;

	for (i = 0; i < k; i++) {	/* baddr and bnodes are free now: the addresses to ask, their index */
		if (e->bstatus[i] == t)
			continue;
		e->baddr[m] = e->baddr[i];
		e->bnodes[m++] = (int)i;
	}
	err = m ? query(e, e->baddr, m, e->bstatus + k) : space_check_alive(e->pm);
	if (err)
		return err;
	for (i = 0; i < k; i++)
		e->qstatus[i] = t;
	for (i = 0; i < m; i++)
		e->qstatus[e->bnodes[i]] = e->bstatus[k + i];
	return 0;
}

/*
 * Move the candidates in @e->bidx[0..k) to node @t and check where they are now (placed()).
 */
static int move_batch(struct engine *e, size_t k, int t, struct pagemig_stats *st)
{
	uint64_t bytes = 0;
	size_t i;
	long ret;
	int err;

	for (i = 0; i < k; i++) {
		e->baddr[i] = e->addr[e->bidx[i]];
		e->bnodes[i] = t;
		e->bstatus[i] = SENTINEL;
		bytes += e->size[e->bidx[i]];
	}
	err = throttle(e, bytes);
	if (err)
		return err;
	ret = sys_move_pages(e->pid, k, e->baddr, e->bnodes, e->bstatus, e->mpol_flags);
	e->syscalls++;
	if (ret == -EINVAL)
		return -ESRCH;	/* valid arguments: the target has no mm left, it is exiting */
	if (ret < 0 && ret != -ENOMEM && ret != -EBUSY && ret != -EAGAIN)
		return (int)ret;
	err = placed(e, k, t);
	if (err)
		return err;
	for (i = 0; i < k; i++) {
		size_t j = e->bidx[i];

		if (e->qstatus[i] == t) {
			st->bytes[PAGEMIG_STAT_MOVED] += e->size[j];
			e->prog.moved += e->size[j];
			e->prog.done += e->size[j];
			e->target[j] = -1;
			continue;
		}
		e->reason[j] = (ret == -ENOMEM && e->bstatus[i] == SENTINEL) ? -ENOMEM : e->bstatus[i];
		if ((e->reason[j] == -ENOENT || e->reason[j] == -EFAULT) && e->qstatus[i] >= 0)
			e->reason[j] = -EAGAIN;		/* visible again: worth another try */
		if (final_reason(e->reason[j]) || ((e->reason[j] == -ENOENT || e->reason[j] == -EFAULT)))
			settle(e, j, st);
	}
	return engine_report(e);
}

/* One round over the pending candidates [0, n): batches grouped by target, in plan order. */
static int move_round(struct engine *e, size_t n, unsigned int batch, struct pagemig_stats *st)
{
	int s, err;

	for (s = 0; s < e->plan->nr_steps; s++) {
		int t = e->plan->steps[s].to;
		uint64_t bytes = 0;
		size_t j, k = 0;
		bool seen = false;

		/* Steps sharing a destination: submit that destination once. */
		for (j = 0; j < (size_t)s; j++)
			seen |= e->plan->steps[j].to == t;
		if (seen)
			continue;
		for (j = 0; j < n; j++) {
			if (e->target[j] != t)
				continue;
			/* full at @batch pages, or under a rate limit at its size (a huge page goes whole) */
			if (k == batch || (k && e->rl && bytes + e->size[j] > e->rl->max_batch)) {
				err = move_batch(e, k, t, st);
				if (err)
					return err;
				k = 0;
				bytes = 0;
			}
			e->bidx[k++] = j;
			bytes += e->size[j];
		}
		if (k) {
			err = move_batch(e, k, t, st);
			if (err)
				return err;
		}
	}
	return 0;
}

static int move_pending(struct engine *e, size_t n, struct pagemig_stats *st)
{
	unsigned int round, batch = e->batch;
	size_t j;
	int err;

	for (round = 0; round <= e->retries; round++) {
		size_t left = 0;

		err = move_round(e, n, batch, st);
		if (err)
			return err;
		for (j = 0; j < n; j++)
			left += e->target[j] >= 0;
		if (!left)
			return 0;
		/* A refused batch hides which page refused: retry in smaller batches. */
		batch = MAX(1U, batch / 8);
	}
	for (j = 0; j < n; j++)
		if (e->target[j] >= 0)
			settle(e, j, st);
	return 0;
}

/* Collect the resident pages of a chunk as candidates: one per base, huge or THP page. */
static size_t gather(struct engine *e, const struct pagemig_region *r, uint64_t addr, size_t n,
		     bool first, struct pagemig_stats *st)
{
	size_t i = 0, c = 0;
	bool thp = (r->anon_huge || e->thp_probe) && r->kind != PAGEMIG_KIND_HUGETLB;

	while (i < n) {
		uint64_t va = addr + i * e->base;
		size_t step = 1;

		if (!(e->ents[i] & PM_PRESENT)) {
			if (first)
				st->bytes[PAGEMIG_STAT_NOT_PRESENT] += e->base;
			i++;
			continue;
		}
		if (thp && !(va & (e->thp_size - 1)) && is_thp(e, i, n))
			step = e->thp_size / e->base;
		e->addr[c] = (void *)(uintptr_t)va;
		e->size[c] = step * e->base;
		e->ents[c] = e->ents[i];	/* c <= i: keep the entry for zero-page checks */
		c++;
		i += step;
	}
	return c;
}

/*
 * Sort the candidates [0, c) by where they are: those on a node of @phase become pending (moved to
 * the front, with their targets); the first phase also counts what stays.
 */
static size_t classify(struct engine *e, size_t c, const struct pagemig_nodemask *phase, bool first,
		       struct pagemig_stats *st)
{
	const struct pagemig_plan *p = e->plan;
	size_t j, n = 0;

	for (j = 0; j < c; j++) {
		int node = e->qstatus[j];

		if (node < 0) {
			if (!first)
				continue;
			if (kpageflags(e, e->ents[j] & PM_PFN_MASK) & (1ULL << KPF_ZERO_PAGE))
				st->bytes[PAGEMIG_STAT_NOT_PRESENT] += e->size[j];
			else
				e->unseen += e->size[j];
			continue;
		}
		if (pagemig_nodemask_is_set(phase, node) && p->target[node] >= 0 && p->target[node] != node) {
			e->addr[n] = e->addr[j];
			e->size[n] = e->size[j];
			e->target[n] = p->target[node];
			e->reason[n] = SENTINEL;
			st->bytes[PAGEMIG_STAT_PLANNED] += e->size[j];
			n++;
		} else if (first && node < PAGEMIG_MAX_NODES && p->target[node] >= 0 && p->target[node] != node) {
			continue;	/* a source of a later phase */
		} else if (first) {
			st->bytes[pagemig_nodemask_is_set(&p->from, node) ? PAGEMIG_STAT_STAYED
									  : PAGEMIG_STAT_ELSEWHERE] += e->size[j];
		}
	}
	return n;
}

static int move_chunk(struct engine *e, const struct pagemig_region *r, uint64_t addr, size_t n,
		      const struct pagemig_nodemask *phase, bool first, struct pagemig_stats *st)
{
	size_t c, off;
	long got;
	int err;

	got = pagemap_read(e->pm, addr, n, e->ents);
	e->syscalls++;
	if (got < 0)
		return (int)got;
	if (first && (size_t)got < n)	/* the region shrank while we read it */
		st->bytes[PAGEMIG_STAT_NOT_PRESENT] += (n - (size_t)got) * e->base;
	c = gather(e, r, addr, (size_t)got, first, st);
	for (off = 0; off < c; off += e->batch) {
		err = query(e, e->addr + off, MIN(e->batch, c - off), e->qstatus + off);
		if (err)
			return err;
	}
	c = classify(e, c, phase, first, st);
	return c ? move_pending(e, c, st) : 0;
}

/* hugetlb: one pagemap entry per huge page is enough, and one address per page moves it. */
static int move_huge(struct engine *e, const struct pagemig_region *r, uint64_t start, uint64_t end,
		     const struct pagemig_nodemask *phase, bool first, struct pagemig_stats *st)
{
	uint64_t va, psz = r->page_size;
	size_t c = 0, n;
	long got;
	int err;

	for (va = start; va < end && c < CHUNK_PAGES; va += psz) {
		got = pagemap_read(e->pm, va, 1, &e->ents[c]);
		e->syscalls++;
		if (got < 0)
			return (int)got;
		if (got == 0 || !(e->ents[c] & PM_PRESENT)) {
			if (first)
				st->bytes[PAGEMIG_STAT_NOT_PRESENT] += psz;
			continue;
		}
		e->addr[c] = (void *)(uintptr_t)va;
		e->size[c++] = psz;
	}
	err = query(e, e->addr, c, e->qstatus);
	if (err)
		return err;
	n = classify(e, c, phase, first, st);
	return n ? move_pending(e, n, st) : 0;
}

/* A region of huge pages (hugetlb): a chunk is CHUNK_PAGES of them, one pagemap entry each. */
static bool huge_pages(const struct engine *e, const struct pagemig_region *r)
{
	return r->kind == PAGEMIG_KIND_HUGETLB && r->page_size > e->base;
}

/*
 * Where the chunk of @r that starts at @addr ends.  Chunks end on THP boundaries so that a huge
 * page is never split between two; an unmovable region is one chunk (its resident bytes are
 * counted once), a hugetlb chunk is CHUNK_PAGES huge pages.
 */
uint64_t engine_chunk_end(const struct engine *e, const struct pagemig_region *r, uint64_t addr)
{
	uint64_t end;

	if (!pagemig_kind_is_movable(r->kind))
		return r->end;
	if (huge_pages(e, r))
		return MIN(r->end, addr + CHUNK_PAGES * r->page_size);
	end = MIN(r->end, (addr + CHUNK_PAGES * e->base) & ~(e->thp_size - 1));
	return end > addr ? end : MIN(r->end, addr + CHUNK_PAGES * e->base);
}

uint64_t engine_skip_holes(struct engine *e, const struct pagemig_region *r, uint64_t addr, uint64_t end, bool first,
			   struct pagemig_stats *st)
{
	uint64_t at;

	if (!pagemig_kind_is_movable(r->kind) || huge_pages(e, r))
		return addr;	/* the unmovable count and move_huge() see every page */
	at = pagemap_next_present(e->pm, addr, end);

	if (at > addr && at < end)
		at = MAX(addr, at & ~(e->thp_size - 1));	/* a THP starts its chunk */
	if (first)
		st->bytes[PAGEMIG_STAT_NOT_PRESENT] += at - addr;
	return at;
}

int engine_move_chunk(struct engine *e, const struct pagemig_region *r, uint64_t start, uint64_t end,
		      const struct pagemig_nodemask *phase, bool first, struct pagemig_stats *st, uint64_t *unseen)
{
	int err;

	e->unseen = 0;
	*unseen = 0;
	if (start >= end || end > engine_chunk_end(e, r, start))
		return -EINVAL;		/* one chunk at a time: the scratch arrays hold one */
	if (!pagemig_kind_is_movable(r->kind)) {
		if (first)
			st->bytes[PAGEMIG_STAT_UNMOVABLE] += r->rss;
		err = 0;
	} else if (huge_pages(e, r)) {
		err = move_huge(e, r, start, end, phase, first, st);
	} else {
		err = move_chunk(e, r, start, (end - start) / e->base, phase, first, st);
	}
	*unseen = e->unseen;
	return err;
}

/* engine_move_own(): where the pages are; those on a source node first, with their targets. */
static size_t classify_own(struct engine *e, size_t c, struct pagemig_stats *st)
{
	const struct pagemig_plan *p = e->plan;
	size_t j, n = 0;

	for (j = 0; j < c; j++) {
		int node = e->qstatus[j], t = node >= 0 && node < PAGEMIG_MAX_NODES ? p->target[node] : -1;

		if (node < 0)
			continue;	/* not mapped after all (dropped meanwhile): not counted */
		if (t >= 0 && t != node) {
			e->addr[n] = e->addr[j];
			e->size[n] = e->size[j];
			e->target[n] = t;
			e->reason[n++] = SENTINEL;
			st->bytes[PAGEMIG_STAT_PLANNED] += e->size[j];
		} else {
			st->bytes[pagemig_nodemask_is_set(&p->from, node) ? PAGEMIG_STAT_STAYED
									  : PAGEMIG_STAT_ELSEWHERE] += e->size[j];
		}
	}
	return n;
}

int engine_move_own(struct engine *e, void *const *addr, size_t c, bool dry_run, struct pagemig_stats *st,
		    uint64_t *unseen)
{
	uint64_t planned = st->bytes[PAGEMIG_STAT_PLANNED];
	pid_t pid = e->pid;
	size_t j, n, off;
	int err = 0;

	*unseen = 0;
	if (c > CHUNK_PAGES)
		return -EINVAL;		/* the scratch arrays hold one chunk */
	e->pid = 0;			/* move_pages(2) on our own address space */
	e->unseen = 0;
	for (j = 0; j < c; j++) {
		e->addr[j] = addr[j];
		e->size[j] = e->base;
	}
	for (off = 0; off < c && !err; off += e->batch)
		err = query(e, e->addr + off, MIN(e->batch, c - off), e->qstatus + off);
	n = err ? 0 : classify_own(e, c, st);
	if (n && !dry_run) {
		e->prog.total += st->bytes[PAGEMIG_STAT_PLANNED] - planned;	/* the progress total grows */
		err = move_pending(e, n, st);
	}
	*unseen = e->unseen;
	e->pid = pid;
	return err;
}
