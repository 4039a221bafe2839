// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_bench.c - `pagemig move` against numactl's `migratepages` and one move_pages(2) call,
 * run inside the NUMA lab guest by bench/move.sh (not a test: bench/lab/, not tests/lab/).
 *
 * Per memory kind (4 KiB anonymous pages with MADV_NOHUGEPAGE, THP with MADV_HUGEPAGE) and per
 * repetition, the tools take turns (pagemig, pagemig-1, migratepages, move_pages, pagemig-pages;
 * in reverse order every other repetition since 2026-11-30) on a fresh target
 * process whose region was faulted in on the source node, so every measurement starts from the
 * same state and the setup is never timed.  Each measurement is CLOCK_MONOTONIC around:
 *   pagemig       fork + exec `pagemig move PID FROM TO --no-progress` + wait4()
 *   pagemig-1     the same with --threads=1
 *   migratepages  fork + exec `migratepages PID FROM TO` + wait4()
 *   move_pages    the one move_pages(2) call alone (arrays built before the clock starts);
 *                 THP: one address per 2 MiB page, 4 KiB: one per page
 * and is then checked with a placement query (move_pages, nodes = NULL) of every 4 KiB page of
 * the region: a measurement that left any page off the target node is reported as FAILED and
 * kept out of the medians.  pagemig's peak RSS is wait4()'s ru_maxrss (KiB); the bench keeps
 * its own RSS small at fork time (big arrays are mmap()ed and unmapped) so the pre-exec copy
 * of its address space does not inflate that number.
 *
 * A fifth column, pagemig-pages, is `pagemig move --engine=pages` (every page with move_pages(2),
 * default threads): the per-page engine, for comparison with the default's migrate_pages(2).
 * One untimed warm-up round per kind comes first (the first touch of a node's memory in the
 * guest, and TCG's first translation of the migration paths, are not what is measured).
 *
 * Then the stall probe (-P reps, 3 by default, after one untimed warm-up; the order reversed every
 * other repetition): pagemig, pagemig-1 and migratepages again, on targets with a thread that
 * writes every page in a loop and keeps its longest pause (between two clock reads, one every 8
 * pages): what the application sees of the move (see probe_writer()).
 *
 * Usage: move_bench [-s MIB] [-r REPS] [-R THP-REPS] [-f FROM] [-t TO] [-k 4k,thp] [-T TOOLS] [-w N]
 *                   [-P PROBE-REPS] [-g REGIONS] [-a ARG]...
 *   -T LIST  tools: pagemig,pagemig-1,migratepages,move_pages,pagemig-pages (default all)
 *   -w N     untimed warm-up rounds per kind (default 1)
 *   -g N     N regions instead of one (4 KiB kind only), alternately rw- and r-- (vm.max_map_count
 *            is raised): the per-region cost
 *   -a ARG   experiment: an extra argument for `pagemig move` (repeatable, e.g. -a --batch=512)
 * Exit status: 0 every measurement moved everything, 1 some did not (or setup failed).
 */
#include <getopt.h>
#include <pthread.h>
#include <math.h>
#include <sys/resource.h>
#include <time.h>

#include "labtest.h"

#define MIB	(1UL << 20)
#define THP	(2UL * MIB)
#define MAXREP	32
#define MIN_(a, b) ((a) < (b) ? (a) : (b))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum tool { T_PAGEMIG, T_PAGEMIG1, T_MIGRATEPAGES, T_MOVE_PAGES, T_PAGES, T_MAX };
static const char *const tool_name[T_MAX] = { "pagemig", "pagemig-1", "migratepages", "move_pages",
					      "pagemig-pages" };

struct meas {
	double secs;		/* < 0: not run */
	bool ok;		/* every page of the region on the target afterwards */
	int rc;			/* exit status (tools) or syscall result (move_pages) */
	long maxrss_kib;	/* ru_maxrss of the tool (0 for move_pages) */
	double usr, sys;	/* CPU seconds in user space and in the kernel (rusage) */
	size_t on_target;	/* 4 KiB pages on the target node afterwards */
	size_t count[5];	/* 4 KiB pages per node 0..3 afterwards, [4]: elsewhere or not found */
	size_t thp_before;	/* THPs in the target before the move (AnonHugePages) */
	size_t thp_after;	/* THPs in the target afterwards */
	double query_secs;	/* pagemig only: a placement query shaped like pagemig's (THP: heads only) */
	double noop_secs;	/* pagemig only: the same command again, nothing left to move */
	double noop_cpu;	/* pagemig, pagemig-1, migratepages: that rerun's CPU seconds (-1: none) */
	double proc_secs[3];	/* pagemig only: reading the target's smaps, numa_maps, the region's pagemap */
	int noop_rc;
	double pause_secs;	/* stall probe: the target's writer's longest pause during the tool */
	uint64_t probe_loops;	/* the writer's passes over the region during the tool */
};

struct shared {			/* MAP_SHARED page: the target tells the bench where its region is */
	char *addr;
	volatile uint64_t max_pause_ns;	/* the stall probe's writer: its longest pause, reset by the bench */
	volatile uint64_t loops;	/* its passes over the region */
};

static struct {
	size_t size;
	int reps, from, to;
	bool kind_thp[2];	/* [0] 4k, [1] thp */
	bool use[T_MAX];
	size_t ps;
	int warmup;		/* untimed rounds before the measured ones */
	int probe_reps;		/* stall probe: measurements per tool with a writer in the target */
	int reps_thp;		/* repetitions for THP (0: as many as for 4 KiB) */
	size_t regions;		/* 0: one region; else that many, alternately rw- and r-- (4 KiB kind) */
	const char *extra[8];	/* extra arguments for `pagemig move` */
	int nextra;
} cfg = { .size = 1024 * MIB, .reps = 5, .from = 0, .to = 2, .kind_thp = { true, true },
	  .use = { true, true, true, true, true }, .warmup = 1, .probe_reps = 3 };

static struct shared *shm;
static bool target_thp;
static bool target_probe;	/* the next target runs the stall probe's writer */
static double startup_secs = NAN;	/* median of `pagemig --version` runs */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_secs(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void *big_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap of %zu bytes: %s", bytes, strerror(errno));
	return p;
}

static void big_free(void *p, size_t bytes)
{
	munmap(p, bytes ? bytes : 1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The stall probe: a thread of the target that writes one byte in every page of the region, over
 * and over, and keeps its longest pause between two clock reads (one every 8 pages) in shared
 * memory.  A write to a page under migration waits until the page is copied; a thread preempted
 * by the mover's threads waits too: both are what an application sees.
 */
static void *probe_writer(void *arg)
{
	char *p = arg;
	uint64_t t, prev = now_ns(), gap;

	for (;;) {
		for (size_t off = 0; off < cfg.size; off += cfg.ps) {
			p[off]++;
			if ((off / cfg.ps) % 8)
				continue;
			t = now_ns();
			gap = t - prev;
			prev = t;
			if (gap > shm->max_pause_ns)
				shm->max_pause_ns = gap;
		}
		shm->loops++;
	}
	return NULL;
}

/* The target: map the region 2 MiB-aligned, fault it in on the source node, keep no policy. */
static void target_setup(void *arg)
{
	size_t len = cfg.size + THP;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;
	int err;

	if (p == MAP_FAILED)
		FAIL("target mmap of %zu bytes: %s", len, strerror(errno));
	a = ((uintptr_t)p + THP - 1) & ~(uintptr_t)(THP - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + len > a + cfg.size)
		munmap((char *)a + cfg.size, (uintptr_t)p + len - (a + cfg.size));
	p = (char *)a;
	if (madvise(p, cfg.size, target_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		FAIL("madvise: %s", strerror(errno));
	err = lab_set_mempolicy(MPOL_BIND, 1ULL << cfg.from);
	if (err)
		FAIL("set_mempolicy(BIND %d): %s", cfg.from, strerror(-err));
	for (size_t off = 0; off < cfg.size; off += cfg.ps)
		p[off] = (char)((off / cfg.ps) | 1);
	lab_set_mempolicy(MPOL_DEFAULT, 0);
	for (size_t i = 1; i < cfg.regions; i += 2) {	/* different protections: the kernel cannot merge them */
		size_t rs = cfg.size / cfg.regions;

		if (mprotect(p + i * rs, rs, PROT_READ))
			FAIL("mprotect of region %zu: %s", i, strerror(errno));
	}
	shm->addr = p;
	if (target_probe) {
		pthread_t t;

		if (pthread_create(&t, NULL, probe_writer, p))
			FAIL("the stall probe's thread: %s", strerror(errno));
	}
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

/*
 * A placement query (move_pages, nodes = NULL) of the region, one address every @step bytes.
 * @count: if not NULL, per node 0..3 the pages found there, [4] the rest (errors, other nodes)
 * Return: the seconds the call took; FAILs if it fails.
 */
static double query(pid_t pid, size_t step, size_t count[5])
{
	size_t n = cfg.size / step;
	void **pages = big_alloc(n * sizeof(*pages));
	int *st = big_alloc(n * sizeof(*st));
	double t0, secs;

	for (size_t i = 0; i < n; i++) {
		pages[i] = shm->addr + i * step;
		st[i] = INT32_MIN;
	}
	t0 = now();
	if (syscall(SYS_move_pages, pid, n, pages, NULL, st, 0) < 0)
		FAIL("placement query of %zu pages: %s", n, strerror(errno));
	secs = now() - t0;
	if (count) {
		memset(count, 0, 5 * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[st[i] >= 0 && st[i] < 4 ? st[i] : 4]++;
	}
	big_free(pages, n * sizeof(*pages));
	big_free(st, n * sizeof(*st));
	return secs;
}

/* Seconds to read /proc/PID/@name whole (@pagemap: only the region's entries, 8192 per pread). */
static double read_proc(pid_t pid, const char *name, bool pagemap)
{
	static uint64_t buf[8192];
	char path[64];
	double t0 = now();
	off_t off = (off_t)((uintptr_t)shm->addr / cfg.ps * sizeof(uint64_t)), end;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	end = off + (off_t)(cfg.size / cfg.ps * sizeof(uint64_t));
	while (pagemap ? off < end : true) {
		ssize_t n = pagemap ? pread(fd, buf, sizeof(buf), off) : read(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		off += n;
	}
	close(fd);
	return now() - t0;
}

/*
 * fork + exec a tool with stdout/stderr in /tmp/TOOL.out; the clock covers fork to wait4.
 * @version: run `pagemig --version` instead (startup cost alone).
 */
static double run_tool(enum tool t, pid_t target, bool version, int *rc, struct meas *m)
{
	char pid[16], from[16], to[16], out[64];
	struct rusage ru;
	int status, fd;
	double t0, secs;
	pid_t c;

	snprintf(pid, sizeof(pid), "%d", (int)target);
	snprintf(from, sizeof(from), "%d", cfg.from);
	snprintf(to, sizeof(to), "%d", cfg.to);
	snprintf(out, sizeof(out), "/tmp/%s.out", tool_name[t]);
	fflush(NULL);
	t0 = now();
	c = fork();
	if (c < 0)
		FAIL("fork: %s", strerror(errno));
	if (c == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		if (version)
			execlp("pagemig", "pagemig", "--version", (char *)NULL);
		else if (t == T_PAGEMIG) {
			const char *argv[16] = { "pagemig", "move", pid, from, to, "--no-progress" };

			for (int i = 0; i < cfg.nextra; i++)
				argv[6 + i] = cfg.extra[i];
			execvp("pagemig", (char **)argv);
		} else if (t == T_PAGEMIG1 || t == T_PAGES) {
			const char *argv[17] = { "pagemig", "move", pid, from, to, "--no-progress",
						 t == T_PAGES ? "--engine=pages" : "--threads=1" };

			for (int i = 0; i < cfg.nextra; i++)
				argv[7 + i] = cfg.extra[i];
			execvp("pagemig", (char **)argv);
		}
		else
			execlp("migratepages", "migratepages", pid, from, to, (char *)NULL);
		_exit(127);
	}
	if (wait4(c, &status, 0, &ru) < 0)
		FAIL("wait4: %s", strerror(errno));
	secs = now() - t0;
	*rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (m) {
		m->maxrss_kib = ru.ru_maxrss;
		m->usr = tv_secs(ru.ru_utime);
		m->sys = tv_secs(ru.ru_stime);
	}
	return secs;
}

/* The baseline: one move_pages(2) call for the whole region, only the call timed. */
static void run_move_pages(pid_t target, struct meas *m)
{
	size_t step = target_thp ? THP : cfg.ps, n = cfg.size / step;
	void **pages = big_alloc(n * sizeof(*pages));
	int *nodes = big_alloc(n * sizeof(*nodes)), *st = big_alloc(n * sizeof(*st));
	struct rusage ru0, ru1;
	double t0;
	long ret;

	for (size_t i = 0; i < n; i++) {
		pages[i] = shm->addr + i * step;
		nodes[i] = cfg.to;
		st[i] = INT32_MIN;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now();
	ret = syscall(SYS_move_pages, target, n, pages, nodes, st, MPOL_MF_MOVE);
	m->secs = now() - t0;
	m->rc = ret < 0 ? -errno : (int)ret;
	getrusage(RUSAGE_SELF, &ru1);
	m->usr = tv_secs(ru1.ru_utime) - tv_secs(ru0.ru_utime);
	m->sys = tv_secs(ru1.ru_stime) - tv_secs(ru0.ru_stime);
	m->maxrss_kib = 0;
	big_free(pages, n * sizeof(*pages));
	big_free(nodes, n * sizeof(*nodes));
	big_free(st, n * sizeof(*st));
}

static void show_output(enum tool t)
{
	char path[64], buf[2048];

	snprintf(path, sizeof(path), "/tmp/%s.out", tool_name[t]);
	if (lab_read_file(path, buf, sizeof(buf)) > 0)
		printf("    | %s output:\n%s\n", tool_name[t], buf);
}

/* One measurement (rep 0: warm-up): a fresh target on the source node, the tool, the placement check. */
static void measure(enum tool t, int rep, struct meas *m)
{
	size_t n = cfg.size / cfg.ps, *c = m->count;
	char diag[128] = "";
	pid_t target;

	shm->addr = NULL;
	target = lab_spawn(target_setup, NULL);
	query(target, cfg.ps, c);
	if (c[cfg.from] != n)
		FAIL("target setup: %zu of %zu pages on node %d", c[cfg.from], n, cfg.from);
	m->thp_before = thp_count(target);
	shm->max_pause_ns = 0;
	shm->loops = 0;
	if (t == T_MOVE_PAGES)
		run_move_pages(target, m);
	else
		m->secs = run_tool(t, target, false, &m->rc, m);
	m->pause_secs = (double)shm->max_pause_ns / 1e9;
	m->probe_loops = shm->loops;
	query(target, cfg.ps, c);
	m->on_target = c[cfg.to];
	m->thp_after = thp_count(target);
	m->ok = m->on_target == n;
	m->noop_cpu = -1;
	if (!target_probe && m->ok && (t == T_PAGEMIG1 || t == T_MIGRATEPAGES)) {
		struct meas x;	/* untimed: the same command again, its CPU (the per-move constant) */

		run_tool(t, target, false, &m->noop_rc, &x);
		m->noop_cpu = x.usr + x.sys;
	}
	if (t == T_PAGEMIG && !target_probe) {	/* diagnostics, untimed: a query like pagemig's, a rerun */
		struct meas x;

		m->query_secs = query(target, target_thp ? THP : cfg.ps, NULL);
		m->noop_secs = run_tool(t, target, false, &m->noop_rc, &x);
		m->noop_cpu = x.usr + x.sys;
		m->proc_secs[0] = read_proc(target, "smaps", false);
		m->proc_secs[1] = read_proc(target, "numa_maps", false);
		m->proc_secs[2] = read_proc(target, "pagemap", true);
		snprintf(diag, sizeof(diag), "  | query %.3fs, rerun %.3fs, CPU %.3fs (rc %d)", m->query_secs,
			 m->noop_secs, m->noop_cpu, m->noop_rc);
	} else if (m->noop_cpu >= 0) {
		snprintf(diag, sizeof(diag), "  | rerun CPU %.3fs (rc %d)", m->noop_cpu, m->noop_rc);
	}
	if (target_probe)
		snprintf(diag, sizeof(diag), "  | longest pause %.4fs (%llu passes)", m->pause_secs,
			 (unsigned long long)m->probe_loops);
	lab_log("  %s %d %-12s %7.3fs (usr %.3f sys %.3f)  rc %d  pages on nodes 0/1/2/3/other: "
		"%zu/%zu/%zu/%zu/%zu  THP %zu->%zu  maxrss %ld KiB%s%s", !rep ? "warm-up" : target_probe ? "probe" : "rep",
		rep, tool_name[t], m->secs, m->usr, m->sys, m->rc, c[0], c[1], c[2], c[3], c[4], m->thp_before,
		m->thp_after, m->maxrss_kib, diag, m->ok ? "" : "  NOT MOVED");
	if (!m->ok && (t == T_PAGEMIG || t == T_MIGRATEPAGES))
		show_output(t);
	lab_kill(target);
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

/* What a measurement gives the medians and ratios below (from V_QUERY on: pagemig's diagnostics). */
enum value { V_SECS, V_CPU, V_USR, V_SYS, V_NOOP_CPU, V_QUERY, V_NOOP, V_SMAPS, V_NUMA_MAPS, V_PAGEMAP };

/* @x's value @v, or a negative number when it has none (failed, not measured). */
static double value(const struct meas *x, enum value v)
{
	if (!x->ok)
		return -1;
	switch (v) {
	case V_SECS:	return x->secs;
	case V_CPU:	return x->usr + x->sys;
	case V_USR:	return x->usr;
	case V_SYS:	return x->sys;
	case V_NOOP_CPU: return x->noop_cpu;
	case V_QUERY:	return x->query_secs;
	case V_NOOP:	return x->noop_secs;
	case V_SMAPS:
	case V_NUMA_MAPS:
	case V_PAGEMAP:	return x->proc_secs[v - V_SMAPS];
	}
	return -1;
}

/* Median of tool @t's value @v over the measurements that have one; @nok (if not NULL): how many. */
static double tool_median(struct meas (*m)[T_MAX], enum tool t, enum value v, int *nok)
{
	double x[MAXREP];
	int n = 0;

	for (int r = 0; r < cfg.reps; r++)
		if (value(&m[r][t], v) >= 0)
			x[n++] = value(&m[r][t], v);
	if (nok)
		*nok = n;
	return median(x, n);
}

/* Median over repetitions of the per-repetition ratio of value @v, @a / @b, where both have one. */
static double pair_ratio(struct meas (*m)[T_MAX], enum tool a, enum tool b, enum value v)
{
	double x[MAXREP];
	int n = 0;

	for (int r = 0; r < cfg.reps; r++)
		if (value(&m[r][a], v) >= 0 && value(&m[r][b], v) > 0)
			x[n++] = value(&m[r][a], v) / value(&m[r][b], v);
	return median(x, n);
}

/*
 * Where pagemig's time goes beyond the one move_pages(2) call, from pieces measured separately:
 * its startup, a rerun that finds nothing to move (what pagemig reads before and after moving:
 * smaps, numa_maps, pagemap, placement queries), one placement query shaped like the ones
 * pagemig makes after each batch, and the cost of reading each /proc file once.
 */
static void diagnose(struct meas (*m)[T_MAX], const double *med)
{
	double q = tool_median(m, T_PAGEMIG, V_QUERY, NULL), noop = tool_median(m, T_PAGEMIG, V_NOOP, NULL);
	double sm = tool_median(m, T_PAGEMIG, V_SMAPS, NULL), nm = tool_median(m, T_PAGEMIG, V_NUMA_MAPS, NULL);
	double pm = tool_median(m, T_PAGEMIG, V_PAGEMAP, NULL);

	printf("  diagnosis: pagemig startup (--version) %.3fs; pagemig rerun with nothing to move %.3fs;\n"
	       "             one placement query shaped like pagemig's (%s) %.3fs;\n"
	       "             reading the target's smaps %.3fs, numa_maps %.3fs, the region's pagemap %.3fs\n",
	       startup_secs, noop, target_thp ? "THP heads" : "every 4 KiB page", q, sm, nm, pm);
	if (cfg.use[T_MOVE_PAGES])
		printf("             pagemig - move_pages = %.3fs; rerun + query = %.3fs\n",
		       med[T_PAGEMIG] - med[T_MOVE_PAGES], noop + q);
}

static int summarize(const char *kind, struct meas (*m)[T_MAX])
{
	double med[T_MAX];
	int nok[T_MAX], bad = 0, t;
	long rss_max = 0;
	size_t thp_min = SIZE_MAX, thp_formed = SIZE_MAX;

	printf("\nSUMMARY %s (%zu MiB, %zu region%s, node %d -> node %d, %d reps)\n", kind, cfg.size / MIB,
	       cfg.regions ? cfg.regions : 1, cfg.regions ? "s" : "", cfg.from, cfg.to, cfg.reps);
	printf("  %-12s", "tool");
	for (int r = 0; r < cfg.reps; r++)
		printf("   rep%-5d", r + 1);
	printf("   median    ok\n");
	for (t = 0; t < T_MAX; t++) {
		if (!cfg.use[t])
			continue;
		med[t] = tool_median(m, t, V_SECS, &nok[t]);
		bad += cfg.reps - nok[t];
		printf("  %-12s", tool_name[t]);
		for (int r = 0; r < cfg.reps; r++)
			printf(m[r][t].ok ? "  %8.3f" : "  %7.3f!", m[r][t].secs);
		printf("  %8.3f   %d/%d\n", med[t], nok[t], cfg.reps);
	}
	if (bad)
		printf("  (! = did not move every page: excluded from the medians)\n");
	printf("  CPU seconds, medians (user / kernel):");
	for (t = 0; t < T_MAX; t++)
		if (cfg.use[t])
			printf(" %s %.3f / %.3f%s", tool_name[t], tool_median(m, t, V_USR, NULL), tool_median(m, t, V_SYS, NULL),
			       t + 1 < T_MAX ? ";" : "");
	printf("\n");
	for (int p = T_PAGEMIG; p <= T_PAGEMIG1; p++) {
		for (t = T_MIGRATEPAGES; cfg.use[p] && t <= T_MOVE_PAGES; t++) {
			if (!cfg.use[t])
				continue;
			printf("  ratio %s/%s: %.2f (of medians), %.2f (median of per-rep ratios)\n", tool_name[t],
			       tool_name[p], med[t] / med[p], pair_ratio(m, t, p, V_SECS));
		}
	}
	printf("  COST %s %zu MiB %zu regions: per GiB wall / CPU, per 1000 regions wall:", kind, cfg.size / MIB,
	       cfg.regions ? cfg.regions : 1);
	for (t = T_PAGEMIG; t <= T_MIGRATEPAGES; t++)
		if (cfg.use[t])
			printf(" %s %.3f / %.3f s, %.4f s;", tool_name[t], med[t] / ((double)cfg.size / (1024 * MIB)),
			       tool_median(m, t, V_CPU, NULL) / ((double)cfg.size / (1024 * MIB)),
			       med[t] / ((double)(cfg.regions ? cfg.regions : 1) / 1000));
	printf("\n");
	if (cfg.use[T_MIGRATEPAGES]) {
		double mp_cpu = tool_median(m, T_MIGRATEPAGES, V_CPU, NULL);
		double pm_cpu = tool_median(m, T_PAGEMIG, V_CPU, NULL), pages_cpu = tool_median(m, T_PAGES, V_CPU, NULL);

		if (cfg.use[T_PAGEMIG1]) {
			double c1 = tool_median(m, T_PAGEMIG1, V_NOOP_CPU, NULL);
			double c0 = tool_median(m, T_MIGRATEPAGES, V_NOOP_CPU, NULL);
			double p1_cpu = tool_median(m, T_PAGEMIG1, V_CPU, NULL);

			printf("  target: pagemig-1 CPU / migratepages CPU = %.3f / %.3f = %.2f (<= 1.05); "
			       "median of per-rep ratios %.2f\n", p1_cpu, mp_cpu, p1_cpu / mp_cpu,
			       pair_ratio(m, T_PAGEMIG1, T_MIGRATEPAGES, V_CPU));
			printf("  constant: CPU of the same command rerun with nothing left to move (start, reads, the "
			       "kernel's walk), medians:\n            pagemig-1 %.3f s, migratepages %.3f s: "
			       "pagemig-1 spends %.3f s more, %.1f%% of migratepages' move\n", c1, c0, c1 - c0,
			       100 * (c1 - c0) / mp_cpu);
		}
		if (cfg.use[T_PAGEMIG])
			printf("  target: pagemig wall / migratepages wall = %.3f / %.3f = %.2f (<= 1/1.8 = 0.56); "
			       "pagemig CPU %.3f = %.2fx migratepages'\n", med[T_PAGEMIG], med[T_MIGRATEPAGES],
			       med[T_PAGEMIG] / med[T_MIGRATEPAGES], pm_cpu, pm_cpu / mp_cpu);
		if (cfg.use[T_PAGES])
			printf("  reference: pagemig-pages (--engine=pages) wall / migratepages wall = %.2f; CPU %.3f = "
			       "%.2fx migratepages'\n", med[T_PAGES] / med[T_MIGRATEPAGES], pages_cpu, pages_cpu / mp_cpu);
	}
	if (cfg.use[T_PAGEMIG]) {
		for (int r = 0; r < cfg.reps; r++)
			if (m[r][T_PAGEMIG].maxrss_kib > rss_max)
				rss_max = m[r][T_PAGEMIG].maxrss_kib;
		printf("  pagemig peak RSS (ru_maxrss): %.1f MiB max over reps (per rep KiB:", (double)rss_max / 1024);
		for (int r = 0; r < cfg.reps; r++)
			printf(" %ld", m[r][T_PAGEMIG].maxrss_kib);
		printf(")\n");
	}
	if (cfg.use[T_PAGEMIG])
		diagnose(m, med);
	if (cfg.use[T_MIGRATEPAGES]) {
		rss_max = 0;
		for (int r = 0; r < cfg.reps; r++)
			rss_max = m[r][T_MIGRATEPAGES].maxrss_kib > rss_max ? m[r][T_MIGRATEPAGES].maxrss_kib : rss_max;
		printf("  migratepages peak RSS (ru_maxrss): %.1f MiB max over reps\n", (double)rss_max / 1024);
	}
	for (int r = 0; r < cfg.reps; r++)
		for (t = 0; t < T_MAX; t++)
			if (cfg.use[t]) {
				thp_min = MIN_(thp_min, m[r][t].thp_after);
				thp_formed = MIN_(thp_formed, m[r][t].thp_before);
			}
	printf("  THPs (AnonHugePages / 2 MiB) in every target: >= %zu of %zu formed, >= %zu after the move\n",
	       thp_formed, cfg.size / THP, thp_min);
	return bad;
}

/*
 * The stall probe: after one untimed warm-up, per repetition, each of pagemig, pagemig-1 and
 * migratepages on a fresh target whose writer thread runs (see probe_writer()), in reverse order
 * every other repetition, and once no tool at all for as long as the slowest tool took (the
 * writer's pauses with nothing moving: the scheduler and TCG).  The longest pause of each run;
 * the medians and the maxima over the repetitions.
 */
static int stall_probe(const char *kind)
{
	static struct meas pm[MAXREP][T_MAX];
	const enum tool tools[] = { T_PAGEMIG, T_PAGEMIG1, T_MIGRATEPAGES };
	double v[MAXREP], idle[MAXREP], longest = 0;
	int bad = 0, n;

	if (!cfg.probe_reps)
		return 0;
	target_probe = true;
	printf("\n== stall probe, %s: a thread of the target writes every page in a loop; its longest pause\n", kind);
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++)
		if (cfg.use[tools[i]]) {	/* untimed: the first target with a writer ran slower than the rest */
			struct meas w;

			measure(tools[i], 0, &w);
			break;
		}
	for (int r = 0; r < cfg.probe_reps; r++) {
		for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
			/* every other repetition in reverse, as in the timed runs */
			enum tool t = tools[r % 2 ? ARRAY_SIZE(tools) - 1 - i : i];

			if (!cfg.use[t])
				continue;
			measure(t, r + 1, &pm[r][t]);
			bad += !pm[r][t].ok;
			longest = pm[r][t].secs > longest ? pm[r][t].secs : longest;
		}
		pid_t target = lab_spawn(target_setup, NULL);

		shm->max_pause_ns = 0;
		usleep((useconds_t)(longest * 1e6));
		idle[r] = (double)shm->max_pause_ns / 1e9;
		lab_log("  probe %d %-12s %7.3fs  | longest pause %.4fs (%llu passes)", r + 1, "(no tool)", longest,
			idle[r], (unsigned long long)shm->loops);
		lab_kill(target);
	}
	target_probe = false;
	printf("STALL %s (%d reps): longest pause of the target's writer, median (max over reps)\n", kind,
	       cfg.probe_reps);
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		double mx = 0;

		if (!cfg.use[tools[i]])
			continue;
		for (n = 0; n < cfg.probe_reps; n++) {
			v[n] = pm[n][tools[i]].pause_secs;
			mx = v[n] > mx ? v[n] : mx;
		}
		printf("  %-12s %.4fs (%.4fs)\n", tool_name[tools[i]], median(v, n), mx);
	}
	printf("  %-12s %.4fs\n", "(no tool)", median(idle, cfg.probe_reps));
	return bad;
}

static void parse(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "s:r:f:t:k:T:w:a:P:R:g:")) != -1) {
		switch (c) {
		case 's': cfg.size = strtoul(optarg, NULL, 10) * MIB; break;
		case 'r': cfg.reps = atoi(optarg); break;
		case 'f': cfg.from = atoi(optarg); break;
		case 't': cfg.to = atoi(optarg); break;
		case 'w': cfg.warmup = atoi(optarg); break;
		case 'a':
			if (cfg.nextra < 8)
				cfg.extra[cfg.nextra++] = optarg;
			break;
		case 'k':
			cfg.kind_thp[0] = strstr(optarg, "4k") != NULL;
			cfg.kind_thp[1] = strstr(optarg, "thp") != NULL;
			break;
		case 'T':
			for (int t = 0; t < T_MAX; t++) {
				size_t len = strlen(tool_name[t]);
				const char *x = optarg;

				cfg.use[t] = false;
				for (; (x = strstr(x, tool_name[t])); x += len)
					if ((x == optarg || x[-1] == ',') && (x[len] == ',' || !x[len]))
						cfg.use[t] = true;
			}
			break;
		case 'P': cfg.probe_reps = atoi(optarg); break;
		case 'R': cfg.reps_thp = atoi(optarg); break;
		case 'g': cfg.regions = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: move_bench [-s MIB] [-r REPS] [-f FROM] [-t TO] [-k 4k,thp] "
					"[-T pagemig,pagemig-1,migratepages,move_pages,pagemig-pages] [-w WARMUP] [-P PROBE-REPS] "
					"[-R THP-REPS] [-g REGIONS] [-a PAGEMIG-ARG]...\n");
			exit(2);
		}
	}
	if (!cfg.reps_thp)
		cfg.reps_thp = cfg.reps;
	if (!cfg.size || cfg.size % THP || cfg.reps < 1 || cfg.reps > MAXREP || cfg.probe_reps < 0 ||
	    cfg.probe_reps > MAXREP || cfg.reps_thp < 1 || cfg.reps_thp > MAXREP ||
	    (cfg.regions && (cfg.size / cfg.regions < cfg.ps || cfg.size % cfg.regions)))
		FAIL("bad size or repetitions");
}

int main(int argc, char **argv)
{
	static struct meas m[MAXREP][T_MAX];
	const char *kinds[2] = { "4k", "thp" };
	int bad = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	cfg.ps = lab_page_size();
	parse(argc, argv);
	lab_require_root();
	lab_require_nodes(3);
	if (cfg.use[T_PAGEMIG])
		lab_require_cmd("pagemig");
	if (cfg.use[T_MIGRATEPAGES] && !lab_have_cmd("migratepages")) {
		printf("migratepages not found on PATH: measuring without it\n");
		cfg.use[T_MIGRATEPAGES] = false;
	}
	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	lab_print_environment();
	if (cfg.use[T_PAGEMIG]) {
		double v[5];
		int rc;

		for (int i = 0; i < 5; i++)
			v[i] = run_tool(T_PAGEMIG, 0, true, &rc, NULL);
		startup_secs = median(v, 5);
	}
	if (cfg.regions) {	/* THP would merge nothing: one page per region, or a few */
		char v[32];
		int fd = open("/proc/sys/vm/max_map_count", O_WRONLY);

		cfg.kind_thp[1] = false;
		snprintf(v, sizeof(v), "%zu", 2 * cfg.regions + 65536);
		if (fd < 0 || write(fd, v, strlen(v)) < 0)
			FAIL("raising vm.max_map_count to %s: %s", v, strerror(errno));
		close(fd);
		printf("vm.max_map_count: %s; %zu regions of %zu KiB\n", v, cfg.regions, cfg.size / cfg.regions / 1024);
	}
	for (int k = 0, reps4k = cfg.reps; k < 2; k++) {
		if (!cfg.kind_thp[k])
			continue;
		target_thp = k == 1;
		cfg.reps = target_thp ? cfg.reps_thp : reps4k;
		memset(m, 0, sizeof(m));
		printf("\n== %s: %zu MiB of %s, node %d -> node %d, %d reps, tools alternating\n", kinds[k],
		       cfg.size / MIB, target_thp ? "THP (MADV_HUGEPAGE)" : "4 KiB pages (MADV_NOHUGEPAGE)",
		       cfg.from, cfg.to, cfg.reps);
		for (int w = 0; w < cfg.warmup; w++)
			for (int t = 0; t < T_MAX; t++)
				if (cfg.use[t])
					measure(t, 0, &m[0][t]);
		for (int r = 0; r < cfg.reps; r++)
			for (int i = 0; i < T_MAX; i++) {
				/* every other repetition in reverse: no tool always runs first */
				enum tool t = r % 2 ? T_MAX - 1 - i : i;

				m[r][t].secs = -1;
				if (cfg.use[t])
					measure(t, r + 1, &m[r][t]);
			}
		bad += summarize(kinds[k], m);
		bad += stall_probe(kinds[k]);
	}
	printf("\nRESULT %s\n", bad ? "some measurements did not move every page" : "every measurement moved every page");
	return bad ? 1 : 0;
}
