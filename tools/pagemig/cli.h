/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h - what the pagemig subcommands share: exit codes, messages, table output. */
#ifndef PAGEMIG_CLI_H
#define PAGEMIG_CLI_H

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
	EXIT_BUSY = 7,		/* the target's agent serves another mover: try again */
	EXIT_INTERRUPTED = 130,	/* SIGINT or SIGTERM stopped a move (128 + SIGINT, as shells say) */
};

/*
 * Several processes: the exit code is the worst of theirs, in this order (pagemig(1)):
 * 0 < 5 partial < 3 gone < 4 permission < 2 usage < 7 busy < 6 handler < 1 failure < 130 interrupted.
 */
int cli_exit_worst(int a, int b);

/*
 * targets.c: the processes of "PID[,PID...]" and of --cgroup PATH (cgroup v2, with every cgroup
 * below it).  The add functions return 0, or an exit code after printing why; cli_targets_sort()
 * puts the pids in order, each once.
 */
struct cli_targets {
	pid_t *pids;
	size_t n;
	size_t cap;
};
int cli_targets_add_pids(struct cli_targets *t, const char *list);
int cli_targets_add_cgroup(struct cli_targets *t, const char *path);
void cli_targets_sort(struct cli_targets *t);
void cli_targets_free(struct cli_targets *t);

/* One subcommand: its name, one-line summary, entry point and usage text. */
struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*usage)(FILE *out);
};

extern const struct cli_cmd cmd_nodes, cmd_show, cmd_move, cmd_handlers, cmd_agents;

/* Diagnostics on stderr: "pagemig: MESSAGE". */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Map a library -errno to an exit code and print "pagemig: WHAT: strerror" (or @detail). */
int cli_fail(int err, const char *what, const char *detail);

/*
 * getopt_long()'s error return for subcommand @cmd as one line ("unknown option '--x' (see 'pagemig
 * show --help')", "option '-o' needs an argument"); returns EXIT_USAGE.  Subcommands set opterr
 * to 0 and start their option string with ':' so that a missing argument is ':'.
 */
int cli_bad_option(const char *cmd, int c, char **argv);

/*
 * The target's agent (agent_opt.c): --agent=auto|require|off, --agent-timeout SECONDS,
 * --agent-dir DIR, shared by the subcommands that read or move a process.
 */
enum cli_agent_mode { CLI_AGENT_AUTO, CLI_AGENT_REQUIRE, CLI_AGENT_OFF };
struct cli_agent {
	enum cli_agent_mode mode;
	unsigned int timeout_ms;	/* 0: the library's default (10 s) */
	const char *dir;
};
enum { CLI_OPT_AGENT = 0x1000, CLI_OPT_AGENT_TIMEOUT, CLI_OPT_AGENT_DIR };
#define CLI_AGENT_LONGOPTS                                                   \
	{ "agent", required_argument, NULL, CLI_OPT_AGENT },                 \
	{ "agent-timeout", required_argument, NULL, CLI_OPT_AGENT_TIMEOUT }, \
	{ "agent-dir", required_argument, NULL, CLI_OPT_AGENT_DIR }
/* 1 when @c was one of those (-1: a bad value, printed), 0 when it is not. */
int cli_agent_opt(struct cli_agent *a, int c, const char *arg);
/*
 * Connect to @pm's agent as the mode says: 0 with *@out set or NULL (no agent, or auto and none
 * answers; a socket not to be trusted is a warning then), or an exit code with the reason in @msg.
 */
int cli_agent_connect(struct pagemig *pm, const struct cli_agent *a, struct pagemig_agent_conn **out, char *msg,
		      size_t len);
/* "agent:NAME" for a region an owner's handler claims, else NULL. */
const char *cli_agent_claim(struct pagemig_agent_conn *c, const struct pagemig_region *r, char *buf, size_t len);
/* What stopped a move in a handler (ours or the owner's), into @msg; returns the exit code. */
int cli_handler_error(pid_t pid, const struct pagemig_handler_error *he, char *msg, size_t len);

/* Parse a pid argument ("1234"); prints the error and returns -1 when it is not one. */
pid_t cli_parse_pid(const char *s);

/*
 * Table output shared by every subcommand (table.c): aligned columns, -o, --raw, --json, --bytes,
 * with util-linux's conventions.  A column's cells are text; its JSON type says how JSON prints
 * them: a string, a number, or a number array from a comma list ("1,2,3").  An empty cell is null.
 */
enum {
	CLI_COL_RIGHT = 1 << 0,	/* right-aligned (numbers) */
	CLI_COL_TRUNC = 1 << 1,	/* may be cut to fit a terminal (never when stdout is not one) */
};

enum {
	CLI_JSON_STRING,
	CLI_JSON_NUMBER,
	CLI_JSON_ARRAY,
};

struct cli_col {
	const char *name;	/* as in -o; JSON keys are the name in lowercase */
	int flags;		/* CLI_COL_* */
	const char *help;	/* for --help's column list */
	int json_type;		/* CLI_JSON_* */
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

#define CLI_MAX_COLS 64

/* A cell as table.c keeps it: a number (formatted only when printed) or text in the arena. */
struct cli_cellv {
	uint8_t kind;			/* table.c's CELL_* */
	uint64_t a, b;			/* the number(s); text: a is its offset in the arena */
};

/* One block of encoded rows (table.c); rows never straddle two. */
struct cli_chunk {
	struct cli_chunk *next;
	size_t len, cap;
	unsigned char data[];
};

/* A cell set again after its row was stored: applied when the rows are read back. */
struct cli_override {
	size_t ln, pos;
	struct cli_cellv c;
};

#define CLI_INTERN 512

/*
 * A table: the columns chosen by -o (or the defaults, given as a comma list), rows filled by
 * column index of @cols; setting a cell of a column that is not shown costs nothing.  The row
 * being filled is kept as cells; when the next one starts it is stored in a few bytes (table.c):
 * numbers as numbers, a cell equal to the one above as one byte, text as an offset into one
 * arena where each distinct string is kept once.  Cells are formatted only when printed.
 */
struct cli_table {
	const struct cli_col *cols;
	size_t ncols;
	const char *name;		/* the JSON member holding the rows */
	bool json, raw, noheadings;
	int map[CLI_MAX_COLS];		/* map[i]: the position of cols[i], or -1 when not shown */
	int shown[CLI_MAX_COLS];	/* shown[pos]: the cols index at position pos */
	size_t nshown;
	size_t nlines;
	long open;			/* the row being filled (not stored yet), or -1 */
	struct cli_cellv cur[CLI_MAX_COLS];	/* its cells */
	struct cli_cellv above[CLI_MAX_COLS];	/* the last stored row's */
	struct cli_chunk *rows, *last;	/* the stored rows */
	struct cli_override *over;	/* sorted by row and position */
	size_t nover, over_cap;
	char *text;
	size_t text_len, text_cap;
	uint32_t intern[CLI_INTERN];	/* offsets of recent strings in text, by hash */
	size_t width[CLI_MAX_COLS];	/* aligned tables: each position's widest cell so far */
	bool rewritten;			/* a stored cell was set again: width[] may be too wide */
	int err;			/* -ENOMEM once a row or a cell could not be stored */
};
/* Returns 0, -EINVAL (printed: an unknown column) or -ENOMEM. */
int cli_table_new(struct cli_table *t, const struct cli_out *o, const char *name,
		  const struct cli_col *cols, size_t ncols, const char *defaults);
/* A new row: its number, or -ENOMEM. */
long cli_table_line(struct cli_table *t);
/* Set cell @col of row @ln (ignored when the column is not shown); printf-style. */
void cli_cell(struct cli_table *t, long ln, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void cli_cell_str(struct cli_table *t, long ln, int col, const char *s);
void cli_cell_u64(struct cli_table *t, long ln, int col, uint64_t v);
/* @v in hex, without "0x" (as maps writes an address). */
void cli_cell_hex(struct cli_table *t, long ln, int col, uint64_t v);
/* "START-END" in hex, as maps writes a range. */
void cli_cell_range(struct cli_table *t, long ln, int col, uint64_t start, uint64_t end);
/* "1,2,3": a JSON array (CLI_JSON_ARRAY) of @nr numbers. */
void cli_cell_list(struct cli_table *t, long ln, int col, const uint64_t *v, int nr);
/* A size cell: "12.5M" style, or exact bytes with --bytes or in JSON. */
void cli_cell_size(struct cli_table *t, const struct cli_out *o, long ln, int col, uint64_t bytes);
/*
 * Print the table on stdout as the options ask; a failure to store or to write is printed and
 * returned (-errno), so that no half table passes for a whole one.
 */
int cli_table_print(struct cli_table *t);
int cli_table_fprint(struct cli_table *t, FILE *f);
/* JSON only: the rows as the member "NAME": [...] of an object the caller opens and closes. */
int cli_table_print_member(struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);

/* @s as a JSON string on @f: quoted, escaped, always valid (json.c). */
void cli_json_str(FILE *f, const char *s);

/* "12.5M" human size into @buf. */
const char *cli_size(uint64_t bytes, char *buf, size_t len);

#endif
