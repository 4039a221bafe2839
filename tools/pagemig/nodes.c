// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nodes.c - `pagemig nodes`: the machine's NUMA nodes, one row each: CPUs, memory, huge pages,
 * whether it is a memory-only node (CXL expanders and the like: valid targets for memory), its
 * memory tier and the firmware's (HMAT) latency and bandwidth where the kernel shows them, and
 * its distances to every online node.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	COL_NODE,
	COL_CPUS,
	COL_NCPUS,
	COL_TOTAL,
	COL_FREE,
	COL_USED,
	COL_HUGE,
	COL_TYPE,
	COL_TIER,
	COL_RLAT,
	COL_WLAT,
	COL_RBW,
	COL_WBW,
	COL_INITIATORS,
	COL_DISTANCES,
	NR_COLS,
};

static const struct cli_col cols[NR_COLS] = {
	[COL_NODE] = { "NODE", CLI_COL_RIGHT, "node number", CLI_JSON_NUMBER },
	[COL_CPUS] = { "CPUS", 0, "its CPUs, as a list (empty for a memory-only node)", CLI_JSON_STRING },
	[COL_NCPUS] = { "NCPUS", CLI_COL_RIGHT, "how many CPUs", CLI_JSON_NUMBER },
	[COL_TOTAL] = { "TOTAL", CLI_COL_RIGHT, "memory", CLI_JSON_NUMBER },
	[COL_FREE] = { "FREE", CLI_COL_RIGHT, "free memory", CLI_JSON_NUMBER },
	[COL_USED] = { "USED%", CLI_COL_RIGHT, "share of the memory in use (empty without memory)",
		       CLI_JSON_NUMBER },
	[COL_HUGE] = { "HUGE", CLI_COL_RIGHT, "2 MiB huge pages: total/free", CLI_JSON_STRING },
	[COL_TYPE] = { "TYPE", 0, "cpu, or memory-only (no CPUs)", CLI_JSON_STRING },
	[COL_TIER] = { "TIER", CLI_COL_RIGHT, "memory tier, lower is faster (empty: the kernel has none)",
		       CLI_JSON_NUMBER },
	[COL_RLAT] = { "READ-LAT", CLI_COL_RIGHT, "HMAT read latency from INITIATORS, ns (empty: unknown)",
		       CLI_JSON_NUMBER },
	[COL_WLAT] = { "WRITE-LAT", CLI_COL_RIGHT, "HMAT write latency, ns", CLI_JSON_NUMBER },
	[COL_RBW] = { "READ-BW", CLI_COL_RIGHT, "HMAT read bandwidth, MB/s", CLI_JSON_NUMBER },
	[COL_WBW] = { "WRITE-BW", CLI_COL_RIGHT, "HMAT write bandwidth, MB/s", CLI_JSON_NUMBER },
	[COL_INITIATORS] = { "INITIATORS", 0, "the nodes with the best access, the HMAT figures' source",
			     CLI_JSON_STRING },
	[COL_DISTANCES] = { "DISTANCES", 0, "distance to each online node, in node order (10: local)",
			    CLI_JSON_ARRAY },
};

#define DEFAULT_COLS "NODE,CPUS,NCPUS,TOTAL,FREE,USED%,HUGE,TYPE,TIER,READ-LAT,WRITE-LAT,READ-BW,WRITE-BW,DISTANCES"

static void usage(FILE *out)
{
	fprintf(out, "Usage: pagemig nodes [OPTIONS]\n\n"
		     "Show the NUMA nodes: their CPUs, memory, huge pages, memory tiers, the firmware's\n"
		     "latency and bandwidth figures (ACPI HMAT) and distances.  A node without CPUs\n"
		     "(memory-only, such as CXL memory) is a valid place to move memory to.\n\n"
		     "Options:\n"
		     "      --sysroot DIR   read the topology from DIR instead of /sys (for tests)\n"
		     "  -h, --help          this help\n");
	cli_out_usage(out, cols, NR_COLS);
	fprintf(out, "\nExit status: 0 ok, 1 failure, 2 bad usage.\n");
}

/* Options into @o and @sysroot; returns -1 after --help, else 0 or an exit code. */
static int parse_args(struct cli_out *o, const char **sysroot, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sysroot", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		} else if (c == 'S') {
			*sysroot = optarg;
		} else if (c == ':' || c == '?' || !cli_out_opt(o, c, optarg)) {
			return cli_bad_option("nodes", c, argv);
		}
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' (see 'pagemig nodes --help')", argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

/* The distance toward each online node, in node order: a JSON array. */
static void distances_cell(struct cli_table *t, long ln, const struct pagemig_topology *topo, int node)
{
	const struct pagemig_nodemask *online = pagemig_topology_online(topo);
	uint64_t dist[PAGEMIG_MAX_NODES];
	int n, d, nr = 0;

	for (n = pagemig_nodemask_next(online, -1); n >= 0 && nr < PAGEMIG_MAX_NODES;
	     n = pagemig_nodemask_next(online, n))
		if (!pagemig_topology_distance(topo, node, n, &d))
			dist[nr++] = (uint64_t)d;
	cli_cell_list(t, ln, COL_DISTANCES, dist, nr);
}

/* The HMAT figures; a figure the kernel does not show stays empty (null in JSON). */
static void hmat_cells(struct cli_table *t, long ln, const struct pagemig_node_info *info)
{
	const unsigned int v[] = { info->read_latency, info->write_latency, info->read_bandwidth,
				   info->write_bandwidth };
	const int col[] = { COL_RLAT, COL_WLAT, COL_RBW, COL_WBW };
	char buf[PAGEMIG_MAX_NODES * 4];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i])
			cli_cell(t, ln, col[i], "%u", v[i]);
	if (!pagemig_nodemask_format(&info->initiators, buf, sizeof(buf)))
		cli_cell_str(t, ln, COL_INITIATORS, buf);
}

static int add_row(struct cli_table *t, const struct cli_out *o, const struct pagemig_topology *topo, int node)
{
	struct pagemig_node_info info = { .sz = sizeof(info) };
	long ln;
	int err = pagemig_topology_node(topo, node, &info);

	if (err)
		return err;
	ln = cli_table_line(t);
	if (ln < 0)
		return (int)ln;
	cli_cell(t, ln, COL_NODE, "%d", node);
	cli_cell(t, ln, COL_CPUS, "%s", info.cpulist);
	cli_cell(t, ln, COL_NCPUS, "%d", info.nr_cpus);
	cli_cell_size(t, o, ln, COL_TOTAL, info.mem_total);
	cli_cell_size(t, o, ln, COL_FREE, info.mem_free);
	if (info.mem_total && info.mem_free <= info.mem_total)
		cli_cell(t, ln, COL_USED, "%.1f", 100.0 * (double)(info.mem_total - info.mem_free) / (double)info.mem_total);
	cli_cell(t, ln, COL_HUGE, "%" PRIu64 "/%" PRIu64, info.hugepages_total, info.hugepages_free);
	cli_cell(t, ln, COL_TYPE, "%s", info.nr_cpus ? "cpu" : "memory-only");
	if (info.tier >= 0)
		cli_cell(t, ln, COL_TIER, "%d", info.tier);
	hmat_cells(t, ln, &info);
	distances_cell(t, ln, topo, node);
	return 0;
}

static int run(int argc, char **argv)
{
	const struct pagemig_nodemask *online;
	struct pagemig_topology *topo = NULL;
	const char *sysroot = NULL;
	struct cli_out o = { 0 };
	struct cli_table t;
	char what[PATH_MAX + 64];
	int rc, err, n;

	rc = parse_args(&o, &sysroot, argc, argv);
	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	err = pagemig_topology_load(sysroot, &topo);
	if (err) {
		snprintf(what, sizeof(what), "cannot read the NUMA topology from '%s'", sysroot ? sysroot : "/sys");
		rc = cli_fail(err, what, NULL);
		return rc == EXIT_USAGE ? EXIT_FAILURE_ : rc;	/* a malformed sysfs is no usage error */
	}
	err = cli_table_new(&t, &o, "nodes", cols, NR_COLS, DEFAULT_COLS);
	if (err) {
		pagemig_topology_free(topo);
		return err == -EINVAL ? EXIT_USAGE : EXIT_FAILURE_;
	}
	online = pagemig_topology_online(topo);
	for (n = pagemig_nodemask_next(online, -1); n >= 0; n = pagemig_nodemask_next(online, n)) {
		err = add_row(&t, &o, topo, n);
		if (err) {
			cli_fail(err, "cannot list the nodes", NULL);
			goto err_free;
		}
	}
	if (cli_table_print(&t))
		err = -EIO;
err_free:
	cli_table_free(&t);
	pagemig_topology_free(topo);
	return err ? EXIT_FAILURE_ : EXIT_OK;
}

const struct cli_cmd cmd_nodes = {
	.name = "nodes",
	.summary = "show the NUMA nodes: CPUs, memory, huge pages, tiers, distances",
	.run = run,
	.usage = usage,
};
