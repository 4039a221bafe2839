// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * faults.c - the engine's retry, re-query and partial paths, forced on the one-node host with
 * sys_fault() (src/sys.c): move_pages(2) is answered by a fake kernel that places the pages of
 * a buffer of ours on node 1 and moves them to node 0 as told, unless the case says otherwise:
 *  - a batch answered -EAGAIN, then accepted: every page moves (a retry);
 *  - a batch answered with a positive count and no status written (pinned pages): refused;
 *  - a batch answered -ENOMEM with no status written: no-memory;
 *  - per-page -EBUSY that never clears: busy, after the bounded retries;
 *  - the placement query answered -EFAULT: the move fails with -EFAULT, nothing counted as moved;
 *  - pagemap read back in short pieces: the same counts as whole reads.
 * pagemig_move_region() of the buffer's region with the plan 1 -> 0; its stats are the judge.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "unit.h"

#define NPAGES 64

enum mode { OK, EAGAIN_ONCE, POSITIVE, NOMEM, BUSY, QUERY_EFAULT, SHORT_READ };

static enum mode mode;
static char *buf;
static size_t psz;
static int node[NPAGES];	/* the fake placement of buf's pages */
static int moves;		/* move calls (nodes != NULL) seen */

static int page_of(void *addr)
{
	uintptr_t a = (uintptr_t)addr, b = (uintptr_t)buf;

	return a >= b && a < b + NPAGES * psz ? (int)((a - b) / psz) : -1;
}

static long fake_move_pages(const long *a)
{
	unsigned long count = (unsigned long)a[1];
	void **pages = (void **)a[2];
	const int *nodes = (const int *)a[3];
	int *status = (int *)a[4];

	if (!nodes) {		/* a placement query */
		if (mode == QUERY_EFAULT)
			return -EFAULT;
		for (unsigned long i = 0; i < count; i++) {
			int p = page_of(pages[i]);

			status[i] = p < 0 ? 0 : node[p];
		}
		return 0;
	}
	moves++;
	if ((mode == EAGAIN_ONCE && moves == 1))
		return -EAGAIN;
	if (mode == POSITIVE)
		return (long)count;	/* status unwritten, as for long-term pinned pages */
	if (mode == NOMEM)
		return -ENOMEM;
	for (unsigned long i = 0; i < count; i++) {
		int p = page_of(pages[i]);

		if (mode == BUSY) {
			status[i] = -EBUSY;
			continue;
		}
		if (p >= 0)
			node[p] = nodes[i];
		status[i] = nodes[i];
	}
	return 0;
}

long sys_fault(enum sys_fault_call call, const long *args)
{
	if (call == SYS_FAULT_MOVE_PAGES)
		return fake_move_pages(args);
	if (call == SYS_FAULT_PREAD && mode == SHORT_READ && (size_t)args[2] > 8) {
		long r = pread((int)args[0], (void *)args[1], 8 * ((size_t)args[2] / 16 + 1), (off_t)args[3]);

		return r < 0 ? -errno : r;
	}
	return SYS_FAULT_PASS;
}

static struct pagemig_region region_of_buf(struct pagemig *pm)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };

	if (pagemig_regions_open(pm, 0, &it))
		exit(1);
	while (pagemig_region_next(it, &r) == 1)
		if (r.start <= (uintptr_t)buf && r.end > (uintptr_t)buf)
			break;
	pagemig_regions_close(it);
	r.path = r.policy = r.vmflags_str = "";
	r.node_pages = NULL;
	r.nr_nodes = 0;
	return r;
}

static int run(struct pagemig *pm, enum mode m, struct pagemig_stats *st)
{
	struct pagemig_nodemask f = { 0 }, t = { 0 };
	PAGEMIG_OPTS(pagemig_move_opts, o, .batch = 16);
	struct pagemig_region r = region_of_buf(pm);
	struct pagemig_plan plan;

	pagemig_nodemask_set(&f, 1);
	pagemig_nodemask_set(&t, 0);
	pagemig_plan(&f, &t, &plan);
	for (int i = 0; i < NPAGES; i++)
		node[i] = 1;
	mode = m;
	moves = 0;
	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	return pagemig_move_region(pm, &r, &plan, &o, st);
}

int main(void)
{
	const uint64_t all = NPAGES * (uint64_t)sysconf(_SC_PAGESIZE);
	struct pagemig_stats st, base;
	struct pagemig *pm;
	int ret;

	psz = (size_t)sysconf(_SC_PAGESIZE);
	buf = mmap(NULL, NPAGES * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || madvise(buf, NPAGES * psz, MADV_NOHUGEPAGE) || pagemig_open(0, NULL, &pm))
		return 1;
	memset(buf, 1, NPAGES * psz);

	ret = run(pm, OK, &base);
	CHECK(ret == 0 && base.bytes[PAGEMIG_STAT_PLANNED] == all && base.bytes[PAGEMIG_STAT_MOVED] == all,
	      "the fake kernel: %d, planned %" PRIu64 ", moved %" PRIu64, ret, base.bytes[PAGEMIG_STAT_PLANNED],
	      base.bytes[PAGEMIG_STAT_MOVED]);

	ret = run(pm, EAGAIN_ONCE, &st);
	CHECK(ret == 0 && st.bytes[PAGEMIG_STAT_MOVED] == all && moves > NPAGES / 16,
	      "-EAGAIN once: %d, moved %" PRIu64 ", %d move calls", ret, st.bytes[PAGEMIG_STAT_MOVED], moves);

	ret = run(pm, POSITIVE, &st);
	CHECK(ret == PAGEMIG_PARTIAL && st.bytes[PAGEMIG_STAT_REFUSED] == all && !st.bytes[PAGEMIG_STAT_MOVED],
	      "a positive return: %d, refused %" PRIu64 ", moved %" PRIu64, ret, st.bytes[PAGEMIG_STAT_REFUSED],
	      st.bytes[PAGEMIG_STAT_MOVED]);

	ret = run(pm, NOMEM, &st);
	CHECK(ret == PAGEMIG_PARTIAL && st.bytes[PAGEMIG_STAT_NOMEM] == all,
	      "-ENOMEM: %d, no-memory %" PRIu64, ret, st.bytes[PAGEMIG_STAT_NOMEM]);

	ret = run(pm, BUSY, &st);
	CHECK(ret == PAGEMIG_PARTIAL && st.bytes[PAGEMIG_STAT_BUSY] == all && moves > NPAGES / 16 + 3,
	      "-EBUSY per page: %d, busy %" PRIu64 ", %d move calls (retries)", ret, st.bytes[PAGEMIG_STAT_BUSY], moves);

	ret = run(pm, QUERY_EFAULT, &st);
	CHECK(ret == -EFAULT && !st.bytes[PAGEMIG_STAT_MOVED], "query -EFAULT: %d, moved %" PRIu64, ret,
	      st.bytes[PAGEMIG_STAT_MOVED]);

	ret = run(pm, SHORT_READ, &st);
	CHECK(ret == 0 && !memcmp(st.bytes, base.bytes, sizeof(st.bytes)),
	      "short pagemap reads: %d, moved %" PRIu64 ", not present %" PRIu64 " (whole reads: %" PRIu64 ", %" PRIu64 ")",
	      ret, st.bytes[PAGEMIG_STAT_MOVED], st.bytes[PAGEMIG_STAT_NOT_PRESENT], base.bytes[PAGEMIG_STAT_MOVED],
	      base.bytes[PAGEMIG_STAT_NOT_PRESENT]);
	pagemig_close(pm);
	munmap(buf, NPAGES * psz);
	return unit_exit("faults");
}
