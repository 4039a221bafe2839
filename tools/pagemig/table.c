// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - the tables every subcommand prints: columns chosen with -o, rows of text cells.
 * print.c lays them out (aligned for people, --raw for scripts), json.c writes them as JSON, with
 * util-linux's conventions (-o LIST, +LIST, lowercase JSON keys, \xHH escapes, null for an empty
 * cell).
 *
 * Cells are kept as text in one arena, a row as an array of offsets into it, so that 10,000 rows
 * cost two allocations that grow, not one per cell: libsmartcols, which pagemig used first, took
 * 26 ms to lay out 10,000 rows of 9 short cells on the benchmark host, more than numastat's whole
 * run (bench/README.md, "Why pagemig prints its own tables").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

static int find_col(const struct cli_col *cols, size_t ncols, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		if (strlen(cols[i].name) == len && !strncasecmp(cols[i].name, name, len))
			return (int)i;
	return -1;
}

/* Show the columns of a comma list, in order; print the error for an unknown one. */
static int add_cols(struct cli_table *t, const char *list)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		int i = find_col(t->cols, t->ncols, p, len);

		if (i < 0) {
			cli_err("unknown column '%.*s'", (int)len, p);
			return -EINVAL;
		}
		if (t->map[i] < 0) {
			t->map[i] = (int)t->nshown;
			t->shown[t->nshown++] = i;
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
	if (ncols > CLI_MAX_COLS)
		return -E2BIG;
	t->cols = cols;
	t->ncols = ncols;
	t->name = name;
	t->json = o->json;
	t->raw = o->raw;
	t->noheadings = o->noheadings;
	for (i = 0; i < CLI_MAX_COLS; i++)
		t->map[i] = -1;
	if (!sel || *sel == '+') {
		if (add_cols(t, defaults))
			return -EINVAL;
		if (sel)
			sel++;
	}
	if (sel && add_cols(t, sel))
		return -EINVAL;
	/* the arena's first byte is the empty string of every unset cell */
	t->text = malloc(4096);
	if (!t->text) {
		cli_err("cannot create a table: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	t->text[0] = '\0';
	t->text_len = 1;
	t->text_cap = 4096;
	return 0;
}

void cli_table_free(struct cli_table *t)
{
	free(t->text);
	free(t->cells);
	t->text = NULL;
	t->cells = NULL;
}

long cli_table_line(struct cli_table *t)
{
	size_t n = t->nshown ? t->nshown : 1;

	if (t->nlines == t->lines_cap) {
		size_t cap = t->lines_cap ? t->lines_cap * 2 : 64;
		uint32_t *c = reallocarray(t->cells, cap, n * sizeof(*c));

		if (!c) {
			t->err = -ENOMEM;
			return -ENOMEM;
		}
		t->cells = c;
		t->lines_cap = cap;
	}
	memset(t->cells + t->nlines * n, 0, n * sizeof(*t->cells));
	return (long)t->nlines++;
}

/* Room for @len more bytes of text (and a NUL); NULL when out of memory. */
static char *reserve(struct cli_table *t, size_t len)
{
	if (t->text_cap - t->text_len < len + 1) {
		size_t cap = t->text_cap * 2;
		char *p;

		while (cap - t->text_len < len + 1)
			cap *= 2;
		if (cap > UINT32_MAX || !(p = realloc(t->text, cap))) {
			t->err = -ENOMEM;
			return NULL;
		}
		t->text = p;
		t->text_cap = cap;
	}
	return t->text + t->text_len;
}

/* Cells are short: a loop inline costs less than a call to memcmp(). */
static inline bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/*
 * The text of cell (@ln, @col) is the @len bytes just written at reserve()'s pointer.  The same
 * text as the cell above it shares that cell's bytes: most columns repeat from row to row (a
 * kind, a policy, "4K"), and every page of arena a table does not touch is a page fault saved.
 */
static void commit(struct cli_table *t, long ln, int col, size_t len)
{
	size_t pos = (size_t)t->map[col], at = (size_t)ln * t->nshown + pos;
	char *s = t->text + t->text_len;
	uint32_t above = ln ? t->cells[at - t->nshown] : 0;
	size_t w;

	s[len] = '\0';
	t->rewritten |= t->cells[at] != 0;
	if (above && same(t->text + above, s)) {
		t->cells[at] = above;
		return;
	}
	t->cells[at] = (uint32_t)t->text_len;
	t->text_len += len + 1;
	if (t->json || t->raw)
		return;
	w = cell_width(s);
	if (w > t->width[pos])
		t->width[pos] = w;
}

/* Whether cell (@ln, @col) is printed at all: every setter asks before it formats anything. */
static bool shown(const struct cli_table *t, long ln, int col)
{
	return ln >= 0 && (size_t)ln < t->nlines && col >= 0 && (size_t)col < t->ncols && t->map[col] >= 0;
}

void cli_cell(struct cli_table *t, long ln, int col, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int len;

	if (!shown(t, ln, col))
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || !(p = reserve(t, (size_t)len)))
		return;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	va_end(ap);
	commit(t, ln, col, (size_t)len);
}

void cli_cell_str(struct cli_table *t, long ln, int col, const char *s)
{
	size_t len;
	char *p;

	if (!shown(t, ln, col) || !s)
		return;
	len = strlen(s);
	p = reserve(t, len);
	if (!p)
		return;
	memcpy(p, s, len);
	commit(t, ln, col, len);
}

/* @v in decimal (or hex) at @p, which has room for 20 digits; returns the length. */
static size_t fmt_u64(char *p, uint64_t v, unsigned int base)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[24];
	size_t n = 0, i;

	if (base == 16) {	/* shifts: a division per digit showed in profiles of 10,000 ranges */
		do {
			tmp[n++] = digits[v & 15];
			v >>= 4;
		} while (v);
	} else {
		do {
			tmp[n++] = digits[v % 10];
			v /= 10;
		} while (v);
	}
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

void cli_cell_u64(struct cli_table *t, long ln, int col, uint64_t v)
{
	char *p;

	if (!shown(t, ln, col) || !(p = reserve(t, 20)))
		return;
	commit(t, ln, col, fmt_u64(p, v, 10));
}

void cli_cell_range(struct cli_table *t, long ln, int col, uint64_t start, uint64_t end)
{
	size_t len;
	char *p;

	if (!shown(t, ln, col) || !(p = reserve(t, 41)))
		return;
	len = fmt_u64(p, start, 16);
	p[len++] = '-';
	len += fmt_u64(p + len, end, 16);
	commit(t, ln, col, len);
}

void cli_cell_list(struct cli_table *t, long ln, int col, const uint64_t *v, int nr)
{
	size_t len = 0;
	char *p;
	int i;

	if (!shown(t, ln, col) || nr <= 0 || !(p = reserve(t, (size_t)nr * 21)))
		return;
	for (i = 0; i < nr; i++) {
		if (i)
			p[len++] = ',';
		len += fmt_u64(p + len, v[i], 10);
	}
	commit(t, ln, col, len);
}

/* x / d rounded half to even, as printf's %.0f rounds an exact binary value */
static uint64_t div_round(unsigned __int128 x, uint64_t d)
{
	uint64_t q = (uint64_t)(x / d), r = (uint64_t)(x % d);

	if (r > d - r || (r == d - r && (q & 1)))
		q++;
	return q;
}

/* "1.5K", "12M", "512B" at @p (room for 24 bytes); returns the length. */
static size_t fmt_size(char *p, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	uint64_t unit = 1, q;
	size_t n;
	int u = 0;

	while (u < 6 && bytes / unit >= 1024) {
		unit <<= 10;
		u++;
	}
	if (u == 0) {
		n = fmt_u64(p, bytes, 10);
	} else if (bytes < 10 * unit && bytes % unit) {
		/* one decimal below 10 */
		q = div_round((unsigned __int128)bytes * 10, unit);
		n = fmt_u64(p, q / 10, 10);
		p[n++] = '.';
		p[n++] = (char)('0' + q % 10);
	} else {
		n = fmt_u64(p, div_round(bytes, unit), 10);
	}
	p[n++] = units[u];
	return n;
}

const char *cli_size(uint64_t bytes, char *buf, size_t len)
{
	char tmp[32];

	tmp[fmt_size(tmp, bytes)] = '\0';
	snprintf(buf, len, "%s", tmp);
	return buf;
}

void cli_cell_size(struct cli_table *t, const struct cli_out *o, long ln, int col, uint64_t bytes)
{
	char *p;

	if (!shown(t, ln, col))
		return;
	if (o->bytes || o->json)
		cli_cell_u64(t, ln, col, bytes);
	else if ((p = reserve(t, 24)))
		commit(t, ln, col, fmt_size(p, bytes));
}
