// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_balancing.c - `pagemig move 0,1 -> 2,3` with NUMA balancing on: every page reaches its
 * target, the move exits 0, and stderr warns that the kernel may move pages back.
 *
 * The target has 8 MiB on node 0 and 8 MiB on node 1 (placed under a task policy, so the regions
 * themselves have none and NUMA balancing scans them).  A thread on node 0's CPU touches the node
 * 0 buffer and one on node 1's CPU the node 1 buffer for 1.5 s (local accesses: balancing has no
 * reason to move them), then they stop; a third thread keeps spinning without touching memory, so
 * the kernel's scanner keeps running and leaves the buffers under NUMA-hinting protection.  On
 * Linux 6.1 move_pages(2) cannot see such pages (lab-notes): pagemig must get them moved anyway
 * (its migrate_pages(2) fallback).  Placement is read from numa_maps, which counts hinting-protected
 * pages where they are, and from move_pages(nodes = NULL) where that can see them.  First, buffer 0
 * alone is moved with a --regions filter, which rules the fallback out: pages move_pages(2)
 * cannot see must then be reported as hidden (exit 5), never as moved.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (8 * MIB)
#define TOUCH_S 1.5

struct layout {
	char *buf[2];		/* SZ on node 0, SZ on node 1 */
	int cpu[2];		/* a CPU of node 0, of node 1 */
	volatile int touching;	/* threads still in their touch loop */
};

static struct layout *L;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *toucher(void *arg)
{
	int i = (int)(intptr_t)arg;
	volatile char *p = L->buf[i];
	double end = lab_now() + TOUCH_S;

	pin(L->cpu[i]);
	while (lab_now() < end)
		for (size_t off = 0; off < SZ; off += 4096)
			p[off]++;
	__sync_fetch_and_sub(&L->touching, 1);
	for (;;)
		pause();
	return NULL;
}

static void setup(void *arg)
{
	pthread_t t;
	int err;

	char *area;

	/* Inaccessible pages around each buffer: each is a region of its own in maps and numa_maps. */
	area = mmap(NULL, 2 * SZ + 3 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		L->buf[i] = area + 4096 + i * (SZ + 4096);
		if (mprotect(L->buf[i], SZ, PROT_READ | PROT_WRITE))
			FAIL("mprotect: %s", strerror(errno));
		/* A task policy places the pages; the regions get no policy of their own. */
		err = lab_set_mempolicy(MPOL_BIND, 1ULL << i);
		if (err)
			FAIL("set_mempolicy: %s", strerror(-err));
		memset(L->buf[i], i + 1, SZ);
	}
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy(MPOL_DEFAULT): %s", strerror(-err));
	L->touching = 2;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, toucher, (void *)(intptr_t)i))
			FAIL("pthread_create");
	if (pthread_create(&t, NULL, lab_spinner, NULL))
		FAIL("pthread_create");
}

/* Pages of buffer @i that move_pages(nodes = NULL) shows on @node, and how many it cannot see. */
static size_t visible_on(pid_t pid, int i, int node, size_t *unseen)
{
	size_t ps = lab_page_size(), n = SZ / ps, on = 0;
	int *st = calloc(n, sizeof(*st));

	if (!st || lab_query_nodes_pid(pid, L->buf[i], n, ps, st))
		FAIL("query placement");
	*unseen = 0;
	for (size_t k = 0; k < n; k++) {
		on += st[k] == node;
		*unseen += st[k] < 0;
	}
	free(st);
	return on;
}

/*
 * Buffer 0 alone (--regions ADDR-ADDR), 0 -> 2.  A filter rules the migrate_pages(2) fallback out
 * (it would move the whole process), so pages that move_pages(2) cannot see must be reported as
 * hidden, with exit 5; what pagemig counts as moved must be what numa_maps shows on node 2.
 */
static void filtered(pid_t pid, size_t unseen)
{
	static char out[65536];
	size_t npages = SZ / lab_page_size();
	unsigned long moved, planned;
	long on2;
	int rc;

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --regions %lx-%lx --no-progress 2>/dev/null", pid,
		     (unsigned long)(uintptr_t)L->buf[0], (unsigned long)(uintptr_t)L->buf[0] + SZ);
	on2 = lab_numa_maps_pages(pid, L->buf[0], 2);
	lab_log("%sexit %d; numa_maps: %ld pages of buffer 0 on node 2 (%zu were unseen)", out, rc, on2, unseen);
	if (!lab_move_summary(out, &moved, &planned))
		FAIL("--regions move: no 'moved X of Y planned (M of P 4K pages)' summary");
	if ((long)moved != on2 || planned != npages)
		FAIL("--regions move: pagemig says %lu of %lu pages moved, numa_maps shows %ld of %zu on node 2", moved,
		     planned, on2, npages);
	if (on2 == (long)npages && rc != 0)
		FAIL("--regions move: every page moved, yet exit %d", rc);
	if (on2 < (long)npages && rc != 5)
		FAIL("--regions move: %ld pages did not move, yet exit %d (expected 5)", (long)npages - on2, rc);
	if (on2 < (long)npages && !strstr(out, "hidden"))
		FAIL("--regions move: pages that move_pages(2) could not see are not reported as hidden");
}

/* Wait for the touchers to finish, then give the scanner time to protect what they left. */
static void arm(pid_t pid, size_t *unseen0)
{
	size_t npages = SZ / lab_page_size(), seen, unseen;

	for (int i = 0; i < 2; i++)
		if (lab_numa_maps_pages(pid, L->buf[i], i) != (long)npages)
			FAIL("buffer %d: numa_maps shows %ld of %zu pages on node %d before the move", i,
			     lab_numa_maps_pages(pid, L->buf[i], i), npages, i);
	for (int i = 0; i < 100 && L->touching; i++)
		usleep(50000);
	if (L->touching)
		FAIL("the touching threads did not finish");
	usleep(2500000);
	for (int i = 0; i < 2; i++) {
		long on = lab_numa_maps_pages(pid, L->buf[i], i);

		seen = visible_on(pid, i, i, &unseen);
		lab_log("buffer %d before the move: numa_maps %ld on node %d; move_pages sees %zu there, %zu unseen", i,
			on, i, seen, unseen);
		if (on != (long)npages)
			FAIL("buffer %d left node %d before the move (%ld of %zu pages there)", i, i, on, npages);
		if (i == 0)
			*unseen0 = unseen;
	}
}

/* The whole process, 0,1 -> 2,3: exit 0, a warning, every page of both buffers on its target. */
static void move_all(pid_t pid)
{
	static char out[65536];
	size_t npages = SZ / lab_page_size(), seen, unseen;
	char err[4096];
	int rc;

	rc = lab_pagemig(out, sizeof(out), err, sizeof(err), "move %d 0,1 2,3 --no-progress", pid);
	lab_log("fallback line: %s", strstr(out, "\n  fallback ") ? "yes" : "no");
	if (rc != 0)
		FAIL("pagemig move with NUMA balancing on exited %d, expected 0", rc);
	if (!strstr(err, "NUMA balancing"))
		FAIL("no warning about NUMA balancing on stderr");
	for (int i = 0; i < 2; i++) {
		long on = lab_numa_maps_pages(pid, L->buf[i], i + 2);

		seen = visible_on(pid, i, i + 2, &unseen);
		lab_log("buffer %d after the move: numa_maps %ld on node %d; move_pages sees %zu there, %zu unseen", i,
			on, i + 2, seen, unseen);
		if (on != (long)npages)
			FAIL("buffer %d: %ld of %zu pages on node %d after the move (numa_maps)", i, on, npages, i + 2);
		if (seen + unseen != npages)
			FAIL("buffer %d: move_pages shows %zu pages on nodes other than %d", i, npages - seen - unseen,
			     i + 2);
	}
}

int main(void)
{
	size_t unseen0;
	pid_t pid;

	lab_require_nodes(4);
	lab_require_root();
	lab_require_cmd("pagemig");
	if (access("/proc/sys/kernel/numa_balancing", W_OK))
		SKIP("kernel without NUMA balancing (/proc/sys/kernel/numa_balancing)");
	L = lab_map_shared(sizeof(*L));
	for (int i = 0; i < 2; i++) {
		uint64_t m = lab_node_cpus(i);

		if (!m)
			SKIP("node %d has no CPU", i);
		L->cpu[i] = __builtin_ctzll(m);
	}
	if (lab_set_sysctl("/proc/sys/kernel/numa_balancing", "1"))
		FAIL("cannot turn NUMA balancing on");
	pid = lab_spawn(setup, NULL);
	arm(pid, &unseen0);
	filtered(pid, unseen0);
	move_all(pid);
	lab_kill(pid);
	return 0;
}
