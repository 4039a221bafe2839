// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_access.c - moves back and forth while the memory is in use, for every kind that the
 * kernel selftest mm/migration.c exercises: private and shared anonymous pages, private and
 * shared THP, private and shared hugetlb pages.
 *
 * A target maps six regions, each with a pattern of its own, bound to node 0: 1 MiB private,
 * 1 MiB MAP_SHARED, 4 MiB private THP, 4 MiB MAP_SHARED THP (shmem THP, shmem_enabled=advise),
 * 2 hugetlb pages private and 2 shared.  A thread of the target writes the private regions and a
 * child of it the shared ones, over and over: each pass checks that the first word of every 4 KiB
 * holds the generation it wrote last, writes the next one, and checks the rest of the region
 * against its checksum.  Meanwhile libpagemig moves the target with MOVE_ALL 0 -> 2, 2 -> 0, ...
 * six times.  Each move must return 0, or PAGEMIG_PARTIAL (pages busy under the writers) and then
 * 0 when run again at most twice; after it every page of every region is on its destination, in
 * the target and (shared regions) in the child (move_pages(nodes = NULL); hugetlb pages queried a
 * huge page apart).  The writers must never read back anything but what they wrote; at the end
 * each region, read through /proc/PID/mem, holds its pattern and the last generation written.
 * Skips without 2 MiB hugetlb pools on nodes 0 and 2.
 */
#include "labpm.h"
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
	uint64_t rest[R_MAX];		/* sum_rest() of each region: the part no writer touches */
	volatile uint64_t gen[R_MAX];	/* the generation last written into each page's first word */
	pid_t child;
	volatile long passes[2];	/* of the thread, of the child */
	volatile int bad[R_MAX];
	volatile int stop, running;
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

/* FNV-1a over @len bytes but the first 8 of each 4 KiB page, where the writers count. */
static uint64_t sum_rest(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		if (i % 4096 >= 8) {
			h ^= (unsigned char)p[i];
			h *= 0x100000001b3ULL;
		}
	return h;
}

/*
 * One writer: each pass checks that every page of each of its regions holds the generation it
 * wrote last, writes the next one, and checks the rest of the region against its checksum.
 */
static void write_loop(bool want_shared, int who)
{
	while (!L->stop) {
		for (int i = 0; i < R_MAX; i++) {
			uint64_t g = L->gen[i] + 1;

			if (shared(i) != want_shared)
				continue;
			for (size_t off = 0; off < rsize[i]; off += 4096) {
				uint64_t *w = (uint64_t *)(L->r[i] + off);

				if (*w != g - 1)
					L->bad[i] = 1;
				*w = g;
			}
			L->gen[i] = g;
			if (sum_rest(L->r[i], rsize[i]) != L->rest[i])
				L->bad[i] = 1;
		}
		L->passes[who]++;
		usleep(2000);
	}
	__sync_fetch_and_sub(&L->running, 1);
}

static void *writer(void *arg)
{
	write_loop(false, 0);
	return NULL;
}

static void *child_thread(void *arg)
{
	write_loop(true, 1);
	return NULL;
}

static void start_child_writer(void *arg)
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
	for (size_t off = 0; off < rsize[i]; off += 4096)
		*(uint64_t *)(p + off) = 0;	/* generation 0 */
	/* the child shares only the shared regions (a private hugetlb page copied on write would
	 * need a page more from the pool) */
	if (!shared(i) && madvise(p, rsize[i], MADV_DONTFORK))
		FAIL("madvise(MADV_DONTFORK) %s: %s", rname[i], strerror(errno));
	return p;
}

static void setup(void *arg)
{
	pthread_t t;

	for (int i = 0; i < R_MAX; i++) {
		L->r[i] = map_region(i);
		L->rest[i] = sum_rest(L->r[i], rsize[i]);
	}
	L->running = 2;
	L->child = lab_spawn(start_child_writer, NULL);
	if (pthread_create(&t, NULL, writer, NULL))
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
	struct pagemig_plan plan[2];
	struct pagemig *pm;
	pid_t pid;
	int ret;

	L = lab_require_cli(3, sizeof(*L));
	lab_require_hugetlb(1 << 0 | 1 << 2, 4);
	set_shmem_thp();
	pid = lab_spawn(setup, NULL);
	expect_placed(pid, L->child, 0, 0);
	pm = lab_open(pid);
	lab_plan_round_trip(0, 2, plan);
	for (int i = 0; i < ROUNDS; i++) {
		PAGEMIG_OPTS(pagemig_move_opts, opts, .flags = PAGEMIG_MOVE_ALL);
		struct pagemig_stats st = { .sz = sizeof(st) };

		ret = pagemig_move(pm, &plan[i % 2], &opts, &st);
		for (int again = 0; again < 2 && ret == PAGEMIG_PARTIAL; again++) {
			lab_log("move %d: partial (busy %" PRIu64 " bytes): once more", i + 1, st.bytes[PAGEMIG_STAT_BUSY]);
			ret = pagemig_move(pm, &plan[i % 2], &opts, &st);
		}
		if (ret)
			FAIL("move %d: %s", i + 1, ret < 0 ? strerror(-ret) : "partial, three times");
		expect_placed(pid, L->child, i % 2 ? 0 : 2, i + 1);
	}
	L->stop = 1;
	for (int i = 0; i < 1000 && L->running; i++)
		usleep(10000);
	if (L->running)
		FAIL("the writers did not stop");
	lab_log("%d moves; the writers made %ld and %ld passes", ROUNDS, L->passes[0], L->passes[1]);
	for (int i = 0; i < R_MAX; i++) {
		char *buf = malloc(rsize[i]);

		if (L->bad[i])
			FAIL("%s: a writer read back something else than it wrote during the moves", rname[i]);
		if (!buf)
			FAIL("out of memory");
		lab_read_mem(pid, L->r[i], buf, rsize[i]);
		if (sum_rest(buf, rsize[i]) != L->rest[i])
			FAIL("%s: contents changed", rname[i]);
		for (size_t off = 0; off < rsize[i]; off += 4096)
			if (*(uint64_t *)(buf + off) != L->gen[i])
				FAIL("%s: a page holds generation %" PRIu64 ", the last one written is %" PRIu64, rname[i],
				     *(uint64_t *)(buf + off), L->gen[i]);
		free(buf);
	}
	pagemig_close(pm);
	lab_kill(L->child);
	lab_kill(pid);
	return 0;
}
