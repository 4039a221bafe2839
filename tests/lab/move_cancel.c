// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_cancel.c - stopping pagemig_move() midway, as SIGINT does in the CLI: 64 MiB move from
 * node 0 to node 2 at 16 MiB/s (pagemig_move_opts.rate) on two threads, and the progress callback
 * asks to stop once 8 MiB have moved.
 *
 * pagemig_move() must return -ECANCELED; the handler that claimed the region must get finish()
 * exactly once, with -ECANCELED; the callback must not be called again after it asked to stop;
 * MOVED must be exactly the buffer's bytes that the kernel shows on node 2 (some, not all), and the
 * contents must be intact.  Placement is the kernel's word: move_pages(nodes = NULL).
 */
#include <inttypes.h>

#include "labpm.h"

#define MIB (1UL << 20)
#define SZ (64 * MIB)

struct layout {
	char *buf;
	uint64_t sum;
};

static struct layout *L;

struct record {
	int migrate;
	int finish;
	int err;
	int calls;		/* progress calls */
	int calls_after;	/* progress calls after it asked to stop */
	bool stopped;
};

static void setup(void *arg)
{
	L->buf = lab_alloc_on_node(SZ, 0, 0);
	lab_fill(L->buf, SZ, 9);
	L->sum = lab_checksum(L->buf, SZ);
}

static bool match(const struct pagemig_region *r, void *ctx)
{
	return r->start == (uintptr_t)L->buf;
}

static int migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		   const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	((struct record *)ctx)->migrate++;
	return 0;
}

static void finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct record *rec = ctx;

	rec->finish++;
	rec->err = err;
}

static int progress(const struct pagemig_progress *p, void *ctx)
{
	struct record *rec = ctx;

	rec->calls++;
	if (rec->stopped)
		rec->calls_after++;
	if (p->moved >= 8 * MIB)
		rec->stopped = true;
	return rec->stopped;
}

int main(void)
{
	static const struct pagemig_region_ops ops = {
		.sz = sizeof(ops), .name = "cancel-test", .match = match, .migrate = migrate, .finish = finish,
	};
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct record rec = { 0 };
	struct pagemig_filter *filter;
	struct pagemig_plan plan;
	struct pagemig *pm;
	size_t ps = lab_page_size(), on2;
	pid_t pid;
	int ret;

	L = lab_require_cli(4, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	filter = lab_range_filter(L->buf, SZ);
	pm = lab_open(pid);
	if (pagemig_handler_register(pm, &ops, &rec) <= 0)
		FAIL("pagemig_handler_register");
	lab_plan(0, 2, &plan);
	{
		PAGEMIG_OPTS(pagemig_move_opts, opts, .filter = filter, .threads = 2, .rate = 16 * MIB,
			     .progress = progress, .progress_ctx = &rec);

		ret = pagemig_move(pm, &plan, &opts, &st);
	}
	on2 = lab_count_on_node(pid, L->buf, SZ / ps, ps, 2);
	lab_log("pagemig_move: %d (%s); moved %" PRIu64 " bytes; the kernel shows %zu of %zu pages on node 2; "
		"%d progress calls; finish %d time(s) with %d", ret, ret < 0 ? strerror(-ret) : "-",
		st.bytes[PAGEMIG_STAT_MOVED], on2, SZ / ps, rec.calls, rec.finish, rec.err);
	if (ret != -ECANCELED)
		FAIL("pagemig_move returned %d, expected -ECANCELED", ret);
	if (rec.migrate != 1 || rec.finish != 1 || rec.err != -ECANCELED)
		FAIL("the handler: migrate %d, finish %d with %d; expected 1, 1 with -ECANCELED", rec.migrate,
		     rec.finish, rec.err);
	if (rec.calls_after)
		FAIL("the progress callback was called %d times after it asked to stop", rec.calls_after);
	if (on2 == 0 || on2 == SZ / ps)
		FAIL("%zu of %zu pages on node 2: the move was not stopped midway", on2, SZ / ps);
	if (st.bytes[PAGEMIG_STAT_MOVED] != on2 * ps)
		FAIL("MOVED is %" PRIu64 " bytes, the kernel shows %zu on node 2", st.bytes[PAGEMIG_STAT_MOVED], on2 * ps);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("contents changed by the stopped move");
	pagemig_close(pm);
	pagemig_filter_free(filter);
	lab_kill(pid);
	return 0;
}
