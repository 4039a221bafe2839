// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * par_bench.c - what two CPUs can buy for one move, and which two-thread strategy buys it,
 * run inside the NUMA lab guest by bench/par.sh (a benchmark, not a test).
 *
 * Per memory kind (4 KiB pages with MADV_NOHUGEPAGE, THP with MADV_HUGEPAGE) and repetition, the
 * strategies take turns (the first one rotates each repetition), each on fresh target processes
 * whose memory was written while bound to the source node (then back to the default policy); a
 * target only sleeps while it is moved.  Nothing of pagemig is used: raw system calls only.
 *   mp1              one thread: one migrate_pages(2)(pid, {from} -> {to}) (what migratepages does)
 *   floor2           TWO targets of half the size each, moved at the same time by two threads,
 *                    each one migrate_pages(2) on its own target: no shared mm, the best any
 *                    two-CPU tool can do in this guest
 *   mp+mpages/N      one target; thread A: migrate_pages(2) of the whole process; thread B walks the
 *                    region from the top down in move_pages(2) calls of N 4 KiB pages (THP: N/512
 *                    addresses, one per THP; nodes all @to, status prefilled), and before each call
 *                    asks where the call's lowest page is (move_pages, nodes = NULL); it stops when
 *                    that page is on @to (A got there), or when a call moved nothing (every page
 *                    of it was taken by A, -EBUSY)
 *   mp+mpages/half   the same but B makes one call over the top half, addresses in descending
 *                    order, no check: A's page-table walk goes up, B's isolation comes down
 *   mp+mpages/split  B as in /half; A waits until the source node's nr_isolated_anon (its
 *                    vmstat) shows 90% of B's half isolated (or B returned), then calls
 *                    migrate_pages(2): it then finds B's half taken and moves the bottom half only
 *   halves           two threads, each move_pages(2) over one half, 32768 pages per call (pagemig's
 *                    way today)
 *   mpages1          one thread, move_pages(2) over all of it, 32768 pages per call
 * Timed: CLOCK_MONOTONIC from before the first pthread_create() to after the last join (arrays
 * built and faulted in before); CPU: each mover thread's CLOCK_THREAD_CPUTIME_ID, summed; "busy":
 * the non-idle time of all guest CPUs over the measurement (/proc/stat: movers, kworkers, IPIs).
 * Afterwards a placement query of every 4 KiB page of every target decides success: a measurement
 * that left a page off @to is marked and kept out of the medians.  One untimed warm-up round per
 * kind first.
 *
 * The guest's two vCPUs are two threads of the host, which other work on the host may share: just
 * before each timed part (targets ready) a capacity probe copies 4 KiB blocks within a private 2 MiB buffer, the same
 * count on one thread and then on each of two threads at once (no system calls, no shared
 * memory).  Its ratio two/one is what the host gave the guest's second vCPU at that time: 1.0
 * when both ran on a core each, 2.0 when they shared one.  The summary also gives the per-rep
 * ratios to mp1 over the "quiet" repetitions only: those where the probe before the strategy and
 * the one before that repetition's mp1 both read at most QUIET.  In the lab the probe's readings
 * scattered far outside that range, quiet host or not: it did not pick out quiet repetitions
 * (bench/README.md, par).
 *
 * Usage: par_bench [-s MIB] [-r REPS] [-R THP-REPS] [-f FROM] [-t TO] [-k 4k,thp] [-w WARMUP]
 * Exit status: 0 every measurement moved every page, 1 some did not (or setup failed).
 */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "labtest.h"

#define MIB	(1UL << 20)
#define THP	(2UL * MIB)
#define MAXREP	32
#define QUIET	1.25		/* capacity probe ratio up to which a measurement counts as quiet */
#define CHUNK	32768		/* 4 KiB pages per move_pages(2) call: pagemig's */
#define MIN_(a, b) ((a) < (b) ? (a) : (b))

enum strat { S_MP1, S_FLOOR2, S_MPMP4K, S_MPMP32K, S_MPMPHALF, S_MPMPSPLIT, S_HALVES, S_MPAGES1, S_MAX };
static const char *const strat_name[S_MAX] = {
	"mp1", "floor2", "mp+mpages/4096", "mp+mpages/32768", "mp+mpages/half", "mp+mpages/split", "halves", "mpages1",
};
#define IS_MPMP(s) ((s) >= S_MPMP4K && (s) <= S_MPMPSPLIT)

/* One mover thread's job and what it measured. */
struct work {
	enum { W_MIGRATE, W_UP, W_DOWN } how;	/* migrate_pages; move_pages in array order; top down */
	pid_t pid;
	void **pages;		/* W_UP, W_DOWN: addresses, one per page (THP: per 2 MiB) */
	int *nodes, *st;
	size_t n, chunk;	/* entries, entries per call */
	long ret;		/* migrate_pages: its result; move_pages: the last call's (-errno) */
	double cpu, end;	/* thread CPU seconds; CLOCK_MONOTONIC when it returned */
	size_t calls, got;	/* move_pages calls; entries whose status is @to afterwards */
	int stop;		/* W_DOWN: 0 ran to the bottom, 1 placement check, 2 a call moved nothing */
	struct work *wait_for;	/* W_MIGRATE: first wait for this W_UP to isolate its pages */
	volatile bool done;	/* set when the thread returns */
	double waited;		/* W_MIGRATE with wait_for: seconds it waited */
};

struct meas {
	double wall, cpu, busy;	/* busy: all guest CPUs' non-idle seconds */
	double cap;		/* the capacity probe just before */
	bool ok;
	size_t off_target;	/* 4 KiB pages not on @to afterwards, all targets */
	size_t thp_before, thp_after;
	struct work w[2];
	int nw;
};

struct target_spec {
	int idx;
	size_t size;
};

static struct {
	size_t size;
	int reps, reps_thp, from, to, warmup;
	bool kind_thp[2];
	size_t ps;
} cfg = { .size = 1024 * MIB, .reps = 5, .reps_thp = 9, .from = 0, .to = 2, .warmup = 1,
	  .kind_thp = { true, true } };

static struct {			/* MAP_SHARED: the targets tell the bench where their region is */
	char *addr[2];
} *shm;
static bool target_thp;

static double thread_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The capacity probe's work: @arg points at the block count; copies within a private buffer. */
static void *copy_loop(void *arg)
{
	static const size_t len = 2 * MIB;
	size_t blocks = *(size_t *)arg;
	char *buf = malloc(len);

	if (!buf)
		FAIL("out of memory");
	memset(buf, 1, len);
	for (size_t i = 0; i < blocks; i++) {
		size_t a = (i * 4096) % len, b = ((i * 4096) + len / 2) % len;

		memcpy(buf + b, buf + a, 4096);
		__asm__ volatile("" : : "r"(buf) : "memory");
	}
	free(buf);
	return NULL;
}

/* Wall seconds of the copy loop on @threads threads at once, @blocks blocks each. */
static double copy_wall(int threads, size_t blocks)
{
	pthread_t th[2];
	double t0 = lab_now();

	for (int i = 0; i < threads; i++)
		if (pthread_create(&th[i], NULL, copy_loop, &blocks))
			FAIL("pthread_create: %s", strerror(errno));
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	return lab_now() - t0;
}

static size_t probe_blocks;	/* calibrated once: about 0.15 s on one thread */

/* The capacity probe: two threads' wall / one thread's, the same work each. */
static double capacity(void)
{
	double one, two;

	if (!probe_blocks) {
		probe_blocks = 4096;
		while (copy_wall(1, probe_blocks) < 0.15 && probe_blocks < (1UL << 34))
			probe_blocks *= 2;
	}
	one = copy_wall(1, probe_blocks);
	two = copy_wall(2, probe_blocks);
	return two / one;
}

static void *big_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap of %zu bytes: %s", bytes, strerror(errno));
	return p;
}

/* Non-idle seconds of all CPUs so far (/proc/stat, USER_HZ = 100). */
static double cpus_busy(void)
{
	char buf[512];
	unsigned long long v[10] = { 0 }, busy = 0;

	if (lab_read_file("/proc/stat", buf, sizeof(buf)) <= 0)
		return NAN;
	sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
	       &v[5], &v[6], &v[7], &v[8], &v[9]);
	for (int i = 0; i < 8; i++)	/* guest and guest_nice are in user already */
		if (i != 3 && i != 4)	/* idle, iowait */
			busy += v[i];
	return (double)busy / 100.0;
}

/* A target: map its region 2 MiB-aligned, write it bound to the source node, keep no policy. */
static void target_setup(void *arg)
{
	const struct target_spec *t = arg;
	size_t len = t->size + THP;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	int err;

	if (p == MAP_FAILED)
		FAIL("target mmap of %zu bytes: %s", len, strerror(errno));
	a = ((uintptr_t)p + THP - 1) & ~(uintptr_t)(THP - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + len > a + t->size)
		munmap((char *)a + t->size, (uintptr_t)p + len - (a + t->size));
	p = (char *)a;
	if (madvise(p, t->size, target_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		FAIL("madvise: %s", strerror(errno));
	err = lab_set_mempolicy(MPOL_BIND, 1ULL << cfg.from);
	if (err)
		FAIL("set_mempolicy(BIND %d): %s", cfg.from, strerror(-err));
	for (size_t off = 0; off < t->size; off += cfg.ps)
		p[off] = (char)((off / cfg.ps) | 1);
	lab_set_mempolicy(MPOL_DEFAULT, 0);
	shm->addr[t->idx] = p;
}

/* AnonHugePages of @pid, in THPs. */
static size_t thp_count(pid_t pid)
{
	char path[64], buf[4096];
	const char *s;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (lab_read_file(path, buf, sizeof(buf)) < 0 || !(s = strstr(buf, "AnonHugePages:")))
		return 0;
	return (size_t)strtoull(s + strlen("AnonHugePages:"), NULL, 10) / (THP / 1024);
}

/* 4 KiB pages of @pid's region (@addr, @size) that are not on @node (placement query). */
static size_t count_off(pid_t pid, char *addr, size_t size, int node)
{
	size_t n = size / cfg.ps, off = 0;
	void **pages = big_alloc(n * sizeof(*pages));
	int *st = big_alloc(n * sizeof(*st));

	for (size_t i = 0; i < n; i++) {
		pages[i] = addr + i * cfg.ps;
		st[i] = INT32_MIN;
	}
	if (syscall(SYS_move_pages, pid, n, pages, NULL, st, 0) < 0)
		FAIL("placement query of %zu pages: %s", n, strerror(errno));
	for (size_t i = 0; i < n; i++)
		off += st[i] != node;
	munmap(pages, n * sizeof(*pages));
	munmap(st, n * sizeof(*st));
	return off;
}

/* One move_pages(2) call over entries [lo, hi) of @w; counts the entries that ended on @to. */
static long mp_call(struct work *w, size_t lo, size_t hi, size_t *got)
{
	long ret = syscall(SYS_move_pages, w->pid, hi - lo, w->pages + lo, w->nodes + lo, w->st + lo,
			   MPOL_MF_MOVE);

	*got = 0;
	w->calls++;
	if (ret < 0)
		return -errno;
	for (size_t i = lo; i < hi; i++)
		*got += w->st[i] == cfg.to;
	return ret;
}

/* Thread B of mp+mpages: chunks from the top down, each after a look at its lowest page. */
static void walk_down(struct work *w)
{
	for (size_t hi = w->n; hi > 0;) {
		size_t lo = hi > w->chunk ? hi - w->chunk : 0, got;
		int where = INT32_MIN;

		if (syscall(SYS_move_pages, w->pid, 1UL, w->pages + lo, NULL, &where, 0) == 0 && where == cfg.to) {
			w->stop = 1;
			return;
		}
		w->ret = mp_call(w, lo, hi, &got);
		w->got += got;
		if (w->ret < 0)
			return;
		if (!got) {
			w->stop = 2;
			return;
		}
		hi = lo;
	}
}

/* The source node's isolated anonymous pages (4 KiB units), from its vmstat; -1 if unreadable. */
static long isolated_anon(void)
{
	char path[96], buf[8192];
	const char *p;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/vmstat", cfg.from);
	if (lab_read_file(path, buf, sizeof(buf)) <= 0 || !(p = strstr(buf, "nr_isolated_anon ")))
		return -1;
	return strtol(p + strlen("nr_isolated_anon "), NULL, 10);
}

/* mp+mpages/split: wait (1 ms polls) until @b's pages are 90% isolated, @b returned, or 10 s. */
static void wait_isolated(struct work *w, const struct work *b)
{
	long want = (long)(cfg.size / 2 / cfg.ps) * 9 / 10;
	double t0 = lab_now();

	while (!b->done && lab_now() - t0 < 10) {
		long n = isolated_anon();

		if (n < 0 || n >= want)
			break;
		usleep(1000);
	}
	w->waited = lab_now() - t0;
}

static void *mover(void *arg)
{
	struct work *w = arg;
	double c0 = thread_cpu();
	size_t got;

	switch (w->how) {
	case W_MIGRATE:
		if (w->wait_for)
			wait_isolated(w, w->wait_for);
		w->ret = lab_migrate_pages(w->pid, 1ULL << cfg.from, 1ULL << cfg.to);
		break;
	case W_UP:
		for (size_t i = 0; i < w->n && w->ret >= 0; i += w->chunk) {
			w->ret = mp_call(w, i, MIN_(i + w->chunk, w->n), &got);
			w->got += got;
		}
		break;
	case W_DOWN:
		walk_down(w);
		break;
	}
	w->cpu = thread_cpu() - c0;
	w->end = lab_now();
	w->done = true;
	return NULL;
}

/* Arrays for @w: @n addresses of @addr, @step apart (@desc: from the top down), nodes @to, sentinel. */
static void work_arrays(struct work *w, char *addr, size_t n, size_t step, bool desc)
{
	w->n = n;
	w->pages = big_alloc(n * sizeof(*w->pages));
	w->nodes = big_alloc(n * sizeof(*w->nodes));
	w->st = big_alloc(n * sizeof(*w->st));
	for (size_t i = 0; i < n; i++) {
		w->pages[i] = addr + (desc ? n - 1 - i : i) * step;
		w->nodes[i] = cfg.to;
		w->st[i] = INT32_MIN;
	}
}

static void work_free(struct work *w)
{
	if (!w->pages)
		return;
	munmap(w->pages, w->n * sizeof(*w->pages));
	munmap(w->nodes, w->n * sizeof(*w->nodes));
	munmap(w->st, w->n * sizeof(*w->st));
	w->pages = NULL;
}

/* The jobs of strategy @s on targets @pid (one, or two for floor2); returns how many. */
static int plan(enum strat s, const pid_t *pid, struct work *w)
{
	size_t step = target_thp ? THP : cfg.ps, n = cfg.size / step, chunk = CHUNK * cfg.ps / step;
	char *a = shm->addr[0];

	memset(w, 0, 2 * sizeof(*w));
	w[0].pid = w[1].pid = pid[0];
	switch (s) {
	case S_MP1:
		return 1;
	case S_FLOOR2:
		w[1].pid = pid[1];
		return 2;
	case S_MPMP4K:
	case S_MPMP32K:
		w[1].how = W_DOWN;
		work_arrays(&w[1], a, n, step, false);
		w[1].chunk = (s == S_MPMP4K ? 4096 : CHUNK) * cfg.ps / step;
		return 2;
	case S_MPMPHALF:
	case S_MPMPSPLIT:
		if (s == S_MPMPSPLIT)
			w[0].wait_for = &w[1];
		w[1].how = W_UP;
		work_arrays(&w[1], a + n / 2 * step, n - n / 2, step, true);
		w[1].chunk = w[1].n;
		return 2;
	case S_HALVES:
		w[0].how = w[1].how = W_UP;
		work_arrays(&w[0], a, n / 2, step, false);
		work_arrays(&w[1], a + n / 2 * step, n - n / 2, step, false);
		w[0].chunk = w[1].chunk = chunk;
		return 2;
	default:
		w[0].how = W_UP;
		work_arrays(&w[0], a, n, step, false);
		w[0].chunk = chunk;
		return 1;
	}
}

static void log_meas(enum strat s, int rep, const struct meas *m)
{
	char extra[240] = "";

	if (m->nw == 2)
		snprintf(extra, sizeof(extra), "  | A cpu %.3f end +%.3f, B cpu %.3f end +%.3f", m->w[0].cpu,
			 m->w[0].end, m->w[1].cpu, m->w[1].end);
	if (IS_MPMP(s))
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 "; B: %zu calls, %zu of %zu entries to node %d, stop %d; A waited %.3fs", m->w[1].calls,
			 m->w[1].got, s >= S_MPMPHALF ? m->w[1].n * 2 : m->w[1].n, cfg.to, m->w[1].stop, m->w[0].waited);
	lab_log("  %s %d %-16s wall %7.3fs  cpu %7.3fs  busy %6.2fs  cap %.2f  rc %ld/%ld  THP %zu->%zu  off-node %zu%s%s",
		rep ? "rep" : "warm-up", rep, strat_name[s], m->wall, m->cpu, m->busy, m->cap, m->w[0].ret,
		m->nw > 1 ? m->w[1].ret : 0L, m->thp_before, m->thp_after, m->off_target, extra,
		m->ok ? "" : "  NOT MOVED");
}

/* One measurement: fresh targets on the source node, the strategy's threads, the placement check. */
static void measure(enum strat s, int rep, struct meas *m)
{
	int nt = s == S_FLOOR2 ? 2 : 1;
	size_t tsize = cfg.size / (size_t)nt;
	struct target_spec spec[2];
	pthread_t th[2];
	pid_t pid[2];
	double t0, b0;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < nt; i++) {
		spec[i] = (struct target_spec){ .idx = i, .size = tsize };
		pid[i] = lab_spawn(target_setup, &spec[i]);
		if (count_off(pid[i], shm->addr[i], tsize, cfg.from))
			FAIL("target setup: not every page on node %d", cfg.from);
		m->thp_before += thp_count(pid[i]);
	}
	m->nw = plan(s, pid, m->w);
	m->cap = capacity();
	b0 = cpus_busy();
	t0 = lab_now();
	for (int i = 0; i < m->nw; i++)
		if (pthread_create(&th[i], NULL, mover, &m->w[i]))
			FAIL("pthread_create: %s", strerror(errno));
	for (int i = 0; i < m->nw; i++)
		pthread_join(th[i], NULL);
	m->wall = lab_now() - t0;
	m->busy = cpus_busy() - b0;
	for (int i = 0; i < m->nw; i++) {
		m->cpu += m->w[i].cpu;
		m->w[i].end -= t0;
		work_free(&m->w[i]);
	}
	for (int i = 0; i < nt; i++) {
		m->off_target += count_off(pid[i], shm->addr[i], tsize, cfg.to);
		m->thp_after += thp_count(pid[i]);
		lab_kill(pid[i]);
	}
	m->ok = m->off_target == 0;
	log_meas(s, rep, m);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	if (n == 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * Median over the successful repetitions of field @f: 0 wall, 1 cpu, 2 busy, 3 B's share, 4 per-rep
 * wall ratio to mp1, 5 capacity probe, 6 per-rep CPU ratio to mp1; @f + 10: the quiet repetitions only.
 */
static double stat(struct meas (*m)[S_MAX], enum strat s, int f, double *lo, double *hi, int *nok)
{
	bool quiet = f >= 10;
	double v[MAXREP];
	int n = 0;

	f %= 10;
	for (int r = 0; r < cfg.reps; r++) {
		const struct meas *x = &m[r][s], *mp = &m[r][S_MP1];

		if (!x->ok || ((f == 4 || f == 6 || quiet) && !mp->ok) || (quiet && (x->cap > QUIET || mp->cap > QUIET)))
			continue;
		v[n++] = f == 0 ? x->wall : f == 1 ? x->cpu : f == 2 ? x->busy
		       : f == 3 ? (double)x->w[1].got / (double)(s >= S_MPMPHALF ? 2 * x->w[1].n : x->w[1].n)
		       : f == 4 ? x->wall / mp->wall : f == 5 ? x->cap : x->cpu / mp->cpu;
	}
	if (nok)
		*nok = n;
	if (lo && hi) {
		*lo = INFINITY;
		*hi = -INFINITY;
		for (int i = 0; i < n; i++) {
			*lo = v[i] < *lo ? v[i] : *lo;
			*hi = v[i] > *hi ? v[i] : *hi;
		}
	}
	return median(v, n);
}

static int summarize(const char *kind, struct meas (*m)[S_MAX])
{
	double mpw = stat(m, S_MP1, 0, NULL, NULL, NULL), mpc = stat(m, S_MP1, 1, NULL, NULL, NULL);
	size_t thp_min = SIZE_MAX;
	int bad = 0, nq_floor;

	stat(m, S_FLOOR2, 14, NULL, NULL, &nq_floor);

	printf("\nSUMMARY %s (%zu MiB, node %d -> node %d, %d reps after %d warm-up; medians of the reps that "
	       "moved every page)\n", kind, cfg.size / MIB, cfg.from, cfg.to, cfg.reps, cfg.warmup);
	printf("  %-16s", "strategy");
	for (int r = 0; r < cfg.reps; r++)
		printf("  rep%-4d", r + 1);
	printf("   ok\n");
	for (int s = 0; s < S_MAX; s++) {
		int nok;

		stat(m, s, 0, NULL, NULL, &nok);
		bad += cfg.reps - nok;
		printf("  %-16s", strat_name[s]);
		for (int r = 0; r < cfg.reps; r++) {
			printf(m[r][s].ok ? "  %6.3f " : "  %6.3f!", m[r][s].wall);
			thp_min = MIN_(thp_min, m[r][s].thp_before);
		}
		printf("  %d/%d\n", nok, cfg.reps);
	}
	if (bad)
		printf("  (! = left pages off node %d: excluded from the medians)\n", cfg.to);
	printf("  %-16s %8s %15s %8s %8s %8s %9s %8s %7s %5s   %s\n", "strategy", "wall", "(min-max)", "CPU", "busy",
	       "wall/mp1", "(per-rep)", "CPU/mp1", "B share", "cap", "quiet reps: n, wall/mp1 per-rep (min-max), CPU/mp1");
	for (int s = 0; s < S_MAX; s++) {
		double lo, hi, w = stat(m, s, 0, &lo, &hi, NULL), c = stat(m, s, 1, NULL, NULL, NULL), qlo, qhi, q;
		char share[16] = "-";
		int nq;

		if (IS_MPMP(s))
			snprintf(share, sizeof(share), "%.2f", stat(m, s, 3, NULL, NULL, NULL));
		q = stat(m, s, 14, &qlo, &qhi, &nq);
		printf("  %-16s %8.3f  (%5.3f-%5.3f) %8.3f %8.3f %8.2f %9.2f %8.2f %7s %5.2f   %d, %.2f (%.2f-%.2f), %.2f\n",
		       strat_name[s], w, lo, hi, c, stat(m, s, 2, NULL, NULL, NULL), w / mpw, stat(m, s, 4, NULL, NULL, NULL),
		       c / mpc, share, stat(m, s, 5, NULL, NULL, NULL), nq, q, qlo, qhi, stat(m, s, 16, NULL, NULL, NULL));
	}
	printf("  FLOOR %s: floor2 wall / mp1 wall = %.3f / %.3f = %.2f (issue 10's target: <= 1/1.8 = 0.56); "
	       "CPU %.2fx\n", kind, stat(m, S_FLOOR2, 0, NULL, NULL, NULL), mpw,
	       stat(m, S_FLOOR2, 0, NULL, NULL, NULL) / mpw, stat(m, S_FLOOR2, 1, NULL, NULL, NULL) / mpc);
	if (target_thp)
		printf("  THPs (AnonHugePages / 2 MiB) formed in every measurement's targets: >= %zu of %zu\n",
		       thp_min, cfg.size / THP);
	printf("  CAPACITY %s: the probe before each measurement (two threads' copy loop / one thread's; 1.00: both\n"
	       "  vCPUs had a host core each, 2.00: they shared one): median %.2f over mp1's, %.2f over floor2's; "
	       "quiet (<= %.2f): mp1 and floor2 of the same rep both quiet in %d of %d reps\n", kind,
	       stat(m, S_MP1, 5, NULL, NULL, NULL), stat(m, S_FLOOR2, 5, NULL, NULL, NULL), QUIET, nq_floor, cfg.reps);
	if (nq_floor)
		printf("  FLOOR %s, quiet reps only: floor2 / mp1 per rep, median %.2f\n", kind, stat(m, S_FLOOR2, 14, NULL, NULL, NULL));
	return bad;
}

static void parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "s:r:R:f:t:k:w:")) != -1) {
		switch (c) {
		case 's': cfg.size = strtoul(optarg, NULL, 10) * MIB; break;
		case 'r': cfg.reps = atoi(optarg); break;
		case 'R': cfg.reps_thp = atoi(optarg); break;
		case 'f': cfg.from = atoi(optarg); break;
		case 't': cfg.to = atoi(optarg); break;
		case 'w': cfg.warmup = atoi(optarg); break;
		case 'k':
			cfg.kind_thp[0] = strstr(optarg, "4k") != NULL;
			cfg.kind_thp[1] = strstr(optarg, "thp") != NULL;
			break;
		default:
			fprintf(stderr, "usage: par_bench [-s MIB] [-r REPS] [-R THP-REPS] [-f FROM] [-t TO] "
					"[-k 4k,thp] [-w WARMUP]\n");
			exit(2);
		}
	}
	if (!cfg.size || cfg.size % (2 * THP) || cfg.reps < 1 || cfg.reps > MAXREP || cfg.reps_thp < 1 ||
	    cfg.reps_thp > MAXREP || cfg.warmup < 0)
		FAIL("bad size (a multiple of 4 MiB) or repetitions (1-%d)", MAXREP);
}

int main(int argc, char **argv)
{
	static struct meas m[MAXREP][S_MAX], warm;
	const char *kinds[2] = { "4k", "thp" };
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.ps = lab_page_size();
	parse(argc, argv);
	lab_require_root();
	lab_require_nodes(3);
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	lab_print_environment();
	for (int k = 0, reps4k = cfg.reps; k < 2; k++) {
		if (!cfg.kind_thp[k])
			continue;
		target_thp = k == 1;
		cfg.reps = target_thp ? cfg.reps_thp : reps4k;
		printf("\n== %s: %zu MiB of %s, node %d -> node %d, %d reps, strategies in turn (rotating)\n",
		       kinds[k], cfg.size / MIB, target_thp ? "THP (MADV_HUGEPAGE)" : "4 KiB pages (MADV_NOHUGEPAGE)",
		       cfg.from, cfg.to, cfg.reps);
		for (int w = 0; w < cfg.warmup; w++)
			for (int s = 0; s < S_MAX; s++)
				measure(s, 0, &warm);
		for (int r = 0; r < cfg.reps; r++)
			for (int i = 0; i < S_MAX; i++) {
				int s = (r + i) % S_MAX;

				measure(s, r + 1, &m[r][s]);
			}
		bad += summarize(kinds[k], m);
	}
	printf("\nRESULT %s\n", bad ? "some measurements left pages behind" : "every measurement moved every page");
	return bad ? 1 : 0;
}
