/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tiers - memory tiers and the firmware's HMAT figures, as the kernel, the library and
 * `pagemig nodes --json` read them back in the lab's HMAT topology (lab.sh --hmat, the default).
 *
 * LAB_HMAT gives each node's LATENCY/BANDWIDTH (ns, MB/s) from its nearest CPU node; lab.sh turns
 * it into QEMU's -numa hmat-lb entries.  Checked on every node:
 *   - access0/initiators/{read,write}_{latency,bandwidth} are those figures (QEMU's access
 *     entries are for reads and writes alike), and the initiators are the node itself for a CPU
 *     node and the first CPU node for a memory-only one (the initiator its SRAT entry names);
 *   - the memory tiers: before Linux 6.7 the kernel puts every node in one tier (memory_tier4);
 *     from 6.7 it builds tiers from the HMAT (mm/memory-tiers.c): a node's abstract distance is
 *     4608 * (its read + write latency) / (DRAM's) * (DRAM's read + write bandwidth) / (its),
 *     DRAM being the CPU nodes, and its tier that distance >> 10; so the CPU nodes are in tier 4
 *     and slower nodes in higher tiers (54 and 144 with the default figures);
 *   - pagemig_topology_node() and `pagemig nodes --json` (the tier, read-lat, write-lat,
 *     read-bw, write-bw and initiators keys) report the same.
 */
#include <dirent.h>
#include <sys/utsname.h>

#include "labtest.h"
#include "pagemig.h"
#include "../json.h"

#define DRAM_ADIST	4608	/* MEMTIER_ADISTANCE_DRAM */
#define TIER_BITS	10	/* MEMTIER_CHUNK_BITS */
#define FLAT_TIER	4	/* DRAM's tier, every node's before HMAT tiers */

struct node {
	bool cpu;
	unsigned int lat, bw;		/* LAB_HMAT's figures */
	int tier;			/* as the kernel should have built it */
	uint64_t initiators;
};

static int nr;
static struct node nodes[LAB_MAX_NODES];

/* LAB_HMAT: "LAT/BW,..." one per node; false when the lab runs without an HMAT. */
static bool parse_hmat(void)
{
	const char *s = getenv("LAB_HMAT");
	char *end;
	int n = 0;

	if (!s || !*s || !strcmp(s, "none"))
		return false;
	while (*s && n < LAB_MAX_NODES) {
		nodes[n].lat = (unsigned int)strtoul(s, &end, 10);
		if (*end != '/')
			FAIL("bad LAB_HMAT entry '%s'", s);
		nodes[n].bw = (unsigned int)strtoul(end + 1, &end, 10);
		if (!nodes[n].lat || !nodes[n].bw || (*end && *end != ','))
			FAIL("bad LAB_HMAT entry '%s'", s);
		n++;
		s = *end ? end + 1 : end;
	}
	if (n != nr)
		FAIL("LAB_HMAT '%s' has %d entries for %d nodes", getenv("LAB_HMAT"), n, nr);
	return true;
}

/* Whether this kernel builds memory tiers from the HMAT (Linux 6.7 and later). */
static bool hmat_tiers(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		FAIL("cannot read the kernel release");
	return major > 6 || (major == 6 && minor >= 7);
}

/* What each node should show: its figures, its initiators, its tier on this kernel. */
static void expect(void)
{
	int n, first = -1;
	unsigned long long dram_lat = 0, dram_bw = 0, adist;
	bool from_hmat = hmat_tiers();

	for (n = 0; n < nr; n++) {
		nodes[n].cpu = lab_node_cpus(n) != 0;
		if (nodes[n].cpu && first < 0) {
			first = n;
			dram_lat = 2ULL * nodes[n].lat;	/* read + write */
			dram_bw = 2ULL * nodes[n].bw;
		}
	}
	if (first < 0)
		FAIL("no node has CPUs");
	for (n = 0; n < nr; n++) {
		nodes[n].initiators = 1ULL << (nodes[n].cpu ? n : first);
		/* the kernel's integer arithmetic, in its order */
		adist = DRAM_ADIST * (2ULL * nodes[n].lat) / dram_lat * dram_bw / (2ULL * nodes[n].bw);
		nodes[n].tier = from_hmat ? (int)(adist >> TIER_BITS) : FLAT_TIER;
	}
	lab_log("kernel %s HMAT tiers: expecting tiers %d %d %d %d", from_hmat ? "with" : "without",
		nodes[0].tier, nr > 1 ? nodes[1].tier : -1, nr > 2 ? nodes[2].tier : -1, nr > 3 ? nodes[3].tier : -1);
}

static unsigned int read_attr(int node, const char *name)
{
	char path[128], buf[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/access0/initiators/%s", node, name);
	len = lab_read_file(path, buf, sizeof(buf));
	if (len < 0)
		FAIL("cannot read %s: %s", path, strerror((int)-len));
	return (unsigned int)strtoul(buf, NULL, 10);
}

/* The nodeN links of a node's access0/initiators. */
static uint64_t read_initiators(int node)
{
	char path[128];
	struct dirent *de;
	uint64_t m = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/access0/initiators", node);
	d = opendir(path);
	if (!d)
		FAIL("cannot open %s: %s", path, strerror(errno));
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9')
			m |= 1ULL << (atoi(de->d_name + 4) & 63);
	closedir(d);
	return m;
}

/* The kernel's own view: access0 of every node. */
static void check_sysfs_hmat(void)
{
	for (int n = 0; n < nr; n++) {
		unsigned int rl = read_attr(n, "read_latency"), wl = read_attr(n, "write_latency");
		unsigned int rb = read_attr(n, "read_bandwidth"), wb = read_attr(n, "write_bandwidth");
		uint64_t ini = read_initiators(n);

		lab_log("node %d: access0 latency %u/%u ns, bandwidth %u/%u MB/s, initiators 0x%llx", n, rl, wl,
			rb, wb, (unsigned long long)ini);
		if (rl != nodes[n].lat || wl != nodes[n].lat)
			FAIL("node %d: latency %u/%u ns, the HMAT says %u", n, rl, wl, nodes[n].lat);
		if (rb != nodes[n].bw || wb != nodes[n].bw)
			FAIL("node %d: bandwidth %u/%u MB/s, the HMAT says %u", n, rb, wb, nodes[n].bw);
		if (ini != nodes[n].initiators)
			FAIL("node %d: initiators 0x%llx, expected 0x%llx", n, (unsigned long long)ini,
			     (unsigned long long)nodes[n].initiators);
	}
}

/* The kernel's tiers: memory_tierN/nodelist, every node in exactly the expected one. */
static void check_sysfs_tiers(void)
{
	static const char dir[] = "/sys/devices/virtual/memory_tiering";
	int tier[LAB_MAX_NODES], n;
	char path[512], buf[256];
	struct dirent *de;
	uint64_t m;
	DIR *d = opendir(dir);

	if (!d)
		FAIL("cannot open %s: %s", dir, strerror(errno));
	for (n = 0; n < nr; n++)
		tier[n] = -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory_tier", 11))
			continue;
		snprintf(path, sizeof(path), "%s/%s/nodelist", dir, de->d_name);
		if (lab_read_file(path, buf, sizeof(buf)) < 0)
			FAIL("cannot read %s", path);
		m = lab_parse_list(buf);
		lab_log("%s: %s", de->d_name, buf);
		for (n = 0; n < nr; n++) {
			if (!(m & (1ULL << n)))
				continue;
			if (tier[n] >= 0)
				FAIL("node %d in two tiers", n);
			tier[n] = atoi(de->d_name + 11);
		}
	}
	closedir(d);
	for (n = 0; n < nr; n++)
		if (tier[n] != nodes[n].tier)
			FAIL("node %d is in memory_tier%d, expected memory_tier%d", n, tier[n], nodes[n].tier);
}

/* The library: pagemig_topology_node() on the real sysfs. */
static void check_library(void)
{
	struct pagemig_topology *t = NULL;
	char list[64];
	int err = pagemig_topology_load(NULL, &t);

	if (err)
		FAIL("pagemig_topology_load: %s", strerror(-err));
	for (int n = 0; n < nr; n++) {
		struct pagemig_node_info i = { .sz = sizeof(i) };
		struct pagemig_nodemask want = { 0 };

		if ((err = pagemig_topology_node(t, n, &i)))
			FAIL("pagemig_topology_node(%d): %s", n, strerror(-err));
		pagemig_nodemask_set(&want, __builtin_ctzll(nodes[n].initiators));
		pagemig_nodemask_format(&i.initiators, list, sizeof(list));
		if (i.tier != nodes[n].tier || i.read_latency != nodes[n].lat || i.write_latency != nodes[n].lat ||
		    i.read_bandwidth != nodes[n].bw || i.write_bandwidth != nodes[n].bw ||
		    !pagemig_nodemask_is_equal(&i.initiators, &want))
			FAIL("library, node %d: tier %d, latency %u/%u, bandwidth %u/%u, initiators '%s'", n, i.tier,
			     i.read_latency, i.write_latency, i.read_bandwidth, i.write_bandwidth, list);
	}
	pagemig_topology_free(t);
}

/* `pagemig nodes --json`: the default columns have every key but initiators. */
static void check_cli(void)
{
	static char out[65536];
	char key[32], ini[64], want[16];
	int rc = lab_pagemig(out, sizeof(out), NULL, 0, "nodes --json -o +INITIATORS");

	if (rc != 0)
		FAIL("pagemig nodes --json: exit %d", rc);
	for (int n = 0; n < nr; n++) {
		const char *b, *e;

		snprintf(key, sizeof(key), "\"node\": %d,", n);
		b = strstr(out, key);
		e = b ? strchr(b, '}') : NULL;
		if (!e)
			FAIL("pagemig nodes --json: no node %d", n);
		snprintf(want, sizeof(want), "%d", __builtin_ctzll(nodes[n].initiators));
		if (json_num(b, e, "tier") != nodes[n].tier || json_num(b, e, "read-lat") != nodes[n].lat ||
		    json_num(b, e, "write-lat") != nodes[n].lat || json_num(b, e, "read-bw") != nodes[n].bw ||
		    json_num(b, e, "write-bw") != nodes[n].bw ||
		    strcmp(json_str(b, e, "initiators", ini, sizeof(ini)), want))
			FAIL("pagemig nodes --json, node %d: tier %lld, read-lat %lld, read-bw %lld, initiators '%s'",
			     n, (long long)json_num(b, e, "tier"), (long long)json_num(b, e, "read-lat"),
			     (long long)json_num(b, e, "read-bw"), ini);
	}
}

int main(void)
{
	uint64_t online = lab_require_nodes(2);

	nr = lab_mask_count(online);
	if (online != (1ULL << nr) - 1)
		FAIL("online nodes 0x%llx are not 0-%d", (unsigned long long)online, nr - 1);
	if (!parse_hmat())
		SKIP("the lab runs without an HMAT (lab.sh --hmat none)");
	lab_require_cmd("pagemig");
	expect();
	check_sysfs_hmat();
	check_sysfs_tiers();
	check_library();
	check_cli();
	lab_log("%d nodes: HMAT figures and tiers (%s) read back by the kernel, the library and the CLI", nr,
		hmat_tiers() ? "from the HMAT" : "one tier");
	return 0;
}
