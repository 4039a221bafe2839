// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * handler_hugetlb.c - the built-in hugetlb handler prepares the per-node huge page pools before
 * any page moves (the seed's "pages may require special preparatory treatment").
 *
 * A target holds 8 hugetlb pages of 2 MiB on node 0; node 2's pool is empty.
 *  - `pagemig move PID 0 2` (--hugetlb-pool=no): exit 6, one line naming node 2 and the numbers,
 *    and nothing of the target moved, not even its small pages;
 *  - --hugetlb-pool=grow with --strict and an io/pfnmap region above the huge pages: the hugetlb
 *    handler grows node 2's pool, then the nopages handler stops the move: finish(err) undoes the
 *    growth and nothing moved;
 *  - --hugetlb-pool=grow: exit 0, the huge pages are on node 2, whose pool grew by 8;
 *  - --hugetlb-pool=grow-shrink back from 2 to 0: node 0's free pages take them, and node 2's
 *    pool shrinks by the 8 pages the move freed there, not by the free pages it had before.
 * Pools are read from /sys/devices/system/node/nodeN/hugepages/hugepages-2048kB; placement with
 * move_pages(nodes = NULL) on the target and its numa_maps.
 */
#include <sys/mman.h>

#include "labtest.h"

#define HUGE (2UL << 20)
#define NR_HUGE 8

struct layout {
	char *io;		/* /dev/mem's BIOS area (VM_IO | VM_PFNMAP), mapped first, or NULL */
	char io_err[128];
	char *huge;		/* NR_HUGE hugetlb pages, bound to node 0 */
	char *small;		/* 1 MiB of small pages, bound to node 0 */
};

static struct layout *L;

static void setup(void *arg)
{
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);

	L->io = fd < 0 ? MAP_FAILED : mmap(NULL, 0x10000, PROT_READ, MAP_SHARED, fd, 0xf0000);
	if (L->io == MAP_FAILED) {
		snprintf(L->io_err, sizeof(L->io_err), "/dev/mem: %s", strerror(errno));
		L->io = NULL;
	}
	if (fd >= 0)
		close(fd);
	L->huge = lab_alloc_on_node(NR_HUGE * HUGE, 0, MAP_HUGETLB);
	L->small = lab_alloc_on_node(1UL << 20, 0, 0);
}

static long pool(int node, const char *knob)
{
	return lab_hugetlb_pool(node, knob, -1);
}

static void log_pools(const char *when)
{
	lab_log("%s: node 0 pool %ld (%ld free), node 2 pool %ld (%ld free)", when, pool(0, "nr_hugepages"),
		pool(0, "free_hugepages"), pool(2, "nr_hugepages"), pool(2, "free_hugepages"));
}

static void expect_huge_on(pid_t pid, int node, const char *what)
{
	lab_expect_on(pid, L->huge, NR_HUGE * HUGE, HUGE, node, what);
}

int main(void)
{
	char err[4096], path[128];
	long n2, grown, freed_src;
	size_t ps = lab_page_size();
	pid_t pid;
	int rc;

	lab_require_nodes(4);
	lab_require_root();
	lab_require_cmd("pagemig");
	if (access(lab_hugetlb_path(path, sizeof(path), 0, "nr_hugepages"), W_OK))
		SKIP("no per-node 2 MiB huge page pools in this kernel");
	L = lab_map_shared(sizeof(*L));
	lab_hugetlb_pool(2, "nr_hugepages", 0);
	lab_hugetlb_pool(0, "nr_hugepages", NR_HUGE);
	if (pool(0, "nr_hugepages") != NR_HUGE)
		SKIP("node 0 could reserve only %ld of %d huge pages", pool(0, "nr_hugepages"), NR_HUGE);
	pid = lab_spawn(setup, NULL);
	expect_huge_on(pid, 0, "setup");
	log_pools("setup");
	if (pool(0, "free_hugepages") != 0 || pool(2, "nr_hugepages") != 0)
		FAIL("setup: node 0 should have no free huge page and node 2 an empty pool");
	n2 = lab_numa_maps_pages(pid, NULL, 2);

	/* --hugetlb-pool=no (the default): refused up front, with the numbers. */
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress", (int)pid);
	if (rc != 6)
		FAIL("node 2's pool is empty: exit %d, want 6", rc);
	if (!strstr(err, "hugetlb") || !strstr(err, "node 2") || !strstr(err, "0 free") || !strstr(err, "8 needed"))
		FAIL("the message does not name the handler, node 2 and the numbers (0 free, 8 needed): %s", err);
	if (strchr(err, '\n') != err + strlen(err) - 1)
		FAIL("the message is not one line: %s", err);
	expect_huge_on(pid, 0, "after the refused move");
	lab_expect_on(pid, L->small, 1UL << 20, ps, 0, "after the refused move: small pages");
	if (lab_numa_maps_pages(pid, NULL, 2) != n2)
		FAIL("after the refused move: %ld pages on node 2, had %ld", lab_numa_maps_pages(pid, NULL, 2), n2);
	if (pool(2, "nr_hugepages") != 0)
		FAIL("after the refused move: node 2's pool is %ld, was 0", pool(2, "nr_hugepages"));
	log_pools("after --hugetlb-pool=no");

	/* A later handler fails after the hugetlb handler grew node 2's pool: the growth is undone. */
	if (!L->io)
		lab_log("SKIP part: a failure after the pool grew: no io/pfnmap region (%s)", L->io_err);
	else if (L->io < L->huge)
		lab_log("SKIP part: a failure after the pool grew: the io/pfnmap region is below the huge pages");
	else {
		rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress --hugetlb-pool=grow --strict",
				 (int)pid);
		if (rc != 6 || !strstr(err, "nopages"))
			FAIL("--strict with an io/pfnmap region after the huge pages: exit %d, want 6 from nopages", rc);
		expect_huge_on(pid, 0, "after the nopages handler failed");
		if (lab_numa_maps_pages(pid, NULL, 2) != n2)
			FAIL("after the nopages handler failed: %ld pages on node 2, had %ld",
			     lab_numa_maps_pages(pid, NULL, 2), n2);
		log_pools("after a failure behind the hugetlb handler");
		if (pool(2, "nr_hugepages") != 0)
			FAIL("after the nopages handler failed: node 2's pool is %ld; the hugetlb handler's finish(err) "
			     "did not undo its growth", pool(2, "nr_hugepages"));
	}

	/* --hugetlb-pool=grow: node 2's pool grows to fit, the pages move. */
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress --hugetlb-pool=grow", (int)pid);
	if (rc != 0)
		FAIL("--hugetlb-pool=grow: exit %d, want 0", rc);
	expect_huge_on(pid, 2, "after --hugetlb-pool=grow");
	grown = pool(2, "nr_hugepages");
	log_pools("after --hugetlb-pool=grow");
	if (grown != NR_HUGE)
		FAIL("--hugetlb-pool=grow: node 2's pool is %ld, want %d (grown by what the move needed)", grown, NR_HUGE);
	if (pool(0, "nr_hugepages") != NR_HUGE || pool(0, "free_hugepages") != NR_HUGE)
		FAIL("--hugetlb-pool=grow: node 0's pool changed (%ld, %ld free); grow never shrinks",
		     pool(0, "nr_hugepages"), pool(0, "free_hugepages"));

	/*
	 * --hugetlb-pool=grow-shrink, back: node 0 has room; node 2 gives back the pages the move
	 * freed, and keeps the 2 free pages it had before.
	 */
	lab_hugetlb_pool(2, "nr_hugepages", grown + 2);
	if (pool(2, "nr_hugepages") != grown + 2)
		FAIL("cannot add 2 pages to node 2's pool");
	grown += 2;
	freed_src = NR_HUGE;
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 2 0 --no-progress --hugetlb-pool=grow-shrink",
			 (int)pid);
	if (rc != 0)
		FAIL("--hugetlb-pool=grow-shrink: exit %d, want 0", rc);
	expect_huge_on(pid, 0, "after --hugetlb-pool=grow-shrink");
	log_pools("after --hugetlb-pool=grow-shrink");
	if (pool(2, "nr_hugepages") != grown - freed_src)
		FAIL("--hugetlb-pool=grow-shrink: node 2's pool is %ld, want %ld (shrunk by the %ld pages freed)",
		     pool(2, "nr_hugepages"), grown - freed_src, freed_src);
	if (pool(0, "nr_hugepages") != NR_HUGE || pool(0, "free_hugepages") != 0)
		FAIL("--hugetlb-pool=grow-shrink: node 0's pool is %ld (%ld free), want %d (0 free): it needed no growth",
		     pool(0, "nr_hugepages"), pool(0, "free_hugepages"), NR_HUGE);
	lab_kill(pid);
	return 0;
}
