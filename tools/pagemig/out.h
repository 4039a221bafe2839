/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * out.h - what table.c, print.c and json.c share: a cursor over a table's rows, and a buffered
 * writer (OUT_BUF bytes, written whenever it fills) with a sticky error.
 */
#ifndef PAGEMIG_OUT_H
#define PAGEMIG_OUT_H

#include <stdio.h>
#include <string.h>

#include "cli.h"

#define OUT_BUF 65536

struct out {
	FILE *f;
	char buf[OUT_BUF];
	size_t len;
	unsigned long flushes;	/* buffers written: what lies in buf since a count is unbroken */
	int err;		/* -EIO once a write failed */
};

/* A writer on @f; NULL when out of memory (the buffer is too big for the stack). */
struct out *out_open(FILE *f);
void out_flush(struct out *o);
/* Flush and free @o; the first error (-errno), -ENOMEM for a NULL @o. */
int out_close(struct out *o);
/* "\xHH" */
void put_hex(struct out *o, unsigned char c);

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

static inline void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Columns @s takes on a terminal (print.c), escapes included. */
size_t cell_width(const char *s);

/* What a cell holds (table.c): its text is formatted from a number unless CELL_TEXT. */
enum { CELL_EMPTY, CELL_TEXT, CELL_U64, CELL_HEX, CELL_SIZE, CELL_RANGE };

/*
 * Reading a table's rows back, in order (table.c): after table_row_next(), text[pos] is the text
 * of each shown cell of the row ("" when never set), len[pos] its length, kind[pos] what it was
 * made from, and changed[pos] says whether it may differ
 * from the row above's, so that a printer can reuse what it made of that one.
 */
struct table_cursor {
	const struct cli_table *t;
	size_t ln;				/* rows read */
	const struct cli_chunk *chunk;
	size_t off, ov;				/* in chunk; the next override */
	struct cli_cellv orig[CLI_MAX_COLS];	/* the last row's cells as stored */
	uint64_t over;				/* where the last row showed an override */
	const char *text[CLI_MAX_COLS];
	size_t len[CLI_MAX_COLS];		/* strlen(text[pos]) */
	unsigned char kind[CLI_MAX_COLS];	/* CELL_*: a number is plain ASCII, nothing to escape */
	bool changed[CLI_MAX_COLS];
	char num[CLI_MAX_COLS][48];		/* a number's text */
};

/* Store the row being filled, so that the rows can be read: before printing. */
void table_seal(struct cli_table *t);
void table_cursor_init(struct table_cursor *c, const struct cli_table *t);
/* The next row into @c; false after the last. */
bool table_row_next(struct table_cursor *c);

#endif
