// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_progress.c - progress while the whole-process engine's migrate_pages(2) call runs: the call
 * says nothing until it returns, so pagemig reports the kernel's migration counter (/proc/vmstat
 * pgmigrate_success) about every 100 ms meanwhile.  A 256 MiB move of 4 KiB pages (most of a
 * second in the lab) must report, before the call returns, a count of moved bytes above zero and
 * below the buffer's size (after the call the count starts at all the call moved, the buffer and
 * more; the regions it left, shared with the test program since the fork, follow page by page);
 * the counts must never fall nor pass the total, and the move must count every page moved.
 */
#include <inttypes.h>

#include "labpm.h"

#define MIB (1UL << 20)
#define SZ (256 * MIB)

struct layout {
	char *buf;
};

static struct layout *L;

struct seen {
	int calls, midway, bad;
	uint64_t last, total;
};

static void setup(void *arg)
{
	L->buf = lab_alloc_on_node(SZ, 0, 0);
}

static int progress(const struct pagemig_progress *p, void *ctx)
{
	struct seen *s = ctx;

	s->calls++;
	if (p->moved < s->last || p->moved > p->total)
		s->bad++;
	if (p->moved > 0 && p->moved < SZ)	/* the call's pages only: the buffer is most of them */
		s->midway++;
	s->last = p->moved;
	s->total = p->total;
	return 0;
}

int main(void)
{
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct seen s = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	pid_t pid;
	int ret;

	lab_require_nodes(3);
	lab_require_root();
	L = lab_map_shared(sizeof(*L));
	pid = lab_spawn(setup, NULL);
	pm = lab_open(pid);
	lab_plan(0, 2, &plan);
	{
		PAGEMIG_OPTS(pagemig_move_opts, opts, .threads = 1, .progress = progress, .progress_ctx = &s);

		ret = pagemig_move(pm, &plan, &opts, &st);
	}
	lab_log("pagemig_move: %d; moved %" PRIu64 " of %" PRIu64 " planned; %d progress calls, %d midway, last %" PRIu64
		" of %" PRIu64 "; %" PRIu64 " system calls", ret, st.bytes[PAGEMIG_STAT_MOVED], st.bytes[PAGEMIG_STAT_PLANNED],
		s.calls, s.midway, s.last, s.total, st.syscalls);
	if (ret < 0)
		FAIL("pagemig_move: %s", strerror(-ret));
	if (st.bytes[PAGEMIG_STAT_MOVED] < SZ)
		FAIL("moved %" PRIu64 " bytes, the buffer has %lu", st.bytes[PAGEMIG_STAT_MOVED], SZ);
	lab_expect_on(pid, L->buf, SZ, lab_page_size(), 2, "the buffer after the move");
	if (s.bad)
		FAIL("%d progress calls counted less than the one before or more than the total", s.bad);
	if (!s.midway)
		FAIL("no progress call reported the move midway (%d calls; the kernel's counter unread?)", s.calls);
	pagemig_close(pm);
	lab_kill(pid);
	return 0;
}
