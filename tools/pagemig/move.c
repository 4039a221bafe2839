// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * move.c - `pagemig move PID[,PID...] --from NODES --to NODES` (or --cgroup PATH): migrate live
 * processes, page-exact, one after another; what is printed is move_report.c's.
 *
 * Each process is opened, its node lists parsed against its own allowed nodes, its handlers
 * loaded, and moved; one that fails (or exits meanwhile) is reported and the next one moves.  The
 * exit status is the worst of theirs (cli_exit_worst()).  SIGINT and SIGTERM stop the move at the
 * next batch (the progress callback says so), the report says what moved, and the exit status is
 * 130; a second signal kills as usual.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "move.h"

#define MAX_PLUGINS 16
#define MAX_CGROUPS 16

volatile sig_atomic_t move_stop_signal;

static void usage(FILE *f)
{
	fprintf(f, "Usage: pagemig move [options] PID[,PID...] --from NODES --to NODES\n"
		   "       pagemig move [options] PID[,PID...] FROM-NODES TO-NODES\n"
		   "       pagemig move [options] --cgroup PATH [PID[,PID...]] FROM-NODES TO-NODES\n\n"
		   "Move the resident pages of processes from one set of nodes to another, with the\n"
		   "node mapping of migrate_pages(2): the n-th FROM node goes to the (n mod |TO|)-th TO node.\n"
		   "Every page is accounted for; placement is checked after the move.\n\n"
		   "Options:\n"
		   "  -f, --from NODES      source nodes (numactl syntax: 0-1, all, !2, +0)\n"
		   "  -t, --to NODES        destination nodes (memory-only nodes are fine)\n"
		   "  -c, --cgroup PATH     every process of this cgroup v2 and the cgroups below it\n"
		   "                        (a directory, or a path under the cgroup2 mount); repeatable\n"
		   "  -A, --all             MOVE_ALL: also move pages shared with other processes\n"
		   "                        (needs CAP_SYS_NICE); the default moves only exclusive pages\n"
		   "      --objects         with --all: also the pages of shared objects (shm, shared\n"
		   "                        files) that are in memory but not mapped by the process,\n"
		   "                        through a mapping of pagemig's own (needs CAP_SYS_ADMIN)\n"
		   "  -R, --regions FILTER  only these regions (kinds, ADDR-ADDR, path globs, !negation)\n"
		   "  -d, --dry-run         print the plan per region, move nothing\n"
		   "      --rate MIB        move at most MIB MiB per second (on average over any second)\n"
		   "      --no-fallback     never use migrate_pages(2) for pages move_pages(2) cannot see\n"
		   "  -H, --handler PATH    load a region handler plugin (repeatable)\n"
		   "      --strict          io/pfnmap regions (no struct pages) are an error, not skipped\n"
		   "      --hugetlb-pool P  no (default): fail up front when a target node's huge page pool\n"
		   "                        is short; grow: grow it; grow-shrink: also shrink the sources'\n"
		   "      --engine E        auto (default): a move of every region goes by migrate_pages(2),\n"
		   "                        one call per node pair, each region counted from numa_maps\n"
		   "                        before and after, page by page only where pages stayed;\n"
		   "                        pages: move_pages(2) page by page (--batch, --threads apply)\n"
		   "      --batch N         pages per move_pages(2) call (default 32768)\n"
		   "      --threads N       threads moving pages page by page (default 2, or 1 on one\n"
		   "                        CPU; at most 8)\n"
		   "      --progress[=json] progress on stderr: a line (default when stderr is a terminal),\n"
		   "                        or JSON lines (pid, done, total, moved, rate, elapsed)\n"
		   "      --no-progress     no progress output\n"
		   "      --agent MODE      the target's own handlers, in its pagemig agent: auto (use it\n"
		   "                        when one answers, the default), require (fail when none), off\n"
		   "      --agent-timeout S seconds to wait for each answer of the agent (default 10)\n"
		   "      --agent-dir DIR   the agent's socket directory, when it was started with one\n"
		   "  -q, --quiet           print nothing but errors (the exit status tells)\n"
		   "  -h, --help            this help\n");
	cli_out_usage(f, move_cols, NR_MOVE_COLS);
	fprintf(f, "\nExit status: 0 all eligible pages are on their targets, 5 some pages could not move\n"
		   "(breakdown printed), 2 bad usage, 3 no such process (or it exited), 4 permission\n"
		   "denied, 6 a region handler failed (the target's own included) or a plugin or an agent\n"
		   "was rejected (nothing moved), 7 the target's agent serves another mover (nothing\n"
		   "moved), 130 SIGINT or SIGTERM stopped the move (what moved is printed).  Several\n"
		   "processes: the worst of theirs, in the order 0 < 5 < 3 < 4 < 2 < 7 < 6 < 1 < 130.\n");
}

struct move_args {
	struct cli_targets targets;
	const char *cgroups[MAX_CGROUPS];
	int nr_cgroups;
	struct cli_agent agent;
	const char *plugins[MAX_PLUGINS];
	int nr_plugins;
	struct pagemig_builtin_opts builtin;
	const char *from;
	const char *to;
	const char *regions;
	unsigned int flags;
	unsigned int batch;
	unsigned int threads;
	uint64_t rate;		/* bytes per second, 0: no limit */
	int progress;		/* PROGRESS_*, -1 auto */
	bool dry_run;
	bool quiet;
};

/* An unsigned option value in [@min, @max]; EXIT_USAGE (printed) when it is not one. */
static int parse_uint(const char *arg, unsigned long min, unsigned long max, const char *what, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)*arg) || *end || errno || x < min || x > max) {
		cli_err("invalid %s '%s' (%lu-%lu)", what, arg, min, max);
		return EXIT_USAGE;
	}
	*v = (unsigned int)x;
	return 0;
}

/* --rate MIB: MiB per second, a decimal number above 0. */
static int parse_rate(const char *arg, uint64_t *rate)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (!isdigit((unsigned char)*arg) || *end || errno || !(v >= 0.001 && v <= 1048576.0)) {
		cli_err("invalid --rate '%s' (MiB per second, 0.001-1048576)", arg);
		return EXIT_USAGE;
	}
	*rate = (uint64_t)(v * 1048576.0);
	return 0;
}

static int parse_pool(const char *arg, struct move_args *a)
{
	if (!strcmp(arg, "no"))
		a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_NO;
	else if (!strcmp(arg, "grow"))
		a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_GROW;
	else if (!strcmp(arg, "grow-shrink"))
		a->builtin.hugetlb_pool = PAGEMIG_HUGETLB_POOL_GROW_SHRINK;
	else {
		cli_err("invalid --hugetlb-pool '%s' (no, grow, grow-shrink)", arg);
		return EXIT_USAGE;
	}
	return 0;
}

enum {
	OPT_NOFALLBACK = 256, OPT_BATCH, OPT_PROGRESS, OPT_NOPROGRESS, OPT_STRICT, OPT_POOL, OPT_THREADS, OPT_RATE,
	OPT_OBJECTS, OPT_ENGINE,
};

/* One option of getopt_long(): 0, -1 for --help (printed), or an exit code. */
static int parse_opt(int c, const char *arg, struct move_args *a)
{
	switch (c) {
	case 'f': a->from = arg; return 0;
	case 't': a->to = arg; return 0;
	case 'A': a->flags |= PAGEMIG_MOVE_ALL; return 0;
	case 'R': a->regions = arg; return 0;
	case 'd': a->dry_run = true; return 0;
	case 'q': a->quiet = true; return 0;
	case OPT_NOFALLBACK: a->flags |= PAGEMIG_MOVE_NO_FALLBACK; return 0;
	case OPT_OBJECTS: a->flags |= PAGEMIG_MOVE_OBJECTS; return 0;
	case OPT_NOPROGRESS: a->progress = PROGRESS_OFF; return 0;
	case OPT_STRICT: a->builtin.flags |= PAGEMIG_BUILTIN_STRICT; return 0;
	case OPT_POOL: return parse_pool(arg, a);
	case OPT_THREADS: return parse_uint(arg, 1, 8, "thread count", &a->threads);
	case OPT_BATCH: return parse_uint(arg, 1, 1UL << 20, "batch size", &a->batch);
	case OPT_RATE: return parse_rate(arg, &a->rate);
	case OPT_ENGINE:
		if (strcmp(arg, "auto") && strcmp(arg, "pages")) {
			cli_err("invalid --engine '%s' (auto, pages)", arg);
			return EXIT_USAGE;
		}
		a->flags = !strcmp(arg, "pages") ? a->flags | PAGEMIG_MOVE_PER_PAGE : a->flags & ~PAGEMIG_MOVE_PER_PAGE;
		return 0;
	case OPT_PROGRESS:
		if (arg && strcmp(arg, "json") && strcmp(arg, "text")) {
			cli_err("invalid --progress '%s' (text, json)", arg);
			return EXIT_USAGE;
		}
		a->progress = arg && !strcmp(arg, "json") ? PROGRESS_JSON : PROGRESS_TEXT;
		return 0;
	case 'c':
	case 'H':
		if ((c == 'c' ? a->nr_cgroups : a->nr_plugins) == (c == 'c' ? MAX_CGROUPS : MAX_PLUGINS)) {
			cli_err("too many %s (at most %d)", c == 'c' ? "--cgroup paths" : "--handler plugins",
				c == 'c' ? MAX_CGROUPS : MAX_PLUGINS);
			return EXIT_USAGE;
		}
		if (c == 'c')
			a->cgroups[a->nr_cgroups++] = arg;
		else
			a->plugins[a->nr_plugins++] = arg;
		return 0;
	case 'h': usage(stdout); return -1;
	}
	return EXIT_USAGE + 1000;	/* not ours: cli_bad_option() */
}

/*
 * PID[,PID...] [FROM [TO]], as migratepages takes them; with --cgroup the pids may be left out,
 * and then two arguments are FROM and TO.
 */
static int parse_positional(int argc, char **argv, struct move_args *a)
{
	int n = argc - optind, pids = 1;

	if (a->nr_cgroups && (n == 0 || (n == 2 && !a->from && !a->to)))
		pids = 0;
	if (n < pids) {
		cli_err("missing process id (see 'pagemig move --help')");
		return EXIT_USAGE;
	}
	if (n > pids + 2 || (n > pids && (a->from || a->to))) {
		cli_err("too many arguments (see 'pagemig move --help')");
		return EXIT_USAGE;
	}
	if (n > pids)
		a->from = argv[optind + pids];
	if (n > pids + 1)
		a->to = argv[optind + pids + 1];
	if (!a->from || !a->to) {
		cli_err("missing %s (see 'pagemig move --help')", !a->from ? "--from NODES" : "--to NODES");
		return EXIT_USAGE;
	}
	return pids ? cli_targets_add_pids(&a->targets, argv[optind]) : 0;
}

static int parse_args(int argc, char **argv, struct move_args *a, struct cli_out *out)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "all", no_argument, NULL, 'A' },
		{ "regions", required_argument, NULL, 'R' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "objects", no_argument, NULL, OPT_OBJECTS },
		{ "no-fallback", no_argument, NULL, OPT_NOFALLBACK },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "batch", required_argument, NULL, OPT_BATCH },
		{ "threads", required_argument, NULL, OPT_THREADS },
		{ "progress", optional_argument, NULL, OPT_PROGRESS },
		{ "no-progress", no_argument, NULL, OPT_NOPROGRESS },
		{ "handler", required_argument, NULL, 'H' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "hugetlb-pool", required_argument, NULL, OPT_POOL },
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		CLI_AGENT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	a->progress = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:t:c:AR:dqH:h" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_out_opt(out, c, optarg))
			continue;
		rc = cli_agent_opt(&a->agent, c, optarg);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc)
			continue;
		rc = parse_opt(c, optarg, a);
		if (rc == EXIT_USAGE + 1000)
			return cli_bad_option("move", c, argv);
		if (rc)
			return rc;
	}
	if ((a->flags & PAGEMIG_MOVE_OBJECTS) && !(a->flags & PAGEMIG_MOVE_ALL)) {
		cli_err("--objects needs --all (the objects' pages may be other processes' too)");
		return EXIT_USAGE;
	}
	return parse_positional(argc, argv, a);
}

/* An error of the process being moved: printed, and kept for its JSON object. */
static void __attribute__((format(printf, 2, 3))) perr(struct move_cli *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->error, sizeof(m->error), fmt, ap);
	va_end(ap);
	/* one process's text report comes first, its verdict after it (run()) */
	if (m->multi || m->out.json || m->quiet || !m->ran)
		cli_err("%s", m->error);
}

/* cli_fail(), the message kept too. */
static int fail(struct move_cli *m, int err, const char *what, const char *detail)
{
	int rc = cli_fail(err, what, detail);

	snprintf(m->error, sizeof(m->error), "%s: %s", what, detail && *detail ? detail : strerror(-err));
	return rc;
}

/* Parse --from and --to against the target's allowed nodes and the machine's nodes. */
static int parse_nodes(struct move_cli *m, const struct move_args *a, struct pagemig_plan *plan)
{
	const struct pagemig_topology *t = pagemig_topology(m->pm);
	struct pagemig_nodemask allowed, from, to;
	PAGEMIG_OPTS(pagemig_nodectx, ctx, .online = pagemig_topology_online(t), .allowed = &allowed,
		     .memory = pagemig_topology_memory(t));
	char err[256];

	if (pagemig_mems_allowed(m->pm, &allowed))
		allowed = *ctx.online;
	if (pagemig_nodemask_parse(a->from, &ctx, &from, err, sizeof(err))) {
		perr(m, "--from '%s': %s", a->from, err);
		return EXIT_USAGE;
	}
	ctx.need_memory = true;
	if (pagemig_nodemask_parse(a->to, &ctx, &to, err, sizeof(err))) {
		perr(m, "--to '%s': %s", a->to, err);
		return EXIT_USAGE;
	}
	if (pagemig_plan(&from, &to, plan)) {
		perr(m, "empty node list");
		return EXIT_USAGE;
	}
	m->plan = plan;
	pagemig_nodemask_format(&plan->from, m->from, sizeof(m->from));
	pagemig_nodemask_format(&plan->to, m->to, sizeof(m->to));
	return 0;
}

/* The built-in handlers, then each --handler plugin: a bad plugin stops us before anything moves. */
static int load_handlers(struct move_cli *m, const struct move_args *a)
{
	struct pagemig_builtin_opts bo = a->builtin;
	char err[512];
	int i, ret;

	bo.sz = sizeof(bo);
	ret = pagemig_builtins_register(m->pm, &bo);
	if (ret)
		return fail(m, ret, "cannot register the built-in handlers", NULL);
	for (i = 0; i < a->nr_plugins; i++) {
		ret = pagemig_plugin_load(m->pm, a->plugins[i], err, sizeof(err));
		if (ret) {
			perr(m, "%s; nothing was moved", err);
			return EXIT_HANDLER;
		}
	}
	return 0;
}

/* What pagemig_move() returned, once the counts are there: the process's exit code. */
static int move_outcome(struct move_cli *m, int ret, const char **how)
{
	char b[32];

	if (m->st.numa_balancing && !m->quiet && !m->dry_run && !m->warned) {
		cli_warn("NUMA balancing is on (kernel.numa_balancing): the kernel may move pages back later");
		m->warned = true;
	}
	if (ret == -ESRCH) {
		*how = "target exited";
		perr(m, "process %d exited during the move; its counts say what moved before", (int)m->pid);
		return EXIT_NOPROC;
	}
	if (ret == -ECANCELED && move_stop_signal) {
		*how = "interrupted";
		perr(m, "%s stopped the move of process %d; its counts say what moved before",
		     move_stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", (int)m->pid);
		return EXIT_INTERRUPTED;
	}
	if (ret < 0)
		return fail(m, ret, "move stopped", NULL);
	if (ret == PAGEMIG_PARTIAL) {
		perr(m, "%s of the planned pages of process %d could not move (see LEFT and RESULT)",
		     cli_size(report_left(&m->st), b, sizeof(b)), (int)m->pid);
		return EXIT_PARTIAL;
	}
	return EXIT_OK;
}

/* -EPERM from the library: which privilege --all or --objects lacks (nothing was moved). */
static int perm_error(struct move_cli *m)
{
	if (m->objects && !unmapped_may_map())
		perr(m, "--objects maps shared objects through /proc/%d/map_files and needs CAP_SYS_ADMIN "
		     "(or CAP_CHECKPOINT_RESTORE); nothing was moved", (int)m->pid);
	else
		perr(m, "--all moves pages shared with other processes and needs CAP_SYS_NICE; nothing was moved");
	return EXIT_PERM;
}

/* The move, or with --dry-run the library's dry run of it (a row per region, its plan). */
static int do_move(struct move_cli *m, const struct move_args *a, const struct pagemig_filter *filter,
		   const char **how)
{
	PAGEMIG_OPTS(pagemig_move_opts, opts, .flags = a->flags, .filter = filter, .batch = a->batch,
		     .threads = a->threads, .progress = report_progress, .progress_ctx = m,
		     .region_done = report_region, .region_ctx = m, .rate = a->rate);
	struct pagemig_handler_error herr = { 0 };
	char what[64], msg[512];
	int ret;

	if (a->dry_run) {
		opts.flags |= PAGEMIG_MOVE_DRY_RUN;
		opts.progress = NULL;
		opts.region_done = report_plan_region;
	}

	opts.handler_error = &herr;
	opts.agent = m->agent;
	ret = pagemig_move(m->pm, m->plan, &opts, &m->st);
	if (m->progress == PROGRESS_TEXT)
		fputc('\n', stderr);
	if (ret == -EPERM && !m->st.regions && (a->flags & PAGEMIG_MOVE_ALL))
		return perm_error(m);
	if (herr.err) {
		ret = cli_handler_error(m->pid, &herr, msg, sizeof(msg));
		perr(m, "%s", msg);
		return ret;
	}
	if (herr.finish_err && !m->quiet)
		cli_warn("process %d's agent %s", (int)m->pid, herr.finish_err == -ESTALE
			 ? "had ended the move on its own (its lease ran out): its handlers were told it failed"
			 : "did not confirm the end of the move");
	if (ret < 0 && !m->st.regions) {
		snprintf(what, sizeof(what), "cannot %s process %d", a->dry_run ? "read" : "move", (int)m->pid);
		return fail(m, ret, what, NULL);
	}
	m->ran = true;
	unmapped_count(m);
	return move_outcome(m, ret, how);
}

/* One process, from its pid to its report; its exit code. */
static int move_process(struct move_cli *m, const struct move_args *a, const struct pagemig_filter *filter,
			pid_t pid)
{
	char errbuf[256] = "", what[64], msg[512];
	PAGEMIG_OPTS(pagemig_open_opts, oo, .errbuf = errbuf, .errlen = sizeof(errbuf), .flags = PAGEMIG_OPEN_MOVE);
	struct pagemig_plan plan;
	const char *how = NULL;
	int rc, err;

	m->pid = pid;
	m->pm = NULL;
	m->ran = false;
	m->error[0] = '\0';
	m->unmapped = 0;
	m->last_ns = 0;
	memset(&m->st, 0, sizeof(m->st));
	m->st.sz = sizeof(m->st);
	if (move_stop_signal) {
		how = "not moved: interrupted";
		snprintf(m->error, sizeof(m->error), "%s", how);
		rc = EXIT_INTERRUPTED;
		goto out;
	}
	snprintf(what, sizeof(what), "cannot read process %d", (int)pid);
	rc = pagemig_open(pid, &oo, &m->pm);
	if (rc) {
		rc = fail(m, rc, what, errbuf);
		goto out;
	}
	rc = parse_nodes(m, a, &plan);
	if (!rc)
		rc = load_handlers(m, a);
	if (!rc && (rc = cli_agent_connect(m->pm, &a->agent, &m->agent, msg, sizeof(msg))))
		perr(m, "%s", msg);
	if (!rc)
		rc = report_table_open(m);
	if (!rc)
		rc = do_move(m, a, filter, &how);
	pagemig_agent_disconnect(m->agent);
	m->agent = NULL;
	pagemig_close(m->pm);
	m->pm = NULL;
out:
	err = report_process(m, rc, how);
	free(m->cands);		/* noted by a move that did not get as far as unmapped_count() */
	m->cands = NULL;
	m->nr_cands = m->cap_cands = 0;
	return err ? cli_exit_worst(rc, err) : rc;
}

static void on_stop(int sig)
{
	move_stop_signal = sig;
}

/* SIGINT and SIGTERM: stop at the next batch; a second one kills as it would have (SA_RESETHAND). */
static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop, .sa_flags = SA_RESTART | SA_RESETHAND };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The processes named and those of every --cgroup, sorted, each once. */
static int collect_targets(struct move_args *a)
{
	int i, rc;

	for (i = 0; i < a->nr_cgroups; i++) {
		rc = cli_targets_add_cgroup(&a->targets, a->cgroups[i]);
		if (rc)
			return rc;
	}
	cli_targets_sort(&a->targets);
	if (!a->targets.n) {
		cli_err("no process in cgroup '%s'%s", a->cgroups[0], a->nr_cgroups > 1 ? " and the others" : "");
		return EXIT_NOPROC;
	}
	return 0;
}

static int move_all(struct move_cli *m, struct move_args *a, const struct pagemig_filter *filter)
{
	size_t i;
	int rc = EXIT_OK, one, err;

	m->quiet = a->quiet;
	m->dry_run = a->dry_run;
	m->objects = a->flags & PAGEMIG_MOVE_OBJECTS;
	m->multi = a->targets.n > 1 || a->nr_cgroups;
	m->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	m->from_arg = a->from;
	m->to_arg = a->to;
	m->t0_ns = report_now_ns();
	m->progress = a->dry_run || a->quiet || (a->progress < 0 && (m->out.json || !isatty(STDERR_FILENO)))
			      ? PROGRESS_OFF : a->progress < 0 ? PROGRESS_TEXT : a->progress;
	if (!a->dry_run)
		catch_stop_signals();
	for (i = 0; i < a->targets.n; i++) {
		one = move_process(m, a, filter, a->targets.pids[i]);
		rc = cli_exit_worst(rc, one);
		if (one == EXIT_USAGE && i == 0)
			break;		/* bad node lists: nothing moved yet, nothing will */
	}
	err = report_finish(m, rc);
	if (!m->multi && !m->out.json && !m->quiet && m->ran && m->error[0])
		cli_err("%s", m->error);	/* the verdict, after the report it refers to */
	return err ? cli_exit_worst(rc, err) : rc;
}

static int run(int argc, char **argv)
{
	struct move_args a = { 0 };
	struct move_cli m = { .total = { .sz = sizeof(m.total) } };
	struct pagemig_filter *filter = NULL;
	char errbuf[256] = "";
	int rc;

	rc = parse_args(argc, argv, &a, &m.out);
	if (rc)
		goto out;
	if (a.regions && pagemig_filter_parse(a.regions, &filter, errbuf, sizeof(errbuf))) {
		cli_err("--regions: %s", errbuf);
		rc = EXIT_USAGE;
		goto out;
	}
	rc = collect_targets(&a);
	if (!rc)
		rc = move_all(&m, &a, filter);
out:
	pagemig_filter_free(filter);
	cli_targets_free(&a.targets);
	return rc < 0 ? EXIT_OK : rc;
}

const struct cli_cmd cmd_move = {
	.name = "move",
	.summary = "move processes' memory between nodes, page-exact and verified",
	.run = run,
	.usage = usage,
};
