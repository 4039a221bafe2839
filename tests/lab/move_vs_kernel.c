// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_vs_kernel.c - `pagemig move` places every page where migrate_pages(2) would.
 *
 * Two identical targets with pages on all four nodes (2 MiB bound to each node, and 4 MiB
 * interleaved over 0-3 page by page); one is moved by `pagemig move`, the other by migrate_pages(2)
 * with the same masks; then every page must be on the same node in both (move_pages with
 * nodes = NULL on each target).  Mask pairs: 0-3 -> 2,3 (weights differ: 2 and 3 keep their
 * pages), 0,1 -> 3, 0 -> 1, 1,2 -> 0,3, and the chain 0,1 -> 1,2 (0 -> 1 and 1 -> 2: no page moves
 * twice in either).  Cyclic mappings (0,1 -> 1,0) are left out on purpose:
 * there the kernel moves pages twice by design and pagemig does not.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define PER_NODE (2 * MIB)
#define INTERLEAVED (4 * MIB)

struct layout {
	char *node[4];		/* PER_NODE bytes bound to node i */
	char *mix;		/* INTERLEAVED bytes, interleaved over 0-3 */
};

/* One per target: the two targets map the same layout at addresses of their own. */
static struct layout *LA, *LB;

static void setup(void *arg)
{
	struct layout *l = arg;
	size_t ps = lab_page_size();
	int err;

	for (int n = 0; n < 4; n++) {
		l->node[n] = lab_alloc_on_node(PER_NODE, n, 0);
		lab_fill(l->node[n], PER_NODE, (uint64_t)n + 60);
	}
	l->mix = mmap(NULL, INTERLEAVED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (l->mix == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	err = lab_mbind(l->mix, INTERLEAVED, MPOL_INTERLEAVE, 0xf, 0);
	if (err)
		FAIL("mbind(MPOL_INTERLEAVE, 0-3): %s", strerror(-err));
	for (size_t off = 0; off < INTERLEAVED; off += ps)
		l->mix[off] = 1;
}

#define NPAGES ((4 * PER_NODE + INTERLEAVED) / 4096)

/* Every page of a target's layout, in order: its node or a negative errno. */
static void placement(pid_t pid, const struct layout *l, int *out)
{
	size_t ps = lab_page_size(), k = 0;
	int err;

	for (int n = 0; n < 4; n++, k += PER_NODE / ps) {
		err = lab_query_nodes_pid(pid, l->node[n], PER_NODE / ps, ps, out + k);
		if (err)
			FAIL("query placement of pid %d: %s", (int)pid, strerror(-err));
	}
	err = lab_query_nodes_pid(pid, l->mix, INTERLEAVED / ps, ps, out + k);
	if (err)
		FAIL("query placement of pid %d: %s", (int)pid, strerror(-err));
}

static const char *where(size_t k)
{
	static char buf[64];
	size_t per = PER_NODE / 4096;

	if (k < 4 * per)
		snprintf(buf, sizeof(buf), "page %zu of the region bound to node %zu", k % per, k / per);
	else
		snprintf(buf, sizeof(buf), "page %zu of the interleaved region", k - 4 * per);
	return buf;
}

/* "N0=512 N1=0 N2=1536 N3=1024 other=0": how many of the @n pages in @st are on each node. */
static void histogram(const int *st, size_t n, char *buf, size_t len)
{
	size_t count[5] = { 0 };

	for (size_t i = 0; i < n; i++)
		count[st[i] >= 0 && st[i] < 4 ? st[i] : 4]++;
	snprintf(buf, len, "N0=%zu N1=%zu N2=%zu N3=%zu other=%zu", count[0], count[1], count[2], count[3], count[4]);
}

static int ncases;

static void one_case(const char *from, const char *to, uint64_t from_mask, uint64_t to_mask)
{
	static int before[NPAGES], a[NPAGES], b[NPAGES];
	char out[65536], h[128];
	size_t changed = 0;
	pid_t pa, pb;
	long ret;
	int rc;

	pa = lab_spawn(setup, LA);
	pb = lab_spawn(setup, LB);
	placement(pa, LA, before);
	placement(pb, LB, b);
	for (size_t k = 0; k < NPAGES; k++) {
		if (before[k] < 0)
			FAIL("%s -> %s: %s is not resident (%d)", from, to, where(k), before[k]);
		if (before[k] != b[k])
			FAIL("%s -> %s: the two targets differ before the move at %s (%d, %d)", from, to, where(k),
			     before[k], b[k]);
	}
	histogram(before, NPAGES, h, sizeof(h));
	lab_log("%s -> %s: before: %s", from, to, h);

	/* every other case with two threads: placement must not depend on how the work is split */
	rc = lab_run(out, sizeof(out), "pagemig move %d %s %s --no-progress%s", pa, from, to,
		     ncases++ % 2 ? " --threads 2" : "");
	lab_log("%s", out);
	if (rc != 0)
		FAIL("%s -> %s: pagemig move exited %d, expected 0", from, to, rc);
	ret = lab_migrate_pages(pb, from_mask, to_mask);
	lab_log("migrate_pages(%d, %#lx, %#lx) = %ld", (int)pb, (unsigned long)from_mask, (unsigned long)to_mask, ret);
	if (ret < 0)
		FAIL("%s -> %s: migrate_pages: %s", from, to, strerror((int)-ret));

	placement(pa, LA, a);
	placement(pb, LB, b);
	histogram(a, NPAGES, h, sizeof(h));
	lab_log("%s -> %s: pagemig:       %s", from, to, h);
	histogram(b, NPAGES, h, sizeof(h));
	lab_log("%s -> %s: migrate_pages: %s", from, to, h);
	for (size_t k = 0; k < NPAGES; k++) {
		if (a[k] != b[k])
			FAIL("%s -> %s: %s: pagemig put it on node %d, migrate_pages(2) on node %d (it was on %d)", from,
			     to, where(k), a[k], b[k], before[k]);
		changed += a[k] != before[k];
	}
	if (!changed)
		FAIL("%s -> %s: no page moved at all: the comparison proves nothing", from, to);
	lab_kill(pa);
	lab_kill(pb);
}

int main(void)
{
	lab_require_nodes(4);
	lab_require_root();
	lab_require_cmd("pagemig");
	LA = lab_map_shared(2 * sizeof(*LA));
	LB = LA + 1;
	one_case("0-3", "2,3", 0xf, 0xc);
	one_case("0,1", "3", 0x3, 0x8);
	one_case("0", "1", 0x1, 0x2);
	one_case("1,2", "0,3", 0x6, 0x9);
	one_case("0,1", "1,2", 0x3, 0x6);	/* a chain: 1 must be emptied (to 2) before it fills (from 0) */
	return 0;
}
