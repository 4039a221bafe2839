// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_fallback.c - the migrate_pages(2) fallback keeps MOVE semantics, and the mover gets its
 * CAP_SYS_NICE back.
 *
 * migrate_pages(2) picks MOVE or MOVE_ALL by the caller's CAP_SYS_NICE alone; libpagemig drops
 * that capability from its effective set for a MOVE fallback and restores it after.  On Linux 6.1
 * with NUMA balancing on, move_pages(2) cannot see pages under NUMA-hinting protection
 * (lab-notes), and libpagemig moves them with that fallback.  The target: 8 MiB of private pages
 * placed on node 0 by a task policy and touched by a thread for 1.5 s while the kernel's scanner
 * runs (so they end up protected), and 2 MiB of MAP_SHARED pages on node 0 that a child of the
 * target maps too.  pagemig_move() (MOVE, the whole process, 0 -> 2), in this process as root:
 *  - returns 0, and every private page is on node 2 (numa_maps, which counts protected pages);
 *  - the shared pages stay on node 0 (numa_maps of the target and of its child): MOVE semantics,
 *    whether move_pages(2) or the fallback saw them; the stats count them as shared;
 *  - this thread's CapEff and the process's (/proc/thread-self/status, /proc/self/status) are
 *    what they were, CAP_SYS_NICE included.
 * On 6.12 move_pages(2) sees every page and the fallback is not used: the same must hold.
 */
#include "labpm.h"
#include <pthread.h>
#include <sched.h>

#define MIB (1UL << 20)
#define PSZ (8 * MIB)
#define SSZ (2 * MIB)
#define CAP_NICE_BIT 23

struct layout {
	char *priv, *shared;
	pid_t child;
	int cpu;
	volatile int touching;
};

static struct layout *L;

static void *toucher(void *arg)
{
	volatile char *p = L->priv;
	double end = lab_now() + 1.5;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(L->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (lab_now() < end)
		for (size_t off = 0; off < PSZ; off += 4096)
			p[off]++;
	L->touching = 0;
	for (;;)
		pause();
	return NULL;
}

static void touch_shared(void *arg)
{
	volatile char sink = 0;

	for (size_t off = 0; off < SSZ; off += 4096)
		sink += L->shared[off];
	(void)sink;
}

static void setup(void *arg)
{
	pthread_t t;
	int err;

	L->shared = lab_alloc_on_node(SSZ, 0, MAP_SHARED);
	L->child = lab_spawn(touch_shared, NULL);
	L->priv = mmap(NULL, PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (L->priv == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	if (madvise(L->priv, PSZ, MADV_DONTFORK) || madvise(L->priv, PSZ, MADV_NOHUGEPAGE))
		FAIL("madvise: %s", strerror(errno));
	err = lab_set_mempolicy(MPOL_BIND, 1);	/* the region gets no policy: NUMA balancing scans it */
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	memset(L->priv, 1, PSZ);
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	L->touching = 1;
	if (pthread_create(&t, NULL, toucher, NULL) || pthread_create(&t, NULL, lab_spinner, NULL))
		FAIL("pthread_create");
}

static uint64_t cap_eff(const char *path)
{
	char buf[4096];
	const char *p;

	if (lab_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "CapEff:")))
		FAIL("no CapEff in %s", path);
	return strtoull(p + 7, NULL, 16);
}

static size_t unseen(pid_t pid)
{
	size_t ps = lab_page_size(), n = PSZ / ps, k = 0;
	int *st = calloc(n, sizeof(*st));

	if (!st || lab_query_nodes_pid(pid, L->priv, n, ps, st))
		FAIL("query placement");
	for (size_t i = 0; i < n; i++)
		k += st[i] < 0;
	free(st);
	return k;
}

int main(void)
{
	struct pagemig_stats st = { .sz = sizeof(st) };
	uint64_t thread0, proc0, thread1, proc1;
	size_t ps = lab_page_size();
	struct pagemig_plan plan;
	struct pagemig *pm;
	pid_t pid;
	int ret;

	L = lab_require_cli(3, sizeof(*L));
	if (access("/proc/sys/kernel/numa_balancing", W_OK))
		SKIP("kernel without NUMA balancing");
	if (!lab_node_cpus(0))
		SKIP("node 0 has no CPU");
	L->cpu = __builtin_ctzll(lab_node_cpus(0));
	if (lab_set_sysctl("/proc/sys/kernel/numa_balancing", "1"))
		FAIL("cannot turn NUMA balancing on");
	pid = lab_spawn(setup, NULL);
	for (int i = 0; i < 100 && L->touching; i++)
		usleep(50000);
	usleep(2500000);	/* the scanner protects what the toucher left */
	if (lab_numa_maps_pages(pid, L->priv, 0) != (long)(PSZ / ps) ||
	    lab_numa_maps_pages(pid, L->shared, 0) != (long)(SSZ / ps))
		FAIL("the buffers are not on node 0 before the move");
	lab_log("before the move: move_pages(2) cannot see %zu of %zu private pages", unseen(pid), PSZ / ps);

	thread0 = cap_eff("/proc/thread-self/status");
	proc0 = cap_eff("/proc/self/status");
	if (!(thread0 >> CAP_NICE_BIT & 1))
		SKIP("this process has no CAP_SYS_NICE to begin with");
	pm = lab_open(pid);
	lab_plan(0, 2, &plan);
	{
		PAGEMIG_OPTS(pagemig_move_opts, opts, .threads = 1);

		ret = pagemig_move(pm, &plan, &opts, &st);
	}
	thread1 = cap_eff("/proc/thread-self/status");
	proc1 = cap_eff("/proc/self/status");
	lab_log("pagemig_move: %d; moved %" PRIu64 " (by the fallback %" PRIu64 "), shared %" PRIu64 ", hidden %" PRIu64
		"; CapEff %" PRIx64 " -> %" PRIx64, ret, st.bytes[PAGEMIG_STAT_MOVED], st.bytes[PAGEMIG_STAT_FALLBACK],
		st.bytes[PAGEMIG_STAT_SHARED], st.bytes[PAGEMIG_STAT_HIDDEN], thread0, thread1);
	if (thread1 != thread0 || proc1 != proc0)
		FAIL("CapEff was %" PRIx64 " (process %" PRIx64 ") before the move and is %" PRIx64 " (%" PRIx64 ") after it",
		     thread0, proc0, thread1, proc1);
	if (ret)
		FAIL("pagemig_move: %s", strerror(-ret));
	if (lab_numa_maps_pages(pid, L->priv, 2) != (long)(PSZ / ps))
		FAIL("%ld of %zu private pages on node 2 after the move", lab_numa_maps_pages(pid, L->priv, 2), PSZ / ps);
	if (lab_numa_maps_pages(pid, L->shared, 0) != (long)(SSZ / ps) ||
	    lab_numa_maps_pages(L->child, L->shared, 0) != (long)(SSZ / ps))
		FAIL("MOVE moved shared pages: the target's numa_maps shows %ld, its child's %ld of %zu on node 0",
		     lab_numa_maps_pages(pid, L->shared, 0), lab_numa_maps_pages(L->child, L->shared, 0), SSZ / ps);
	if (st.bytes[PAGEMIG_STAT_SHARED] < SSZ)
		FAIL("the stats count %" PRIu64 " bytes as shared, the shared buffer has %lu", st.bytes[PAGEMIG_STAT_SHARED], SSZ);
	pagemig_close(pm);
	lab_kill(L->child);
	lab_kill(pid);
	return 0;
}
