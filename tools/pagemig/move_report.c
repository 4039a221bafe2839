// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * move_report.c - what `pagemig move` prints: one row per region (and a total per process), then
 * a summary of every counter; or one JSON document with the same rows and a "totals" object; and
 * the progress output on stderr.  Several processes share one table (a PID column) in text, and
 * are objects of a "processes" array in JSON, followed by the totals over all of them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "move.h"

const struct cli_col move_cols[NR_MOVE_COLS] = {
	[COL_PID] = { "PID", CLI_COL_RIGHT, "process id (several processes)", CLI_JSON_NUMBER },
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
	[COL_UNMAPPED] = { "UNMAPPED", CLI_COL_RIGHT, "shared object in memory, not mapped by the process (root)",
			   CLI_JSON_NUMBER },
	[COL_OBJECT] = { "OBJECT", CLI_COL_RIGHT, "--objects: moved through pagemig's mapping of the shared object",
			 CLI_JSON_NUMBER },
	[COL_RESULT] = { "RESULT", 0, "ok, partial (why), unmovable, handled", CLI_JSON_STRING },
	[COL_PLAN] = { "PLAN", 0, "--dry-run: bytes per source->target pair", CLI_JSON_STRING },
	[COL_HANDLER] = { "HANDLER", 0, "the region handler that claims the region", CLI_JSON_STRING },
};

/* The summary's and the JSON totals' counters, in this order, named as pagemig_stat_name() says. */
static const enum pagemig_stat counters[] = {
	PAGEMIG_STAT_PLANNED, PAGEMIG_STAT_MOVED, PAGEMIG_STAT_FALLBACK, PAGEMIG_STAT_OBJECT, PAGEMIG_STAT_STAYED,
	PAGEMIG_STAT_ELSEWHERE, PAGEMIG_STAT_SHARED, PAGEMIG_STAT_BUSY, PAGEMIG_STAT_NOMEM,
	PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED, PAGEMIG_STAT_NOT_PRESENT,
	PAGEMIG_STAT_UNMOVABLE, PAGEMIG_STAT_HANDLED,
};
#define NR_COUNTERS (sizeof(counters) / sizeof(counters[0]))

uint64_t report_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t report_left(const struct pagemig_stats *st)
{
	return st->bytes[PAGEMIG_STAT_BUSY] + st->bytes[PAGEMIG_STAT_NOMEM] + st->bytes[PAGEMIG_STAT_HIDDEN] +
	       st->bytes[PAGEMIG_STAT_REFUSED] + st->bytes[PAGEMIG_STAT_FAILED];
}

/* A size as the options ask: "12.5M", or bytes with --bytes. */
static const char *size_str(const struct move_cli *m, uint64_t b, char *buf, size_t len)
{
	if (m->out.bytes)
		snprintf(buf, len, "%" PRIu64, b);
	else
		cli_size(b, buf, len);
	return buf;
}

static double rate_of(const struct pagemig_stats *t)
{
	return t->elapsed_ns ? (double)t->bytes[PAGEMIG_STAT_MOVED] * 1e9 / (double)t->elapsed_ns : 0;
}

static const char *errno_name(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "error";
}

int report_table_open(struct move_cli *m)
{
	bool pid = m->multi && !m->out.json;
	const char *cols = m->dry_run ? "RANGE,SIZE,KIND,PATH,HANDLER,PLAN" : "RANGE,KIND,PATH,PLANNED,MOVED,SHARED,LEFT";
	char defaults[128];

	if (m->tb_open)
		return 0;
	snprintf(defaults, sizeof(defaults), "%s%s%s%s", pid ? "PID," : "", cols, m->objects ? ",OBJECT" : "",
		 m->dry_run ? "" : ",RESULT");
	if (cli_table_new(&m->tb, &m->out, "regions", move_cols, NR_MOVE_COLS, defaults))
		return EXIT_USAGE;
	m->tb_open = true;
	return 0;
}

/* "partial (busy 4K, no-memory 1M)" */
static void result_text(const struct move_cli *m, const struct pagemig_stats *st, enum pagemig_kind kind,
			char *buf, size_t len)
{
	static const enum pagemig_stat why[] = {
		PAGEMIG_STAT_BUSY, PAGEMIG_STAT_NOMEM, PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED,
	};
	size_t i, off;
	char sz[32];

	if (move_stop_signal && st->bytes[PAGEMIG_STAT_PLANNED] > st->bytes[PAGEMIG_STAT_MOVED] +
	    st->bytes[PAGEMIG_STAT_SHARED] + report_left(st)) {
		snprintf(buf, len, "interrupted");	/* the rest of its planned pages were not tried */
		return;
	}
	if (!report_left(st)) {
		snprintf(buf, len, "%s", !pagemig_kind_is_movable(kind) ? "unmovable"
					 : st->bytes[PAGEMIG_STAT_HANDLED] ? "handled" : "ok");
		return;
	}
	off = (size_t)snprintf(buf, len, "partial (");
	for (i = 0; i < sizeof(why) / sizeof(why[0]) && off < len; i++) {
		if (!st->bytes[why[i]])
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s %s", buf[off - 1] == '(' ? "" : ", ",
					pagemig_stat_name(why[i]), size_str(m, st->bytes[why[i]], sz, sizeof(sz)));
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static void row_common(struct move_cli *m, long ln, const struct pagemig_region *r)
{
	cli_cell(&m->tb, ln, COL_PID, "%d", (int)m->pid);
	cli_cell_range(&m->tb, ln, COL_RANGE, r->start, r->end);
	cli_cell_size(&m->tb, &m->out, ln, COL_SIZE, r->end - r->start);
	cli_cell_str(&m->tb, ln, COL_KIND, pagemig_kind_name(r->kind));
	cli_cell_str(&m->tb, ln, COL_PATH, r->path);
}

static void row_stats(struct move_cli *m, long ln, const struct pagemig_stats *st, enum pagemig_kind kind)
{
	char res[160];

	cli_cell_size(&m->tb, &m->out, ln, COL_PLANNED, st->bytes[PAGEMIG_STAT_PLANNED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_MOVED, st->bytes[PAGEMIG_STAT_MOVED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_STAYED, st->bytes[PAGEMIG_STAT_STAYED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_SHARED, st->bytes[PAGEMIG_STAT_SHARED]);
	cli_cell_size(&m->tb, &m->out, ln, COL_LEFT, report_left(st));
	cli_cell_size(&m->tb, &m->out, ln, COL_NOTPRES, st->bytes[PAGEMIG_STAT_NOT_PRESENT]);
	cli_cell_size(&m->tb, &m->out, ln, COL_OBJECT, st->bytes[PAGEMIG_STAT_OBJECT]);
	result_text(m, st, kind, res, sizeof(res));
	cli_cell_str(&m->tb, ln, COL_RESULT, res);
}

/* The owner's handler ("agent:NAME", in the target's agent) first, then one of ours. */
static void handler_cell(struct move_cli *m, long ln, const struct pagemig_region *r)
{
	const struct pagemig_region_ops *ops = pagemig_handler_claim(m->pm, r);
	char buf[64];
	const char *owner = cli_agent_claim(m->agent, r, buf, sizeof(buf));

	cli_cell_str(&m->tb, ln, COL_HANDLER, owner ? owner : ops && ops->name ? ops->name : "-");
}

void report_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	struct move_cli *m = ctx;
	long ln;

	if (!st->bytes[PAGEMIG_STAT_PLANNED] && !st->bytes[PAGEMIG_STAT_SHARED] && !report_left(st) &&
	    !st->bytes[PAGEMIG_STAT_HANDLED] && pagemig_kind_is_movable(r->kind)) {
		unmapped_note(m, r, st, -1);
		return;		/* nothing of this region was on a source node */
	}
	ln = cli_table_line(&m->tb);
	row_common(m, ln, r);
	row_stats(m, ln, st, r->kind);
	cli_cell_size(&m->tb, &m->out, ln, COL_UNMAPPED, 0);
	handler_cell(m, ln, r);
	unmapped_note(m, r, st, ln);
}

/* A dry run's row (pagemig_move_opts.region_done): "0->2 12M, 1->3 4M", and the claiming handler. */
void report_plan_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	struct move_cli *m = ctx;
	char plan[512] = "", sz[32];
	size_t off = 0;
	long ln;
	int n;

	for (n = 0; n < r->nr_nodes && r->node_pages && off < sizeof(plan); n++) {
		int t = m->plan->target[n];

		if (t < 0 || t == n || !r->node_pages[n])
			continue;
		off += (size_t)snprintf(plan + off, sizeof(plan) - off, "%s%d->%d %s", off ? ", " : "", n, t,
					size_str(m, r->node_pages[n] * r->page_size, sz, sizeof(sz)));
	}
	if (!off && !pagemig_handler_claim(m->pm, r) && !pagemig_agent_claim(m->agent, r->start, r->end) &&
	    !st->bytes[PAGEMIG_STAT_OBJECT])
		return;
	ln = cli_table_line(&m->tb);
	row_common(m, ln, r);
	handler_cell(m, ln, r);
	cli_cell_str(&m->tb, ln, COL_PLAN, !pagemig_kind_is_movable(r->kind) ? "unmovable" : off ? plan : "-");
	cli_cell_size(&m->tb, &m->out, ln, COL_OBJECT, st->bytes[PAGEMIG_STAT_OBJECT]);
}

int report_progress(const struct pagemig_progress *p, void *ctx)
{
	struct move_cli *m = ctx;
	uint64_t every = m->progress == PROGRESS_JSON ? 500000000ULL : 100000000ULL;
	double secs = (double)p->elapsed_ns / 1e9, rate;
	int stop = move_stop_signal != 0;	/* pagemig_move() stops at the next batch: -ECANCELED */
	char a[32], b[32];

	if (m->progress == PROGRESS_OFF || (m->last_ns && p->elapsed_ns - m->last_ns < every && p->done < p->total))
		return stop;	/* the first call prints: orchestration hears at once that it started */
	m->last_ns = p->elapsed_ns;
	rate = secs > 0 ? (double)p->moved / secs : 0;
	if (m->progress == PROGRESS_JSON) {
		fprintf(stderr, "{\"pid\": %d, \"done\": %" PRIu64 ", \"total\": %" PRIu64 ", \"moved\": %" PRIu64
			", \"rate\": %.0f, \"elapsed\": %.3f}\n", (int)m->pid, p->done, p->total, p->moved, rate, secs);
		return stop;
	}
	if (m->multi)
		fprintf(stderr, "\rpagemig: pid %d: ", (int)m->pid);
	else
		fprintf(stderr, "\rpagemig: ");
	fprintf(stderr, "moved %s of %s (%3.0f%%) %.0f MiB/s ETA %.0fs   ",
		cli_size(p->moved, a, sizeof(a)), cli_size(p->total, b, sizeof(b)),
		p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate / 1048576.0,
		rate > 0 && p->total > p->done ? (double)(p->total - p->done) / rate : 0.0);
	return stop;
}

/* "moved 64M of 65M planned (16412 of 16536 4K pages) from 0-1 to 2-3 in 0.46s (138 MiB/s)" */
static void sentence(const struct move_cli *m, const struct pagemig_stats *t, const char *from, const char *to,
		     char *buf, size_t len)
{
	char a[32], b[32], ps[32];
	double secs = (double)t->elapsed_ns / 1e9;
	size_t off;

	cli_size(m->page_size, ps, sizeof(ps));
	if (m->dry_run) {
		snprintf(buf, len, "would move %s (%" PRIu64 " %s pages) from %s to %s; nothing moved (dry run)",
			 size_str(m, t->bytes[PAGEMIG_STAT_PLANNED], a, sizeof(a)),
			 t->bytes[PAGEMIG_STAT_PLANNED] / m->page_size, ps, from, to);
		return;
	}
	off = (size_t)snprintf(buf, len, "moved %s of %s planned (%" PRIu64 " of %" PRIu64 " %s pages) from %s to %s in %.2fs",
			       size_str(m, t->bytes[PAGEMIG_STAT_MOVED], a, sizeof(a)),
			       size_str(m, t->bytes[PAGEMIG_STAT_PLANNED], b, sizeof(b)),
			       t->bytes[PAGEMIG_STAT_MOVED] / m->page_size, t->bytes[PAGEMIG_STAT_PLANNED] / m->page_size,
			       ps, from, to, secs);
	if (secs > 0 && off < len)
		snprintf(buf + off, len - off, " (%.0f MiB/s)", rate_of(t) / 1048576.0);
}

/* Aligned text: the counters that are not zero, one per line, after the sentence. */
static void counter_lines(const struct move_cli *m, const struct pagemig_stats *t, uint64_t unmapped)
{
	char a[32];
	size_t i;

	for (i = 2; i < NR_COUNTERS; i++) {	/* planned and moved are in the sentence */
		enum pagemig_stat c = counters[i];

		if (!t->bytes[c] && !(c == PAGEMIG_STAT_NOT_PRESENT && unmapped))
			continue;
		printf("  %-12s %s%s\n", pagemig_stat_name(c), size_str(m, t->bytes[c], a, sizeof(a)),
		       c == PAGEMIG_STAT_FALLBACK ? " (moved by migrate_pages(2): move_pages(2) could not see them)"
		       : c != PAGEMIG_STAT_OBJECT ? "" : m->dry_run ? " (would move through pagemig's mapping of shared objects)"
		       : " (moved through pagemig's mapping of shared objects: mapped by other processes or by none)");
		if (c == PAGEMIG_STAT_NOT_PRESENT && unmapped)
			printf("  %-12s %s (of shared objects: in memory, mapped by other processes or by none)\n",
			       "unmapped", size_str(m, unmapped, a, sizeof(a)));
		if (c != PAGEMIG_STAT_FAILED)
			continue;
		for (size_t k = 0; k < PAGEMIG_STATS_ERRORS && t->errors[k].err; k++)
			printf("  %-12s %s\n", errno_name(t->errors[k].err), size_str(m, t->errors[k].bytes, a, sizeof(a)));
	}
}

/* --raw: every counter as "NAME VALUE", as a script splits it, under a heading unless -n. */
static void counter_raw(const struct move_cli *m, const struct pagemig_stats *t, uint64_t unmapped)
{
	char a[32];
	size_t i;

	if (!m->out.noheadings)
		printf("COUNTER VALUE\n");
	for (i = 0; i < NR_COUNTERS; i++) {
		printf("%s %s\n", pagemig_stat_name(counters[i]), size_str(m, t->bytes[counters[i]], a, sizeof(a)));
		if (counters[i] == PAGEMIG_STAT_NOT_PRESENT)
			printf("unmapped %s\n", size_str(m, unmapped, a, sizeof(a)));
	}
	for (i = 0; i < PAGEMIG_STATS_ERRORS && t->errors[i].err; i++)
		printf("%s %s\n", errno_name(t->errors[i].err), size_str(m, t->errors[i].bytes, a, sizeof(a)));
	printf("regions %" PRIu64 "\nelapsed %.3f\nsyscalls %" PRIu64 "\nrate %s\n", t->regions,
	       (double)t->elapsed_ns / 1e9, t->syscalls, size_str(m, (uint64_t)rate_of(t), a, sizeof(a)));
}

/* The "totals" object: every counter, "left", "errors" by errno name, time, calls and rate. */
static void json_totals(const struct pagemig_stats *t, uint64_t unmapped, const char *ind)
{
	size_t i;

	printf("{\n%s   \"regions\": %" PRIu64 ",\n", ind, t->regions);
	for (i = 0; i < NR_COUNTERS; i++) {
		printf("%s   \"%s\": %" PRIu64 ",\n", ind, pagemig_stat_name(counters[i]), t->bytes[counters[i]]);
		if (counters[i] == PAGEMIG_STAT_NOT_PRESENT)
			printf("%s   \"unmapped\": %" PRIu64 ",\n", ind, unmapped);
	}
	printf("%s   \"left\": %" PRIu64 ",\n%s   \"errors\": {", ind, report_left(t), ind);
	for (i = 0; i < PAGEMIG_STATS_ERRORS && t->errors[i].err; i++)
		printf("%s\"%s\": %" PRIu64, i ? ", " : "", errno_name(t->errors[i].err), t->errors[i].bytes);
	printf("},\n%s   \"elapsed\": %.6f,\n%s   \"syscalls\": %" PRIu64 ",\n%s   \"rate\": %.0f,\n"
	       "%s   \"numa-balancing\": %s\n%s}", ind, (double)t->elapsed_ns / 1e9, ind, t->syscalls, ind,
	       rate_of(t), ind, t->numa_balancing ? "true" : "false", ind);
}

/* One process as a JSON object: the whole document for one process, an array item for several. */
static int json_process(struct move_cli *m, int rc)
{
	int err = 0;

	if (m->multi)
		printf(m->njson++ ? ",{\n" : "{\n   \"dry-run\": %s,\n   \"processes\": [{\n",
		       m->dry_run ? "true" : "false");
	else
		printf("{\n   \"dry-run\": %s,\n", m->dry_run ? "true" : "false");
	printf("   \"pid\": %d,\n   \"exit\": %d,\n   \"error\": ", (int)m->pid, rc);
	if (m->error[0])
		cli_json_str(stdout, m->error);
	else
		printf("null");
	if (m->ran) {
		printf(",\n   \"from\": ");
		cli_json_str(stdout, m->from);
		printf(",\n   \"to\": ");
		cli_json_str(stdout, m->to);
		printf(",\n   \"pagesize\": %" PRIu64 ",\n", m->page_size);
		fflush(stdout);
		err = m->tb.err ? m->tb.err : cli_table_print_member(&m->tb, stdout);
		printf(",\n   \"totals\": ");
		json_totals(&m->st, m->unmapped, "   ");
	}
	printf(m->multi ? "\n}" : "\n}\n");
	return err;
}

/* Text, several processes: "pid 42: moved ..." (and how it ended), or why it was not moved. */
static void save_line(struct move_cli *m, const char *how)
{
	char line[768];
	size_t n;
	char *v;

	n = (size_t)snprintf(line, sizeof(line), "pid %d: ", (int)m->pid);
	if (m->ran)
		sentence(m, &m->st, m->from, m->to, line + n, sizeof(line) - n);
	n = strlen(line);
	if (how || !m->ran)
		snprintf(line + n, sizeof(line) - n, "%s%s", m->ran ? "; " : "", how ? how : m->error);
	n = strlen(line);
	v = realloc(m->lines, m->lines_len + n + 2);
	if (!v)
		return;
	memcpy(v + m->lines_len, line, n);
	v[m->lines_len + n] = '\n';
	v[m->lines_len + n + 1] = '\0';
	m->lines = v;
	m->lines_len += n + 1;
}

int report_process(struct move_cli *m, int rc, const char *how)
{
	int err = 0;

	/* --progress=json: each process's last line says how it ended */
	if (m->progress == PROGRESS_JSON && m->ran)
		fprintf(stderr, "{\"pid\": %d, \"exit\": %d, \"moved\": %" PRIu64 ", \"rate\": %.0f, \"elapsed\": %.3f}\n",
			(int)m->pid, rc, m->st.bytes[PAGEMIG_STAT_MOVED], rate_of(&m->st), (double)m->st.elapsed_ns / 1e9);
	m->nprocs++;
	if (m->ran) {
		pagemig_stats_add(&m->total, &m->st);
		m->total_unmapped += m->unmapped;
		m->any_ran = true;
	}
	if (m->quiet)
		return 0;
	if (m->out.json) {
		err = json_process(m, rc);
		if (m->tb_open)
			cli_table_free(&m->tb);
		m->tb_open = false;
		return err ? EXIT_FAILURE_ : 0;
	}
	if (m->ran && !m->dry_run) {
		long ln = cli_table_line(&m->tb);

		cli_cell(&m->tb, ln, COL_PID, "%d", (int)m->pid);
		cli_cell_str(&m->tb, ln, COL_RANGE, "total");
		row_stats(m, ln, &m->st, PAGEMIG_KIND_OTHER);
		if (how)
			cli_cell_str(&m->tb, ln, COL_RESULT, how);
	}
	if (m->multi)
		save_line(m, how);
	return 0;
}

static int finish_text(struct move_cli *m)
{
	struct pagemig_stats *t = m->multi ? &m->total : &m->st;
	char line[640];

	if (!m->any_ran) {
		if (m->lines)
			fputs(m->lines, stdout);
		return 0;
	}
	if (m->multi && !m->dry_run) {
		long ln = cli_table_line(&m->tb);

		cli_cell_str(&m->tb, ln, COL_PID, "all");
		cli_cell_str(&m->tb, ln, COL_RANGE, "total");
		row_stats(m, ln, t, PAGEMIG_KIND_OTHER);
	}
	if (cli_table_print(&m->tb))
		return EXIT_FAILURE_;
	if (m->lines)
		fputs(m->lines, stdout);
	if (m->out.raw) {
		counter_raw(m, t, m->multi ? m->total_unmapped : m->unmapped);
		return 0;
	}
	sentence(m, t, m->multi ? m->from_arg : m->from, m->multi ? m->to_arg : m->to, line, sizeof(line));
	if (m->multi)
		printf("%s, %d processes\n", line, m->nprocs);
	else
		printf("%s\n", line);
	counter_lines(m, t, m->multi ? m->total_unmapped : m->unmapped);
	return 0;
}

int report_finish(struct move_cli *m, int rc)
{
	int err = 0;

	m->total.elapsed_ns = report_now_ns() - m->t0_ns;
	if (m->quiet) {
		err = 0;
	} else if (!m->out.json) {
		err = finish_text(m);
	} else if (m->multi) {
		if (!m->njson)
			printf("{\n   \"dry-run\": %s,\n   \"processes\": [", m->dry_run ? "true" : "false");
		printf("],\n   \"exit\": %d,\n   \"totals\": ", rc);
		json_totals(&m->total, m->total_unmapped, "   ");
		printf("\n}\n");
	}
	if (m->tb_open)
		cli_table_free(&m->tb);
	m->tb_open = false;
	free(m->lines);
	m->lines = NULL;
	if (fflush(stdout) && !err) {
		cli_err("cannot write the report: %s", strerror(errno));
		err = EXIT_FAILURE_;
	}
	return err;
}
