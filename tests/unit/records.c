// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * records.c - the records a move keeps per selected region (src/records.c):
 *  - rec_region() gives back every field of the region records_add() was given, strings and
 *    node counts included, for usual and unusual regions (odd perms, no policy, no node counts,
 *    huge numbers, an older caller's smaller struct);
 *  - the counters: rec_count(), rec_stats_add() and rec_stats_set() keep what a struct
 *    pagemig_stats would (pagemig_stats_add() is the reference), past the inline slots and with
 *    per-errno bytes;
 *  - memory: the heap bytes that 102,400 records hold (counted by the allocator, not timed), per
 *    record, stay within a bound for one-page regions alike (a target's many small mappings) and
 *    for regions that all differ.
 */
#include <inttypes.h>
#include <malloc.h>

#include "unit.h"

#define NREGIONS 102400
#define ALIKE_MAX 128		/* bytes per record, regions that share their encoding */
#define DISTINCT_MAX 384	/* bytes per record, regions that all differ (paths, sizes, node counts) */

#ifdef __SANITIZE_ADDRESS__
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_bytes(void)
{
	return __sanitizer_get_current_allocated_bytes();
}
#else
static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}
#endif

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Every field of @got against @want (its sz is this header's). */
static void check_region(const struct pagemig_region *got, const struct pagemig_region *want, const char *what)
{
	int n;

	CHECK(got->sz == sizeof(*got), "%s: sz %zu", what, got->sz);
	CHECK(got->start == want->start && got->end == want->end && got->offset == want->offset,
	      "%s: range %#" PRIx64 "-%#" PRIx64 " offset %" PRIu64, what, got->start, got->end, got->offset);
	CHECK(!memcmp(got->perms, want->perms, sizeof(got->perms)), "%s: perms '%.4s'", what, got->perms);
	CHECK(got->kind == want->kind && got->shared == want->shared && got->has_pagemap == want->has_pagemap,
	      "%s: kind %d shared %d has_pagemap %d", what, got->kind, got->shared, got->has_pagemap);
	CHECK(same_str(got->path, want->path ? want->path : ""), "%s: path '%s'", what, got->path);
	CHECK(same_str(got->policy, want->policy), "%s: policy '%s'", what, got->policy ? got->policy : "(null)");
	CHECK(same_str(got->vmflags_str, want->vmflags_str), "%s: vmflags_str", what);
	CHECK(got->vmflags == want->vmflags && got->page_size == want->page_size, "%s: vmflags, page size", what);
	CHECK(got->rss == want->rss && got->anon == want->anon && got->anon_huge == want->anon_huge &&
	      got->hugetlb == want->hugetlb && got->swap == want->swap && got->locked == want->locked,
	      "%s: smaps counts", what);
	CHECK(got->mapmax == want->mapmax && got->present == want->present && got->swapped == want->swapped &&
	      got->exclusive == want->exclusive && got->shared_pages == want->shared_pages &&
	      got->private_rss == want->private_rss && got->shared_rss == want->shared_rss, "%s: pagemap counts", what);
	CHECK(got->nr_nodes == want->nr_nodes, "%s: nr_nodes %d", what, got->nr_nodes);
	for (n = 0; n < got->nr_nodes && n < want->nr_nodes; n++)
		CHECK(got->node_pages[n] == want->node_pages[n], "%s: node %d: %" PRIu64, what, n, got->node_pages[n]);
}

static void test_round_trip(void)
{
	static const uint64_t four[] = { 1, 0, 7, UINT64_MAX };
	struct pagemig_region usual = {
		.sz = sizeof(usual), .start = 0x7f0000000000, .end = 0x7f0000201000, .perms = "rw-p",
		.kind = PAGEMIG_KIND_ANON, .path = "[heap]", .vmflags = 0x100073, .vmflags_str = "rd wr mr mw me ac",
		.page_size = 4096, .policy = "default", .rss = 2052 * 1024, .anon = 2052 * 1024, .anon_huge = 2 << 20,
		.nr_nodes = 4, .node_pages = four, .mapmax = 1, .has_pagemap = true, .present = 513, .exclusive = 513,
		.private_rss = 2052 * 1024,
	}, odd = {
		.sz = sizeof(odd), .start = 0x1000, .end = UINT64_MAX & ~0xfffULL, .offset = UINT64_MAX,
		.perms = { 'r', '?', 'x', 's', 'z' }, .kind = PAGEMIG_KIND_SHM, .shared = true, .path = NULL,
		.vmflags = UINT64_MAX, .page_size = 1ULL << 30, .hugetlb = UINT64_MAX - 1, .swap = 1, .locked = 3,
		.swapped = 5, .shared_pages = 6, .shared_rss = 7,
	}, old = usual;
	struct recs rs = { 0 };
	struct pagemig_region got;
	struct rec *x;

	x = records_add(&rs, &usual);
	CHECK(x && !x->empty, "usual region added");
	if (x)
		check_region(rec_region(x, &got), &usual, "usual");
	x = records_add(&rs, &odd);
	CHECK(x && !x->empty, "odd region added (hugetlb bytes: not empty)");
	if (x)
		check_region(rec_region(x, &got), &odd, "odd");
	/* an older caller's struct ends before node_pages: no node counts (records_add() reads no further) */
	old.sz = offsetof(struct pagemig_region, node_pages);
	x = records_add(&rs, &old);
	old.nr_nodes = 0;
	old.mapmax = old.present = old.swapped = old.exclusive = old.shared_pages = old.private_rss = 0;
	old.has_pagemap = false;
	old.node_pages = NULL;
	CHECK(x != NULL, "older struct added");
	if (x)
		check_region(rec_region(x, &got), &old, "older struct");
	/* the first record again: later ones did not disturb it */
	check_region(rec_region(&rs.v[0], &got), &usual, "usual, again");
	CHECK(rs.n == 3, "%zu records", rs.n);
	records_free(&rs);
	CHECK(!rs.v && !rs.n, "records_free() empties the set");
}

/* The record's counters against @want, all of them and per errno. */
static void check_stats(const struct rec *x, const struct pagemig_stats *want, const char *what)
{
	struct pagemig_stats got;
	int i;

	rec_stats(x, &got);
	for (i = 0; i < PAGEMIG_STAT_SLOTS; i++) {
		CHECK(got.bytes[i] == want->bytes[i], "%s: counter %d: %" PRIu64 " not %" PRIu64, what, i,
		      got.bytes[i], want->bytes[i]);
		if (i < PAGEMIG_STAT_MAX)
			CHECK(rec_stat(x, i) == want->bytes[i], "%s: rec_stat(%d)", what, i);
	}
	for (i = 0; i < PAGEMIG_STATS_ERRORS; i++)
		CHECK(got.errors[i].err == want->errors[i].err && got.errors[i].bytes == want->errors[i].bytes,
		      "%s: error %d: %d %" PRIu64, what, i, got.errors[i].err, got.errors[i].bytes);
	CHECK(!got.regions && !got.syscalls && got.sz == sizeof(got), "%s: only counters", what);
}

static void test_counters(void)
{
	struct pagemig_region r = { .sz = sizeof(r), .start = 0x10000, .end = 0x20000, .perms = "rw-p" };
	struct pagemig_stats want = { .sz = sizeof(want) }, d = { .sz = sizeof(d) };
	struct recs rs = { 0 };
	struct rec *x = records_add(&rs, &r);
	int i;

	CHECK(x != NULL, "record added");
	if (!x)
		return;
	check_stats(x, &want, "new");
	/* more counters than the slots hold, one at a time and added twice */
	for (i = 0; i < PAGEMIG_STAT_MAX; i++) {
		CHECK(!rec_count(x, i, 4096ULL * (i + 1)), "rec_count(%d)", i);
		want.bytes[i] += 4096ULL * (i + 1);
		if (i == REC_SLOTS - 1)
			check_stats(x, &want, "slots full");
	}
	check_stats(x, &want, "every counter");
	CHECK(!rec_count(x, PAGEMIG_STAT_MOVED, 0), "adding 0");
	check_stats(x, &want, "every counter, 0 added");

	/* a second record: counts and per-errno bytes, as pagemig_stats_add() adds them */
	x = records_add(&rs, &r);
	memset(&want, 0, sizeof(want));
	want.sz = sizeof(want);
	d.bytes[PAGEMIG_STAT_PLANNED] = 8192;
	d.bytes[PAGEMIG_STAT_MOVED] = 4096;
	CHECK(x && !rec_stats_add(x, &d), "rec_stats_add()");
	pagemig_stats_add(&want, &d);
	check_stats(x, &want, "planned and moved");
	stats_add_error(&d, EIO, 4096);
	stats_add_error(&d, EFAULT, 8192);
	CHECK(!rec_stats_add(x, &d), "rec_stats_add() with errors");
	pagemig_stats_add(&want, &d);
	check_stats(x, &want, "with errors");
	/* verify.c's way: the whole struct out, changed, and back (counters may go down to 0) */
	rec_stats(x, &d);
	d.bytes[PAGEMIG_STAT_FAILED] = 0;
	memset(d.errors, 0, sizeof(d.errors));
	CHECK(!rec_stats_set(x, &d), "rec_stats_set()");
	check_stats(x, &d, "set back");

	/* a third: a counter back to 0 frees its slot for another */
	x = records_add(&rs, &r);
	memset(&d, 0, sizeof(d));
	d.sz = sizeof(d);
	for (i = 0; i < REC_SLOTS; i++)
		d.bytes[i] = 1;
	CHECK(!rec_stats_set(x, &d), "slots full");
	d.bytes[0] = 0;
	CHECK(!rec_stats_set(x, &d) && !rec_count(x, PAGEMIG_STAT_HANDLED, 5), "one slot freed, taken");
	d.bytes[PAGEMIG_STAT_HANDLED] = 5;
	check_stats(x, &d, "slot reused");
	CHECK(!x->more, "no out-of-line counters while the slots hold them");
	records_free(&rs);
}

/* Heap bytes per record of NREGIONS records made by @make. */
static double bytes_per_record(void (*make)(struct pagemig_region *r, uint64_t *nodes, char *path, size_t i))
{
	struct recs rs = { 0 };
	struct pagemig_region r;
	uint64_t nodes[4];
	char path[64];
	size_t i, before = heap_bytes(), held;

	for (i = 0; i < NREGIONS; i++) {
		make(&r, nodes, path, i);
		if (!records_add(&rs, &r)) {
			CHECK(false, "records_add() %zu failed", i);
			break;
		}
	}
	held = heap_bytes() - before;
	records_free(&rs);
	return (double)held / NREGIONS;
}

/* bench/move.sh's -g targets: one page each, alternately rw- and r--, all on node 0. */
static void alike(struct pagemig_region *r, uint64_t *nodes, char *path, size_t i)
{
	memset(nodes, 0, 4 * sizeof(*nodes));
	nodes[0] = 1;
	*r = (struct pagemig_region){
		.sz = sizeof(*r), .start = 0x7f0000000000 + 4096 * i, .end = 0x7f0000001000 + 4096 * i,
		.perms = "rw-p", .kind = PAGEMIG_KIND_ANON, .path = "", .vmflags = 0x100073,
		.vmflags_str = "rd wr mr mw me ac", .page_size = 4096, .policy = "default", .rss = 4096,
		.anon = 4096, .nr_nodes = 4, .node_pages = nodes, .mapmax = 1, .private_rss = 4096,
	};
	if (i & 1) {
		r->perms[1] = '-';
		r->vmflags = 0x100071;
		r->vmflags_str = "rd mr mw me ac";
	}
	(void)path;
}

/* Regions that all differ: sizes, counts, offsets, paths, node counts. */
static void distinct(struct pagemig_region *r, uint64_t *nodes, char *path, size_t i)
{
	alike(r, nodes, path, i);
	snprintf(path, 64, "/usr/lib/x86_64-linux-gnu/libfile%zu.so", i);
	r->start = 0x7f0000000000 + (i << 24);
	r->end = r->start + 4096 * (i + 1);
	r->offset = 4096 * i;
	r->path = path;
	r->kind = PAGEMIG_KIND_FILE;
	r->rss = r->anon = r->private_rss = 4096 * (i + 1);
	r->present = r->exclusive = i + 1;
	nodes[0] = i / 2 + 1;
	nodes[2] = (i + 1) / 2;
}

static void test_memory(void)
{
	size_t before = heap_bytes(), during;
	void *volatile probe = malloc(1 << 20);
	double a, d;

	during = heap_bytes();
	free(probe);
	if (!probe || during < before + (1 << 20)) {
		unit_skip("the allocator keeps no count of its bytes here");
		return;
	}
	a = bytes_per_record(alike);
	d = bytes_per_record(distinct);
	printf("heap bytes per record: %.1f (one-page regions alike), %.1f (all different); struct rec %zu\n", a, d,
	       sizeof(struct rec));
	CHECK(a <= ALIKE_MAX, "%.1f bytes per record of regions alike (at most %d)", a, ALIKE_MAX);
	CHECK(d <= DISTINCT_MAX, "%.1f bytes per record of regions that differ (at most %d)", d, DISTINCT_MAX);
}

int main(void)
{
	test_round_trip();
	test_counters();
	test_memory();
	return unit_exit("records");
}
