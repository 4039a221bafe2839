// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_table.c - the CLI's table printer (tools/pagemig/table.c) on arbitrary cell bytes: file
 * names and pseudo-names reach it unfiltered, so a hostile name must neither move a terminal's
 * cursor nor break a script's parsing.
 *
 * The input is cut at NUL bytes into cells, three per row: NAME (left), SIZE (right, a number in
 * JSON), PATH (left, last).  Invariants:
 *  - aligned and --raw output: one line per row plus the heading, no control byte but the
 *    newlines (escapes are \xHH);
 *  - --raw: exactly two spaces per line, so that splitting on spaces gives the three cells back;
 *  - aligned: a PATH of printable ASCII starts where the heading's PATH does;
 *  - JSON: a valid document whose strings decode to the cells, with U+FFFD for each byte that is
 *    not UTF-8, and whose SIZE is a number only when the cell is one.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_CELLS 12
#define OUT_MAX (1 << 20)

const char *const fuzz_dictionary[] = {
	"/usr/lib/x", " ", "\\", "\"", "\n", "\t", "\x1b[31m", "\x7f", "\xff", "\xc3\xa9", "\xe2\x96\x88",
	"\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xe2\x82", "12", "-3", "1.5", "1e9", "0x1", ",",
	"[heap]", " (deleted)", "\\x20", "null", NULL,
};

enum { C_NAME, C_SIZE, C_PATH, NR_C };

static const struct cli_col cols[NR_C] = {
	[C_NAME] = { "NAME", 0, "", CLI_JSON_STRING },
	[C_SIZE] = { "SIZE", CLI_COL_RIGHT, "", CLI_JSON_NUMBER },
	[C_PATH] = { "PATH", 0, "", CLI_JSON_STRING },
};

#define ASSERT(cond)                                                                           \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_table: %s:%d: %s broken\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

static char out[OUT_MAX + 1];

/* The table of @cells printed with @o, into out[]; returns its length. */
static size_t render(const struct cli_out *o, char *const *cells, int ncells)
{
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct cli_table t;
	long ln = -1, n;
	int i, err;

	ASSERT(f);
	ASSERT(cli_table_new(&t, o, "rows", cols, NR_C, "NAME,SIZE,PATH") == 0);
	for (i = 0; i < ncells; i++) {
		if (i % NR_C == 0)
			ln = cli_table_line(&t);
		cli_cell_str(&t, ln, i % NR_C, cells[i]);
	}
	err = cli_table_fprint(&t, f);
	ASSERT(err == 0);
	cli_table_free(&t);
	n = ftell(f);
	ASSERT(n >= 0 && n < OUT_MAX);
	fclose(f);
	out[n] = '\0';
	return (size_t)n;
}

/* Lines and the bytes in them: no control byte but '\n', @nlines lines, each ending in '\n'. */
static void check_lines(size_t len, int nlines)
{
	int lines = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		ASSERT(c == '\n' || (c >= 0x20 && c != 0x7f));
		lines += c == '\n';
	}
	ASSERT(lines == nlines);
	ASSERT(len && out[len - 1] == '\n');
}

static void check_raw(size_t len, int nlines)
{
	const char *p = out;
	int spaces = 0;

	check_lines(len, nlines);
	for (; *p; p++) {
		if (*p == '\n') {
			ASSERT(spaces == NR_C - 1);
			spaces = 0;
		} else {
			spaces += *p == ' ';
		}
	}
}

static bool printable_ascii(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

static void check_aligned(size_t len, char *const *cells, int ncells)
{
	const char *line = out, *nl;
	size_t path_at;
	int row;

	check_lines(len, 1 + (ncells + NR_C - 1) / NR_C);
	nl = strchr(line, '\n');
	path_at = (size_t)(strstr(line, "PATH") - line);
	ASSERT(path_at + 5 == (size_t)(nl - line) + 1);
	for (row = 0, line = nl + 1; *line; row++, line = nl + 1) {
		const char *path = row * NR_C + C_PATH < ncells ? cells[row * NR_C + C_PATH] : "";

		nl = strchr(line, '\n');
		if (*path && printable_ascii(path)) {
			ASSERT((size_t)(nl - line) == path_at + strlen(path));
			ASSERT(!memcmp(line + path_at, path, strlen(path)));
		}
	}
}

/* A JSON string at *@p into @buf (decoded, UTF-8); advances *@p past it. */
static size_t json_decode(const char **p, char *buf)
{
	const char *s = *p;
	size_t n = 0;
	unsigned int cp;

	ASSERT(*s == '"');
	for (s++; *s != '"'; s++) {
		ASSERT(*s && (unsigned char)*s >= 0x20);
		if (*s != '\\') {
			buf[n++] = *s;
			continue;
		}
		s++;
		if (*s == '"' || *s == '\\') {
			buf[n++] = *s;
			continue;
		}
		ASSERT(*s == 'u' && sscanf(s + 1, "%4x", &cp) == 1);
		s += 4;
		if (cp < 0x80) {
			buf[n++] = (char)cp;
		} else {
			ASSERT(cp == 0xfffd);
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
		}
	}
	*p = s + 1;
	buf[n] = '\0';
	return n;
}

/* What JSON should decode @cell to: every byte that is not UTF-8 replaced by U+FFFD. */
static void expected_string(const char *cell, char *buf)
{
	const unsigned char *s = (const unsigned char *)cell;
	size_t n = 0, k, i;

	while (*s) {
		k = 0;
		if (*s < 0x80)
			k = 1;
		else if (*s >= 0xc2 && *s <= 0xdf)
			k = 2;
		else if (*s >= 0xe0 && *s <= 0xef)
			k = 3;
		else if (*s >= 0xf0 && *s <= 0xf4)
			k = 4;
		for (i = 1; i < k; i++)
			if ((s[i] & 0xc0) != 0x80)
				k = 0;
		if (k == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
			k = 0;	/* overlong, surrogate */
		if (k == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
			k = 0;	/* overlong, above U+10FFFF */
		if (!k) {
			memcpy(buf + n, "\xef\xbf\xbd", 3);
			n += 3;
			s++;
		} else {
			memcpy(buf + n, s, k);
			n += k;
			s += k;
		}
	}
	buf[n] = '\0';
}

/* Past the punctuation between two members: blanks, commas, braces. */
static const char *skip(const char *p)
{
	while (*p && strchr(" \n,{}", *p))
		p++;
	return p;
}

static void check_json(char *const *cells, int ncells)
{
	static const char *const keys[NR_C] = { "\"name\": ", "\"size\": ", "\"path\": " };
	static char got[OUT_MAX], want[OUT_MAX];
	const char *p = strstr(out, "\"rows\": [");
	int i;

	ASSERT(p);
	p += strlen("\"rows\": [");
	for (i = 0; i < ncells; i++) {
		const char *cell = cells[i], *key = keys[i % NR_C];

		p = skip(p);
		ASSERT(!strncmp(p, key, strlen(key)));
		p += strlen(key);
		if (!*cell) {
			ASSERT(!strncmp(p, "null", 4));
			p += 4;
		} else if (*p != '"') {	/* a bare number: only for SIZE, only the cell itself */
			ASSERT(i % NR_C == C_SIZE && !strncmp(p, cell, strlen(cell)) &&
			       strchr(",\n", p[strlen(cell)]));
			p += strlen(cell);
		} else {
			json_decode(&p, got);
			expected_string(cell, want);
			ASSERT(!strcmp(got, want));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *cells[MAX_CELLS];
	struct cli_out o = { 0 };
	int ncells = 0, nlines;
	size_t len, i, start = 0;

	ASSERT(buf);
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && ncells < MAX_CELLS; i++) {
		if (i == size || !buf[i]) {
			cells[ncells++] = buf + start;
			start = i + 1;
		}
	}
	nlines = 1 + (ncells + NR_C - 1) / NR_C;
	check_aligned(render(&o, cells, ncells), cells, ncells);
	o.raw = true;
	len = render(&o, cells, ncells);
	check_raw(len, nlines);
	o.raw = false;
	o.json = true;
	render(&o, cells, ncells);
	check_json(cells, ncells);
	free(buf);
	return 0;
}
