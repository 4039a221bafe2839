// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_cut.c - `--regions START-END` cuts a region to the range.  Two adjacent anonymous
 * mappings with the same flags and policy are one region to the kernel (it merges them); a move
 * with a range that covers only the first must move the first's pages and leave the second's,
 * and `show` with that range must show the first part only.  Judged from the kernel: a placement
 * query (move_pages, nodes = NULL) of every page of both, and /proc/PID/maps for the merge.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)

struct layout {
	char *a;		/* 2 MiB, then b right after it: one vma */
	char *b;
};

static struct layout *L;

static void setup(void *arg)
{
	char *p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	/* two mappings, the second placed right after the first: the kernel merges them */
	if (mmap(p, 2 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != p ||
	    mmap(p + 2 * MIB, 2 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
		    p + 2 * MIB)
		FAIL("mmap MAP_FIXED: %s", strerror(errno));
	madvise(p, 4 * MIB, MADV_NOHUGEPAGE);	/* no huge page across the boundary */
	if (lab_mbind(p, 4 * MIB, MPOL_BIND, 1ULL << 0, 0))
		FAIL("mbind to node 0");
	lab_fill(p, 4 * MIB, 3);
	L->a = p;
	L->b = p + 2 * MIB;
}

/* Whether one line of /proc/PID/maps covers both halves: the kernel merged them. */
static bool merged(pid_t pid)
{
	char path[64], buf[65536], key[40];

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if (lab_read_file(path, buf, sizeof(buf)) <= 0)
		FAIL("cannot read %s", path);
	snprintf(key, sizeof(key), "%lx-%lx ", (unsigned long)(uintptr_t)L->a,
		 (unsigned long)(uintptr_t)(L->b + 2 * MIB));
	return strstr(buf, key) != NULL;
}

int main(void)
{
	char out[65536], err[4096], cmd[256], range[64], whole[64];
	size_t ps = lab_page_size(), n = 2 * MIB / ps;
	uint64_t v[4], sum;
	pid_t pid;
	int rc;

	L = lab_require_cli(3, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	if (!merged(pid))
		FAIL("the kernel did not merge the two mappings at %p: nothing to cut", (void *)L->a);
	snprintf(range, sizeof(range), "%lx-%lx", (unsigned long)(uintptr_t)L->a, (unsigned long)(uintptr_t)L->b);
	snprintf(whole, sizeof(whole), "%lx-%lx", (unsigned long)(uintptr_t)L->a,
		 (unsigned long)(uintptr_t)(L->b + 2 * MIB));

	/* show: the first part only */
	snprintf(cmd, sizeof(cmd), "pagemig show %d --regions %s -o RANGE --noheadings", (int)pid, range);
	rc = lab_run_cmd((uid_t)-1, cmd, out, sizeof(out), err, sizeof(err));
	if (rc != 0 || !strstr(out, range) || strstr(out, whole))
		FAIL("show --regions %s: exit %d, want the row %s and not %s:\n%s%s", range, rc, range, whole, out, err);

	/* move: the first part's pages go to node 2, the second's stay on node 0 */
	sum = lab_mem_checksum(pid, L->a, 4 * MIB);
	snprintf(cmd, sizeof(cmd), "pagemig move %d --regions %s 0 2 --no-progress --bytes "
		 "-o RANGE,PLANNED,MOVED,SHARED,LEFT", (int)pid, range);
	rc = lab_run_cmd((uid_t)-1, cmd, out, sizeof(out), err, sizeof(err));
	if (rc != 0)
		FAIL("move --regions %s: exit %d\n%s%s", range, rc, out, err);
	if (lab_count_on_node(pid, L->a, n, ps, 2) != n)
		FAIL("%zu of the first mapping's %zu pages are on node 2", lab_count_on_node(pid, L->a, n, ps, 2), n);
	if (lab_count_on_node(pid, L->b, n, ps, 0) != n)
		FAIL("%zu of the second mapping's %zu pages stayed on node 0 (the range did not cover it)",
		     lab_count_on_node(pid, L->b, n, ps, 0), n);
	if (!lab_move_row(out, L->a, v) || v[0] != 2 * MIB || v[1] != 2 * MIB)
		FAIL("the report's row for %s: want planned and moved 2 MiB:\n%s", range, out);
	if (strstr(out, whole))
		FAIL("the report shows the whole region %s:\n%s", whole, out);
	if (lab_mem_checksum(pid, L->a, 4 * MIB) != sum)
		FAIL("the target's data changed during the move");
	lab_kill(pid);
	return 0;
}
