// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_table.c - the CLI's table printer (tools/pagemig/table.c) on its own: alignment, column
 * selection, escapes for terminals, --raw and JSON, and human sizes.  Exact expected text: every
 * subcommand's output goes through here.
 */
#include <inttypes.h>
#include <locale.h>

#include "unit.h"
#include "cli.h"

enum { C_NAME, C_SIZE, C_LIST, C_PATH, NR_C };

static const struct cli_col cols[NR_C] = {
	[C_NAME] = { "NAME", 0, "a name", CLI_JSON_STRING },
	[C_SIZE] = { "SIZE", CLI_COL_RIGHT, "a number", CLI_JSON_NUMBER },
	[C_LIST] = { "LIST", 0, "numbers", CLI_JSON_ARRAY },
	[C_PATH] = { "PATH", 0, "the last one", CLI_JSON_STRING },
};

/* What cli_table_fprint() writes, in @buf. */
static void capture(struct cli_table *t, char *buf, size_t len, int *err)
{
	FILE *f = fmemopen(buf, len, "w");

	buf[0] = '\0';
	if (!f) {
		*err = -errno;
		return;
	}
	*err = cli_table_fprint(t, f);
	fclose(f);	/* writes the terminating NUL */
}

/* A table of @rows rows of (NAME, SIZE, PATH) printed with @o; its text in @buf. */
static int table(const struct cli_out *o, const char *const (*rows)[3], int nrows, char *buf, size_t len)
{
	static const uint64_t list[] = { 1, 22 };
	struct cli_table t;
	int i, err = cli_table_new(&t, o, "things", cols, NR_C, "NAME,SIZE,PATH");

	if (err)
		return err;
	for (i = 0; i < nrows; i++) {
		long ln = cli_table_line(&t);

		cli_cell_str(&t, ln, C_NAME, rows[i][0]);
		if (rows[i][1])
			cli_cell(&t, ln, C_SIZE, "%s", rows[i][1]);
		cli_cell_str(&t, ln, C_PATH, rows[i][2]);
		cli_cell_list(&t, ln, C_LIST, list, i ? 2 : 0);
	}
	capture(&t, buf, len, &err);
	cli_table_free(&t);
	return err;
}

#define EXPECT_TABLE(o, rows, want)                                                              \
	do {                                                                                      \
		char got_[4096];                                                                  \
		int err_ = table(o, rows, (int)(sizeof(rows) / sizeof(rows[0])), got_, sizeof(got_)); \
		CHECK(!err_ && !strcmp(got_, want), "%s: got (%d)\n%s---\nwant\n%s---", #rows, err_, \
		      got_, want);                                                        \
	} while (0)

static void test_aligned(void)
{
	static const char *const plain[][3] = {
		{ "a", "1", "/x" },
		{ "bbbb", "12345", "" },
		{ "", NULL, "/y z" },
	};
	static const char *const escapes[][3] = {
		{ "\x1b[31m", "7", "tab\there" },
	};
	struct cli_out o = { 0 };

	EXPECT_TABLE(&o, plain, "NAME  SIZE PATH\n"
				"a        1 /x\n"
				"bbbb 12345\n"
				"           /y z\n");
	/* a terminal never gets a control byte: \xHH, four columns wide */
	EXPECT_TABLE(&o, escapes, "NAME     SIZE PATH\n"
				  "\\x1b[31m    7 tab\\x09here\n");
	o.noheadings = true;
	EXPECT_TABLE(&o, plain, "a        1 /x\n"
				"bbbb 12345\n"
				"           /y z\n");
}

static void test_columns(void)
{
	static const char *const rows[][3] = {
		{ "a", "1", "/x" },
		{ "b", "2", "/y" },
	};
	struct cli_out o = { .columns = "path,NAME" };
	struct cli_table t;

	EXPECT_TABLE(&o, rows, "PATH NAME\n/x   a\n/y   b\n");
	o.columns = "+LIST";
	EXPECT_TABLE(&o, rows, "NAME SIZE PATH LIST\n"
			       "a       1 /x\n"
			       "b       2 /y   1,22\n");
	o.columns = "NAME,NOPE";
	CHECK(cli_table_new(&t, &o, "things", cols, NR_C, "NAME") == -EINVAL, "an unknown column is accepted");
	o.columns = "";
	CHECK(cli_table_new(&t, &o, "things", cols, NR_C, "NAME") == 0 && t.nshown == 0,
	      "-o '' should show no column");
	cli_table_free(&t);
}

static void test_raw(void)
{
	static const char *const rows[][3] = {
		{ "a b", "1", "back\\slash" },
		{ "", "2", "" },
	};
	struct cli_out o = { .raw = true };

	/* one space between cells: a blank or a backslash inside one is \xHH, empty stays empty */
	EXPECT_TABLE(&o, rows, "NAME SIZE PATH\na\\x20b 1 back\\x5cslash\n 2 \n");
}

static void test_json(void)
{
	static const char *const rows[][3] = {
		{ "say \"hi\"\n", "42", "" },
		{ "b", NULL, "/p" },
	};
	struct cli_out o = { .json = true, .columns = "+LIST" };

	EXPECT_TABLE(&o, rows, "{\n"
			       "   \"things\": [\n"
			       "      {\n"
			       "         \"name\": \"say \\\"hi\\\"\\u000a\",\n"
			       "         \"size\": 42,\n"
			       "         \"path\": null,\n"
			       "         \"list\": []\n"
			       "      },{\n"
			       "         \"name\": \"b\",\n"
			       "         \"size\": null,\n"
			       "         \"path\": \"/p\",\n"
			       "         \"list\": [1, 22]\n"
			       "      }\n"
			       "   ]\n"
			       "}\n");
}

static void test_utf8(void)
{
	static const char *const rows[][3] = {
		{ "█▁", "1", "é" },
		{ "ab", "2", "\xff" },
	};
	struct cli_out o = { 0 };

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		unit_skip("utf-8 widths not checked: no C.UTF-8 locale");
		return;
	}
	/* two block characters are two columns; a byte that is no character is \xHH */
	EXPECT_TABLE(&o, rows, "NAME SIZE PATH\n"
			       "█▁      1 é\n"
			       "ab      2 \\xff\n");
	setlocale(LC_CTYPE, "C");
}

/* A table of three equal rows, then cells of stored rows set again (move's unmapped counts do). */
static void rewritten(const struct cli_out *o, char *got, size_t len, int *err)
{
	struct cli_table t;
	int i;

	*err = cli_table_new(&t, o, "things", cols, NR_C, "NAME,SIZE,PATH");
	if (*err)
		return;
	for (i = 0; i < 3; i++) {
		long ln = cli_table_line(&t);

		cli_cell_str(&t, ln, C_NAME, "same");
		cli_cell_u64(&t, ln, C_SIZE, 1000000);
		cli_cell_str(&t, ln, C_PATH, "/p");
	}
	cli_cell_u64(&t, 0, C_SIZE, 5);
	cli_cell_u64(&t, 2, C_SIZE, 8);
	cli_cell_u64(&t, 1, C_SIZE, 7);
	cli_cell_str(&t, 1, C_PATH, "/longer");
	cli_cell_str(&t, 1, C_PATH, "/long");	/* the last value wins */
	capture(&t, got, len, err);
	cli_table_free(&t);
}

/* The rewritten cells are shown, as wide as they are now; the cells around them are untouched. */
static void test_rewrite(void)
{
	struct cli_out o = { 0 };
	char got[1024];
	int err;

	rewritten(&o, got, sizeof(got), &err);
	CHECK(!err && !strcmp(got, "NAME SIZE PATH\n"
				   "same    5 /p\n"
				   "same    7 /long\n"
				   "same    8 /p\n"), "rewritten cells, aligned (%d):\n%s", err, got);
	o.json = true;
	rewritten(&o, got, sizeof(got), &err);
	CHECK(!err && strstr(got, "\"size\": 5,\n         \"path\": \"/p\"\n      },{\n"
				  "         \"name\": \"same\",\n         \"size\": 7,\n         \"path\": \"/long\"\n"
				  "      },{\n         \"name\": \"same\",\n         \"size\": 8,"),
	      "rewritten cells, JSON (%d):\n%s", err, got);
}

/*
 * Many rows of every kind of cell (repeated, alternating, growing and shrinking numbers, the
 * largest ones, ranges, sizes, lists, text): stored in a few bytes each over several blocks, they
 * must print as the same cells formatted with printf.
 */
static void test_many_rows(void)
{
	static const struct cli_col mcols[] = {
		{ "U", CLI_COL_RIGHT, "", CLI_JSON_NUMBER }, { "X", 0, "", CLI_JSON_STRING },
		{ "R", 0, "", CLI_JSON_STRING }, { "S", CLI_COL_RIGHT, "", CLI_JSON_STRING },
		{ "L", 0, "", CLI_JSON_ARRAY }, { "T", 0, "", CLI_JSON_STRING },
		{ "F", 0, "", CLI_JSON_STRING },
	};
	static const char *const words[] = { "rw-p", "r--p", "", "a longer string, the same each third row" };
	const long n = 30000;
	struct cli_out o = { .raw = true, .noheadings = true };
	struct cli_table t;
	char want[512], *got = NULL, *p, *line;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);
	long i, bad = 0;
	int err;

	CHECK(f && cli_table_new(&t, &o, "rows", mcols, 7, "U,X,R,S,L,T,F") == 0, "no table");
	for (i = 0; i < n; i++) {
		long ln = cli_table_line(&t);
		uint64_t u = i % 7 == 0 ? UINT64_MAX - (uint64_t)i : (uint64_t)(i / 3) * 4096, list[3] = { u, 0, 7 };

		cli_cell_u64(&t, ln, 0, u);
		cli_cell_hex(&t, ln, 1, i % 5 ? 0x7f0000000000ULL + (uint64_t)i * 0x2000 : 0);
		cli_cell_range(&t, ln, 2, 0x7f0000000000ULL - (uint64_t)i * 0x1000, 0x7f0000000000ULL + (uint64_t)i);
		cli_cell_size(&t, &o, ln, 3, (uint64_t)(i % 4) << (i % 50));
		cli_cell_list(&t, ln, 4, list, 1 + (int)(i % 3));
		cli_cell_str(&t, ln, 5, words[i % 4]);
		if (i % 11)
			cli_cell(&t, ln, 6, "f%ld", i / 2);
	}
	err = cli_table_fprint(&t, f);
	cli_table_free(&t);
	fclose(f);
	CHECK(!err, "printing %ld rows: %d", n, err);
	for (i = 0, line = got; i < n && line; i++, line = p ? p + 1 : NULL) {
		uint64_t u = i % 7 == 0 ? UINT64_MAX - (uint64_t)i : (uint64_t)(i / 3) * 4096, x = 0x7f0000000000ULL;
		char size[32], list[80], hex[24] = "0", fcell[32] = "";
		int k = (int)(i % 3);

		cli_size((uint64_t)(i % 4) << (i % 50), size, sizeof(size));
		snprintf(list, sizeof(list), "%" PRIu64 "%s%s", u, k ? ",0" : "", k == 2 ? ",7" : "");
		if (i % 11)
			snprintf(fcell, sizeof(fcell), "f%ld", i / 2);
		if (i % 5)
			snprintf(hex, sizeof(hex), "%" PRIx64, x + (uint64_t)i * 0x2000);
		snprintf(want, sizeof(want), "%" PRIu64 " %s %" PRIx64 "-%" PRIx64 " %s %s %s %s", u,
			 hex,
			 x - (uint64_t)i * 0x1000, x + (uint64_t)i, size, list,
			 i % 4 == 3 ? "a\\x20longer\\x20string,\\x20the\\x20same\\x20each\\x20third\\x20row" : words[i % 4],
			 fcell);
		p = strchr(line, '\n');
		if ((!p || (size_t)(p - line) != strlen(want) || strncmp(line, want, strlen(want))) && ++bad <= 3)
			fprintf(stderr, "row %ld: '%.*s', want '%s'\n", i, p ? (int)(p - line) : 80, line, want);
	}
	CHECK(!bad && i == n && line && !*line, "%ld of %ld rows differ, %ld read", bad, n, i);
	free(got);
}

static void test_sizes(void)
{
	static const struct {
		uint64_t bytes;
		const char *want;
	} cases[] = {
		{ 0, "0B" }, { 1023, "1023B" }, { 1024, "1K" }, { 1536, "1.5K" },
		{ 1280, "1.2K" },	/* 1.25: half to even, as printf's %.1f */
		{ 1331, "1.3K" }, { 10239, "10.0K" }, { 10240, "10K" }, { 1048575, "1024K" },
		{ 8ULL << 30, "8G" }, { (3ULL << 40) / 2, "1.5T" }, { UINT64_MAX, "16E" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(!strcmp(cli_size(cases[i].bytes, buf, sizeof(buf)), cases[i].want), "%" PRIu64 ": %s, want %s",
		      cases[i].bytes, buf, cases[i].want);
}

int main(void)
{
	test_aligned();
	test_columns();
	test_raw();
	test_json();
	test_utf8();
	test_rewrite();
	test_many_rows();
	test_sizes();
	return unit_exit("cli_table");
}
