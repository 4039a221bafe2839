/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * out.h - what print.c and json.c share: a table's cells by position, and a buffered writer
 * (OUT_BUF bytes, written whenever it fills) with a sticky error.
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

/* The text of the cell of row @ln at shown position @pos ("" when never set). */
static inline const char *table_cell(const struct cli_table *t, size_t ln, size_t pos)
{
	return t->text + t->cells[ln * t->nshown + pos];
}

#endif
