// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table_print.c - one table of show-like rows (range, size, kind, policy, N0, bar, exclusive,
 * shared, path) laid out and printed by libsmartcols and by pagemig's own printer
 * (tools/pagemig/table.c), to /dev/null: the cost of the printer alone, without reading /proc.
 * Built and run by bench/show.sh; prints one line per printer: the median of @runs in ms.
 *
 *   table_print ROWS RUNS
 */
#include <libsmartcols.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

enum { NCOLS = 9 };

static const struct cli_col cols[NCOLS] = {
	{ "RANGE", 0, "", CLI_JSON_STRING }, { "SIZE", CLI_COL_RIGHT, "", CLI_JSON_NUMBER },
	{ "KIND", 0, "", CLI_JSON_STRING }, { "POLICY", 0, "", CLI_JSON_STRING },
	{ "N0", CLI_COL_RIGHT, "", CLI_JSON_NUMBER }, { "BAR", 0, "", CLI_JSON_STRING },
	{ "EXCLUSIVE", CLI_COL_RIGHT, "", CLI_JSON_NUMBER }, { "SHARED", CLI_COL_RIGHT, "", CLI_JSON_NUMBER },
	{ "PATH", 0, "", CLI_JSON_STRING },
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* The cells of row @i, as show fills them. */
static void row(int i, char cell[NCOLS][64])
{
	unsigned long start = 0x7f0000000000UL + (unsigned long)i * 0x2000;

	snprintf(cell[0], 64, "%lx-%lx", start, start + 0x1000);
	snprintf(cell[1], 64, "4K");
	snprintf(cell[2], 64, "anon");
	snprintf(cell[3], 64, "default");
	snprintf(cell[4], 64, "4K");
	snprintf(cell[5], 64, "\xe2\x96\x88");	/* U+2588 full block */
	snprintf(cell[6], 64, "4K");
	snprintf(cell[7], 64, "0B");
	snprintf(cell[8], 64, "%s", i % 3 ? "" : "/usr/lib/x86_64-linux-gnu/libc.so.6");
}

static double run_scols(int rows, FILE *out)
{
	double t0 = now_ms();
	struct libscols_table *tb = scols_new_table();
	char cell[NCOLS][64];
	int i, c;

	scols_table_set_stream(tb, out);
	for (c = 0; c < NCOLS; c++)
		scols_table_new_column(tb, cols[c].name, 0, cols[c].flags & CLI_COL_RIGHT ? SCOLS_FL_RIGHT : 0);
	for (i = 0; i < rows; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		row(i, cell);
		for (c = 0; c < NCOLS; c++)
			scols_line_set_data(ln, (size_t)c, cell[c]);
	}
	scols_print_table(tb);
	fflush(out);
	scols_unref_table(tb);
	return now_ms() - t0;
}

static double run_pagemig(int rows, FILE *out)
{
	double t0 = now_ms();
	struct cli_out o = { 0 };
	struct cli_table t;
	char cell[NCOLS][64];
	int i, c;

	if (cli_table_new(&t, &o, "regions", cols, NCOLS, "RANGE,SIZE,KIND,POLICY,N0,BAR,EXCLUSIVE,SHARED,PATH"))
		exit(1);
	for (i = 0; i < rows; i++) {
		long ln = cli_table_line(&t);

		row(i, cell);
		for (c = 0; c < NCOLS; c++)
			cli_cell_str(&t, ln, c, cell[c]);
	}
	if (cli_table_print(&t))	/* stdout is /dev/null: see main() */
		exit(1);
	cli_table_free(&t);
	(void)out;
	return now_ms() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int rows = argc > 1 ? atoi(argv[1]) : 10000, runs = argc > 2 ? atoi(argv[2]) : 5, r, p;
	FILE *null = fopen("/dev/null", "w"), *res = fdopen(dup(STDOUT_FILENO), "w");
	double t[2][64];

	/* both printers write to /dev/null; the results go to the real stdout */
	if (!null || !res || !freopen("/dev/null", "w", stdout) || rows <= 0 || runs <= 0 || runs > 64)
		return 2;
	setlocale(LC_CTYPE, "");	/* as show: the bar's width */
	for (r = 0; r < runs; r++) {
		t[0][r] = run_scols(rows, null);
		t[1][r] = run_pagemig(rows, null);
	}
	for (p = 0; p < 2; p++) {
		qsort(t[p], (size_t)runs, sizeof(double), cmp);
		fprintf(res, "%-34s %9.1f ms (median of %d)\n", p ? "pagemig's printer (tools/pagemig)" : "libsmartcols",
		       t[p][runs / 2], runs);
	}
	return 0;
}
