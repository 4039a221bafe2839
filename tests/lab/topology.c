/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * topology - the lab guest has the NUMA topology lab/lab.sh configured.
 *
 * From LAB_NODES (default "1024:0,1024:1,768,512": MiB[:cpus] per node): every node is online with
 * its CPUs (none for memory-only nodes), its MemTotal is within 15% of its size, distances are
 * 10 local, 20 between CPU nodes, 30 to a memory-only node, 40 between memory-only nodes, and
 * memory bound to each node lands there (move_pages and get_mempolicy say so).
 */
#include "labtest.h"

#define DEFAULT_NODES "1024:0,1024:1,768,512"
#define TEST_BYTES (8UL << 20)

struct node_spec {
	long mib;
	uint64_t cpus;
};

/* Parse "MiB[:lo[-hi]],...": returns the node count. */
static int parse_spec(const char *spec, struct node_spec *nodes, int max)
{
	int n = 0;

	while (*spec && n < max) {
		char *end;
		unsigned long lo, hi;

		nodes[n].mib = strtol(spec, &end, 10);
		nodes[n].cpus = 0;
		if (end == spec || nodes[n].mib <= 0)
			FAIL("bad LAB_NODES '%s'", spec);
		if (*end == ':') {
			lo = hi = strtoul(end + 1, &end, 10);
			if (*end == '-')
				hi = strtoul(end + 1, &end, 10);
			for (unsigned long c = lo; c <= hi && c < 64; c++)
				nodes[n].cpus |= 1ULL << c;
		}
		n++;
		spec = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void read_distances(int node, int *dist, int max)
{
	char path[96], buf[512], *p = buf, *end;
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/distance", node);
	len = lab_read_file(path, buf, sizeof(buf));
	if (len < 0)
		FAIL("cannot read %s: %s", path, strerror((int)-len));
	for (int i = 0; i < max; i++, p = end) {
		dist[i] = (int)strtol(p, &end, 10);
		if (end == p)
			FAIL("%s: fewer than %d entries: '%s'", path, max, buf);
	}
}

static void check_node(int node, const struct node_spec *spec, int count, const struct node_spec *all)
{
	long long kib = lab_node_meminfo(node, "MemTotal");
	long mib = (long)(kib / 1024);
	uint64_t cpus = lab_node_cpus(node);
	int dist[LAB_MAX_NODES];

	read_distances(node, dist, count);
	lab_log("node %d: cpus 0x%llx, MemTotal %ld MiB of %ld, distances %d %d %d %d", node,
		(unsigned long long)cpus, mib, spec->mib, dist[0], count > 1 ? dist[1] : 0,
		count > 2 ? dist[2] : 0, count > 3 ? dist[3] : 0);

	if (cpus != spec->cpus)
		FAIL("node %d has cpus 0x%llx, expected 0x%llx", node, (unsigned long long)cpus,
		     (unsigned long long)spec->cpus);
	if (kib < 0)
		FAIL("node %d meminfo has no MemTotal", node);
	if (mib < spec->mib * 85 / 100 || mib > spec->mib * 115 / 100)
		FAIL("node %d MemTotal %ld MiB is not within 15%% of %ld MiB", node, mib, spec->mib);
	for (int j = 0; j < count; j++) {
		int want = j == node ? 10 : 40 - 10 * ((spec->cpus != 0) + (all[j].cpus != 0));

		if (dist[j] != want)
			FAIL("distance node %d -> node %d is %d, expected %d", node, j, dist[j], want);
	}
}

static void check_placement(int node)
{
	size_t psz = lab_page_size(), npages = TEST_BYTES / psz, on;
	char *p = lab_alloc_on_node(TEST_BYTES, node, 0);
	int where;

	on = lab_count_on_node(0, p, npages, psz, node);
	if (on != npages)
		FAIL("memory bound to node %d: %zu of %zu pages there", node, on, npages);
	where = lab_node_of(p + TEST_BYTES - psz);
	if (where != node)
		FAIL("get_mempolicy says the last page bound to node %d is on %d", node, where);
	munmap(p, TEST_BYTES);
}

int main(void)
{
	const char *env = getenv("LAB_NODES");
	struct node_spec spec[LAB_MAX_NODES];
	int count, want;
	uint64_t online;

	want = parse_spec(env && *env ? env : DEFAULT_NODES, spec, LAB_MAX_NODES);
	online = lab_require_nodes(4);
	count = lab_mask_count(online);
	if (count != want || online != (want == 64 ? ~0ULL : (1ULL << want) - 1))
		FAIL("online nodes 0x%llx, expected %d nodes 0-%d", (unsigned long long)online, want, want - 1);
	lab_require_root();

	for (int n = 0; n < count; n++)
		check_node(n, &spec[n], count, spec);
	for (int n = 0; n < count; n++)
		check_placement(n);
	lab_log("%d nodes as configured; bound memory lands on its node", count);
	return 0;
}
