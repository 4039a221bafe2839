// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.c - a table as JSON: {"NAME": [ {"column": value, ...}, ... ]}, keys the column names in
 * lowercase, values by the column's type (string, number, array of numbers from a comma list),
 * null for an empty cell.  The document is always valid: strings escaped, a byte that is not
 * UTF-8 written as U+FFFD, a cell that is not its column's type written as a string.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

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

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {	/* plain ASCII: most of it */
			s++;
			continue;
		}
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

/*
 * Each shown column's `         "key": ` once, into @o's buffer past its end, and where each
 * starts: rows then copy them (a key escaped per cell was a tenth of `show --json`).
 */
static char *json_keys(const struct cli_table *t, size_t *at)
{
	struct out *k = out_open(NULL);
	size_t pos;
	char *buf;

	if (!k)
		return NULL;
	for (pos = 0; pos < t->nshown; pos++) {
		at[pos] = k->len;
		put(k, "         ", 9);
		json_key(k, t->cols[t->shown[pos]].name);
	}
	at[pos] = k->len;
	buf = malloc(k->len);
	if (buf)
		memcpy(buf, k->buf, k->len);
	free(k);
	return buf;
}

/*
 * Each position's last "key": value,\n as written, to copy whole while the cells below are the
 * same (most are: a kind, a policy, a size): one copy instead of a key, a value and a separator.
 */
struct json_memo {
	char text[CLI_MAX_COLS][128];
	unsigned char len[CLI_MAX_COLS];	/* 0: none (too long, or written across a flush) */
};

/*
 * A cell's value: a number formatted by table.c is plain ASCII (digits, hex, '-', a unit): it
 * needs no check and no escape.  Any other cell is written by its text (json_value()).
 */
static void json_cell_value(struct out *o, const struct table_cursor *c, size_t pos)
{
	int type = c->t->cols[c->t->shown[pos]].json_type;
	unsigned char kind = c->kind[pos];

	if (kind == CELL_U64 && type == CLI_JSON_NUMBER) {
		put(o, c->text[pos], c->len[pos]);
	} else if (kind > CELL_TEXT && type == CLI_JSON_STRING) {
		put(o, "\"", 1);
		put(o, c->text[pos], c->len[pos]);
		put(o, "\"", 1);
	} else {
		json_value(o, c->text[pos], type);
	}
}

/* Cell @pos of the row at @c with its key (@key, @klen) and the separator after it. */
static void json_cell(struct out *o, const struct table_cursor *c, size_t pos, const char *key, size_t klen,
		      struct json_memo *m)
{
	size_t at = o->len, n;
	unsigned long flushes = o->flushes;
	bool last = pos + 1 == c->t->nshown;

	if (!c->changed[pos] && m->len[pos]) {
		put(o, m->text[pos], m->len[pos]);
		return;
	}
	put(o, key, klen);
	json_cell_value(o, c, pos);
	put(o, last ? "\n" : ",\n", last ? 1 : 2);
	n = o->len - at;
	m->len[pos] = 0;
	if (o->flushes == flushes && n <= sizeof(m->text[pos])) {
		memcpy(m->text[pos], o->buf + at, n);
		m->len[pos] = (unsigned char)n;
	}
}

int cli_table_print_member(struct cli_table *t, FILE *f)
{
	size_t pos, at[CLI_MAX_COLS + 1];
	struct out *o = out_open(f);
	char *keys = json_keys(t, at);
	struct json_memo *m = malloc(sizeof(*m));
	struct table_cursor c;

	table_seal(t);
	if (!o || !keys || !m || t->err) {
		free(keys);
		free(m);
		out_close(o);
		return t->err ? t->err : -ENOMEM;
	}
	put(o, "   ", 3);
	json_key(o, t->name);
	put(o, "[", 1);
	table_cursor_init(&c, t);
	while (!o->err && table_row_next(&c)) {
		put_str(o, c.ln > 1 ? ",{\n" : "\n      {\n");
		for (pos = 0; pos < t->nshown; pos++)
			json_cell(o, &c, pos, keys + at[pos], at[pos + 1] - at[pos], m);
		put(o, "      }", 7);
	}
	put_str(o, "\n   ]");
	free(keys);
	free(m);
	return out_close(o);
}

void cli_json_str(FILE *f, const char *s)
{
	struct out *o = out_open(f);

	if (!o)
		return;
	json_string(o, s ? s : "");
	out_close(o);
}
