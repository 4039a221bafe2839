// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_ksm.c - pages that KSM merged (LTP migrate_pages03: migration of KSM pages, back and forth).
 *
 * A target holds 2 MiB MADV_MERGEABLE of identical pages and 1 MiB of distinct pages beside it,
 * all on node 0; ksmd merges the identical ones into one KSM page mapped 512 times
 * (/proc/PID/ksm_merging_pages says how many of the target's pages are merged).
 *  - `pagemig move PID 0 2` (MOVE): a KSM page is mapped more than once, so the kernel leaves it
 *    (status -EACCES) and pagemig must say "shared", not "moved": the merged region's row reports
 *    as moved exactly what the kernel shows on node 2 (nothing) and the rest as shared; the distinct
 *    pages move; exit 0.
 *  - `pagemig move PID 0 2 --all` (MOVE_ALL): every page of both regions is on node 2, the pages
 *    are still merged, the contents are intact.
 *  - 100 more MOVE_ALL moves, 2 -> 0 and back, with libpagemig: each ends with every page of the
 *    merged region on its target; contents checked every 20 moves and at the end.
 * Skips when the kernel has no KSM or ksmd merges nothing within 60 s.
 */
#include "labpm.h"

#define MIB (1UL << 20)
#define KSZ (2 * MIB)
#define USZ (1 * MIB)
#define ROUNDS 100
#define KSM "/sys/kernel/mm/ksm/"

struct layout {
	char *ksm, *uniq;
	uint64_t sum[2];
};

static struct layout *L;

static void setup(void *arg)
{
	size_t ps = lab_page_size();
	char *area = mmap(NULL, KSZ + USZ + 3 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	/* Guard pages between them: two regions, one mergeable. */
	L->ksm = area + ps;
	L->uniq = L->ksm + KSZ + ps;
	if (mprotect(L->ksm, KSZ, PROT_READ | PROT_WRITE) || mprotect(L->uniq, USZ, PROT_READ | PROT_WRITE))
		FAIL("mprotect: %s", strerror(errno));
	if (lab_mbind(L->ksm, KSZ, MPOL_BIND, 1, 0) || lab_mbind(L->uniq, USZ, MPOL_BIND, 1, 0))
		FAIL("mbind");
	if (madvise(L->ksm, KSZ, MADV_MERGEABLE))
		FAIL("madvise(MADV_MERGEABLE): %s", strerror(errno));
	madvise(L->ksm, KSZ, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < KSZ; off += ps)
		lab_fill(L->ksm + off, ps, 3);		/* the same page 512 times */
	lab_fill(L->uniq, USZ, 4);
	L->sum[0] = lab_checksum(L->ksm, KSZ);
	L->sum[1] = lab_checksum(L->uniq, USZ);
}

static long merged(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", (int)pid);
	return lab_read_file(path, buf, sizeof(buf)) < 0 ? -1 : strtol(buf, NULL, 10);
}

static void wait_merged(pid_t pid)
{
	long want = (long)(KSZ / lab_page_size()), got = 0;

	if (lab_set_sysctl(KSM "pages_to_scan", "4096") || lab_set_sysctl(KSM "sleep_millisecs", "10") ||
	    lab_set_sysctl(KSM "run", "1"))
		FAIL("cannot start ksmd");
	for (int i = 0; i < 600 && (got = merged(pid)) < want; i++)
		usleep(100000);
	lab_log("ksm_merging_pages: %ld of %ld", got, want);
	if (got < 0)
		SKIP("no /proc/PID/ksm_merging_pages (kernel before 5.19)");
	if (got < want)
		SKIP("ksmd merged %ld of %ld pages in 60 s", got, want);
	/* Stop scanning: the pages stay merged, and nothing merges or splits behind the moves. */
	lab_set_sysctl(KSM "run", "0");
}

static void check_contents(pid_t pid, const char *what)
{
	if (lab_mem_checksum(pid, L->ksm, KSZ) != L->sum[0] || lab_mem_checksum(pid, L->uniq, USZ) != L->sum[1])
		FAIL("%s: contents changed", what);
}

static void move_cli(pid_t pid)
{
	static char out[65536];
	size_t ps = lab_page_size(), on2;
	uint64_t v[4];
	int rc;

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	on2 = lab_count_on_node(pid, L->ksm, KSZ / ps, ps, 2);
	if (rc != 0)
		FAIL("MOVE: exit %d, expected 0 (pages mapped more than once are left, not failed)", rc);
	if (!lab_move_row(out, L->ksm, v))
		FAIL("MOVE: no row for the merged region");
	if (v[1] != on2 * ps)
		FAIL("MOVE: the merged region's row says %lu bytes moved, the kernel shows %zu on node 2", v[1], on2 * ps);
	if (v[2] + v[1] != KSZ || v[3] != 0)
		FAIL("MOVE: the merged region's row: moved %lu + shared %lu (left %lu), expected %lu in all", v[1], v[2],
		     v[3], KSZ);
	lab_expect_on(pid, L->uniq, USZ, ps, 2, "MOVE: the distinct pages");

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --all --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("MOVE_ALL: exit %d, expected 0", rc);
	lab_expect_on(pid, L->ksm, KSZ, ps, 2, "MOVE_ALL: the merged pages");
	if (merged(pid) != (long)(KSZ / ps))
		FAIL("MOVE_ALL: %ld of %zu pages still merged", merged(pid), KSZ / ps);
	check_contents(pid, "MOVE_ALL");
}

static void move_lib(pid_t pid)
{
	struct pagemig_filter *filter = lab_range_filter(L->ksm, KSZ);
	struct pagemig *pm = lab_open(pid);
	struct pagemig_plan plan[2];
	size_t ps = lab_page_size();
	int ret;

	lab_plan_round_trip(2, 0, plan);
	for (int i = 0; i < ROUNDS; i++) {
		PAGEMIG_OPTS(pagemig_move_opts, opts, .filter = filter, .flags = PAGEMIG_MOVE_ALL);
		struct pagemig_stats st = { .sz = sizeof(st) };
		int to = i % 2 ? 2 : 0;

		ret = pagemig_move(pm, &plan[i % 2], &opts, &st);
		if (ret)
			FAIL("move %d (to node %d): %s", i, to, strerror(-ret));
		lab_expect_on(pid, L->ksm, KSZ, ps, to, "a MOVE_ALL back and forth");
		if (st.bytes[PAGEMIG_STAT_MOVED] != KSZ)
			FAIL("move %d: MOVED %" PRIu64 ", expected %lu", i, st.bytes[PAGEMIG_STAT_MOVED], KSZ);
		if (i % 20 == 19)
			check_contents(pid, "back and forth");
	}
	lab_log("%d MOVE_ALL moves of the merged region; %ld pages still merged", ROUNDS, merged(pid));
	check_contents(pid, "after the back and forth");
	pagemig_close(pm);
	pagemig_filter_free(filter);
}

int main(void)
{
	pid_t pid;

	L = lab_require_cli(3, sizeof(*L));
	if (access(KSM "run", W_OK))
		SKIP("kernel without KSM (" KSM "run)");
	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->ksm, KSZ, lab_page_size(), 0, "the mergeable pages before the move");
	wait_merged(pid);
	move_cli(pid);
	move_lib(pid);
	lab_kill(pid);
	return 0;
}
