// SPDX-License-Identifier: GPL-2.0-or-later
/* agents.c - `pagemig agents`: the processes whose own region handlers serve movers. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

enum { COL_PID, COL_UID, COL_HANDLER, COL_RANGE, COL_DESC, COL_SOCKET };

static const struct cli_col cols[] = {
	[COL_PID] = { "PID", CLI_COL_RIGHT, "process id", CLI_JSON_NUMBER },
	[COL_UID] = { "UID", CLI_COL_RIGHT, "its effective uid", CLI_JSON_NUMBER },
	[COL_HANDLER] = { "HANDLER", 0, "a handler its agent serves", CLI_JSON_STRING },
	[COL_RANGE] = { "RANGE", 0, "the range it owns (range handlers; empty for class handlers)", CLI_JSON_STRING },
	[COL_DESC] = { "DESCRIPTION", CLI_COL_TRUNC, "what it does", CLI_JSON_STRING },
	[COL_SOCKET] = { "SOCKET", 0, "the agent's socket, in the process's root", CLI_JSON_STRING },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: pagemig agents [options]\n\n"
		   "List the processes that run a pagemig agent (pagemig_agent_start()): their own region\n"
		   "handlers, which `pagemig move` runs in them before it moves their pages.  Only processes\n"
		   "the caller may move are listed.\n\n"
		   "Options:\n"
		   "      --agent-timeout S seconds to wait for each agent's answer (default 10)\n"
		   "      --agent-dir DIR   look for sockets in DIR only\n"
		   "  -h, --help            this help\n");
	cli_out_usage(f, cols, sizeof(cols) / sizeof(cols[0]));
}

/* A cheap look before connecting: does @pid have a socket at one of the usual places? */
static bool may_have_agent(pid_t pid, const char *dir)
{
	char path[512], line[256];
	unsigned int euid = 0;
	long nspid = pid;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Uid:", 4))
			sscanf(line + 4, "%*u %u", &euid);
		else if (!strncmp(line, "NSpid:", 6))
			nspid = strtol(strrchr(line, '\t') ? strrchr(line, '\t') + 1 : line + 6, NULL, 10);
	}
	fclose(f);
	if (dir) {
		snprintf(path, sizeof(path), "/proc/%d/root%s/%ld.sock", (int)pid, dir, nspid);
		return !lstat(path, &st);
	}
	if (!euid) {
		snprintf(path, sizeof(path), "/proc/%d/root/run/pagemig/%ld.sock", (int)pid, nspid);
		return !lstat(path, &st);
	}
	snprintf(path, sizeof(path), "/proc/%d/root/run/user/%u/pagemig/%ld.sock", (int)pid, euid, nspid);
	if (!lstat(path, &st))
		return true;
	snprintf(path, sizeof(path), "/proc/%d/root/tmp/pagemig-%u/%ld.sock", (int)pid, euid, nspid);
	return !lstat(path, &st);
}

static uid_t euid_of(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) ? (uid_t)-1 : st.st_uid;
}

/* One row per handler of @pid's agent; an agent that cannot be asked gets a warning. */
static void add_agent(struct cli_table *tb, pid_t pid, const struct cli_agent *ag)
{
	struct pagemig_agent_conn *c = NULL;
	struct pagemig_agent_handler h;
	struct pagemig *pm;
	char err[512];
	struct pagemig_agent_connect_opts o = {
		.sz = sizeof(o), .socket_dir = ag->dir, .timeout_ms = ag->timeout_ms, .errbuf = err, .errlen = sizeof(err),
	};
	unsigned int i;
	int ret;

	if (pagemig_open(pid, NULL, &pm))
		return;		/* not ours to move, or gone */
	ret = pagemig_agent_connect(pm, &o, &c);
	if (ret && ret != -ENOENT && ret != -ESRCH)
		cli_warn("%s", err);
	for (i = 0; !ret && !(ret = pagemig_agent_handler_get(c, i, &h)); i++) {
		long ln = cli_table_line(tb);

		cli_cell(tb, ln, COL_PID, "%d", (int)pid);
		cli_cell(tb, ln, COL_UID, "%u", (unsigned int)euid_of(pid));
		cli_cell_str(tb, ln, COL_HANDLER, h.name);
		if (h.len)
			cli_cell_range(tb, ln, COL_RANGE, h.start, h.start + h.len);
		cli_cell_str(tb, ln, COL_DESC, h.description);
		cli_cell_str(tb, ln, COL_SOCKET, pagemig_agent_socket(c));
	}
	if (c && ret && ret != -ENOENT && ret != -ESRCH)	/* the agent's refusal comes with LIST's answer */
		cli_warn("cannot list process %d's agent: %s", (int)pid, strerror(-ret));
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

static int list(struct cli_table *tb, const struct cli_agent *ag)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return cli_fail(-errno, "cannot read '/proc'", NULL);
	while ((de = readdir(d))) {
		pid_t pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (pid != getpid() && may_have_agent(pid, ag->dir))
			add_agent(tb, pid, ag);
	}
	closedir(d);
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		CLI_AGENT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_agent ag = { .mode = CLI_AGENT_AUTO };
	struct cli_out out = { 0 };
	struct cli_table tb;
	int c, r, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_out_opt(&out, c, optarg))
			continue;
		r = c == CLI_OPT_AGENT ? 0 : cli_agent_opt(&ag, c, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		return cli_bad_option("agents", c, argv);
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' (see 'pagemig agents --help')", argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_table_new(&tb, &out, "agents", cols, sizeof(cols) / sizeof(cols[0]), "PID,UID,HANDLER,RANGE,DESCRIPTION"))
		return EXIT_USAGE;
	ret = list(&tb, &ag);
	if (!ret)
		ret = cli_table_print(&tb) ? EXIT_FAILURE_ : EXIT_OK;
	cli_table_free(&tb);
	return ret;
}

const struct cli_cmd cmd_agents = {
	.name = "agents",
	.summary = "list the processes whose own region handlers serve movers (pagemig agents)",
	.run = run,
	.usage = usage,
};
