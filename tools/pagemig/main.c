// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - pagemig's entry point: global options and subcommand dispatch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd *const cmds[] = {
	&cmd_nodes,
	&cmd_show,
	&cmd_move,
	&cmd_handlers,
	&cmd_agents,
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "Usage: pagemig [--help] [--version] COMMAND [ARGS]\n\n"
		     "Move a running process's memory between NUMA nodes and memory tiers, region by region.\n\n"
		     "Commands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %-10s %s\n", cmds[i]->name, cmds[i]->summary);
	fprintf(out, "  %-10s %s\n", "help", "show the help of a command");
	fprintf(out, "\nNode lists use numactl's syntax: 1  0-3  0,2-3  all  !1  +0-1 (relative to the\n"
		     "target's allowed nodes).  See pagemig(1).\n");
}

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

static int help_cmd(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		cli_err("unknown command '%s' (see 'pagemig --help')", argv[1]);
		return EXIT_USAGE;
	}
	c->usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pagemig %s (libpagemig %s)\n", PAGEMIG_VERSION_STRING, pagemig_version());
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help"))
		return help_cmd(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		cli_err("unknown option '%s' (see 'pagemig --help')", argv[1]);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		cli_err("unknown command '%s' (see 'pagemig --help')", argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
