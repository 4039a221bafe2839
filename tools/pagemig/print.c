// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * print.c - a table as people read it (aligned columns) and as scripts split it (--raw), through
 * a 64 KiB buffer.
 *
 * Aligned: each column as wide as its widest cell or heading, numbers right-aligned, no trailing
 * blanks; widths are lengths for printable ASCII (the common case, no per-character work) and
 * wcwidth() otherwise.  A control character, or a byte that is not a character in the locale, is
 * written \xHH (four columns), so that a file name cannot move the terminal's cursor.  On a
 * terminal too narrow for the table, CLI_COL_TRUNC columns are cut; a pipe gets every byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "out.h"

void out_flush(struct out *o)
{
	if (!o->err && o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = -EIO;
	o->len = 0;
	o->flushes++;
}

struct out *out_open(FILE *f)
{
	struct out *o = malloc(sizeof(*o));

	if (o) {
		o->f = f;
		o->len = 0;
		o->flushes = 0;
		o->err = 0;
	}
	return o;
}

int out_close(struct out *o)
{
	int err;

	if (!o)
		return -ENOMEM;
	out_flush(o);
	err = o->err;
	free(o);
	return err;
}

void put_hex(struct out *o, unsigned char c)
{
	char x[5];

	snprintf(x, sizeof(x), "\\x%02x", c);
	put(o, x, 4);
}

static inline void put_spaces(struct out *o, size_t n)
{
	static const char sp[] = "                                ";

	for (; n > sizeof(sp) - 1; n -= sizeof(sp) - 1)
		put(o, sp, sizeof(sp) - 1);
	put(o, sp, n);
}

/*
 * The next character of @s for a terminal: its bytes (*@len) and columns (returned); -1 when it
 * has to be printed as \xHH: a control character or a byte that is not valid in the locale.
 */
static int char_width(const char *s, size_t *len)
{
	unsigned char c = (unsigned char)*s;
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	*len = 1;
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (c < 0x80)
		return -1;
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
		return -1;
	w = wcwidth(wc);
	if (w < 0)
		return -1;
	*len = n;
	return w;
}

/* Columns @s takes on a terminal, escapes included. */
static size_t text_width(const char *s)
{
	size_t w = 0, len;
	int cw;

	for (; *s; s += len) {
		cw = char_width(s, &len);
		w += cw < 0 ? 4 : (size_t)cw;
	}
	return w;
}
/* @s cut to @width columns, escaped for a terminal; returns the columns written. */
static size_t put_cell(struct out *o, const char *s, size_t width)
{
	size_t w = 0, len;
	int cw;

	for (; *s; s += len) {
		cw = char_width(s, &len);
		if (w + (size_t)(cw < 0 ? 4 : cw) > width)
			break;
		if (cw < 0) {
			put_hex(o, (unsigned char)*s);
			w += 4;
		} else {
			put(o, s, len);
			w += (size_t)cw;
		}
	}
	return w;
}

/*
 * The terminal's width when stdout is one, 0 otherwise: only then are TRUNC columns cut, so that
 * a pipe or a file always gets every byte.
 */
static size_t term_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}

/* The length of @s's leading run of printable ASCII: all of it, in the common case. */
static inline size_t ascii_len(const char *s)
{
	size_t n = 0;

	while (s[n] >= 0x20 && s[n] < 0x7f)
		n++;
	return n;
}

size_t cell_width(const char *s)
{
	size_t n = ascii_len(s);

	return s[n] ? text_width(s) : n;
}

/*
 * Each shown column's width: its widest cell or heading, TRUNC columns cut to fit a terminal.
 * table.c keeps the widest cell as rows are stored (one pass over all cells less); after a
 * stored cell was set again, the cells are measured again here.
 */
static void column_widths(const struct cli_table *t, size_t *width)
{
	size_t pos, w, total = 0, term = term_width();
	struct table_cursor c;

	for (pos = 0; pos < t->nshown; pos++) {
		width[pos] = t->noheadings ? 0 : cell_width(t->cols[t->shown[pos]].name);
		if (!t->rewritten && t->width[pos] > width[pos])
			width[pos] = t->width[pos];
	}
	table_cursor_init(&c, t);
	while (t->rewritten && table_row_next(&c)) {
		for (pos = 0; pos < t->nshown; pos++) {
			if (c.changed[pos] && (w = cell_width(c.text[pos])) > width[pos])
				width[pos] = w;
		}
	}
	for (pos = 0; pos < t->nshown; pos++)
		total += width[pos] + (pos ? 1 : 0);
	for (pos = 0; term && total > term && pos < t->nshown; pos++) {
		size_t min = t->noheadings ? 1 : cell_width(t->cols[t->shown[pos]].name), cut;

		if (!(t->cols[t->shown[pos]].flags & CLI_COL_TRUNC) || width[pos] <= min)
			continue;
		cut = width[pos] - min < total - term ? width[pos] - min : total - term;
		width[pos] -= cut;
		total -= cut;
	}
}

/*
 * One aligned line: @cells[pos] (@len[pos] bytes) for each shown column; no trailing blanks.
 * @last_w and @last_n remember each column's last width and printable-ASCII prefix: a cell that
 * is the text of the one above (!@changed) is not measured again (the bars' UTF-8 took a decoder
 * call per character).
 */
static void aligned_line(const struct cli_table *t, struct out *o, const char *const *cells, const size_t *len,
			 const bool *changed, const size_t *width, size_t *last_w, size_t *last_n)
{
	size_t pos, pad = 0, n, w;

	for (pos = 0; pos < t->nshown; pos++) {
		const char *s = cells[pos];

		if (!len[pos]) {
			pad += width[pos] + 1;
			continue;
		}
		if (changed[pos]) {
			n = last_n[pos] = ascii_len(s);
			w = last_w[pos] = n == len[pos] ? n : text_width(s);
		} else {
			n = last_n[pos];
			w = last_w[pos];
		}
		if (w > width[pos])
			w = width[pos];
		if (t->cols[t->shown[pos]].flags & CLI_COL_RIGHT) {
			put_spaces(o, pad + width[pos] - w);
			pad = 0;
		} else {
			put_spaces(o, pad);
			pad = width[pos] - w;
		}
		if (n == len[pos] && n == w)
			put(o, s, n);
		else
			put_cell(o, s, width[pos]);
		pad++;
	}
	put(o, "\n", 1);
}

static int print_aligned(const struct cli_table *t, FILE *f)
{
	const char *heads[CLI_MAX_COLS];
	size_t width[CLI_MAX_COLS], last_w[CLI_MAX_COLS], last_n[CLI_MAX_COLS], hlen[CLI_MAX_COLS], pos;
	bool all[CLI_MAX_COLS];
	struct out *o = out_open(f);
	struct table_cursor c;

	if (!o)
		return -ENOMEM;
	column_widths(t, width);
	for (pos = 0; pos < t->nshown; pos++) {
		heads[pos] = t->cols[t->shown[pos]].name;
		hlen[pos] = strlen(heads[pos]);
		all[pos] = true;
	}
	if (!t->noheadings)
		aligned_line(t, o, heads, hlen, all, width, last_w, last_n);
	table_cursor_init(&c, t);
	while (!o->err && table_row_next(&c))
		aligned_line(t, o, c.text, c.len, c.changed, width, last_w, last_n);
	return out_close(o);
}

/* --raw: one space between cells, and a blank, a backslash or a control byte inside one as \xHH. */
static void raw_cell(struct out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c > ' ' && c != '\\' && c != 0x7f)
			continue;
		put(o, run, (size_t)(s - run));
		put_hex(o, c);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

static void raw_line(const struct cli_table *t, struct out *o, const char *const *cells)
{
	size_t pos;

	for (pos = 0; pos < t->nshown; pos++) {
		if (pos)
			put(o, " ", 1);
		raw_cell(o, cells[pos]);
	}
	put(o, "\n", 1);
}

static int print_raw(const struct cli_table *t, FILE *f)
{
	const char *heads[CLI_MAX_COLS];
	struct out *o = out_open(f);
	struct table_cursor c;
	size_t pos;

	if (!o)
		return -ENOMEM;
	for (pos = 0; pos < t->nshown; pos++)
		heads[pos] = t->cols[t->shown[pos]].name;
	if (!t->noheadings)
		raw_line(t, o, heads);
	table_cursor_init(&c, t);
	while (!o->err && table_row_next(&c))
		raw_line(t, o, c.text);
	return out_close(o);
}

int cli_table_fprint(struct cli_table *t, FILE *f)
{
	int err;

	table_seal(t);
	err = t->err;
	if (err) {
		cli_err("cannot build the table: %s", strerror(-err));
		return err;
	}
	if (t->json) {
		fputs("{\n", f);
		err = cli_table_print_member(t, f);
		fputs("\n}\n", f);
	} else if (t->raw) {
		err = print_raw(t, f);
	} else {
		err = print_aligned(t, f);
	}
	if (!err && fflush(f))
		err = -errno;
	if (err)
		cli_err("cannot print the table: %s", strerror(-err));
	return err;
}

int cli_table_print(struct cli_table *t)
{
	return cli_table_fprint(t, stdout);
}
