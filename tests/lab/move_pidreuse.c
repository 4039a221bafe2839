// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_pidreuse.c - move_pages(2) takes a numeric pid, which the kernel hands out again once its
 * process is reaped: pages moved under a recycled pid belong to another process and must never
 * be reported as moved.  Simulated with the library's internals: the handle of target A gets the
 * pidfd of a process B that has exited, while A's pid still answers (its pagemap already open, as
 * in a move).  Moving A's region 0 -> 2 must return -ESRCH after the first batch, with nothing
 * counted as moved, although the kernel did move that batch (the kernel's placement query says
 * so; a recycled pid's process would have had its pages moved the same way).
 */
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "labtest.h"
#include "internal.h"

#define MIB (1UL << 20)

struct layout {
	char *buf;		/* 4 MiB of 4 KiB pages on node 0 */
};

static struct layout *L;

static void setup(void *arg)
{
	L->buf = lab_alloc_on_node(4 * MIB, 0, 0);
	madvise(L->buf, 4 * MIB, MADV_NOHUGEPAGE);
}

int main(void)
{
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_nodemask f = { 0 }, t = { 0 };
	PAGEMIG_OPTS(pagemig_move_opts, mo, .batch = 64);
	struct pagemig_plan plan;
	struct pagemig *pm;
	struct engine e;
	uint64_t unseen;
	size_t ps = lab_page_size(), n = 4 * MIB / ps;
	pid_t a, b;
	int fd, ret;

	lab_require_nodes(3);
	lab_require_root();
	L = lab_map_shared(sizeof(*L));
	a = lab_spawn(setup, NULL);
	b = lab_spawn(NULL, NULL);
	fd = (int)syscall(SYS_pidfd_open, b, 0);
	if (fd < 0)
		SKIP("no pidfd_open: %s", strerror(errno));
	ret = pagemig_open(a, NULL, &pm);
	if (ret)
		FAIL("pagemig_open(%d): %d", (int)a, ret);
	ret = pagemig_regions_open(pm, 0, &it);
	while (!ret && (ret = pagemig_region_next(it, &r)) > 0 && r.start != (uintptr_t)L->buf)
		;
	if (ret != 1)
		FAIL("no region of the target starts at %p (%d)", (void *)L->buf, ret);
	pagemig_regions_close(it);
	r.path = "";
	pagemig_nodemask_set(&f, 0);
	pagemig_nodemask_set(&t, 2);
	pagemig_plan(&f, &t, &plan);
	if (engine_init(&e, pm, &plan, &mo) || pagemap_read(pm, 0, 0, NULL))
		FAIL("engine_init or pagemap open");
	lab_kill(b);				/* B's pidfd is readable now */
	close(pm->pidfd);
	pm->pidfd = fd;
	ret = engine_move_chunk(&e, &r, r.start, r.end, &plan.from, true, &st, &unseen);
	if (ret != -ESRCH)
		FAIL("moving under a pid whose pidfd says exited returned %d, want -ESRCH", ret);
	if (st.bytes[PAGEMIG_STAT_MOVED])
		FAIL("%" PRIu64 " bytes reported moved under a pid that may be another process's",
		     st.bytes[PAGEMIG_STAT_MOVED]);
	lab_log("pages the kernel moved in the one batch: %zu of %zu (64 expected)",
		lab_count_on_node(a, L->buf, n, ps, 2), n);
	if (lab_count_on_node(a, L->buf, n, ps, 2) > 64)
		FAIL("more than one batch moved before the move stopped");
	engine_release(&e);
	pagemig_close(pm);
	lab_kill(a);
	return 0;
}
