// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_pingpong.c - 600 back-and-forth moves of one small region with libpagemig, 0 -> 2 and
 * 2 -> 0 (LTP migrate_pages03's 600 loops; selftests mm/migration.c moves one page back and forth
 * for 20 s): nothing may accumulate or drift from one move to the next.
 *
 * A target holds 64 KiB (16 pages) on node 0 and a thread that keeps reading them and checking
 * their pattern.  One handle, 600 pagemig_move() calls with a filter on that region: each must
 * return 0, count the region's 64 KiB as planned and as moved, and leave every page on its
 * target (move_pages(nodes = NULL) after each move).  The contents are checksummed through
 * /proc/PID/mem every 100 moves, and the reader must never have seen a bad byte.
 */
#include "labpm.h"
#include <pthread.h>

#define SZ (64UL << 10)
#define ROUNDS 600

struct layout {
	char *buf;
	uint64_t sum;
	volatile long reads;
	volatile int bad;
};

static struct layout *L;

static void *reader(void *arg)
{
	for (;;) {
		if (lab_checksum(L->buf, SZ) != L->sum)
			L->bad = 1;
		L->reads++;
		usleep(5000);
	}
	return NULL;
}

static void setup(void *arg)
{
	pthread_t t;

	L->buf = lab_alloc_on_node(SZ, 0, 0);
	lab_fill(L->buf, SZ, 600);
	L->sum = lab_checksum(L->buf, SZ);
	if (pthread_create(&t, NULL, reader, NULL))
		FAIL("pthread_create");
}

int main(void)
{
	struct pagemig_filter *filter;
	struct pagemig_plan plan[2];
	struct pagemig *pm;
	size_t ps = lab_page_size();
	pid_t pid;
	int ret;

	L = lab_require_cli(3, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	filter = lab_range_filter(L->buf, SZ);
	pm = lab_open(pid);
	lab_plan_round_trip(0, 2, plan);
	for (int i = 0; i < ROUNDS; i++) {
		PAGEMIG_OPTS(pagemig_move_opts, opts, .filter = filter, .threads = 1);
		struct pagemig_stats st = { .sz = sizeof(st) };
		int to = i % 2 ? 0 : 2;

		ret = pagemig_move(pm, &plan[i % 2], &opts, &st);
		if (ret)
			FAIL("move %d (to node %d): %s", i, to, strerror(-ret));
		if (st.bytes[PAGEMIG_STAT_PLANNED] != SZ || st.bytes[PAGEMIG_STAT_MOVED] != SZ)
			FAIL("move %d (to node %d): planned %" PRIu64 ", moved %" PRIu64 ", expected %lu each", i, to,
			     st.bytes[PAGEMIG_STAT_PLANNED], st.bytes[PAGEMIG_STAT_MOVED], SZ);
		lab_expect_on(pid, L->buf, SZ, ps, to, "a move back or forth");
		if (i % 100 == 99 && lab_mem_checksum(pid, L->buf, SZ) != L->sum)
			FAIL("move %d: contents changed", i);
	}
	lab_log("%d moves; the target's reader checked the pattern %ld times", ROUNDS, L->reads);
	if (L->bad)
		FAIL("the target's reader saw a bad byte during the moves");
	pagemig_close(pm);
	pagemig_filter_free(filter);
	lab_kill(pid);
	return 0;
}
