// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_sparse.c - `pagemig move` of a huge, sparsely populated region (a JVM's or a Go runtime's
 * reservation, a sanitizer's shadow): 64 GiB reserved with MAP_NORESERVE, a few pages written at
 * its first and last page, at odd offsets, and 2 MiB collapsed into one THP (MADV_COLLAPSE: the
 * region stays one vma).
 *
 * Where the kernel has PAGEMAP_SCAN (6.7+) the engine skips the holes in one page-table walk
 * instead of reading pagemap over them (bench/README.md: 1 TiB moved in 0.07 s instead of 1.9 s on
 * 6.12 in the lab); before that it reads them.  Either way every written page must reach node 2,
 * the region's row must say so, and what was not present must be counted as exactly that: the
 * region's size less what was resident.
 *
 * Beside it, a 256 GiB PROT_NONE reservation with nothing in it: never walked (smaps saw nothing
 * there), yet counted whole as not present in the move's total, and `show --pagemap` must give it
 * exact zero counts while it still counts the sparse region's pages exactly.
 *
 * Placement: move_pages(nodes = NULL) on the target, never pagemig's own report.
 */
#include "labtest.h"

#define GIB (1UL << 30)
#define SZ (64 * GIB)
#define HPAGE (2UL << 20)

#define RESERVE (256 * GIB)

struct layout {
	char *base;
	char *reserve;
	size_t off[8];		/* written 4 KiB pages */
	size_t nr;
	size_t thp_off;		/* one 2 MiB THP */
	uint64_t sum;
};

static struct layout *L;

static void setup(void *arg)
{
	const size_t ps = lab_page_size();
	size_t i;
	int err;

	err = lab_set_mempolicy(MPOL_BIND, 1ULL << 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	L->base = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	L->reserve = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (L->base == MAP_FAILED || L->reserve == MAP_FAILED)
		FAIL("mmap %lu + %lu GiB: %s", SZ / GIB, RESERVE / GIB, strerror(errno));
	/* first and last page, odd places between, and a THP in the middle */
	L->nr = 0;
	L->off[L->nr++] = 0;
	L->off[L->nr++] = 7 * ps;
	L->off[L->nr++] = 3 * GIB + 5 * ps;
	L->off[L->nr++] = 17 * GIB + 513 * ps;
	L->off[L->nr++] = 40 * GIB - ps;
	L->off[L->nr++] = SZ - ps;
	L->thp_off = 32 * GIB - ((uintptr_t)L->base & (HPAGE - 1));
	lab_fill(L->base + L->thp_off, HPAGE, 7);
	/* MADV_COLLAPSE (6.1+) makes those 512 pages one THP without splitting the region */
	if (madvise(L->base + L->thp_off, HPAGE, 25 /* MADV_COLLAPSE */))
		lab_log("MADV_COLLAPSE: %s: 512 base pages instead of a THP", strerror(errno));
	for (i = 0; i < L->nr; i++)
		lab_fill(L->base + L->off[i], ps, 100 + i);
	L->sum = lab_checksum(L->base + L->thp_off, HPAGE);
	for (i = 0; i < L->nr; i++)
		L->sum ^= lab_checksum(L->base + L->off[i], ps) * (i + 3);
}

static uint64_t target_sum(pid_t pid)
{
	const size_t ps = lab_page_size();
	uint64_t sum = lab_mem_checksum(pid, L->base + L->thp_off, HPAGE);
	size_t i;

	for (i = 0; i < L->nr; i++)
		sum ^= lab_mem_checksum(pid, L->base + L->off[i], ps) * (i + 3);
	return sum;
}

/* `show --pagemap --json`: the reservation's counts are exact zeros, the sparse region's exact. */
static void show_pagemap(pid_t pid, uint64_t resident)
{
	static char out[1 << 20];
	const char *b;
	char key[64];
	int rc = lab_run(out, sizeof(out), "pagemig show %d --pagemap --json -a", pid);

	if (rc)
		FAIL("pagemig show --pagemap exited %d", rc);
	snprintf(key, sizeof(key), "\"start\": %lu,", (unsigned long)(uintptr_t)L->reserve);
	b = strstr(out, key);
	if (!b || !strstr(b, "\"present\": 0,") || strstr(b, "\"present\": 0,") > strchr(b, '}') ||
	    !strstr(b, "\"exclusive\": 0,") || strstr(b, "\"exclusive\": 0,") > strchr(b, '}'))
		FAIL("the reservation's pagemap counts are not exact zeros: %.400s", b ? b : "(no region)");
	snprintf(key, sizeof(key), "\"start\": %lu,", (unsigned long)(uintptr_t)L->base);
	b = strstr(out, key);
	snprintf(key, sizeof(key), "\"present\": %" PRIu64 ",", resident);
	if (!b || !strstr(b, key) || strstr(b, key) > strchr(b, '}'))
		FAIL("the sparse region's present bytes are not %" PRIu64 ": %.600s", resident, b ? b : "(no region)");
}

int main(void)
{
	static char out[65536];
	const size_t ps = lab_page_size();
	uint64_t planned, moved, shared, left, notpresent, resident;
	char key[40], *row;
	size_t i;
	pid_t pid;
	int rc;

	L = lab_require_cli(4, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	for (i = 0; i < L->nr; i++)
		lab_expect_on(pid, L->base + L->off[i], ps, ps, 0, "a written page before the move");
	lab_expect_on(pid, L->base + L->thp_off, HPAGE, ps, 0, "the THP before the move");
	resident = (uint64_t)lab_numa_maps_pages(pid, L->base, 0) * ps;
	show_pagemap(pid, resident);

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress --raw --bytes "
		     "-o RANGE,PLANNED,MOVED,SHARED,LEFT,NOTPRESENT", pid);
	lab_log("%s", out);
	if (rc != 0)
		FAIL("pagemig move exited %d", rc);
	for (i = 0; i < L->nr; i++)
		lab_expect_on(pid, L->base + L->off[i], ps, ps, 2, "a written page after the move");
	lab_expect_on(pid, L->base + L->thp_off, HPAGE, ps, 2, "the THP after the move");
	if (target_sum(pid) != L->sum)
		FAIL("contents changed by the move");

	snprintf(key, sizeof(key), "\n%lx-", (unsigned long)(uintptr_t)L->base);
	row = strstr(out, key);
	if (!row || sscanf(strchr(row, ' '), "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &planned,
			   &moved, &shared, &left, &notpresent) != 5)
		FAIL("no row for the region at %p", (void *)L->base);
	if (planned != resident || moved != resident || left != 0)
		FAIL("planned %" PRIu64 " moved %" PRIu64 " left %" PRIu64 ", numa_maps had %" PRIu64 " resident", planned,
		     moved, left, resident);
	if (notpresent != SZ - resident)
		FAIL("not present: %" PRIu64 " bytes, the region's %lu less %" PRIu64 " resident is %" PRIu64,
		     notpresent, SZ, resident, SZ - resident);
	row = strstr(out, "\ntotal ");
	if (!row || sscanf(row + 7, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &planned, &moved,
			   &shared, &left, &notpresent) != 5)
		FAIL("no total row");
	if (notpresent < SZ - resident + RESERVE)
		FAIL("total not present %" PRIu64 " < the sparse region's holes and the reservation (%" PRIu64 ")",
		     notpresent, SZ - resident + RESERVE);
	lab_log("sparse: %" PRIu64 " bytes resident of %lu GiB moved, %" PRIu64 " not present", resident, SZ / GIB,
		notpresent);
	lab_kill(pid);
	return LAB_EXIT_PASS;
}
