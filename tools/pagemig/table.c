// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - the tables every subcommand prints: aligned columns for people, --raw for scripts
 * that split on spaces, --json, with util-linux's conventions (-o LIST, +LIST, lowercase JSON
 * keys, \xHH escapes, null for an empty cell).
 *
 * Cells are kept as text in one arena, a row as an array of offsets into it, so that 10,000 rows
 * cost two allocations that grow, not one per cell: libsmartcols, which pagemig used first, took
 * 18 ms to lay out 10,000 rows of 9 short cells on the benchmark host, more than reading the
 * whole process (bench/README.md, "Why pagemig prints its own tables").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "cli.h"

#define NO_CELL 0	/* offset 0 of the arena is an empty string: a cell never set */

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

/* The text of cell (@ln, @col) is the @len bytes just written at reserve()'s pointer. */
static void commit(struct cli_table *t, long ln, int col, size_t len)
{
	t->text[t->text_len + len] = '\0';
	t->cells[(size_t)ln * t->nshown + (size_t)t->map[col]] = (uint32_t)t->text_len;
	t->text_len += len + 1;
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

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
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

static const char *cell(const struct cli_table *t, size_t ln, size_t pos)
{
	return t->text + t->cells[ln * t->nshown + pos];
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

/* Output through a buffer of OUT_BUF bytes, written whenever it fills, and a sticky error. */
#define OUT_BUF 65536

struct out {
	FILE *f;
	char buf[OUT_BUF];
	size_t len;
	int err;
};

static void out_flush(struct out *o)
{
	if (!o->err && o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = -EIO;
	o->len = 0;
}

static inline void put(struct out *o, const char *s, size_t len)
{
	while (len > OUT_BUF - o->len) {
		size_t n = OUT_BUF - o->len;

		memcpy(o->buf + o->len, s, n);
		o->len += n;
		s += n;
		len -= n;
		out_flush(o);
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static inline void put_spaces(struct out *o, size_t n)
{
	static const char sp[] = "                                ";

	for (; n > sizeof(sp) - 1; n -= sizeof(sp) - 1)
		put(o, sp, sizeof(sp) - 1);
	put(o, sp, n);
}

static void put_hex(struct out *o, unsigned char c)
{
	char x[5];

	snprintf(x, sizeof(x), "\\x%02x", c);
	put(o, x, 4);
}

/* A writer on @f; NULL when out of memory (the buffer is too big for the stack). */
static struct out *out_open(FILE *f)
{
	struct out *o = malloc(sizeof(*o));

	if (o) {
		o->f = f;
		o->len = 0;
		o->err = 0;
	}
	return o;
}

static int out_close(struct out *o)
{
	int err;

	if (!o)
		return -ENOMEM;
	out_flush(o);
	err = o->err;
	free(o);
	return err;
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

static size_t cell_width(const char *s)
{
	size_t n = ascii_len(s);

	return s[n] ? text_width(s) : n;
}

/* Each shown column's width: its widest cell or heading, TRUNC columns cut to fit a terminal. */
static void column_widths(const struct cli_table *t, size_t *width)
{
	size_t pos, ln, total = 0, term = term_width();

	for (pos = 0; pos < t->nshown; pos++) {
		width[pos] = t->noheadings ? 0 : cell_width(t->cols[t->shown[pos]].name);
		for (ln = 0; ln < t->nlines; ln++) {
			size_t w = cell_width(cell(t, ln, pos));

			if (w > width[pos])
				width[pos] = w;
		}
		total += width[pos] + (pos ? 1 : 0);
	}
	for (pos = 0; term && total > term && pos < t->nshown; pos++) {
		size_t min = t->noheadings ? 1 : cell_width(t->cols[t->shown[pos]].name), cut;

		if (!(t->cols[t->shown[pos]].flags & CLI_COL_TRUNC) || width[pos] <= min)
			continue;
		cut = width[pos] - min < total - term ? width[pos] - min : total - term;
		width[pos] -= cut;
		total -= cut;
	}
}

/* One aligned line: @cells[pos] for each shown column; no trailing blanks. */
static void aligned_line(const struct cli_table *t, struct out *o, const char *const *cells,
			 const size_t *width)
{
	size_t pos, pad = 0, n, w;

	for (pos = 0; pos < t->nshown; pos++) {
		const char *s = cells[pos];

		if (!*s) {
			pad += width[pos] + 1;
			continue;
		}
		n = ascii_len(s);
		w = s[n] ? text_width(s) : n;
		if (w > width[pos])
			w = width[pos];
		if (t->cols[t->shown[pos]].flags & CLI_COL_RIGHT) {
			put_spaces(o, pad + width[pos] - w);
			pad = 0;
		} else {
			put_spaces(o, pad);
			pad = width[pos] - w;
		}
		if (!s[n] && n == w)
			put(o, s, n);
		else
			put_cell(o, s, width[pos]);
		pad++;
	}
	put(o, "\n", 1);
}

static int print_aligned(const struct cli_table *t, FILE *f)
{
	const char *cells[CLI_MAX_COLS];
	size_t width[CLI_MAX_COLS], pos, ln;
	struct out *o = out_open(f);

	if (!o)
		return -ENOMEM;
	column_widths(t, width);
	if (!t->noheadings) {
		for (pos = 0; pos < t->nshown; pos++)
			cells[pos] = t->cols[t->shown[pos]].name;
		aligned_line(t, o, cells, width);
	}
	for (ln = 0; ln < t->nlines && !o->err; ln++) {
		for (pos = 0; pos < t->nshown; pos++)
			cells[pos] = cell(t, ln, pos);
		aligned_line(t, o, cells, width);
	}
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

static int print_raw(const struct cli_table *t, FILE *f)
{
	struct out *o = out_open(f);
	size_t pos, ln;

	if (!o)
		return -ENOMEM;
	for (ln = 0; ln <= t->nlines && !o->err; ln++) {
		if (ln == 0 && t->noheadings)
			continue;
		for (pos = 0; pos < t->nshown; pos++) {
			if (pos)
				put(o, " ", 1);
			raw_cell(o, ln ? cell(t, ln - 1, pos) : t->cols[t->shown[pos]].name);
		}
		put(o, "\n", 1);
	}
	return out_close(o);
}

/* The length of the UTF-8 sequence at @s (1-4), or 0 when it is not one (overlong, surrogate...). */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string: quotes, backslashes and control characters escaped, and a byte that is not UTF-8
 * (a file name may hold any) as U+FFFD, so that the document is always valid JSON.
 */
static void json_string(struct out *o, const char *s)
{
	const char *run = s;
	char esc[8];
	size_t n;

	put(o, "\"", 1);
	while (*s) {
		unsigned char c = (unsigned char)*s;

		n = utf8_len((const unsigned char *)s);
		if (n && c >= 0x20 && c != '"' && c != '\\') {
			s += n;
			continue;
		}
		put(o, run, (size_t)(s - run));
		if (!n)
			snprintf(esc, sizeof(esc), "\\ufffd");
		else if (c == '"' || c == '\\')
			snprintf(esc, sizeof(esc), "\\%c", c);
		else
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		put_str(o, esc);
		run = ++s;
	}
	put(o, run, (size_t)(s - run));
	put(o, "\"", 1);
}

/* Whether [s, s+len) is a JSON number: -?digits(.digits)?([eE][+-]?digits)? */
static bool json_number(const char *s, size_t len)
{
	const char *end = s + len;
	size_t d;

	if (s < end && *s == '-')
		s++;
	for (d = 0; s < end && *s >= '0' && *s <= '9'; s++)
		d++;
	if (!d)
		return false;
	if (s < end && *s == '.') {
		for (s++, d = 0; s < end && *s >= '0' && *s <= '9'; s++)
			d++;
		if (!d)
			return false;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			s++;
		for (d = 0; s < end && *s >= '0' && *s <= '9'; s++)
			d++;
		if (!d)
			return false;
	}
	return s == end;
}

/* Whether @s is a comma list of JSON numbers (an empty one included). */
static bool json_number_list(const char *s)
{
	size_t n;

	while (*s) {
		n = strcspn(s, ",");
		if (!json_number(s, n))
			return false;
		s += n;
		if (*s == ',' && !*++s)
			return false;
	}
	return true;
}

/* A JSON key: the column's name in lowercase. */
static void json_key(struct out *o, const char *name)
{
	char key[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(key) - 1; i++)
		key[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	key[i] = '\0';
	json_string(o, key);
	put(o, ": ", 2);
}

/*
 * A cell's JSON value by its column's type; an empty cell is null (an empty array for a list).  A
 * cell that is not what its type says is written as a string: the document stays valid.
 */
static void json_value(struct out *o, const char *s, int type)
{
	if (type == CLI_JSON_ARRAY && json_number_list(s)) {
		put(o, "[", 1);
		for (; *s; s++) {
			if (*s == ',')
				put(o, ", ", 2);
			else
				put(o, s, 1);
		}
		put(o, "]", 1);
	} else if (!*s) {
		put(o, "null", 4);
	} else if (type == CLI_JSON_NUMBER && json_number(s, strlen(s))) {
		put_str(o, s);
	} else {
		json_string(o, s);
	}
}

int cli_table_print_member(const struct cli_table *t, FILE *f)
{
	struct out *o = out_open(f);
	size_t pos, ln;

	if (!o)
		return -ENOMEM;
	put(o, "   ", 3);
	json_key(o, t->name);
	put(o, "[", 1);
	for (ln = 0; ln < t->nlines && !o->err; ln++) {
		put_str(o, ln ? ",{\n" : "\n      {\n");
		for (pos = 0; pos < t->nshown; pos++) {
			const struct cli_col *c = &t->cols[t->shown[pos]];

			put(o, "         ", 9);
			json_key(o, c->name);
			json_value(o, cell(t, ln, pos), c->json_type);
			put_str(o, pos + 1 < t->nshown ? ",\n" : "\n");
		}
		put(o, "      }", 7);
	}
	put_str(o, "\n   ]");
	return out_close(o);
}

int cli_table_fprint(struct cli_table *t, FILE *f)
{
	int err = t->err;

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
