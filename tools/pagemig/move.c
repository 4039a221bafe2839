// SPDX-License-Identifier: GPL-2.0-or-later
/* move.c - `pagemig move PID --from NODES --to NODES`: migrate a live process, page-exact. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum { COL_RANGE, COL_SIZE, COL_KIND, COL_PATH, COL_PLANNED, COL_MOVED, COL_STAYED, COL_SHARED, COL_LEFT,
       COL_NOTPRES, COL_RESULT, COL_PLAN, COL_HANDLER };

static const struct cli_col cols[] = {
	[COL_RANGE] = { "RANGE", 0, "address range (hex)", CLI_JSON_STRING },
	[COL_SIZE] = { "SIZE", CLI_COL_RIGHT, "region size", CLI_JSON_NUMBER },
	[COL_KIND] = { "KIND", 0, "region kind", CLI_JSON_STRING },
	[COL_PATH] = { "PATH", CLI_COL_TRUNC, "path or pseudo-name", CLI_JSON_STRING },
	[COL_PLANNED] = { "PLANNED", CLI_COL_RIGHT, "resident on a source node, to move", CLI_JSON_NUMBER },
	[COL_MOVED] = { "MOVED", CLI_COL_RIGHT, "moved, checked on its target", CLI_JSON_NUMBER },
	[COL_STAYED] = { "STAYED", CLI_COL_RIGHT, "on a source that keeps its pages", CLI_JSON_NUMBER },
	[COL_SHARED] = { "SHARED", CLI_COL_RIGHT, "shared with other processes, left (MOVE)", CLI_JSON_NUMBER },
	[COL_LEFT] = { "LEFT", CLI_COL_RIGHT, "should have moved and did not", CLI_JSON_NUMBER },
	[COL_NOTPRES] = { "NOTPRESENT", CLI_COL_RIGHT, "not resident (untouched, zero page, swapped)",
			  CLI_JSON_NUMBER },
	[COL_RESULT] = { "RESULT", 0, "ok, partial (why), unmovable, handled", CLI_JSON_STRING },
	[COL_PLAN] = { "PLAN", 0, "--dry-run: bytes per source->target pair", CLI_JSON_STRING },
	[COL_HANDLER] = { "HANDLER", 0, "the region handler that claims the region", CLI_JSON_STRING },
};

struct move_cli {
	struct cli_out out;
	struct cli_table tb;
	const struct pagemig_plan *plan;
	struct pagemig *pm;
	bool progress;
	uint64_t last_ns;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: pagemig move [options] PID --from NODES --to NODES\n"
		   "       pagemig move [options] PID FROM-NODES TO-NODES\n\n"
		   "Move the resident pages of process PID from one set of nodes to another, with the\n"
		   "node mapping of migrate_pages(2): the n-th FROM node goes to the (n mod |TO|)-th TO node.\n"
		   "Every page is accounted for; placement is checked after the move.\n\n"
		   "Options:\n"
		   "  -f, --from NODES      source nodes (numactl syntax: 0-1, all, !2, +0)\n"
		   "  -t, --to NODES        destination nodes (memory-only nodes are fine)\n"
		   "  -A, --all             MOVE_ALL: also move pages shared with other processes\n"
		   "                        (needs CAP_SYS_NICE); the default moves only exclusive pages\n"
		   "  -R, --regions FILTER  only these regions (kinds, ADDR-ADDR, path globs, !negation)\n"
		   "  -d, --dry-run         print the plan per region, move nothing\n"
		   "      --no-fallback     never use migrate_pages(2) for pages move_pages(2) cannot see\n"
		   "  -H, --handler PATH    load a region handler plugin (repeatable)\n"
		   "      --strict          io/pfnmap regions (no struct pages) are an error, not skipped\n"
		   "      --hugetlb-pool P  no (default): fail up front when a target node's huge page pool\n"
		   "                        is short; grow: grow it; grow-shrink: also shrink the sources'\n"
		   "      --batch N         pages per move_pages(2) call (default 4096)\n"
		   "      --threads N       threads moving pages (default 2, or 1 on one CPU; at most 8)\n"
		   "      --progress        progress line on stderr (default: when stderr is a terminal)\n"
		   "      --no-progress     no progress line\n"
		   "  -h, --help            this help\n");
	cli_out_usage(f, cols, sizeof(cols) / sizeof(cols[0]));
	fprintf(f, "\nExit status: 0 all eligible pages are on their targets, 5 some pages could not move\n"
		   "(breakdown printed), 2 bad usage, 3 no such process, 4 permission denied, 6 a region\n"
		   "handler failed or a plugin was rejected (nothing moved).\n");
}

static uint64_t left_behind(const struct pagemig_stats *st)
{
	return st->bytes[PAGEMIG_STAT_BUSY] + st->bytes[PAGEMIG_STAT_NOMEM] + st->bytes[PAGEMIG_STAT_HIDDEN] +
	       st->bytes[PAGEMIG_STAT_REFUSED] + st->bytes[PAGEMIG_STAT_FAILED];
}

/* "partial (busy 4K, no-memory 1M)" */
static void result_text(const struct pagemig_stats *st, enum pagemig_kind kind, char *buf, size_t len)
{
	static const enum pagemig_stat why[] = {
		PAGEMIG_STAT_BUSY, PAGEMIG_STAT_NOMEM, PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED,
	};
	size_t i, off;
	char sz[32];

	if (!left_behind(st)) {
		snprintf(buf, len, "%s", kind == PAGEMIG_KIND_SPECIAL || kind == PAGEMIG_KIND_NOPAGES ? "unmovable"
					 : st->bytes[PAGEMIG_STAT_HANDLED] ? "handled" : "ok");
		return;
	}
	off = (size_t)snprintf(buf, len, "partial (");
	for (i = 0; i < sizeof(why) / sizeof(why[0]) && off < len; i++) {
		if (!st->bytes[why[i]])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s %s", buf[off - 1] == '(' ? "" : ", ",
					pagemig_stat_name(why[i]), cli_size(st->bytes[why[i]], sz, sizeof(sz)));
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static void row_common(struct move_cli *m, long ln, const struct pagemig_region *r)
{
	cli_cell_range(&m->tb, ln, COL_RANGE, r->start, r->end);
	cli_cell_size(&m->tb, &m->out, ln, COL_SIZE, r->end - r->start);
	cli_cell_str(&m->tb, ln, COL_KIND, pagemig_kind_name(r->kind));
	cli_cell_str(&m->tb, ln, COL_PATH, r->path);
}

static void row_stats(struct move_cli *m, long ln, const struct pagemig_stats *st,
		      enum pagemig_kind kind)
{
	char res[160];

	cli_cell_size(&m->tb, &m->out, ln, COL_PLANNED, st->bytes[PAGEMIG_STAT_PLANNED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_MOVED, st->bytes[PAGEMIG_STAT_MOVED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_STAYED, st->bytes[PAGEMIG_STAT_STAYED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_SHARED, st->bytes[PAGEMIG_STAT_SHARED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_LEFT, left_behind(st));
	cli_cell_size(&m->tb, &m->out, ln, COL_NOTPRES, st->bytes[PAGEMIG_STAT_NOT_PRESENT]);
	result_text(st, kind, res, sizeof(res));
	cli_cell_str(&m->tb, ln, COL_RESULT, res);
}

static void handler_cell(struct move_cli *m, long ln, const struct pagemig_region *r)
{
	const struct pagemig_region_ops *ops = pagemig_handler_claim(m->pm, r);

	cli_cell_str(&m->tb, ln, COL_HANDLER, ops && ops->name ? ops->name : "-");
}

static void region_done(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	struct move_cli *m = ctx;
	long ln;

	if (!st->bytes[PAGEMIG_STAT_PLANNED] && !st->bytes[PAGEMIG_STAT_SHARED] && !left_behind(st) &&
	    !st->bytes[PAGEMIG_STAT_HANDLED] && r->kind != PAGEMIG_KIND_SPECIAL && r->kind != PAGEMIG_KIND_NOPAGES)
		return;		/* nothing of this region was on a source node */
	ln = cli_table_line(&m->tb);
	row_common(m, ln, r);
	row_stats(m, ln, st, r->kind);
	handler_cell(m, ln, r);
}

static int progress(const struct pagemig_progress *p, void *ctx)
{
	struct move_cli *m = ctx;
	double secs = (double)p->elapsed_ns / 1e9, rate;
	char a[32], b[32];

	if (!m->progress || (p->elapsed_ns - m->last_ns < 100000000ULL && p->done < p->total))
		return 0;
	m->last_ns = p->elapsed_ns;
	rate = secs > 0 ? (double)p->moved / secs : 0;
	fprintf(stderr, "\rpagemig: moved %s of %s (%3.0f%%) %.0f MiB/s ETA %.0fs   ",
		cli_size(p->moved, a, sizeof(a)), cli_size(p->total, b, sizeof(b)),
		p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate / 1048576.0,
		rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0.0);
	return 0;
}

/* --dry-run: the plan per region, from numa_maps, as "0->2 12M, 1->3 4M". */
static int dry_run(struct move_cli *m, const struct pagemig_filter *filter)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret, err = pagemig_regions_open(m->pm, 0, &it);

	if (err)
		return err;
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		const struct pagemig_region_ops *ops;
		long ln;
		char plan[512] = "", sz[32];
		size_t off = 0;
		int n;

		if (!pagemig_filter_match(filter, &r))
			continue;
		ops = pagemig_handler_claim(m->pm, &r);
		for (n = 0; n < r.nr_nodes && off < sizeof(plan); n++) {
			int t = m->plan->target[n];

			if (t < 0 || t == n || !r.node_pages[n])
				continue;
			off += (size_t)snprintf(plan + off, sizeof(plan) - off, "%s%d->%d %s", off ? ", " : "", n, t,
						cli_size(r.node_pages[n] * r.page_size, sz, sizeof(sz)));
		}
		if (!off && !ops)
			continue;
		ln = cli_table_line(&m->tb);
		row_common(m, ln, &r);
		handler_cell(m, ln, &r);
		cli_cell_str(&m->tb, ln, COL_PLAN, r.kind == PAGEMIG_KIND_SPECIAL || r.kind == PAGEMIG_KIND_NOPAGES
							    ? "unmovable" : off ? plan : "-");
	}
	pagemig_regions_close(it);
	return ret < 0 ? ret : 0;
}

static void print_summary(const struct pagemig_stats *t, const char *from, const char *to)
{
	static const enum pagemig_stat order[] = {
		PAGEMIG_STAT_STAYED, PAGEMIG_STAT_ELSEWHERE, PAGEMIG_STAT_SHARED, PAGEMIG_STAT_BUSY,
		PAGEMIG_STAT_NOMEM, PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED,
		PAGEMIG_STAT_NOT_PRESENT, PAGEMIG_STAT_UNMOVABLE,
	};
	double secs = (double)t->elapsed_ns / 1e9;
	char a[32], b[32];
	size_t i;

	printf("moved %s of %s planned (%" PRIu64 " of %" PRIu64 " 4K pages) from %s to %s in %.2fs",
	       cli_size(t->bytes[PAGEMIG_STAT_MOVED], a, sizeof(a)), cli_size(t->bytes[PAGEMIG_STAT_PLANNED], b, sizeof(b)),
	       t->bytes[PAGEMIG_STAT_MOVED] / 4096, t->bytes[PAGEMIG_STAT_PLANNED] / 4096, from, to, secs);
	if (secs > 0)
		printf(" (%.0f MiB/s)", (double)t->bytes[PAGEMIG_STAT_MOVED] / 1048576.0 / secs);
	printf("\n");
	if (t->bytes[PAGEMIG_STAT_FALLBACK])
		printf("  %-12s %s (moved by migrate_pages(2): move_pages(2) could not see them)\n", "fallback",
		       cli_size(t->bytes[PAGEMIG_STAT_FALLBACK], a, sizeof(a)));
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (!t->bytes[order[i]])
			continue;
		printf("  %-12s %s\n", pagemig_stat_name(order[i]), cli_size(t->bytes[order[i]], a, sizeof(a)));
	}
	for (i = 0; i < PAGEMIG_STATS_ERRORS && t->errors[i].err; i++)
		printf("  %-12s %s\n", strerrorname_np(t->errors[i].err) ? strerrorname_np(t->errors[i].err) : "error",
		       cli_size(t->errors[i].bytes, a, sizeof(a)));
}

#define MAX_PLUGINS 16

struct move_args {
	pid_t pid;
	const char *plugins[MAX_PLUGINS];
	int nr_plugins;
	struct pagemig_builtin_opts builtin;
	const char *from;
	const char *to;
	const char *regions;
	unsigned int flags;
	unsigned int batch;
	unsigned int threads;
	int progress;		/* -1 auto */
	bool dry_run;
};

static int parse_args(int argc, char **argv, struct move_args *a, struct cli_out *out)
{
	enum { OPT_NOFALLBACK = 256, OPT_BATCH, OPT_PROGRESS, OPT_NOPROGRESS, OPT_STRICT, OPT_POOL, OPT_THREADS };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'A' },
		{ "regions", required_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "no-fallback", no_argument, NULL, OPT_NOFALLBACK },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
		{ "handler", required_argument, NULL, 'H' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "hugetlb-pool", required_argument, NULL, OPT_POOL },
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	a->progress = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:t:AR:dH:h" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_out_opt(out, c, optarg))
			continue;
		switch (c) {
		case 'f': a->from = optarg; break;
		case 't': a->to = optarg; break;
		case 'A': a->flags |= PAGEMIG_MOVE_ALL; break;
		case 'R': a->regions = optarg; break;
		case 'd': a->dry_run = true; break;
		case OPT_NOFALLBACK: a->flags |= PAGEMIG_MOVE_NO_FALLBACK; break;
		case OPT_PROGRESS: a->progress = 1; break;
		case OPT_NOPROGRESS: a->progress = 0; break;
		case OPT_STRICT: a->builtin.flags |= PAGEMIG_BUILTIN_STRICT; break;
		case 'H':
			if (a->nr_plugins == MAX_PLUGINS) {
				cli_err("too many --handler plugins (at most %d)", MAX_PLUGINS);
				return EXIT_USAGE;
			}
			a->plugins[a->nr_plugins++] = optarg;
			break;
		case OPT_POOL:
			if (!strcmp(optarg, "no"))
				a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_NO;
			else if (!strcmp(optarg, "grow"))
				a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_GROW;
			else if (!strcmp(optarg, "grow-shrink"))
				a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_GROW_SHRINK;
			else {
				cli_err("invalid --hugetlb-pool '%s' (no, grow, grow-shrink)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_THREADS:
			a->threads = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !a->threads || a->threads > 8 || !isdigit((unsigned char)*optarg)) {
				cli_err("invalid thread count '%s' (1-8)", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BATCH:
			a->batch = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !a->batch || a->batch > 1U << 20) {
				cli_err("invalid batch size '%s' (1-1048576)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return -1;
		default:
			return cli_bad_option("move", c, argv);
		}
	}
	if (optind >= argc) {
		cli_err("missing process id (see 'pagemig move --help')");
		return EXIT_USAGE;
	}
	/* pagemig move PID [FROM [TO]]: positional node lists, as migratepages takes them */
	if (argc - optind > 3 || (argc - optind > 1 && (a->from || a->to))) {
		cli_err("too many arguments (see 'pagemig move --help')");
		return EXIT_USAGE;
	}
	if (argc - optind > 1)
		a->from = argv[optind + 1];
	if (argc - optind > 2)
		a->to = argv[optind + 2];
	if (!a->from || !a->to) {
		cli_err("missing %s (see 'pagemig move --help')", !a->from ? "--from NODES" : "--to NODES");
		return EXIT_USAGE;
	}
	a->pid = cli_parse_pid(argv[optind]);
	return a->pid < 0 ? EXIT_USAGE : 0;
}

/* Parse --from and --to against the target's allowed nodes and the machine's nodes. */
static int parse_nodes(struct pagemig *pm, const struct move_args *a, struct pagemig_plan *plan)
{
	const struct pagemig_topology *t = pagemig_topology(pm);
	struct pagemig_nodemask allowed, from, to;
	struct pagemig_nodectx ctx = {
		.sz = sizeof(ctx), .online = pagemig_topology_online(t), .allowed = &allowed,
		.memory = pagemig_topology_memory(t),
	};
	char err[256];

	if (pagemig_mems_allowed(pm, &allowed))
		allowed = *ctx.online;
	if (pagemig_nodemask_parse(a->from, &ctx, &from, err, sizeof(err))) {
		cli_err("--from '%s': %s", a->from, err);
		return EXIT_USAGE;
	}
	ctx.need_memory = true;
	if (pagemig_nodemask_parse(a->to, &ctx, &to, err, sizeof(err))) {
		cli_err("--to '%s': %s", a->to, err);
		return EXIT_USAGE;
	}
	if (pagemig_plan(&from, &to, plan)) {
		cli_err("empty node list");
		return EXIT_USAGE;
	}
	return 0;
}

/* The built-in handlers, then each --handler plugin: a bad plugin stops us before anything moves. */
static int load_handlers(struct pagemig *pm, const struct move_args *a)
{
	struct pagemig_builtin_opts bo = a->builtin;
	char err[512];
	int i, ret;

	bo.sz = sizeof(bo);
	ret = pagemig_builtins_register(pm, &bo);
	if (ret)
		return cli_fail(ret, "cannot register the built-in handlers", NULL);
	for (i = 0; i < a->nr_plugins; i++) {
		ret = pagemig_plugin_load(pm, a->plugins[i], err, sizeof(err));
		if (ret) {
			cli_err("%s; nothing was moved", err);
			return EXIT_HANDLER;
		}
	}
	return 0;
}

static int do_move(struct move_cli *m, const struct move_args *a, const struct pagemig_filter *filter)
{
	struct pagemig_move_opts opts = {
		.sz = sizeof(opts), .flags = a->flags, .filter = filter, .batch = a->batch, .threads = a->threads,
		.progress = progress, .progress_ctx = m, .region_done = region_done, .region_ctx = m,
	};
	struct pagemig_stats total = { .sz = sizeof(total) };
	struct pagemig_handler_error herr = { 0 };
	char from[256], to[256];
	bool printed = true;
	int ret;

	opts.handler_error = &herr;
	pagemig_nodemask_format(&m->plan->from, from, sizeof(from));
	pagemig_nodemask_format(&m->plan->to, to, sizeof(to));
	ret = pagemig_move(m->pm, m->plan, &opts, &total);
	if (m->progress)
		fputc('\n', stderr);
	if (ret == -EPERM && (a->flags & PAGEMIG_MOVE_ALL)) {
		cli_err("--all moves pages shared with other processes and needs CAP_SYS_NICE; nothing was moved");
		return EXIT_PERM;
	}
	if (herr.err) {
		cli_err("handler '%s' failed on region %" PRIx64 "-%" PRIx64 ": %s; no page was moved", herr.handler,
			herr.start, herr.end, herr.detail[0] ? herr.detail : strerror(-herr.err));
		return EXIT_HANDLER;
	}
	if (ret < 0 && !total.regions)
		return cli_fail(ret, "cannot move process", NULL);
	if (total.regions) {
		long ln = cli_table_line(&m->tb);

		cli_cell_str(&m->tb, ln, COL_RANGE, "total");
		row_stats(m, ln, &total, PAGEMIG_KIND_OTHER);
		if (ret == -ESRCH)
			cli_cell_str(&m->tb, ln, COL_RESULT, "target exited");
		printed = !cli_table_print(&m->tb);
	}
	if (!m->out.json)
		print_summary(&total, from, to);
	if (total.numa_balancing)
		cli_warn("NUMA balancing is on (kernel.numa_balancing): the kernel may move pages back later");
	if (ret == -ESRCH) {
		cli_err("process %d exited during the move; the counts above say what moved before", a->pid);
		return EXIT_NOPROC;
	}
	if (ret < 0)
		return cli_fail(ret, "move stopped", NULL);
	if (ret == PAGEMIG_PARTIAL) {
		char b[32];

		cli_err("%s of %s could not move (see LEFT and RESULT above)",
			cli_size(left_behind(&total), b, sizeof(b)), "the planned pages");
		return EXIT_PARTIAL;
	}
	return printed ? EXIT_OK : EXIT_FAILURE_;	/* moved, but the report is not whole */
}

static int run(int argc, char **argv)
{
	struct move_args a = { 0 };
	struct move_cli m = { 0 };
	struct pagemig_plan plan;
	struct pagemig_filter *filter = NULL;
	char errbuf[256] = "";
	struct pagemig_open_opts oo = { .sz = sizeof(oo), .errbuf = errbuf, .errlen = sizeof(errbuf) };
	char what[64];
	int ret;

	ret = parse_args(argc, argv, &a, &m.out);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	if (a.regions && pagemig_filter_parse(a.regions, &filter, errbuf, sizeof(errbuf))) {
		cli_err("--regions: %s", errbuf);
		return EXIT_USAGE;
	}
	snprintf(what, sizeof(what), "cannot read process %d", a.pid);
	ret = pagemig_open(a.pid, &oo, &m.pm);
	if (ret) {
		ret = cli_fail(ret, what, errbuf);
		goto out_filter;
	}
	ret = parse_nodes(m.pm, &a, &plan);
	if (ret)
		goto out_close;
	ret = load_handlers(m.pm, &a);
	if (ret)
		goto out_close;
	m.plan = &plan;
	m.progress = !a.dry_run && !m.out.json && (a.progress == 1 || (a.progress < 0 && isatty(STDERR_FILENO)));
	if (cli_table_new(&m.tb, &m.out, "regions", cols, sizeof(cols) / sizeof(cols[0]),
			  a.dry_run ? "RANGE,SIZE,KIND,PATH,HANDLER,PLAN"
				    : "RANGE,KIND,PATH,PLANNED,MOVED,SHARED,LEFT,RESULT")) {
		ret = EXIT_USAGE;
		goto out_close;
	}
	if (a.dry_run) {
		ret = dry_run(&m, filter);
		ret = ret ? cli_fail(ret, what, NULL) : EXIT_OK;
		if (!ret && cli_table_print(&m.tb))
			ret = EXIT_FAILURE_;
	} else {
		ret = do_move(&m, &a, filter);
	}
	cli_table_free(&m.tb);
out_close:
	pagemig_close(m.pm);
out_filter:
	pagemig_filter_free(filter);
	return ret;
}

const struct cli_cmd cmd_move = {
	.name = "move",
	.summary = "move a process's memory between nodes, page-exact and verified",
	.run = run,
	.usage = usage,
};
