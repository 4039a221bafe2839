/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * move.h - what `pagemig move` shares between move.c (options, processes, signals) and
 * move_report.c (the table, the summary, the JSON document, the progress output).
 */
#ifndef PAGEMIG_MOVE_H
#define PAGEMIG_MOVE_H

#include <signal.h>

#include "cli.h"

enum {
	COL_PID, COL_RANGE, COL_SIZE, COL_KIND, COL_PATH, COL_PLANNED, COL_MOVED, COL_STAYED, COL_SHARED,
	COL_LEFT, COL_NOTPRES, COL_UNMAPPED, COL_OBJECT, COL_RESULT, COL_PLAN, COL_HANDLER, NR_MOVE_COLS,
};
extern const struct cli_col move_cols[NR_MOVE_COLS];

enum { PROGRESS_OFF, PROGRESS_TEXT, PROGRESS_JSON };

/* The signal that asked the move to stop (SIGINT, SIGTERM), 0 while none did. */
extern volatile sig_atomic_t move_stop_signal;

/* A shm or shared file region with pages not present: unmapped.c looks at its object. */
struct unmapped_cand {
	uint64_t start;
	uint64_t end;
	uint64_t not_present;
	long ln;			/* its row, -1 when it has none */
};

/* The report of a move of one or several processes, and the process being moved. */
struct move_cli {
	struct cli_out out;
	struct cli_table tb;		/* text: every process's rows; JSON: the current process's */
	bool tb_open;
	bool quiet;			/* -q: nothing on stdout, no warnings */
	bool dry_run;
	bool objects;			/* --objects: the shared objects' unmapped pages move too */
	bool multi;			/* several processes: PID column, JSON "processes" array */
	int progress;			/* PROGRESS_* */
	uint64_t page_size;		/* the machine's base page size */
	const char *from_arg;		/* the node lists as given, for the total's line */
	const char *to_arg;
	/* the process being moved */
	pid_t pid;
	struct pagemig *pm;
	struct pagemig_agent_conn *agent;	/* its agent, when it has one (the owner's handlers) */
	const struct pagemig_plan *plan;
	char from[256], to[256];	/* its plan's node lists */
	struct pagemig_stats st;	/* its counts */
	bool ran;			/* they are to be reported: the move (or dry run) ran */
	char error[256];		/* why it failed, for JSON; "" when it did not */
	uint64_t unmapped;		/* bytes of its shared objects in memory but not mapped by it */
	struct unmapped_cand *cands;
	size_t nr_cands, cap_cands;
	uint64_t last_ns;
	bool warned;			/* the NUMA balancing warning was given */
	/* over every process */
	struct pagemig_stats total;
	uint64_t t0_ns;
	uint64_t total_unmapped;
	int nprocs;
	bool any_ran;
	int njson;			/* process objects printed so far */
	char *lines;			/* text, several processes: each one's summary line */
	size_t lines_len;
};

/* The table for the next rows (the first process, or in JSON each one); 0 or an exit code. */
int report_table_open(struct move_cli *m);
/* pagemig_move_opts callbacks: a region's row; the progress line (and the stop signal). */
void report_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx);
int report_progress(const struct pagemig_progress *p, void *ctx);
/* --dry-run's region_done: a region's plan row, from its numa_maps counts. */
void report_plan_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx);
/* The process is done (@rc its exit code, @how its RESULT when it did not finish): rows, JSON. */
int report_process(struct move_cli *m, int rc, const char *how);
/* The end: text table and summaries, or the JSON document's end; @rc the command's exit code. */
int report_finish(struct move_cli *m, int rc);
/* Bytes that should have moved and did not. */
uint64_t report_left(const struct pagemig_stats *st);
/*
 * unmapped.c: note a region of the move (from report_region()); after the move, move the bytes of
 * their shared objects that are in memory but not mapped by the process from "not-present" to
 * @m->unmapped (needs root: /proc/PID/map_files), in the counts and in the rows.
 */
void unmapped_note(struct move_cli *m, const struct pagemig_region *r, const struct pagemig_stats *st, long ln);
void unmapped_count(struct move_cli *m);
/* --objects: whether we may open /proc/PID/map_files (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE). */
bool unmapped_may_map(void);
/* Clock for elapsed times. */
uint64_t report_now_ns(void);

#endif
