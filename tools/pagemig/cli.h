/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the pagemig subcommands share: exit codes, messages, table output. */
#ifndef PAGEMIG_CLI_H
#define PAGEMIG_CLI_H

#include <libsmartcols.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>

#include "pagemig.h"

/* Exit codes: documented in pagemig(1) under EXIT STATUS, and tested. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,	/* a runtime failure (I/O, out of memory, kernel error) */
	EXIT_USAGE = 2,		/* bad usage: options, node strings, filters, pids */
	EXIT_NOPROC = 3,	/* no such process (or it exited) */
	EXIT_PERM = 4,		/* permission denied */
	EXIT_PARTIAL = 5,	/* some pages could not move: the breakdown is printed */
	EXIT_HANDLER = 6,	/* a region handler or plugin failed, or was rejected */
};

/* One subcommand: its name, one-line summary, entry point and usage text. */
struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

extern const struct cli_cmd cmd_nodes, cmd_show, cmd_move, cmd_handlers;

/* Diagnostics on stderr: "pagemig: MESSAGE". */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Map a library -errno to an exit code and print "pagemig: WHAT: strerror" (or @detail). */
int cli_fail(int err, const char *what, const char *detail);

/* Parse a pid argument ("1234"); prints the error and returns -1 when it is not one. */
pid_t cli_parse_pid(const char *s);

/* Table output shared by every subcommand (libsmartcols): -o, --json, --raw, --bytes. */
struct cli_col {
	const char *name;	/* as in -o and JSON keys (lowercase in JSON) */
	double whint;		/* smartcols width hint */
	int flags;		/* SCOLS_FL_* */
	const char *help;	/* for --help's column list */
	int json_type;		/* SCOLS_JSON_* */
};

struct cli_out {
	bool json;
	bool raw;
	bool bytes;
	bool noheadings;
	const char *columns;	/* -o LIST, NULL for the default set */
};

/* Long options every table-printing subcommand accepts; handle with cli_out_opt(). */
#define CLI_OUT_LONGOPTS                                         \
	{ "json", no_argument, NULL, 'J' },                      \
	{ "raw", no_argument, NULL, 'r' },                       \
	{ "bytes", no_argument, NULL, 'b' },                     \
	{ "noheadings", no_argument, NULL, 'n' },                \
	{ "output", required_argument, NULL, 'o' }
#define CLI_OUT_SHORTOPTS "Jrbno:"
bool cli_out_opt(struct cli_out *o, int c, const char *arg);
void cli_out_usage(FILE *out, const struct cli_col *cols, size_t ncols);

/*
 * A table: columns chosen by -o (or the defaults, given as a comma list), rows filled by column
 * index of @cols.  cli_table_new() prints the error for a bad -o and returns NULL.
 */
struct cli_table {
	struct libscols_table *tb;
	const struct cli_col *cols;
	size_t ncols;
	int map[64];		/* map[i]: the table column of cols[i], or -1 when not shown */
};
int cli_table_new(struct cli_table *t, const struct cli_out *o, const char *name,
		  const struct cli_col *cols, size_t ncols, const char *defaults);
struct libscols_line *cli_table_line(struct cli_table *t, struct libscols_line *parent);
/* Set cell @col of @ln (ignored when the column is not shown); printf-style. */
void cli_cell(struct cli_table *t, struct libscols_line *ln, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A size cell: "12.5M" style, or exact bytes with --bytes or in JSON. */
void cli_cell_size(struct cli_table *t, const struct cli_out *o, struct libscols_line *ln, int col,
		   uint64_t bytes);
void cli_table_print(struct cli_table *t);
void cli_table_free(struct cli_table *t);

/* "12.5M" human size into @buf. */
const char *cli_size(uint64_t bytes, char *buf, size_t len);

#endif
