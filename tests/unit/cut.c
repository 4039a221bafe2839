// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cut.c - an address range in a region filter cuts a region to the range (filter_piece(), on
 * fixture regions: both ends, a range across two regions, a range inside one page, two ranges in
 * one region, a kind that selects the whole region), and pagemig_regions_select() hands out the
 * cut part with its own counts: a mapping of this process, half touched, cut in the middle, whose
 * resident pages the kernel's placement query and a dry run must count for the part alone.
 */
#include <sys/mman.h>

#include "unit.h"

#define K4 0x1000ULL
#define M2 0x200000ULL

static const struct pagemig_region anon = {
	.start = 0x7f0000000000, .end = 0x7f0000200000, .kind = PAGEMIG_KIND_ANON, .path = "", .page_size = K4,
};
static const struct pagemig_region huge = {
	.start = 0x7f0000200000, .end = 0x7f0000600000, .kind = PAGEMIG_KIND_HUGETLB, .path = "/anon_hugepage",
	.page_size = M2,
};

/* The pieces @filter cuts @r into, as "lo-hi lo-hi" (offsets from r->start, hex). */
static void pieces(const char *filter, const struct pagemig_region *r, const char *want)
{
	struct pagemig_filter *f = NULL;
	char got[256] = "";
	uint64_t lo, hi, at = r->start;
	size_t off = 0;

	if (pagemig_filter_parse(filter, &f, NULL, 0)) {
		CHECK(0, "filter '%s' does not parse", filter);
		return;
	}
	while (pagemig_filter_match(f, r) && filter_piece(f, r, at, &lo, &hi) && off < sizeof(got)) {
		off += (size_t)snprintf(got + off, sizeof(got) - off, "%s%llx-%llx", off ? " " : "",
					(unsigned long long)(lo - r->start), (unsigned long long)(hi - r->start));
		CHECK(hi > at, "'%s': no progress at %llx", filter, (unsigned long long)at);
		if (hi <= at)
			break;
		at = hi;
	}
	CHECK(!strcmp(got, want), "'%s' on %s: pieces '%s', want '%s'", filter, r->path[0] ? r->path : "anon", got,
	      want);
	pagemig_filter_free(f);
}

static void test_pieces(void)
{
	/* cut at both ends */
	pieces("7f0000001000-7f0000003000", &anon, "1000-3000");
	/* a range across two regions: each gets its part; a hugetlb region whole huge pages */
	pieces("7f00001ff000-7f0000201000", &anon, "1ff000-200000");
	pieces("7f00001ff000-7f0000201000", &huge, "0-200000");
	/* inside one page: widened outward to the page */
	pieces("7f0000001100-7f0000001200", &anon, "1000-2000");
	pieces("0x7f0000001fff-0x7f0000002001", &anon, "1000-3000");
	/* covering the whole region, or more: the region, whole */
	pieces("7f0000000000-7f0000200000", &anon, "0-200000");
	pieces("7effffff0000-7f0000300000", &anon, "0-200000");
	/* two ranges: two pieces; ranges that touch or overlap: one */
	pieces("7f0000001000-7f0000002000,7f0000005000-7f0000006000", &anon, "1000-2000 5000-6000");
	pieces("7f0000005000-7f0000006000,7f0000001000-7f0000002000", &anon, "1000-2000 5000-6000");
	pieces("7f0000001000-7f0000002000,7f0000002000-7f0000003000", &anon, "1000-3000");
	pieces("7f0000001000-7f0000004000,7f0000002000-7f0000003000", &anon, "1000-4000");
	/* a kind or glob that selects the region too: whole; a range elsewhere: none */
	pieces("anon,7f0000001000-7f0000002000", &anon, "0-200000");
	pieces("huge,7f0000001000-7f0000002000", &anon, "1000-2000");
	pieces("7f0000300000-7f0000301000", &anon, "");
	/* a negated range leaves the region out, as it always did */
	pieces("!7f0000001000-7f0000002000", &anon, "");
	pieces("heap", &anon, "");
	pieces("!heap", &anon, "0-200000");
}

/* This process's region that holds @p, cut by @filter; @nodes: its pages on any node. */
static int cut_region(struct pagemig *pm, const char *filter, const void *p, struct pagemig_region *r, int *n,
		      uint64_t *nodes)
{
	struct pagemig_filter *f = NULL;
	struct pagemig_region_iter *it;
	int i, ret;

	*n = 0;
	if (pagemig_filter_parse(filter, &f, NULL, 0) || pagemig_regions_open(pm, 0, &it))
		return -EINVAL;
	struct pagemig_region x = { .sz = sizeof(x) };

	ret = pagemig_regions_select(it, f);
	while (!ret && (ret = pagemig_region_next(it, &x)) > 0) {
		if (x.start <= (uintptr_t)p && (uintptr_t)p < x.end) {
			*r = x;		/* its node counts are the iterator's until the next region */
			for (*nodes = 0, i = 0; i < x.nr_nodes; i++)
				*nodes += x.node_pages[i];
			++*n;
		}
		ret = 0;
	}
	pagemig_regions_close(it);
	pagemig_filter_free(f);
	return ret;
}

struct seen {
	uint64_t start, end, stayed;
	int n;
};

static void on_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	struct seen *s = ctx;

	s->start = r->start;
	s->end = r->end;
	s->stayed = st->bytes[PAGEMIG_STAT_STAYED];
	s->n++;
}

static void test_select(void)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = 16 * ps;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_filter *f = NULL;
	struct pagemig_plan plan;
	struct seen seen = { 0 };
	struct pagemig_stats st = { .sz = sizeof(st) };
	PAGEMIG_OPTS(pagemig_move_opts, mo, .flags = PAGEMIG_MOVE_DRY_RUN, .region_done = on_region,
		     .region_ctx = &seen);
	char filter[96];
	struct pagemig *pm;
	uint64_t sum = 0;
	int n, ret;

	if (buf == MAP_FAILED || pagemig_open(0, NULL, &pm)) {
		CHECK(0, "setup: mmap or pagemig_open(0)");
		return;
	}
	madvise(buf, len, MADV_NOHUGEPAGE);
	memset(buf, 1, 8 * ps);		/* pages 0-7 resident, 8-15 never touched */
	/* pages 4-11, the range given with its ends inside pages 4 and 11 */
	snprintf(filter, sizeof(filter), "%lx-%lx", (unsigned long)(uintptr_t)(buf + 4 * ps + 16),
		 (unsigned long)(uintptr_t)(buf + 11 * ps + 16));
	ret = cut_region(pm, filter, buf + 4 * ps, &r, &n, &sum);
	CHECK(ret == 0 && n == 1, "select '%s': %d, %d regions hold page 4", filter, ret, n);
	CHECK(r.start == (uintptr_t)(buf + 4 * ps) && r.end == (uintptr_t)(buf + 12 * ps),
	      "the cut is %llx-%llx, want pages 4-11 of %p", (unsigned long long)r.start, (unsigned long long)r.end,
	      (void *)buf);
	CHECK(r.rss == 4 * ps && sum == 4, "the cut part holds 4 resident pages: rss %llu, on nodes %llu",
	      (unsigned long long)r.rss, (unsigned long long)sum);
	/* the library's dry run sees the part */
	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	CHECK(!pagemig_filter_parse(filter, &f, NULL, 0), "parse");
	mo.filter = f;
	ret = pagemig_move(pm, &plan, &mo, &st);
	CHECK(ret == 0 && seen.n == 1 && seen.start == (uintptr_t)(buf + 4 * ps) &&
		      seen.end == (uintptr_t)(buf + 12 * ps) && seen.stayed == 4 * ps,
	      "dry run: %d, %d regions, %llx-%llx, stayed %llu (want 4 pages)", ret, seen.n,
	      (unsigned long long)seen.start, (unsigned long long)seen.end, (unsigned long long)seen.stayed);
	pagemig_filter_free(f);
	CHECK(pagemig_regions_select(NULL, NULL) == -EINVAL, "select on no iterator");
	pagemig_close(pm);
	munmap(buf, len);
}

int main(void)
{
	test_pieces();
	test_select();
	return unit_exit("cut");
}
