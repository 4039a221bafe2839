// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_whole.c - the whole-process engine (migrate_pages(2), counted from numa_maps before and
 * after) against the per-page engine (`--engine=pages`): on two targets built alike, every row's
 * counts and the totals must be the same, the pages must end where they should with their
 * contents, and the default must really have taken the whole-process way (fewer system calls: one
 * migrate_pages(2) call and the per-page engine only for the regions whose pages stayed).
 *
 * The target: 8 MiB of 4 KiB pages and 8 MiB with MADV_HUGEPAGE on node 0 (moved), 2 MiB on node 1
 * (elsewhere), 4 MiB MAP_SHARED on node 0 that a child maps too (MOVE leaves it: shared; the
 * per-page engine says so), a 4 MiB PROT_NONE reservation (not present) and 1 MiB of which every
 * other page was touched.  Then a chained plan (0,1 -> 1,2), which must not take the whole-process
 * way (a node both source and destination): its result must equal migrate_pages(2)'s placement.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define NREG 6

struct layout {
	char *r[NREG];
	size_t len[NREG];
	pid_t child;
	uint64_t sum[NREG];
};

static struct layout *L;

static void child_touch(void *arg)
{
	volatile char sink = 0;

	for (size_t off = 0; off < L->len[3]; off += lab_page_size())
		sink += L->r[3][off];
	(void)sink;
}

static void setup(void *arg)
{
	size_t ps = lab_page_size();

	L->len[0] = 8 * MIB;
	L->r[0] = lab_alloc_on_node(L->len[0], 0, 0);
	madvise(L->r[0], L->len[0], MADV_NOHUGEPAGE);
	L->len[1] = 8 * MIB;
	L->r[1] = lab_map_aligned(L->len[1], 2 * MIB);
	madvise(L->r[1], L->len[1], MADV_HUGEPAGE);
	if (lab_mbind(L->r[1], L->len[1], 2 /* MPOL_BIND */, 1, 0))
		FAIL("mbind: %s", strerror(errno));
	L->len[2] = 2 * MIB;
	L->r[2] = lab_alloc_on_node(L->len[2], 1, 0);
	L->len[3] = 4 * MIB;
	L->r[3] = lab_alloc_on_node(L->len[3], 0, MAP_SHARED);
	L->len[4] = 4 * MIB;
	L->r[4] = mmap(NULL, L->len[4], PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (L->r[4] == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	L->len[5] = 1 * MIB;
	L->r[5] = lab_alloc_on_node(L->len[5], 0, 0);	/* touched whole: unmap every other page */
	for (int i = 0; i < NREG; i++)
		if (i != 4)
			lab_fill(L->r[i], L->len[i], 40 + i);
	for (size_t off = ps; off < L->len[5]; off += 2 * ps)
		madvise(L->r[5] + off, ps, MADV_DONTNEED);
	for (int i = 0; i < NREG; i++)
		L->sum[i] = i == 4 ? 0 : lab_checksum(L->r[i], L->len[i]);
	if (madvise(L->r[0], L->len[0], MADV_DONTFORK) || madvise(L->r[1], L->len[1], MADV_DONTFORK) ||
	    madvise(L->r[2], L->len[2], MADV_DONTFORK) || madvise(L->r[5], L->len[5], MADV_DONTFORK))
		FAIL("madvise(MADV_DONTFORK): %s", strerror(errno));
	L->child = lab_spawn(child_touch, NULL);
}

/* The JSON row whose range holds @addr (the kernel may have merged a region with a neighbour). */
static const char *row_of(const char *out, const void *addr)
{
	unsigned long a = (unsigned long)(uintptr_t)addr, lo, hi;
	const char *p = out;

	while ((p = strstr(p, "\"range\": \""))) {
		if (sscanf(p + 10, "%lx-%lx", &lo, &hi) == 2 && lo <= a && a < hi)
			return p;
		p++;
	}
	return NULL;
}

static const char *const fields[] = { "planned", "moved", "stayed", "shared", "left", "notpresent" };

/* One move of a fresh target; its JSON in @out; the target's pid (the child still runs). */
static pid_t move_one(const char *engine, char *out, size_t size, struct layout *saved)
{
	pid_t pid = lab_spawn(setup, NULL);
	int rc;

	*saved = *L;
	rc = lab_run(out, size, "pagemig move %d 0 2 --no-progress --json %s -o RANGE,PLANNED,MOVED,STAYED,SHARED,LEFT,NOTPRESENT",
		     pid, engine);
	if (rc != 0)
		FAIL("pagemig move %s exited %d: %s", engine, rc, out);
	lab_expect_on(pid, saved->r[0], saved->len[0], lab_page_size(), 2, "4 KiB region");
	lab_expect_on(pid, saved->r[1], saved->len[1], lab_page_size(), 2, "THP region");
	lab_expect_on(pid, saved->r[2], saved->len[2], lab_page_size(), 1, "region on node 1");
	lab_expect_on(pid, saved->r[3], saved->len[3], lab_page_size(), 0, "shared region (MOVE)");
	for (int i = 0; i < NREG; i++)
		if (i != 4 && lab_mem_checksum(pid, saved->r[i], saved->len[i]) != saved->sum[i])
			FAIL("%s: region %d's contents changed", engine, i);
	return pid;
}

static void same_counts(void)
{
	static char whole[65536], pages[65536];
	struct layout a, b;
	pid_t pa, pb;
	int64_t sc;

	pa = move_one("", whole, sizeof(whole), &a);
	pb = move_one("--engine=pages", pages, sizeof(pages), &b);
	lab_log("%s", whole);
	for (int i = 0; i < NREG; i++) {
		const char *ra = row_of(whole, a.r[i]), *rb = row_of(pages, b.r[i]);

		if (!ra && !rb && (i == 2 || i == 4))
			continue;	/* nothing on a source node: no row, either way */
		if (!ra || !rb)
			FAIL("no row for region %d at %p (whole %p, pages %p)", i, (void *)a.r[i], (void *)ra, (void *)rb);
		for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
			if (lab_json_num(ra, fields[f]) != lab_json_num(rb, fields[f]))
				FAIL("region %d: %s %" PRId64 " by the whole process, %" PRId64 " page by page", i,
				     fields[f], lab_json_num(ra, fields[f]), lab_json_num(rb, fields[f]));
	}
	CHECK(lab_json_num(row_of(whole, a.r[0]), "moved") == (int64_t)a.len[0]);
	CHECK(lab_json_num(row_of(whole, a.r[3]), "shared") == (int64_t)a.len[3]);
	CHECK(lab_json_num(row_of(whole, a.r[5]), "moved") == (int64_t)a.len[5] / 2);
	/*
	 * One migrate_pages(2), then page by page only the regions with pages that stayed (the shared
	 * region, shared file pages): fewer calls than page by page everywhere.
	 */
	sc = lab_json_num(strstr(whole, "\"totals\": {"), "syscalls");
	lab_log("syscalls: whole %" PRId64 ", pages %" PRId64, sc,
		lab_json_num(strstr(pages, "\"totals\": {"), "syscalls"));
	if (sc < 1 || sc >= lab_json_num(strstr(pages, "\"totals\": {"), "syscalls"))
		FAIL("the default made %" PRId64 " system calls: not the whole-process way", sc);
	lab_kill(a.child);
	lab_kill(pa);
	lab_kill(b.child);
	lab_kill(pb);
}

/* 0,1 -> 1,2: node 1 is both: the per-page engine, and migrate_pages(2)'s placement. */
static void chained(void)
{
	static char out[65536];
	struct layout a;
	pid_t pid = lab_spawn(setup, NULL);
	int rc;

	a = *L;
	rc = lab_run(out, sizeof(out), "pagemig move %d 0,1 1,2 --no-progress", pid);
	if (rc != 0)
		FAIL("pagemig move 0,1 1,2 exited %d: %s", rc, out);
	lab_expect_on(pid, a.r[0], a.len[0], lab_page_size(), 1, "0,1 -> 1,2: node 0's 4 KiB region");
	lab_expect_on(pid, a.r[2], a.len[2], lab_page_size(), 2, "0,1 -> 1,2: node 1's region");
	lab_kill(a.child);
	lab_kill(pid);
}

int main(void)
{
	L = lab_require_cli(3, sizeof(*L));
	same_counts();
	chained();
	return LAB_EXIT_PASS;
}
