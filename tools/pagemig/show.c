// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - `pagemig show PID`: where a process's memory is, region by region and node by node.
 *
 * One row per region with its resident memory per node (numa_maps' counts, in the region's own
 * page size, so hugetlb and THP are counted right), the exclusive/shared split from pagemap, and a
 * totals row.  --summary folds the regions into one row per kind, the view numastat -p gives.
 * The JSON document holds the rows with the pid, the node list and the totals (print_json()), so
 * that a script can check exact numbers per region and node.
 *
 * Several processes (PID,PID... or --cgroup) share one table with a PID column and a total row
 * each (with --summary: one row per process), then the total over all of them; in JSON each
 * process is the document above, in a "processes" array, followed by the totals.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"

/* The fixed columns; one N<node> column per node with memory follows them. */
enum {
	COL_RANGE,
	COL_START,
	COL_END,
	COL_SIZE,
	COL_PERMS,
	COL_KIND,
	COL_POLICY,
	COL_PAGESIZE,
	COL_REGIONS,
	COL_RSS,
	COL_PRESENT,
	COL_SWAPPED,
	COL_EXCL,
	COL_SHARED,
	COL_MAPMAX,
	COL_BAR,
	COL_NODE_BYTES,
	COL_NODE_PAGES,
	COL_PATH,
	COL_PID,
	COL_HANDLER,
	NR_FIXED_COLS,
};

static const struct cli_col fixed_cols[NR_FIXED_COLS] = {
	[COL_RANGE] = { "RANGE", 0, "START-END, hex", CLI_JSON_STRING },
	[COL_START] = { "START", CLI_COL_RIGHT, "first address (a number in JSON)", CLI_JSON_NUMBER },
	[COL_END] = { "END", CLI_COL_RIGHT, "one past the last address", CLI_JSON_NUMBER },
	[COL_SIZE] = { "SIZE", CLI_COL_RIGHT, "virtual size", CLI_JSON_NUMBER },
	[COL_PERMS] = { "PERMS", 0, "permissions, as in maps", CLI_JSON_STRING },
	[COL_KIND] = { "KIND", 0, "what backs it: heap stack anon file shm huge special nopages other",
		       CLI_JSON_STRING },
	[COL_POLICY] = { "POLICY", 0, "memory policy (numa_maps)", CLI_JSON_STRING },
	[COL_PAGESIZE] = { "PAGESIZE", CLI_COL_RIGHT, "the region's page size (2M, 1G for hugetlb)",
			   CLI_JSON_NUMBER },
	[COL_REGIONS] = { "REGIONS", CLI_COL_RIGHT, "regions counted (--summary)", CLI_JSON_NUMBER },
	[COL_RSS] = { "RSS", CLI_COL_RIGHT, "resident memory, all nodes", CLI_JSON_NUMBER },
	[COL_PRESENT] = { "PRESENT", CLI_COL_RIGHT, "present in RAM (smaps Rss; pagemap with -p)", CLI_JSON_NUMBER },
	[COL_SWAPPED] = { "SWAPPED", CLI_COL_RIGHT, "swapped out (smaps; pagemap with -p)", CLI_JSON_NUMBER },
	[COL_EXCL] = { "EXCLUSIVE", CLI_COL_RIGHT, "mapped by this process only (smaps Private_*; pagemap with -p)",
		       CLI_JSON_NUMBER },
	[COL_SHARED] = { "SHARED", CLI_COL_RIGHT, "also mapped by other processes (smaps Shared_*; pagemap with -p)",
			 CLI_JSON_NUMBER },
	[COL_MAPMAX] = { "MAPMAX", CLI_COL_RIGHT, "most processes mapping one page (numa_maps)",
			 CLI_JSON_NUMBER },
	[COL_BAR] = { "BAR", 0, "one mark per node: its share of the resident memory", CLI_JSON_STRING },
	[COL_NODE_BYTES] = { "NODE-BYTES", 0, "resident bytes per node (index = node)",
			     CLI_JSON_ARRAY },
	[COL_NODE_PAGES] = { "NODE-PAGES", 0, "resident pages of PAGESIZE per node (index = node)",
			     CLI_JSON_ARRAY },
	[COL_PATH] = { "PATH", CLI_COL_TRUNC, "file or pseudo-name (cut to a terminal's width)", CLI_JSON_STRING },
	[COL_PID] = { "PID", CLI_COL_RIGHT, "process id (several processes)", CLI_JSON_NUMBER },
	[COL_HANDLER] = { "HANDLER", 0, "the owner's handler that claims it (by default when it has an agent)",
			  CLI_JSON_STRING },
};

#define MAX_COLS 64	/* struct cli_table's map[] */
#define MAX_NODE_COLS (MAX_COLS - NR_FIXED_COLS)

#define DEFAULTS_TABLE "RANGE,SIZE,KIND,POLICY,%N,BAR,EXCLUSIVE,SHARED,PATH"
#define DEFAULTS_SUMMARY "KIND,REGIONS,%N,BAR,RSS,EXCLUSIVE,SHARED"
#define DEFAULTS_MULTI "PID," DEFAULTS_TABLE
#define DEFAULTS_MULTI_SUMMARY "PID,REGIONS,%N,BAR,RSS,EXCLUSIVE,SHARED"
#define MAX_CGROUPS 16
/* PRESENT and SWAPPED need smaps or pagemap: in JSON's defaults with --pagemap only */
#define DEFAULTS_JSON "RANGE,START,END,SIZE,PERMS,KIND,POLICY,PAGESIZE,RSS,EXCLUSIVE,SHARED," \
		      "MAPMAX,NODE-BYTES,NODE-PAGES,PATH"
#define DEFAULTS_JSON_PAGEMAP "RANGE,START,END,SIZE,PERMS,KIND,POLICY,PAGESIZE,RSS,PRESENT,SWAPPED,EXCLUSIVE," \
			      "SHARED,MAPMAX,NODE-BYTES,NODE-PAGES,PATH"
#define DEFAULTS_JSON_SUMMARY "KIND,REGIONS,SIZE,RSS,EXCLUSIVE,SHARED,NODE-BYTES"
#define DEFAULTS_JSON_SUMMARY_PAGEMAP "KIND,REGIONS,SIZE,RSS,PRESENT,SWAPPED,EXCLUSIVE,SHARED,NODE-BYTES"

/* Memory summed over regions: one region, one kind, or all of them. */
struct acc {
	uint64_t regions;
	uint64_t size;
	uint64_t rss;
	uint64_t present;	/* the pagemap counts, in bytes */
	uint64_t swapped;
	uint64_t exclusive;
	uint64_t shared;
	bool no_pagemap;	/* no pagemap counts (a row: "-"; a sum: some region's are unknown) */
	bool unknown;		/* no counts where there could be some: sums become unknown too */
	uint64_t node_bytes[PAGEMIG_MAX_NODES];
};

struct show {
	struct cli_out out;
	bool all;
	bool summary;
	bool pagemap;				/* --pagemap: count base pages from pagemap */
	bool counts;				/* PRESENT or SWAPPED shown: the totals have them */
	struct pagemig_filter *filter;
	struct pagemig *pm;
	struct pagemig_agent_conn *agent;	/* its agent, for HANDLER */
	struct cli_agent ag;
	uint64_t base_page;
	bool utf8;
	int nnodes;				/* node arrays' length: the highest node column + 1 */
	int nr_node_cols;
	int col_node[MAX_NODE_COLS];		/* the node of column NR_FIXED_COLS + i */
	char col_names[MAX_NODE_COLS][12];
	struct cli_col cols[MAX_COLS];
	struct cli_table t;
	struct acc total;
	struct acc kinds[PAGEMIG_KIND_OTHER + 1];
	/* several processes */
	struct cli_targets targets;
	const char *cgroups[MAX_CGROUPS];
	int nr_cgroups;
	bool multi;
	bool columns_done;
	bool table_open;
	pid_t pid;
	struct acc grand;
	int njson;
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: pagemig show [OPTIONS] PID[,PID...]\n"
		     "       pagemig show [OPTIONS] --cgroup PATH [PID[,PID...]]\n\n"
		     "Show where a process's memory is: one row per region with its resident memory\n"
		     "per NUMA node, exclusive and shared pages, and totals per node.  Several\n"
		     "processes: a PID column, a total per process (--summary: a row per process),\n"
		     "and the total over all of them.\n\n"
		     "Options:\n"
		     "  -c, --cgroup PATH     every process of this cgroup v2 and the cgroups below it;\n"
		     "                        repeatable\n"
		     "  -a, --all             also regions with nothing resident\n"
		     "  -R, --regions FILTER  only regions FILTER matches (kinds heap stack anon file\n"
		     "                        shm huge thp special nopages, ADDR-ADDR, path globs, !TERM)\n"
		     "  -s, --summary         one row per region kind, like numastat -p\n"
		     "  -p, --pagemap         count present, swapped, exclusive and shared base pages from\n"
		     "                        pagemap (one more page-table walk); default: smaps' counts\n"
		     "      --agent MODE      auto (default): mark the regions the process's own handlers\n"
		     "                        claim (HANDLER) when it runs a pagemig agent; off: do not ask\n"
		     "      --agent-dir DIR   the agent's socket directory, when it was started with one\n"
		     "  -h, --help            this help\n");
	cli_out_usage(out, fixed_cols, NR_FIXED_COLS);
	fprintf(out, "  %-12s %s\n", "N<node>", "resident memory on the node (N0, N1, ...); its share too with --summary");
	fprintf(out, "\nExit status: 0 ok, 1 failure, 2 bad usage, 3 no such process, 4 permission denied;\n"
		     "several processes: the worst of theirs (0 < 3 < 4 < 2 < 1).\n");
}

/* "No such process" -> "no such process": diagnostics are lowercase. */
static const char *reason(int err, const char *errbuf, char *buf, size_t len)
{
	if (errbuf && *errbuf)
		return errbuf;
	snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

static int fail_process(const struct show *s, pid_t pid, int err, const char *errbuf)
{
	char what[64], buf[128];

	snprintf(what, sizeof(what), "cannot read process %d", (int)pid);
	return cli_fail(err, what, reason(err, errbuf, buf, sizeof(buf)));
}

static int parse_args(struct show *s, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'a' },
		{ "regions", required_argument, NULL, 'R' },
		{ "summary", no_argument, NULL, 's' },
		{ "pagemap", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		CLI_AGENT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char err[256] = "";
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:aR:sph" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'c') {
			if (s->nr_cgroups == MAX_CGROUPS) {
				cli_err("too many --cgroup paths (at most %d)", MAX_CGROUPS);
				return EXIT_USAGE;
			}
			s->cgroups[s->nr_cgroups++] = optarg;
		} else if (c == 'a') {
			s->all = true;
		} else if (c == 'p') {
			s->pagemap = true;
		} else if (c == 's') {
			s->summary = true;
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else if (c == 'R') {
			pagemig_filter_free(s->filter);
			s->filter = NULL;
			if (pagemig_filter_parse(optarg, &s->filter, err, sizeof(err)) < 0) {
				cli_err("bad region filter '%s': %s", optarg, *err ? err : "invalid");
				return EXIT_USAGE;
			}
		} else if ((r = cli_agent_opt(&s->ag, c, optarg))) {
			if (r < 0)
				return EXIT_USAGE;
		} else if (!cli_out_opt(&s->out, c, optarg)) {
			return cli_bad_option("show", c, argv);
		}
	}
	if (optind < argc - 1 || (optind == argc && !s->nr_cgroups)) {
		cli_err(optind == argc ? "no process id given (see 'pagemig show --help')"
				       : "too many arguments (see 'pagemig show --help')");
		return EXIT_USAGE;
	}
	return optind < argc ? cli_targets_add_pids(&s->targets, argv[optind]) : 0;
}

/* One N<node> column per node with memory, then the column list for cli_table_new(). */
static void setup_columns(struct show *s)
{
	const struct pagemig_nodemask *mem = pagemig_topology_memory(pagemig_topology(s->pm));
	int n, i;

	memcpy(s->cols, fixed_cols, sizeof(fixed_cols));
	for (n = pagemig_nodemask_next(mem, -1); n >= 0; n = pagemig_nodemask_next(mem, n)) {
		if (s->nr_node_cols == MAX_NODE_COLS) {
			cli_warn("only the first %d nodes have N columns; see NODE-BYTES", MAX_NODE_COLS);
			break;
		}
		i = s->nr_node_cols++;
		s->col_node[i] = n;
		snprintf(s->col_names[i], sizeof(s->col_names[i]), "N%d", n);
		s->cols[NR_FIXED_COLS + i] = (struct cli_col){
			.name = s->col_names[i], .flags = CLI_COL_RIGHT,
			.help = "resident on the node", .json_type = CLI_JSON_NUMBER,
		};
	}
	for (n = pagemig_nodemask_next(mem, -1); n >= 0; n = pagemig_nodemask_next(mem, n))
		s->nnodes = n + 1;
	if (s->nnodes == 0)
		s->nnodes = 1;
}

/* The default column list with "%N" replaced by the node columns. */
static char *default_columns(const struct show *s)
{
	const char *tmpl = s->out.json && s->pagemap ? (s->summary ? DEFAULTS_JSON_SUMMARY_PAGEMAP : DEFAULTS_JSON_PAGEMAP)
			 : s->out.json ? (s->summary ? DEFAULTS_JSON_SUMMARY : DEFAULTS_JSON)
			 : s->multi ? (s->summary ? DEFAULTS_MULTI_SUMMARY : DEFAULTS_MULTI)
				    : (s->summary ? DEFAULTS_SUMMARY : DEFAULTS_TABLE);
	size_t len = strlen(tmpl) + (size_t)s->nr_node_cols * 12 + sizeof(",HANDLER"), off;
	const char *mark = strstr(tmpl, "%N");
	char *buf = malloc(len);
	int i;

	if (!buf)
		return NULL;
	if (!mark) {
		off = (size_t)snprintf(buf, len, "%s", tmpl);
	} else {
		/* the templates have "%N," between other columns: drop the comma too without nodes */
		off = (size_t)snprintf(buf, len, "%.*s", (int)(mark - tmpl), tmpl);
		for (i = 0; i < s->nr_node_cols; i++)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "", s->col_names[i]);
		off += (size_t)snprintf(buf + off, len - off, "%s", mark + (s->nr_node_cols ? 2 : 3));
	}
	/* the regions the owner's handlers claim, when (the first) process has an agent */
	if (s->agent && !s->summary && off < len)
		snprintf(buf + off, len - off, ",HANDLER");
	return buf;
}

static int open_table(struct show *s)
{
	char *defaults = default_columns(s);
	int err;

	if (!defaults) {
		cli_err("cannot create a table: %s", "out of memory");
		return EXIT_FAILURE_;
	}
	err = cli_table_new(&s->t, &s->out, s->summary ? "summary" : "regions", s->cols,
			    NR_FIXED_COLS + (size_t)s->nr_node_cols, defaults);
	free(defaults);
	if (err)
		return err == -EINVAL ? EXIT_USAGE : EXIT_FAILURE_;
	return 0;
}

static void acc_add(struct acc *dst, const struct acc *src, int nnodes)
{
	int n;

	dst->regions += src->regions;
	dst->size += src->size;
	dst->rss += src->rss;
	dst->present += src->present;
	dst->swapped += src->swapped;
	dst->exclusive += src->exclusive;
	dst->shared += src->shared;
	dst->no_pagemap |= src->unknown;	/* io/pfnmap regions have no pages to count */
	dst->unknown |= src->unknown;
	for (n = 0; n < nnodes; n++)
		dst->node_bytes[n] += src->node_bytes[n];
}

/* A region's memory; RSS is what numa_maps places on nodes (smaps Rss misses hugetlb). */
static void acc_region(const struct show *s, const struct pagemig_region *r, struct acc *a)
{
	int n;

	memset(a, 0, offsetof(struct acc, node_bytes) + (size_t)s->nnodes * sizeof(a->node_bytes[0]));
	a->regions = 1;
	a->size = r->end - r->start;
	for (n = 0; n < r->nr_nodes && r->node_pages; n++) {
		uint64_t b = r->node_pages[n] * r->page_size;

		if (n < s->nnodes)
			a->node_bytes[n] = b;
		a->rss += b;
	}
	if (!s->pagemap) {
		/* smaps counts by the same rule (mapped once or more), without a third walk */
		a->present = r->rss + r->hugetlb;
		a->swapped = r->swap;
		a->exclusive = r->private_rss;
		a->shared = r->shared_rss;
		return;
	}
	a->no_pagemap = !r->has_pagemap;
	a->unknown = a->no_pagemap && !(r->vmflags & (PAGEMIG_VM_IO | PAGEMIG_VM_PFNMAP));
	if (r->has_pagemap) {
		a->present = r->present * s->base_page;
		a->swapped = r->swapped * s->base_page;
		a->exclusive = r->exclusive * s->base_page;
		a->shared = r->shared_pages * s->base_page;
	}
}

/* Not pagemap's counts: which rows show must not depend on the columns chosen. */
static bool is_resident(const struct pagemig_region *r, const struct acc *a)
{
	return a->rss || r->rss || r->hugetlb;
}

/*
 * A node's memory: "12M" per region (BAR shows the shares), "12M 75%" in --summary, where the
 * shares are the point; bytes alone for --raw and JSON.
 */
static void node_cell(struct show *s, long ln, int col, uint64_t b, uint64_t total)
{
	char size[32];
	unsigned int pct;

	if (s->out.json || s->out.raw || (!s->summary && b)) {
		cli_cell_size(&s->t, &s->out, ln, col, b);
		return;
	}
	if (!b) {
		cli_cell_str(&s->t, ln, col, "-");
		return;
	}
	if (s->out.bytes)
		snprintf(size, sizeof(size), "%" PRIu64, b);
	else
		cli_size(b, size, sizeof(size));
	pct = (unsigned int)((b * 100 + total / 2) / total);
	if (pct == 100 && b < total)
		pct = 99;
	if (pct == 0)
		cli_cell(&s->t, ln, col, "%s <1%%", size);
	else
		cli_cell(&s->t, ln, col, "%s %u%%", size, pct);
}

/* One mark per node column, as high as the node's share: "▇·▂·". */
static void bar_cell(struct show *s, long ln, const struct acc *a)
{
	static const char *const blocks[] = { "·", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char ascii[] = "._-=+*#%@";
	char buf[MAX_NODE_COLS * 4 + 1];
	size_t off = 0;
	int i;

	if (s->t.map[COL_BAR] < 0)
		return;
	for (i = 0; i < s->nr_node_cols; i++) {
		uint64_t b = a->node_bytes[s->col_node[i]];
		unsigned int lvl = a->rss ? (unsigned int)((b * 8 + a->rss - 1) / a->rss) : 0;

		if (lvl > 8)
			lvl = 8;
		if (s->utf8) {
			memcpy(buf + off, blocks[lvl], strlen(blocks[lvl]));
			off += strlen(blocks[lvl]);
		} else {
			buf[off++] = ascii[lvl];
		}
	}
	buf[off] = '\0';
	cli_cell_str(&s->t, ln, COL_BAR, buf);
}

/* The cells every row has: sizes, pagemap counts, nodes. */
static void acc_cells(struct show *s, long ln, const struct acc *a)
{
	const uint64_t pm[] = { a->present, a->swapped, a->exclusive, a->shared };
	int i;

	cli_cell_size(&s->t, &s->out, ln, COL_SIZE, a->size);
	cli_cell_u64(&s->t, ln, COL_REGIONS, a->regions);
	cli_cell_size(&s->t, &s->out, ln, COL_RSS, a->rss);
	for (i = 0; i < 4; i++) {
		if (!a->no_pagemap)
			cli_cell_size(&s->t, &s->out, ln, COL_PRESENT + i, pm[i]);
		else if (!s->out.json)
			cli_cell_str(&s->t, ln, COL_PRESENT + i, "-");
	}
	for (i = 0; i < s->nr_node_cols; i++)
		node_cell(s, ln, NR_FIXED_COLS + i, a->node_bytes[s->col_node[i]], a->rss);
	bar_cell(s, ln, a);
	cli_cell_list(&s->t, ln, COL_NODE_BYTES, a->node_bytes, s->nnodes);
}

static int region_row(struct show *s, const struct pagemig_region *r, const struct acc *a)
{
	long ln = cli_table_line(&s->t);
	uint64_t pages[PAGEMIG_MAX_NODES];
	int n;

	if (ln < 0)
		return (int)ln;
	cli_cell_u64(&s->t, ln, COL_PID, (uint64_t)s->pid);
	cli_cell_range(&s->t, ln, COL_RANGE, r->start, r->end);
	if (s->out.json) {
		cli_cell_u64(&s->t, ln, COL_START, r->start);
		cli_cell_u64(&s->t, ln, COL_END, r->end);
	} else {
		cli_cell_hex(&s->t, ln, COL_START, r->start);
		cli_cell_hex(&s->t, ln, COL_END, r->end);
	}
	cli_cell_str(&s->t, ln, COL_PERMS, r->perms);
	cli_cell_str(&s->t, ln, COL_KIND, pagemig_kind_name(r->kind));
	cli_cell_str(&s->t, ln, COL_POLICY, r->policy);
	cli_cell_size(&s->t, &s->out, ln, COL_PAGESIZE, r->page_size);
	cli_cell_u64(&s->t, ln, COL_MAPMAX, r->mapmax);
	cli_cell_str(&s->t, ln, COL_PATH, r->path);
	cli_cell_str(&s->t, ln, COL_HANDLER, pagemig_agent_claim(s->agent, r->start, r->end));
	acc_cells(s, ln, a);
	if (s->t.map[COL_NODE_PAGES] >= 0) {
		for (n = 0; n < s->nnodes; n++)
			pages[n] = n < r->nr_nodes && r->node_pages ? r->node_pages[n] : 0;
		cli_cell_list(&s->t, ln, COL_NODE_PAGES, pages, s->nnodes);
	}
	return 0;
}

/* A totals row: @label goes into the first column shown, whichever it is. */
static int acc_row(struct show *s, const struct acc *a, const char *kind, const char *label)
{
	long ln = cli_table_line(&s->t);
	size_t i;
	int pos;

	if (ln < 0)
		return (int)ln;
	acc_cells(s, ln, a);
	cli_cell_str(&s->t, ln, COL_KIND, kind);
	if (s->pid)
		cli_cell_u64(&s->t, ln, COL_PID, (uint64_t)s->pid);
	else
		cli_cell_str(&s->t, ln, COL_PID, "all");
	/* several processes: the label goes after the PID */
	pos = s->multi && s->t.map[COL_PID] == 0 ? 1 : 0;
	for (i = 0; label && i < NR_FIXED_COLS; i++) {
		if (s->t.map[i] == pos && s->cols[i].json_type == CLI_JSON_STRING && i != COL_BAR) {
			cli_cell_str(&s->t, ln, (int)i, label);
			break;
		}
	}
	return 0;
}

/* pagemap costs a third page-table walk: only when a column (or JSON's totals) shows its counts. */
static bool needs_pagemap(const struct show *s)
{
	int i;

	if (!s->pagemap)
		return false;
	for (i = COL_PRESENT; i <= COL_SHARED; i++)
		if (s->t.map[i] >= 0)
			return true;
	return s->out.json;
}

/*
 * numa_maps alone (one page-table walk, not two) gives all a default table, summary or JSON
 * document shows.  Not with -a (io/pfnmap regions would show the kind of their path), a filter
 * (thp and nopages need smaps' fields) or the PRESENT and SWAPPED columns (smaps' Swap).
 */
static bool light(const struct show *s)
{
	return !s->all && !s->pagemap && !s->filter && s->t.map[COL_PRESENT] < 0 && s->t.map[COL_SWAPPED] < 0;
}

static int read_regions(struct show *s, pid_t pid)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r;
	struct acc a;
	int err;

	s->counts = s->t.map[COL_PRESENT] >= 0 || s->t.map[COL_SWAPPED] >= 0;
	err = pagemig_regions_open(s->pm, needs_pagemap(s) ? PAGEMIG_REGIONS_PAGEMAP : light(s) ? PAGEMIG_REGIONS_LIGHT : 0,
				   &it);
	if (!err)
		err = pagemig_regions_select(it, s->filter);	/* an address range shows its part */
	if (err) {
		pagemig_regions_close(it);
		return fail_process(s, pid, err, NULL);
	}
	r.sz = sizeof(r);	/* pagemig_region_next() writes all of it */
	for (;;) {
		err = pagemig_region_next(it, &r);
		if (err <= 0)
			break;
		acc_region(s, &r, &a);
		if (!s->all && !is_resident(&r, &a))
			continue;
		acc_add(&s->total, &a, s->nnodes);
		if (r.kind >= PAGEMIG_KIND_HEAP && r.kind <= PAGEMIG_KIND_OTHER)
			acc_add(&s->kinds[r.kind], &a, s->nnodes);
		if (!s->summary && region_row(s, &r, &a)) {
			err = -ENOMEM;
			break;
		}
	}
	pagemig_regions_close(it);
	return err < 0 ? fail_process(s, pid, err, NULL) : 0;
}

/*
 * The rows after a process's regions: one per kind for --summary, and its total (JSON has its
 * own); with several processes in --summary, the process's row alone.
 */
static int final_rows(struct show *s)
{
	int k, err = 0;

	for (k = PAGEMIG_KIND_HEAP; s->summary && (!s->multi || s->out.json) && k <= PAGEMIG_KIND_OTHER && !err; k++)
		if (s->kinds[k].regions)
			err = acc_row(s, &s->kinds[k], pagemig_kind_name((enum pagemig_kind)k), NULL);
	if (!err && !s->out.json)
		err = acc_row(s, &s->total, NULL, s->summary && s->multi ? NULL : "total");
	if (err)
		cli_err("cannot build the table: %s", "out of memory");
	return err ? EXIT_FAILURE_ : 0;
}

static void print_totals_json(const struct show *s, const struct acc *a)
{
	int n;

	printf("{\n      \"regions\": %" PRIu64 ",\n      \"size\": %" PRIu64 ",\n      \"rss\": %" PRIu64 ",\n",
	       a->regions, a->size, a->rss);
	if (a->no_pagemap || !s->counts)	/* as the columns: without them, swap may not have been read */
		printf("      \"present\": null,\n      \"swapped\": null,\n");
	else
		printf("      \"present\": %" PRIu64 ",\n      \"swapped\": %" PRIu64 ",\n", a->present, a->swapped);
	if (a->no_pagemap)
		printf("      \"exclusive\": null,\n      \"shared\": null,\n");
	else
		printf("      \"exclusive\": %" PRIu64 ",\n      \"shared\": %" PRIu64 ",\n", a->exclusive, a->shared);
	printf("      \"node-bytes\": [");
	for (n = 0; n < s->nnodes; n++)
		printf("%s%" PRIu64, n ? ", " : "", a->node_bytes[n]);
	printf("]\n   }");
}

/*
 * The document: the pid, the node list, the rows (regions or summary) and the totals; with
 * several processes, an item of the "processes" array.
 */
static int print_json(struct show *s)
{
	const struct pagemig_nodemask *mem = pagemig_topology_memory(pagemig_topology(s->pm));
	int n, err;

	if (s->multi)
		printf(s->njson++ ? ",{\n" : "{\n   \"processes\": [{\n");
	else
		printf("{\n");
	printf("   \"pid\": %d,\n   \"pagesize\": %" PRIu64 ",\n   \"nodes\": [", (int)pagemig_pid(s->pm),
	       s->base_page);
	for (n = pagemig_nodemask_next(mem, -1); n >= 0; n = pagemig_nodemask_next(mem, n))
		printf("%s%d", n == pagemig_nodemask_next(mem, -1) ? "" : ", ", n);
	printf("],\n");
	fflush(stdout);
	err = cli_table_print_member(&s->t, stdout);
	printf(",\n   \"totals\": ");
	print_totals_json(s, &s->total);
	printf(s->multi ? "\n}" : "\n}\n");
	if (!err && fflush(stdout))
		err = -errno;
	if (err) {
		cli_err("cannot print the table: %s", strerror(-err));
		return EXIT_FAILURE_;
	}
	return EXIT_OK;
}

/* One process: its rows into the table (text), or its document (JSON); its exit code. */
/* The owner's handlers, when the process has an agent: show reads, so a failure only warns. */
static void connect_agent(struct show *s)
{
	char err[512] = "";
	struct pagemig_agent_connect_opts o = {
		.sz = sizeof(o), .socket_dir = s->ag.dir, .timeout_ms = s->ag.timeout_ms, .errbuf = err,
		.errlen = sizeof(err),
	};
	int ret;

	if (s->ag.mode == CLI_AGENT_OFF || pagemig_pid(s->pm) == getpid())
		return;
	ret = pagemig_agent_connect(s->pm, &o, &s->agent);
	if (ret && ret != -ENOENT && ret != -ESRCH)
		cli_warn("%s", err);
}

static int show_one(struct show *s, pid_t pid)
{
	struct pagemig_open_opts oo = { .sz = sizeof(oo) };
	char errbuf[256] = "";
	int rc;

	oo.errbuf = errbuf;
	oo.errlen = sizeof(errbuf);
	rc = pagemig_open(pid, &oo, &s->pm);
	if (rc)
		return fail_process(s, pid, rc, errbuf);
	s->pid = pid;
	connect_agent(s);
	if (!s->columns_done)
		setup_columns(s);
	s->columns_done = true;
	rc = s->table_open ? 0 : open_table(s);
	s->table_open = !rc;
	memset(&s->total, 0, sizeof(s->total));
	memset(s->kinds, 0, sizeof(s->kinds));
	if (!rc)
		rc = read_regions(s, pid);
	if (!rc)
		rc = final_rows(s);
	if (!rc && s->t.err) {
		cli_err("cannot build the table: %s", strerror(-s->t.err));
		rc = EXIT_FAILURE_;
	}
	if (!rc)
		acc_add(&s->grand, &s->total, s->nnodes);
	if (!rc && s->out.json)
		rc = print_json(s);
	if (s->out.json && s->table_open) {
		cli_table_free(&s->t);
		s->table_open = false;
	}
	pagemig_agent_disconnect(s->agent);
	s->agent = NULL;
	pagemig_close(s->pm);
	s->pm = NULL;
	return rc;
}

/* Several processes: the total over all of them, and the end of the table or document. */
static int show_end(struct show *s)
{
	if (s->out.json) {
		printf(s->njson ? "],\n   \"totals\": " : "{\n   \"processes\": [],\n   \"totals\": ");
		print_totals_json(s, &s->grand);
		printf("\n}\n");
		return fflush(stdout) ? EXIT_FAILURE_ : 0;
	}
	if (!s->table_open)
		return 0;
	s->pid = 0;	/* "all" */
	if (acc_row(s, &s->grand, NULL, "total") || s->t.err) {
		cli_err("cannot build the table: %s", "out of memory");
		return EXIT_FAILURE_;
	}
	return cli_table_print(&s->t) ? EXIT_FAILURE_ : 0;
}

static int collect(struct show *s)
{
	int i, rc;

	for (i = 0; i < s->nr_cgroups; i++) {
		rc = cli_targets_add_cgroup(&s->targets, s->cgroups[i]);
		if (rc)
			return rc;
	}
	cli_targets_sort(&s->targets);
	if (!s->targets.n) {
		cli_err("no process in cgroup '%s'%s", s->cgroups[0], s->nr_cgroups > 1 ? " and the others" : "");
		return EXIT_NOPROC;
	}
	s->multi = s->targets.n > 1 || s->nr_cgroups;
	return 0;
}

static int show_run(int argc, char **argv)
{
	struct show *s;
	size_t i;
	int rc;

	setlocale(LC_CTYPE, "");	/* the bars, and the width of characters in paths */
	s = calloc(1, sizeof(*s));
	if (!s) {
		cli_err("cannot start: %s", "out of memory");
		return EXIT_FAILURE_;
	}
	s->base_page = (uint64_t)sysconf(_SC_PAGESIZE);
	rc = parse_args(s, argc, argv);
	if (!rc)
		rc = collect(s);
	if (rc)
		goto out_free;
	/* ASCII marks in --raw output, which scripts split on spaces */
	s->utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8") && !s->out.raw;
	for (i = 0; i < s->targets.n; i++) {
		rc = cli_exit_worst(rc, show_one(s, s->targets.pids[i]));
		if (rc == EXIT_USAGE)
			break;	/* a bad column: the same for every process */
	}
	if (s->multi)
		rc = cli_exit_worst(rc, show_end(s));
	else if (!rc && !s->out.json && cli_table_print(&s->t))
		rc = EXIT_FAILURE_;
	if (s->table_open)
		cli_table_free(&s->t);
out_free:
	pagemig_filter_free(s->filter);
	cli_targets_free(&s->targets);
	free(s);
	return rc < 0 ? EXIT_OK : rc;
}

const struct cli_cmd cmd_show = {
	.name = "show",
	.summary = "show where a process's memory is, per region and node",
	.run = show_run,
	.usage = usage,
};
