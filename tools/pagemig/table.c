// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table.c - the tables every subcommand prints: columns chosen with -o, rows of cells.  print.c
 * lays them out (aligned for people, --raw for scripts), json.c writes them as JSON, with
 * util-linux's conventions (-o LIST, +LIST, lowercase JSON keys, \xHH escapes, null for an empty
 * cell).
 *
 * A table holds its rows until it is printed (the widths must be known first; a JSON document is
 * written whole or not at all), so what a row costs to keep is what a table of 10,000 rows costs:
 * every page of memory it touches is a page fault.  The row being filled is an array of cells;
 * when the next row starts it is stored as a byte stream: per cell a tag, then numbers as
 * varints (the difference from the cell above: addresses grow a little from row to row), a cell
 * equal to the one above as the tag alone, text as the offset of its string in one arena, where
 * each distinct string is kept once.  Numbers are formatted when printed, cells equal to the one
 * above are formatted once (table_cursor).  A cell of a stored row that is set again goes to a
 * short sorted list of overrides, applied when the rows are read back.
 *
 * libsmartcols, which pagemig used first, took 26 ms to lay out 10,000 rows of 9 short cells on
 * the benchmark host, more than numastat's whole run (bench/README.md, "Why pagemig prints its own
 * tables").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

#define CHUNK_BYTES 65520	/* a block of stored rows; malloc() touches only what is written */
#define MAX_CELL_BYTES 21	/* a tag and two varints */

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
	t->open = -1;
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
	/* the arena's first byte is the empty string; offset 0 is never a stored string */
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
	struct cli_chunk *c, *next;

	for (c = t->rows; c; c = next) {
		next = c->next;
		free(c);
	}
	free(t->text);
	free(t->over);
	t->rows = t->last = NULL;
	t->text = NULL;
	t->over = NULL;
}

/* The number of decimal digits of @v. */
static inline size_t dec_len(uint64_t v)
{
	size_t n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	if (v >= 100) {
		n += 2;
		v /= 100;
	}
	return n + (v >= 10);
}

/* The number of hex digits of @v. */
static inline size_t hex_len(uint64_t v)
{
	return v ? (size_t)(67 - __builtin_clzll(v)) / 4 : 1;
}

/*
 * @v in decimal (or hex) at @p, which has room for 20 digits; returns the length.  Written from
 * the last digit back, two decimal digits per division: 10,000 rows of addresses showed in profiles.
 */
static size_t fmt_u64(char *p, uint64_t v, unsigned int base)
{
	static const char digits[] = "0123456789abcdef";
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";
	size_t n, i;

	if (base == 16) {
		n = hex_len(v);
		for (i = n; i--; v >>= 4)
			p[i] = digits[v & 15];
		return n;
	}
	n = i = dec_len(v);
	for (; v >= 100; v /= 100, i -= 2)
		memcpy(p + i - 2, pairs + v % 100 * 2, 2);
	if (v >= 10)
		memcpy(p, pairs + v * 2, 2);
	else
		p[0] = (char)('0' + v);
	return n;
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

/* The text of cell @v: in the arena, or formatted into @buf (48 bytes); its length in *@len. */
static const char *cell_text_len(const struct cli_table *t, const struct cli_cellv *v, char *buf, size_t *len)
{
	size_t n;

	switch (v->kind) {
	case CELL_TEXT:
		*len = strlen(t->text + v->a);
		return t->text + v->a;
	case CELL_U64:
		n = fmt_u64(buf, v->a, 10);
		break;
	case CELL_HEX:
		n = fmt_u64(buf, v->a, 16);
		break;
	case CELL_SIZE:
		n = fmt_size(buf, v->a);
		break;
	case CELL_RANGE:
		n = fmt_u64(buf, v->a, 16);
		buf[n++] = '-';
		n += fmt_u64(buf + n, v->b, 16);
		break;
	default:
		*len = 0;
		return "";
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *cell_text(const struct cli_table *t, const struct cli_cellv *v, char *buf)
{
	size_t len;

	return cell_text_len(t, v, buf, &len);
}

static inline bool cell_eq(const struct cli_cellv *x, const struct cli_cellv *y)
{
	return x->kind == y->kind && x->a == y->a && x->b == y->b;
}

static inline unsigned char *put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

static inline const unsigned char *get_varint(const unsigned char *p, uint64_t *v)
{
	uint64_t x = 0;
	unsigned int shift = 0;

	while (*p & 0x80) {
		x |= (uint64_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	*v = x | (uint64_t)*p++ << shift;
	return p;
}

/* A difference as a small unsigned number, whichever its sign (protobuf's zigzag). */
static inline uint64_t zigzag(uint64_t d)
{
	return d << 1 ^ (uint64_t)((int64_t)d >> 63);
}

static inline uint64_t unzigzag(uint64_t z)
{
	return z >> 1 ^ (0 - (z & 1));
}

/* Cell @c, not the cell @up above it, at @p; returns the end. */
static unsigned char *encode(unsigned char *p, const struct cli_cellv *c, const struct cli_cellv *up)
{
	uint64_t base = up->kind == c->kind ? up->a : 0;

	*p++ = c->kind;
	if (c->kind == CELL_TEXT)
		return put_varint(p, c->a);
	if (c->kind == CELL_EMPTY)
		return p;
	p = put_varint(p, zigzag(c->a - base));
	return c->kind == CELL_RANGE ? put_varint(p, zigzag(c->b - c->a)) : p;
}

/* The inverse: @c holds the cell above and becomes the cell at @p. */
static const unsigned char *decode(const unsigned char *p, struct cli_cellv *c)
{
	unsigned char kind = *p++;
	uint64_t v, base = c->kind == kind ? c->a : 0;

	*c = (struct cli_cellv){ .kind = kind };
	if (kind == CELL_TEXT)
		return get_varint(p, &c->a);
	if (kind == CELL_EMPTY)
		return p;
	p = get_varint(p, &v);
	c->a = base + unzigzag(v);
	if (kind == CELL_RANGE) {
		p = get_varint(p, &v);
		c->b = c->a + unzigzag(v);
	}
	return p;
}

/* Room at the end of the stored rows for @need bytes: a row never straddles two blocks. */
static unsigned char *row_room(struct cli_table *t, size_t need)
{
	struct cli_chunk *c = t->last;

	if (!c || c->cap - c->len < need) {
		size_t cap = need > CHUNK_BYTES ? need : CHUNK_BYTES;

		c = malloc(sizeof(*c) + cap);
		if (!c) {
			t->err = -ENOMEM;
			return NULL;
		}
		c->next = NULL;
		c->len = 0;
		c->cap = cap;
		if (t->last)
			t->last->next = c;
		else
			t->rows = c;
		t->last = c;
	}
	return c->data + c->len;
}

/* An aligned table's widest cell so far in position @pos, with @c: numbers are not formatted. */
static void measure(struct cli_table *t, size_t pos, const struct cli_cellv *c)
{
	char buf[48];
	size_t w;

	if (t->json || t->raw)
		return;
	switch (c->kind) {
	case CELL_EMPTY:
		return;
	case CELL_U64:
		w = dec_len(c->a);
		break;
	case CELL_HEX:
		w = hex_len(c->a);
		break;
	case CELL_RANGE:
		w = hex_len(c->a) + 1 + hex_len(c->b);
		break;
	default:
		w = cell_width(cell_text(t, c, buf));
	}
	if (w > t->width[pos])
		t->width[pos] = w;
}

/*
 * A row is stored as the mask of the positions whose cell differs from the one above (a varint),
 * then those cells: a row of cells that repeat costs a byte or two, and is read back as fast.
 */
void table_seal(struct cli_table *t)
{
	unsigned char *p, *start;
	uint64_t mask = 0, m;
	size_t pos;

	if (t->open < 0)
		return;
	t->open = -1;
	start = p = row_room(t, t->nshown * MAX_CELL_BYTES + 10);
	if (!p)
		return;
	for (pos = 0; pos < t->nshown; pos++)
		if (!cell_eq(&t->cur[pos], &t->above[pos]))
			mask |= 1ULL << pos;
	p = put_varint(p, mask);
	for (m = mask; m; m &= m - 1) {
		pos = (size_t)__builtin_ctzll(m);
		measure(t, pos, &t->cur[pos]);	/* a cell equal to the one above is as wide */
		p = encode(p, &t->cur[pos], &t->above[pos]);
		t->above[pos] = t->cur[pos];
	}
	memset(t->cur, 0, t->nshown * sizeof(t->cur[0]));
	t->last->len += (size_t)(p - start);
}

long cli_table_line(struct cli_table *t)
{
	table_seal(t);
	if (t->err)
		return t->err;
	t->open = (long)t->nlines;
	return (long)t->nlines++;
}

/* The override of cell (@ln, @pos) of a stored row, a new one when there is none; NULL: no memory. */
static struct cli_cellv *override(struct cli_table *t, size_t ln, size_t pos)
{
	size_t lo = 0, hi = t->nover, mid;
	struct cli_override *o;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		o = &t->over[mid];
		if (o->ln < ln || (o->ln == ln && o->pos < pos))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->nover && t->over[lo].ln == ln && t->over[lo].pos == pos)
		return &t->over[lo].c;
	if (t->nover == t->over_cap) {
		size_t cap = t->over_cap ? t->over_cap * 2 : 16;

		o = reallocarray(t->over, cap, sizeof(*o));
		if (!o) {
			t->err = -ENOMEM;
			return NULL;
		}
		t->over = o;
		t->over_cap = cap;
	}
	o = &t->over[lo];
	memmove(o + 1, o, (t->nover - lo) * sizeof(*o));
	t->nover++;
	*o = (struct cli_override){ .ln = ln, .pos = pos };
	t->rewritten = true;	/* the widths are measured again when printed */
	return &o->c;
}

/* Whether cell (@ln, @col) is printed at all: every setter asks before it formats anything. */
static bool shown(const struct cli_table *t, long ln, int col)
{
	return ln >= 0 && (size_t)ln < t->nlines && col >= 0 && (size_t)col < t->ncols && t->map[col] >= 0;
}

/* Cell (@ln, @col), shown, becomes @v: in the row being filled, or an override. */
static inline void set(struct cli_table *t, long ln, int col, struct cli_cellv v)
{
	size_t pos = (size_t)t->map[col];
	struct cli_cellv *c;

	if (ln == t->open) {
		t->cur[pos] = v;
		return;
	}
	c = override(t, (size_t)ln, pos);
	if (c)
		*c = v;
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

/* Whether the arena's string at @off is the @len bytes at @s.  Short: inline, no memcmp() call. */
static inline bool same(const struct cli_table *t, uint64_t off, const char *s, size_t len)
{
	const char *a = t->text + off;
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != s[i])
			return false;
	return a[len] == '\0';
}

static inline uint32_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/*
 * Cell (@ln, @col), shown, is the @len bytes at @s, which may be the arena's free space (written
 * there after reserve()).  A string kept already is not kept again: the cell above's (most
 * columns repeat from row to row: a kind, a policy, "4K"), or a recent one of the same hash.
 */
static void set_text(struct cli_table *t, long ln, int col, const char *s, size_t len)
{
	const struct cli_cellv *up = &t->above[t->map[col]];
	uint32_t *slot, off;
	char *p;

	if (!len) {
		set(t, ln, col, (struct cli_cellv){ .kind = CELL_EMPTY });
		return;
	}
	if (up->kind == CELL_TEXT && same(t, up->a, s, len)) {
		set(t, ln, col, *up);
		return;
	}
	slot = &t->intern[hash(s, len) % CLI_INTERN];
	if (!*slot || !same(t, *slot, s, len)) {
		if (s != t->text + t->text_len) {
			if (!(p = reserve(t, len)))
				return;
			memcpy(p, s, len);
		}
		t->text[t->text_len + len] = '\0';
		*slot = (uint32_t)t->text_len;
		t->text_len += len + 1;
	}
	off = *slot;
	set(t, ln, col, (struct cli_cellv){ .kind = CELL_TEXT, .a = off });
}

void cli_cell(struct cli_table *t, long ln, int col, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int len;

	if (!shown(t, ln, col) || !(p = reserve(t, 63)))
		return;
	va_start(ap, fmt);
	len = vsnprintf(p, 64, fmt, ap);
	va_end(ap);
	if (len >= 64) {
		if (!(p = reserve(t, (size_t)len)))
			return;
		va_start(ap, fmt);
		vsnprintf(p, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	if (len >= 0)
		set_text(t, ln, col, p, (size_t)len);
}

void cli_cell_str(struct cli_table *t, long ln, int col, const char *s)
{
	if (shown(t, ln, col) && s)
		set_text(t, ln, col, s, strlen(s));
}

void cli_cell_u64(struct cli_table *t, long ln, int col, uint64_t v)
{
	if (shown(t, ln, col))
		set(t, ln, col, (struct cli_cellv){ .kind = CELL_U64, .a = v });
}

void cli_cell_hex(struct cli_table *t, long ln, int col, uint64_t v)
{
	if (shown(t, ln, col))
		set(t, ln, col, (struct cli_cellv){ .kind = CELL_HEX, .a = v });
}

void cli_cell_range(struct cli_table *t, long ln, int col, uint64_t start, uint64_t end)
{
	if (shown(t, ln, col))
		set(t, ln, col, (struct cli_cellv){ .kind = CELL_RANGE, .a = start, .b = end });
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
	set_text(t, ln, col, p, len);
}

void cli_cell_size(struct cli_table *t, const struct cli_out *o, long ln, int col, uint64_t bytes)
{
	if (shown(t, ln, col))
		set(t, ln, col, (struct cli_cellv){ .kind = o->bytes || o->json ? CELL_U64 : CELL_SIZE, .a = bytes });
}

void table_cursor_init(struct table_cursor *c, const struct cli_table *t)
{
	memset(c, 0, offsetof(struct table_cursor, num));
	c->t = t;
	c->chunk = t->rows;
}

bool table_row_next(struct table_cursor *c)
{
	const struct cli_table *t = c->t;
	const struct cli_cellv *v[CLI_MAX_COLS];
	const unsigned char *p;
	uint64_t mask, over = 0, m;
	size_t pos;

	if (c->ln >= t->nlines || !c->chunk)
		return false;
	while (c->off == c->chunk->len && c->chunk->next) {
		c->chunk = c->chunk->next;
		c->off = 0;
	}
	p = get_varint(c->chunk->data + c->off, &mask);
	for (m = mask; m; m &= m - 1)
		p = decode(p, &c->orig[__builtin_ctzll(m)]);
	c->off = (size_t)(p - c->chunk->data);
	for (; c->ov < t->nover && t->over[c->ov].ln == c->ln; c->ov++) {
		pos = t->over[c->ov].pos;
		over |= 1ULL << pos;
		v[pos] = &t->over[c->ov].c;
	}
	/* an override's text stood in for the stored cell: the next row's is made again */
	mask |= over | c->over | (c->ln ? 0 : ~0ULL);
	c->over = over;
	memset(c->changed, 0, t->nshown * sizeof(c->changed[0]));
	for (m = mask; m; m &= m - 1) {
		pos = (size_t)__builtin_ctzll(m);
		if (pos >= t->nshown)
			break;
		c->changed[pos] = true;
		if (!(over >> pos & 1))
			v[pos] = &c->orig[pos];
		c->text[pos] = cell_text_len(t, v[pos], c->num[pos], &c->len[pos]);
		c->kind[pos] = v[pos]->kind;
	}
	c->ln++;
	return true;
}
