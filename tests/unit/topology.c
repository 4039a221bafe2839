// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * topology.c - pagemig_topology_load() on canned sysfs trees (tests/unit/fixtures/):
 *   sys-4node   4 nodes like the lab: 0 and 1 with a CPU each, 2 and 3 memory-only; asymmetric
 *               distances, node 3 without a huge page directory;
 *   sys-old     no online/has_memory files (nodes found by directory, memory by MemTotal), a
 *               short distance file;
 *   sys-nonuma  no node directory: one node 0;
 *   sys-tiers   sys-4node with the memory tiers and HMAT figures of Linux 6.12 in the lab (node 3
 *               without access0, an empty tier, files in memory_tiering that are no tier).
 * Then the machine's own /sys, which every Linux host can read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define KB 1024ULL

static struct pagemig_topology *load(const char *name)
{
	struct pagemig_topology *t = NULL;
	char root[PATH_MAX + 128];
	int err;

	snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), name);
	err = pagemig_topology_load(root, &t);
	CHECK(err == 0, "load %s: %s", root, strerror(-err));
	return err ? NULL : t;
}

static const char *fmt(const struct pagemig_nodemask *m)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	pagemig_nodemask_format(m, buf[i], sizeof(buf[i]));
	return buf[i];
}

struct want_node {
	int node;
	int nr_cpus;
	const char *cpulist;
	uint64_t total, free, huge_total, huge_free;
};

static void check_node(const struct pagemig_topology *t, const struct want_node *w)
{
	struct pagemig_node_info info = { .sz = sizeof(info) };
	int err = pagemig_topology_node(t, w->node, &info);

	CHECK(err == 0, "node %d: %d", w->node, err);
	if (err)
		return;
	CHECK(info.sz == sizeof(info) && info.node == w->node, "node %d: sz %zu node %d", w->node, info.sz, info.node);
	CHECK(info.nr_cpus == w->nr_cpus, "node %d: %d cpus, want %d", w->node, info.nr_cpus, w->nr_cpus);
	CHECK(info.cpulist && !strcmp(info.cpulist, w->cpulist), "node %d: cpulist '%s', want '%s'", w->node,
	      info.cpulist, w->cpulist);
	CHECK(info.mem_total == w->total && info.mem_free == w->free, "node %d: memory %llu/%llu, want %llu/%llu",
	      w->node, (unsigned long long)info.mem_total, (unsigned long long)info.mem_free,
	      (unsigned long long)w->total, (unsigned long long)w->free);
	CHECK(info.hugepages_total == w->huge_total && info.hugepages_free == w->huge_free,
	      "node %d: huge pages %llu/%llu", w->node, (unsigned long long)info.hugepages_total,
	      (unsigned long long)info.hugepages_free);
}

static void check_distances(const struct pagemig_topology *t, const int *nodes, int nr, const int *want)
{
	int i, j, d;

	for (i = 0; i < nr; i++)
		for (j = 0; j < nr; j++) {
			d = -1;
			CHECK(pagemig_topology_distance(t, nodes[i], nodes[j], &d) == 0 && d == want[i * nr + j],
			      "distance %d -> %d is %d, want %d", nodes[i], nodes[j], d, want[i * nr + j]);
		}
}

static void test_4node(void)
{
	static const struct want_node want[] = {
		{ 0, 1, "0", 1015712 * KB, 904312 * KB, 16, 12 },
		{ 1, 1, "1", 1032192 * KB, 1000000 * KB, 0, 0 },
		{ 2, 0, "", 1048576 * KB, 1048000 * KB, 64, 64 },	/* memory-only */
		{ 3, 0, "", 1048576 * KB, 262144 * KB, 0, 0 },	/* memory-only, no hugepages directory */
	};
	static const int nodes[] = { 0, 1, 2, 3 };
	static const int dist[] = { 10, 20, 30, 40, 20, 10, 31, 41, 30, 31, 10, 50, 40, 41, 50, 10 };
	struct pagemig_topology *t = load("sys-4node");
	struct pagemig_node_info small;
	size_t i;
	int d = -1;

	if (!t)
		return;
	CHECK(!strcmp(fmt(pagemig_topology_online(t)), "0-3"), "online %s", fmt(pagemig_topology_online(t)));
	CHECK(!strcmp(fmt(pagemig_topology_memory(t)), "0-3"), "memory %s", fmt(pagemig_topology_memory(t)));
	CHECK(!strcmp(fmt(pagemig_topology_cpus(t)), "0-1"), "cpus %s", fmt(pagemig_topology_cpus(t)));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		check_node(t, &want[i]);
	check_distances(t, nodes, 4, dist);
	CHECK(pagemig_topology_node(t, 4, &small) == -ENODEV, "node 4 exists");
	CHECK(pagemig_topology_node(t, -1, &small) == -ENODEV, "node -1 exists");
	CHECK(pagemig_topology_node(t, PAGEMIG_MAX_NODES, &small) == -ENODEV, "node 1024 exists");
	CHECK(pagemig_topology_distance(t, 0, 4, &d) == -ENODEV && d == -1, "distance to node 4");
	CHECK(pagemig_topology_distance(t, 7, 0, &d) == -ENODEV, "distance from node 7");
	/* a caller built against a smaller struct gets only what it holds */
	memset(&small, 0xa5, sizeof(small));
	small.sz = offsetof(struct pagemig_node_info, cpulist);
	CHECK(pagemig_topology_node(t, 1, &small) == 0 && small.node == 1 && small.nr_cpus == 1, "small struct");
	CHECK(small.sz == offsetof(struct pagemig_node_info, cpulist), "small struct: sz changed");
	CHECK(small.mem_total == 0xa5a5a5a5a5a5a5a5ULL, "small struct: written past its size");
	pagemig_topology_free(t);
}

struct want_hmat {
	int node, tier;
	unsigned int rlat, wlat, rbw, wbw;
	const char *initiators;
};

static void check_hmat(const struct pagemig_topology *t, const struct want_hmat *w)
{
	struct pagemig_node_info info = { .sz = sizeof(info) };
	int err = pagemig_topology_node(t, w->node, &info);

	CHECK(err == 0, "node %d: %d", w->node, err);
	if (err)
		return;
	CHECK(info.tier == w->tier, "node %d: tier %d, want %d", w->node, info.tier, w->tier);
	CHECK(info.read_latency == w->rlat && info.write_latency == w->wlat, "node %d: latency %u/%u, want %u/%u",
	      w->node, info.read_latency, info.write_latency, w->rlat, w->wlat);
	CHECK(info.read_bandwidth == w->rbw && info.write_bandwidth == w->wbw,
	      "node %d: bandwidth %u/%u, want %u/%u", w->node, info.read_bandwidth, info.write_bandwidth, w->rbw,
	      w->wbw);
	CHECK(!strcmp(fmt(&info.initiators), w->initiators), "node %d: initiators '%s', want '%s'", w->node,
	      fmt(&info.initiators), w->initiators);
}

static void test_tiers(void)
{
	static const struct want_hmat want[] = {
		{ 0, 4, 10, 12, 20480, 19456, "0" },
		{ 1, 4, 10, 12, 20480, 19456, "1" },	/* access1 is not read */
		{ 2, 54, 60, 75, 10240, 8192, "0-1" },
		{ 3, 144, 0, 0, 0, 0, "" },		/* in a tier, no HMAT figures */
	};
	struct pagemig_topology *t = load("sys-tiers");
	struct pagemig_node_info small;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < ARRAY_SIZE(want); i++)
		check_hmat(t, &want[i]);
	/* a caller built before the tiers: nothing written from @tier on */
	memset(&small, 0xa5, sizeof(small));
	small.sz = offsetof(struct pagemig_node_info, tier);
	CHECK(pagemig_topology_node(t, 2, &small) == 0 && small.hugepages_total == 64, "pre-tier struct");
	CHECK(small.tier == (int)0xa5a5a5a5 && small.read_latency == 0xa5a5a5a5u, "pre-tier struct: written past its size");
	pagemig_topology_free(t);

	/* no memory_tiering directory, no access0: no tier, no figures */
	t = load("sys-4node");
	if (!t)
		return;
	for (i = 0; i < ARRAY_SIZE(want); i++)
		check_hmat(t, &(struct want_hmat){ (int)i, -1, 0, 0, 0, 0, "" });
	pagemig_topology_free(t);
}

static void test_old(void)
{
	static const struct want_node want[] = {
		{ 0, 8, "0-3,8-11", 2097152 * KB, 1048576 * KB, 0, 0 },
		{ 2, 8, "4-7,12-15", 0, 0, 0, 0 },
	};
	static const int nodes[] = { 0, 2 };
	static const int dist[] = { 10, 20, 20, 10 };	/* node 2's file lists only the first */
	struct pagemig_topology *t = load("sys-old");

	if (!t)
		return;
	CHECK(!strcmp(fmt(pagemig_topology_online(t)), "0,2"), "online %s", fmt(pagemig_topology_online(t)));
	CHECK(!strcmp(fmt(pagemig_topology_memory(t)), "0"), "memory %s", fmt(pagemig_topology_memory(t)));
	CHECK(!strcmp(fmt(pagemig_topology_cpus(t)), "0,2"), "cpus %s", fmt(pagemig_topology_cpus(t)));
	check_node(t, &want[0]);
	check_node(t, &want[1]);
	check_distances(t, nodes, 2, dist);
	pagemig_topology_free(t);
}

static void test_nonuma(void)
{
	struct pagemig_node_info info = { .sz = sizeof(info) };
	struct pagemig_topology *t = load("sys-nonuma");
	uint64_t phys = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	int d = -1;

	if (!t)
		return;
	CHECK(!strcmp(fmt(pagemig_topology_online(t)), "0"), "online %s", fmt(pagemig_topology_online(t)));
	CHECK(!strcmp(fmt(pagemig_topology_memory(t)), "0"), "memory %s", fmt(pagemig_topology_memory(t)));
	CHECK(!strcmp(fmt(pagemig_topology_cpus(t)), "0"), "cpus %s", fmt(pagemig_topology_cpus(t)));
	CHECK(pagemig_topology_node(t, 0, &info) == 0, "node 0");
	CHECK(info.nr_cpus == 8 && !strcmp(info.cpulist, "0-7"), "cpus %d '%s'", info.nr_cpus, info.cpulist);
	CHECK(info.mem_total == phys && info.mem_free > 0 && info.mem_free <= info.mem_total,
	      "memory %llu/%llu, machine %llu", (unsigned long long)info.mem_free,
	      (unsigned long long)info.mem_total, (unsigned long long)phys);
	CHECK(info.hugepages_total == 8 && info.hugepages_free == 3, "huge pages %llu/%llu",
	      (unsigned long long)info.hugepages_total, (unsigned long long)info.hugepages_free);
	CHECK(pagemig_topology_distance(t, 0, 0, &d) == 0 && d == 10, "distance %d", d);
	CHECK(pagemig_topology_node(t, 1, &info) == -ENODEV, "node 1 exists");
	pagemig_topology_free(t);
}

static void test_errors(void)
{
	struct pagemig_topology *t = (struct pagemig_topology *)&t;
	char root[PATH_MAX + 128];

	snprintf(root, sizeof(root), "%s/no-such-tree", unit_fixtures());
	CHECK(pagemig_topology_load(root, &t) == -ENOENT, "a missing sysfs loads");
	CHECK(t == (struct pagemig_topology *)&t, "failure wrote the result");
	pagemig_topology_free(NULL);
}

/* The host's own sysfs: at least one online node with memory, each node described. */
static void test_host(void)
{
	struct pagemig_node_info info = { .sz = sizeof(info) };
	struct pagemig_topology *t = NULL;
	int err = pagemig_topology_load(NULL, &t), n, d;

	CHECK(err == 0, "load /sys: %s", strerror(-err));
	if (err)
		return;
	CHECK(!pagemig_nodemask_is_empty(pagemig_topology_online(t)), "no node online");
	CHECK(pagemig_nodemask_is_subset(pagemig_topology_memory(t), pagemig_topology_online(t)), "memory offline");
	for (n = pagemig_nodemask_next(pagemig_topology_online(t), -1); n >= 0;
	     n = pagemig_nodemask_next(pagemig_topology_online(t), n)) {
		CHECK(pagemig_topology_node(t, n, &info) == 0 && info.mem_free <= info.mem_total, "host node %d", n);
		CHECK(pagemig_topology_distance(t, n, n, &d) == 0 && d == 10, "host node %d: local distance %d", n, d);
	}
	pagemig_topology_free(t);
}

int main(void)
{
	unit_fixtures();	/* exits with a message when there is none */
	test_4node();
	test_tiers();
	test_old();
	test_nonuma();
	test_errors();
	test_host();
	if (unit_failed("topology"))
		return 1;
	printf("topology: 4-node, tiers and HMAT, old-kernel, no-NUMA fixtures and the host's /sys passed\n");
	return 0;
}
