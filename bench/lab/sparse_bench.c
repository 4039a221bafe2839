// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * sparse_bench.c - in the NUMA lab guest: moving a huge, sparsely populated region (a runtime's
 * address-space reservation), pagemig against migratepages.  Built and run by bench/sparse.sh.
 *
 * Two targets, each a MAP_NORESERVE anonymous region of SIZE GiB (-g, default 1024):
 *   spread    read-write, 16 pages written, spread evenly, on node 0;
 *   reserved  PROT_NONE with nothing in it (a runtime's reservation), beside 16 pages written in
 *             a small region of their own, on node 0.
 * Per target and repetition (-r, default 3), each tool on a fresh target (setup untimed), timed
 * with CLOCK_MONOTONIC around fork + exec + wait4():
 *   pagemig        pagemig move PID 0 2 --no-progress
 *   migratepages   migratepages PID 0 2
 * then, untimed for the tools but timed alone, `pagemig show PID --pagemap` (reads pagemap over
 * the region).  A placement query of the 16 pages decides success.  Prints every time, the
 * medians, the ratio, and a closing line "RESULT ...".
 */
#include <sys/resource.h>

#include "labtest.h"

#define GIB (1UL << 30)
#define NPAGES 16
#define MAX_REPS 16

static size_t size_gib = 1024;

struct target {
	int reserved;		/* the scenario */
	char *base;		/* where the 16 pages are */
	size_t stride;		/* between them */
};

static struct target *T;

static void setup(void *arg)
{
	size_t sz = size_gib * GIB, i;
	int err = lab_set_mempolicy(MPOL_BIND, 1ULL << 0);
	char *p;

	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	p = mmap(NULL, sz, T->reserved ? PROT_NONE : PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %zu GiB: %s", size_gib, strerror(errno));
	T->base = p;
	T->stride = sz / NPAGES;
	if (T->reserved) {
		T->base = mmap(NULL, NPAGES * lab_page_size(), PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (T->base == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
		T->stride = lab_page_size();
	}
	for (i = 0; i < NPAGES; i++)
		T->base[i * T->stride] = 1;
}

/* Seconds for `sh -c CMD` with %d = @pid, its exit status in *@rc. */
static double timed(const char *fmt, pid_t pid, int *rc)
{
	char cmd[256];
	double t0;

	snprintf(cmd, sizeof(cmd), fmt, pid);
	t0 = lab_now();
	*rc = lab_run_cmd((uid_t)-1, cmd, NULL, 0, NULL, 0);
	return lab_now() - t0;
}

/* Whether the 16 pages are all on @node. */
static bool all_on(pid_t pid, int node)
{
	size_t i;

	for (i = 0; i < NPAGES; i++)
		if (lab_count_on_node(pid, T->base + i * T->stride, 1, lab_page_size(), node) != 1)
			return false;
	return true;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	static const char *const names[3] = { "pagemig", "migratepages", "pagemig show --pagemap" };
	static const char *const cmds[3] = { "pagemig move %d 0 2 --no-progress >/dev/null",
					     "migratepages %d 0 2", "pagemig show %d --pagemap >/dev/null" };
	double t[3][MAX_REPS], m[3];
	int reps = 3, c, r, rc, bad = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "g:r:")) != -1) {
		if (c == 'g')
			size_gib = strtoul(optarg, NULL, 10);
		else if (c == 'r')
			reps = atoi(optarg);
		else
			return 2;
	}
	if (!size_gib || reps < 1 || reps > MAX_REPS)
		return 2;
	lab_require_nodes(4);
	lab_require_cmd("pagemig");
	lab_require_cmd("migratepages");
	T = lab_map_shared(sizeof(*T));
	printf("kernel: %s\n", getenv("LAB_KERNEL") ? getenv("LAB_KERNEL") : "?");
	for (T->reserved = 0; T->reserved < 2; T->reserved++) {
		printf("== %s: %zu GiB MAP_NORESERVE region, %s; %d pages written on node 0, moved to node 2\n",
		       T->reserved ? "reserved" : "spread", size_gib,
		       T->reserved ? "PROT_NONE, empty, beside a small region with the pages"
				   : "read-write, the pages spread over it", NPAGES);
		for (r = 0; r < reps; r++) {
			for (c = 0; c < 2; c++) {
				pid = lab_spawn(setup, NULL);
				t[c][r] = timed(cmds[c], pid, &rc);
				if (rc || !all_on(pid, 2))
					bad++;
				printf("  rep %d %-14s %7.3fs  rc %d%s\n", r, names[c], t[c][r], rc,
				       all_on(pid, 2) ? "" : "  ! pages left behind");
				if (c == 0) {
					t[2][r] = timed(cmds[2], pid, &rc);
					printf("  rep %d %-14s %7.3fs  rc %d\n", r, "show --pagemap", t[2][r], rc);
				}
				lab_kill(pid);
			}
		}
		for (c = 0; c < 3; c++) {
			m[c] = median(t[c], reps);
			printf("median %-24s %7.3fs\n", names[c], m[c]);
		}
		printf("ratio pagemig/migratepages: %.1f (above 1: pagemig slower)\n", m[0] / m[1]);
	}
	printf("RESULT %s\n", bad ? "some measurements left pages behind" : "every measurement moved every page");
	return 0;
}
