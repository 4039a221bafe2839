// SPDX-License-Identifier: GPL-2.0-or-later
/* output.c - messages, exit codes and libsmartcols tables shared by every subcommand. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pagemig: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int cli_fail(int err, const char *what, const char *detail)
{
	if (err < 0)
		err = -err;
	if (detail && *detail)
		cli_err("%s: %s", what, detail);
	else
		cli_err("%s: %s", what, strerror(err));
	switch (err) {
	case ESRCH:
		return EXIT_NOPROC;
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	case EINVAL:
	case ENODEV:
	case ENXIO:
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_;
	}
}

pid_t cli_parse_pid(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > 4194304 || s[0] == '+' || s[0] == ' ') {
		cli_err("'%s' is not a process id", s);
		return -1;
	}
	return (pid_t)v;
}

bool cli_out_opt(struct cli_out *o, int c, const char *arg)
{
	switch (c) {
	case 'J':
		o->json = true;
		return true;
	case 'r':
		o->raw = true;
		return true;
	case 'b':
		o->bytes = true;
		return true;
	case 'n':
		o->noheadings = true;
		return true;
	case 'o':
		o->columns = arg;
		return true;
	}
	return false;
}

void cli_out_usage(FILE *out, const struct cli_col *cols, size_t ncols)
{
	size_t i;

	fprintf(out, "\nOutput:\n"
		     "  -J, --json          JSON output\n"
		     "  -r, --raw           raw output (no alignment)\n"
		     "  -b, --bytes         sizes in bytes\n"
		     "  -n, --noheadings    no column headings\n"
		     "  -o, --output LIST   columns to print (+LIST adds to the defaults)\n"
		     "\nColumns:\n");
	for (i = 0; i < ncols; i++)
		fprintf(out, "  %-12s %s\n", cols[i].name, cols[i].help);
}

static int find_col(const struct cli_col *cols, size_t ncols, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && !strncasecmp(cols[i].name, name, len))
			return (int)i;
	return -1;
}

/* Add the columns of a comma list to @t, in order; print the error for an unknown one. */
static int add_cols(struct cli_table *t, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		int i = find_col(t->cols, t->ncols, p, len);
		struct libscols_column *cl;

		if (i < 0) {
			cli_err("unknown column '%.*s'", (int)len, p);
			return -EINVAL;
		}
		if (t->map[i] < 0) {
			cl = scols_table_new_column(t->tb, t->cols[i].name, t->cols[i].whint, t->cols[i].flags);
			if (!cl)
				return -ENOMEM;
			scols_column_set_json_type(cl, t->cols[i].json_type);
			t->map[i] = (int)scols_table_get_ncols(t->tb) - 1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int cli_table_new(struct cli_table *t, const struct cli_out *o, const char *name,
		  const struct cli_col *cols, size_t ncols, const char *defaults)
{
	const char *sel = o->columns;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	for (i = 0; i < sizeof(t->map) / sizeof(t->map[0]); i++)
		t->map[i] = -1;
	t->tb = scols_new_table();
	if (!t->tb) {
		cli_err("cannot create a table: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	scols_table_set_name(t->tb, name);
	scols_table_enable_json(t->tb, o->json);
	scols_table_enable_raw(t->tb, o->raw);
	scols_table_enable_noheadings(t->tb, o->noheadings);
	if (!sel || *sel == '+') {
		if (add_cols(t, defaults))
			goto err_free;
		if (sel)
			sel++;
	}
	if (sel && add_cols(t, sel))
		goto err_free;
	return 0;
err_free:
	cli_table_free(t);
	return -EINVAL;
}

struct libscols_line *cli_table_line(struct cli_table *t, struct libscols_line *parent)
{
	return scols_table_new_line(t->tb, parent);
}

void cli_cell(struct cli_table *t, struct libscols_line *ln, int col, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (col < 0 || (size_t)col >= t->ncols || t->map[col] < 0 || !ln)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s && scols_line_refer_data(ln, (size_t)t->map[col], s))
		free(s);
}

const char *cli_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else if (v < 10 && v != (uint64_t)v)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

void cli_cell_size(struct cli_table *t, const struct cli_out *o, struct libscols_line *ln, int col,
		   uint64_t bytes)
{
	char buf[32];

	if (o->bytes || o->json)
		cli_cell(t, ln, col, "%" PRIu64, bytes);
	else
		cli_cell(t, ln, col, "%s", cli_size(bytes, buf, sizeof(buf)));
}

void cli_table_print(struct cli_table *t)
{
	scols_print_table(t->tb);
}

void cli_table_free(struct cli_table *t)
{
	scols_unref_table(t->tb);
	t->tb = NULL;
}
