// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_access.c - moves back and forth while the memory is in use, for every kind that the
 * kernel selftest mm/migration.c exercises: private and shared anonymous pages, private and
 * shared THP, private and shared hugetlb pages.
 *
 * A target maps six regions, each with a pattern of its own, bound to node 0: 1 MiB private,
 * 1 MiB MAP_SHARED, 4 MiB private THP, 4 MiB MAP_SHARED THP (shmem THP, shmem_enabled=advise),
 * 2 hugetlb pages private and 2 shared.  A thread of the target reads the private regions and a
 * child of it the shared ones, over and over, checking each region's checksum.  Meanwhile
 * libpagemig moves the target with MOVE_ALL 0 -> 2, 2 -> 0, ... six times.  Each move must return
 * 0 and leave every page of every region on its destination, in the target and (shared regions)
 * in the child (move_pages(nodes = NULL); hugetlb pages queried a huge page apart); the readers
 * must never see a bad byte; the contents are checked through /proc/PID/mem at the end.
 * Skips without 2 MiB hugetlb pools on nodes 0 and 2.
 */
#include "labtest.h"
#include "pagemig.h"
#include <pthread.h>

#define MIB (1UL << 20)
#define HPAGE (2 * MIB)
#define ROUNDS 6
#define SHMEM_THP "/sys/kernel/mm/transparent_hugepage/shmem_enabled"

enum { R_PRIV, R_SHARED, R_THP, R_SHTHP, R_HTLB, R_SHTLB, R_MAX };
static const char *const rname[R_MAX] = { "private", "shared", "private THP", "shared THP", "private hugetlb",
					  "shared hugetlb" };
static const size_t rsize[R_MAX] = { 1 * MIB, 1 * MIB, 4 * MIB, 4 * MIB, 2 * HPAGE, 2 * HPAGE };

struct layout {
	char *r[R_MAX];
	uint64_t sum[R_MAX];
	pid_t child;
	volatile long reads[2];		/* passes of the thread, of the child */
	volatile int bad[R_MAX];
};

static struct layout *L;

static char shmem_saved[128];	/* shmem_enabled's setting before the test ("never"), or "" */

/* Put shmem_enabled back at exit, failures included: the guest does not reset it between tests. */
static void restore_shmem_thp(void)
{
	if (shmem_saved[0])
		lab_set_sysctl(SHMEM_THP, shmem_saved);
}

static void set_shmem_thp(void)
{
	char buf[128], *a, *b;

	if (lab_read_file(SHMEM_THP, buf, sizeof(buf)) <= 0 || !(a = strchr(buf, '[')) || !(b = strchr(a, ']')))
		return;
	*b = '\0';
	snprintf(shmem_saved, sizeof(shmem_saved), "%s", a + 1);
	atexit(restore_shmem_thp);
	if (lab_set_sysctl(SHMEM_THP, "advise"))
		lab_log("cannot set %s to advise: the shared THP region has small pages", SHMEM_THP);
}

static bool shared(int i)
{
	return i == R_SHARED || i == R_SHTHP || i == R_SHTLB;
}

static void read_loop(bool want_shared, int who)
{
	for (;;) {
		for (int i = 0; i < R_MAX; i++)
			if (shared(i) == want_shared && lab_checksum(L->r[i], rsize[i]) != L->sum[i])
				L->bad[i] = 1;
		L->reads[who]++;
		usleep(2000);
	}
}

static void *reader(void *arg)
{
	read_loop(false, 0);
	return NULL;
}

static void *child_thread(void *arg)
{
	read_loop(true, 1);
	return NULL;
}

static void start_child_reader(void *arg)
{
	volatile char sink = 0;
	pthread_t t;

	/* fork does not copy the page tables of shared mappings: map every page before the checks */
	for (int i = 0; i < R_MAX; i++)
		if (shared(i))
			for (size_t off = 0; off < rsize[i]; off += 4096)
				sink += L->r[i][off];
	(void)sink;

	if (pthread_create(&t, NULL, child_thread, NULL))
		FAIL("pthread_create");
}

static char *map_region(int i)
{
	int flags = (shared(i) ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS;
	bool thp = i == R_THP || i == R_SHTHP, htlb = i == R_HTLB || i == R_SHTLB;
	char *p;

	if (htlb)
		flags |= MAP_HUGETLB;
	p = mmap(NULL, rsize[i] + (thp ? HPAGE : 0), PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %s: %s", rname[i], strerror(errno));
	if (thp) {
		p = (char *)(((uintptr_t)p + HPAGE - 1) & ~(HPAGE - 1));
		madvise(p, rsize[i], MADV_HUGEPAGE);
	} else if (!htlb) {
		madvise(p, rsize[i], MADV_NOHUGEPAGE);
	}
	if (lab_mbind(p, rsize[i], MPOL_BIND, 1, 0))
		FAIL("mbind %s", rname[i]);
	lab_fill(p, rsize[i], 900 + (uint64_t)i);
	return p;
}

static void setup(void *arg)
{
	pthread_t t;

	for (int i = 0; i < R_MAX; i++) {
		L->r[i] = map_region(i);
		L->sum[i] = lab_checksum(L->r[i], rsize[i]);
	}
	L->child = lab_spawn(start_child_reader, NULL);
	if (pthread_create(&t, NULL, reader, NULL))
		FAIL("pthread_create");
}

static void expect_placed(pid_t pid, pid_t child, int node, int round)
{
	char what[96];

	for (int i = 0; i < R_MAX; i++) {
		size_t step = i == R_HTLB || i == R_SHTLB ? HPAGE : lab_page_size();

		snprintf(what, sizeof(what), "move %d: %s", round, rname[i]);
		lab_expect_on(pid, L->r[i], rsize[i], step, node, what);
		if (shared(i)) {
			snprintf(what, sizeof(what), "move %d: %s, in the child", round, rname[i]);
			lab_expect_on(child, L->r[i], rsize[i], step, node, what);
		}
	}
}

int main(void)
{
	struct pagemig_nodemask n0 = { 0 }, n2 = { 0 };
	struct pagemig_plan plan[2];
	struct pagemig *pm;
	char path[128];
	pid_t pid;
	int ret;

	L = lab_require_cli(3, sizeof(*L));
	if (access(lab_hugetlb_path(path, sizeof(path), 2, "nr_hugepages"), W_OK))
		SKIP("no per-node 2 MiB hugetlb pool (%s)", path);
	if (lab_hugetlb_pool(0, "nr_hugepages", 4) != 4 || lab_hugetlb_pool(2, "nr_hugepages", 4) != 4)
		SKIP("cannot reserve 4 huge pages on nodes 0 and 2");
	set_shmem_thp();
	pid = lab_spawn(setup, NULL);
	expect_placed(pid, L->child, 0, 0);
	ret = pagemig_open(pid, NULL, &pm);
	if (ret)
		FAIL("pagemig_open: %s", strerror(-ret));
	pagemig_nodemask_set(&n0, 0);
	pagemig_nodemask_set(&n2, 2);
	if (pagemig_plan(&n0, &n2, &plan[0]) || pagemig_plan(&n2, &n0, &plan[1]))
		FAIL("pagemig_plan");
	for (int i = 0; i < ROUNDS; i++) {
		PAGEMIG_OPTS(pagemig_move_opts, opts, .flags = PAGEMIG_MOVE_ALL);
		struct pagemig_stats st = { .sz = sizeof(st) };

		ret = pagemig_move(pm, &plan[i % 2], &opts, &st);
		if (ret)
			FAIL("move %d: %s", i + 1, ret < 0 ? strerror(-ret) : "partial");
		expect_placed(pid, L->child, i % 2 ? 0 : 2, i + 1);
	}
	lab_log("%d moves; the readers made %ld and %ld passes", ROUNDS, L->reads[0], L->reads[1]);
	for (int i = 0; i < R_MAX; i++) {
		if (L->bad[i])
			FAIL("%s: a reader saw a bad byte during the moves", rname[i]);
		if (lab_mem_checksum(pid, L->r[i], rsize[i]) != L->sum[i])
			FAIL("%s: contents changed", rname[i]);
	}
	pagemig_close(pm);
	lab_kill(L->child);
	lab_kill(pid);
	return 0;
}
