// SPDX-License-Identifier: GPL-2.0-or-later
/* handlers.c - `pagemig handlers`: the region handlers a move would use. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

enum { COL_NAME, COL_SOURCE, COL_DESC };

static const struct cli_col cols[] = {
	[COL_NAME] = { "NAME", 0, "handler name", CLI_JSON_STRING },
	[COL_SOURCE] = { "SOURCE", 0, "built-in, or the plugin that registered it", CLI_JSON_STRING },
	[COL_DESC] = { "DESCRIPTION", CLI_COL_TRUNC, "what it does", CLI_JSON_STRING },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: pagemig handlers [options]\n\n"
		   "List the region handlers (migration functions) that `pagemig move` runs before regular\n"
		   "page migration: the built-ins and the handlers of loaded plugins.\n\n"
		   "Options:\n"
		   "  -H, --handler PATH    load a plugin and list its handlers too (repeatable)\n"
		   "  -h, --help            this help\n");
	cli_out_usage(f, cols, sizeof(cols) / sizeof(cols[0]));
}

static void add_rows(struct cli_table *tb, struct pagemig *pm, int *last, const char *source)
{
	const struct pagemig_region_ops *ops;
	int id;

	for (id = pagemig_handler_next(pm, *last, &ops, NULL, NULL); id > 0;
	     id = pagemig_handler_next(pm, id, &ops, NULL, NULL)) {
		long ln = cli_table_line(tb);

		cli_cell_str(tb, ln, COL_NAME, ops->name ? ops->name : "?");
		cli_cell_str(tb, ln, COL_SOURCE, source);
		cli_cell_str(tb, ln, COL_DESC, ops->sz > offsetof(struct pagemig_region_ops, description) &&
						       ops->description ? ops->description : "");
		*last = id;
	}
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "handler", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		CLI_OUT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_out out = { 0 };
	struct cli_table tb;
	const char *plugins[16];
	struct pagemig *pm;
	int c, i, n = 0, last = 0, ret;
	char err[512];

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":H:h" CLI_OUT_SHORTOPTS, longopts, NULL)) != -1) {
		if (cli_out_opt(&out, c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		if (c != 'H')
			return cli_bad_option("handlers", c, argv);
		if (n == 16) {
			cli_err("too many --handler plugins (at most 16)");
			return EXIT_USAGE;
		}
		plugins[n++] = optarg;
	}
	if (optind < argc) {
		cli_err("unexpected argument '%s' (see 'pagemig handlers --help')", argv[optind]);
		return EXIT_USAGE;
	}
	ret = pagemig_open(0, NULL, &pm);
	if (ret)
		return cli_fail(ret, "cannot open the calling process", NULL);
	ret = pagemig_builtins_register(pm, NULL);
	if (ret) {
		ret = cli_fail(ret, "cannot register the built-in handlers", NULL);
		goto out;
	}
	if (cli_table_new(&tb, &out, "handlers", cols, sizeof(cols) / sizeof(cols[0]), "NAME,SOURCE,DESCRIPTION")) {
		ret = EXIT_USAGE;
		goto out;
	}
	add_rows(&tb, pm, &last, "built-in");
	for (i = 0; i < n; i++) {
		if (pagemig_plugin_load(pm, plugins[i], err, sizeof(err))) {
			cli_err("%s", err);
			ret = EXIT_HANDLER;
			goto out_table;
		}
		add_rows(&tb, pm, &last, plugins[i]);
	}
	ret = cli_table_print(&tb) ? EXIT_FAILURE_ : EXIT_OK;
out_table:
	cli_table_free(&tb);
out:
	pagemig_close(pm);
	return ret;
}

const struct cli_cmd cmd_handlers = {
	.name = "handlers",
	.summary = "list the region handlers (built-ins and plugins) a move runs",
	.run = run,
	.usage = usage,
};
