// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_show_rows.c - `build/pagemig show` of a process with 10,000 one-page regions (the benchmark's
 * target, bench/show.sh), on the host: the aligned table, --raw and the JSON document must hold
 * one row per region, in address order, with the range, permissions and counts the kernel gives
 * (/proc/PID/maps and smaps, read here), every row aligned under its heading, and the document
 * well-formed.  The table stores its rows compactly (tools/pagemig/table.c): this is its round
 * trip through the real command.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "unit.h"
#include "../json.h"

#define NREG 10000
#define PAGE 4096UL

struct region {
	uint64_t start, end;
	char perms[8];
	uint64_t rss, priv, shared;	/* smaps, bytes */
};

static uint64_t area;	/* where the child's regions are: inherited across fork() */

/* NREG one-page regions, alternately rw- and r--, every page written; PROT_NONE guards around. */
static void setup(void *arg)
{
	char *p = (char *)(uintptr_t)area;
	size_t i;

	(void)arg;
	for (i = 0; i < NREG + 2; i++)
		p[i * PAGE] = 1;
	if (mprotect(p, PAGE, PROT_NONE) || mprotect(p + (NREG + 1) * PAGE, PAGE, PROT_NONE))
		_exit(1);
	for (i = 1; i <= NREG; i += 2)
		if (mprotect(p + (i + 1) * PAGE, PAGE, PROT_READ))
			_exit(1);
}

/* The regions of @pid inside the area, from smaps; their number. */
static size_t kernel_regions(pid_t pid, struct region *r, size_t max)
{
	unsigned long long s, e;
	char path[64], line[512], perms[8];
	struct region *cur = NULL;
	unsigned long kb;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) == 3 && strchr(line, '-') < strchr(line, ' ')) {
			cur = NULL;
			if (s >= area + PAGE && e <= area + (NREG + 1) * PAGE && n < max) {
				cur = &r[n++];
				*cur = (struct region){ .start = s, .end = e };
				snprintf(cur->perms, sizeof(cur->perms), "%s", perms);
			}
		} else if (cur && sscanf(line, "Rss: %lu kB", &kb) == 1) {
			cur->rss = kb * 1024;
		} else if (cur && (sscanf(line, "Private_Clean: %lu kB", &kb) == 1 ||
				   sscanf(line, "Private_Dirty: %lu kB", &kb) == 1)) {
			cur->priv += kb * 1024;
		} else if (cur && (sscanf(line, "Shared_Clean: %lu kB", &kb) == 1 ||
				   sscanf(line, "Shared_Dirty: %lu kB", &kb) == 1)) {
			cur->shared += kb * 1024;
		}
	}
	if (f)
		fclose(f);
	return n;
}

/* [start, end) of heading @name in @head, a header line. */
static bool heading(const char *head, const char *name, size_t *start, size_t *end)
{
	const char *p = strstr(head, name);

	if (!p)
		return false;
	*start = (size_t)(p - head);
	*end = *start + strlen(name);
	return true;
}

/*
 * The cell of @line (@len bytes) under the heading [start, end): a left-aligned one starts where
 * its heading starts, a right-aligned one ends where its heading ends; "" when none does.
 */
static void cell_at(const char *line, size_t len, size_t start, size_t end, bool right, char *buf, size_t max)
{
	size_t a = right ? end : start, b = a;

	buf[0] = '\0';
	if (right) {
		if (end > len || (end < len && line[end] != ' '))
			return;
		while (a > 0 && line[a - 1] != ' ')
			a--;
	} else {
		if (start >= len || (start && line[start - 1] != ' '))
			return;
		while (b < len && line[b] != ' ')
			b++;
	}
	snprintf(buf, max, "%.*s", (int)(b - a), line + a);
}

/* The aligned table: one row per region, each cell under its heading. */
static void check_table(const char *out, const struct region *r, size_t n)
{
	static const struct { const char *name; bool right; } cols[] = {
		{ "RANGE", false }, { "SIZE", true }, { "PERMS", false }, { "KIND", false },
		{ "RSS", true }, { "EXCLUSIVE", true }, { "SHARED", true },
	};
	size_t start[7], end[7], i = 0, c, len, bad = 0;
	const char *line = strchr(out, '\n');
	char cell[7][64], want[7][64];

	for (c = 0; c < 7; c++)
		CHECK(heading(out, cols[c].name, &start[c], &end[c]), "no heading %s: %.200s", cols[c].name, out);
	for (; line && *++line && i < n; line = strchr(line, '\n')) {
		len = strcspn(line, "\n");
		for (c = 0; c < 7; c++)
			cell_at(line, len, start[c], end[c], cols[c].right, cell[c], sizeof(cell[c]));
		snprintf(want[0], sizeof(want[0]), "%" PRIx64 "-%" PRIx64, r[i].start, r[i].end);
		if (strcmp(cell[0], want[0]))
			continue;	/* a region outside the area */
		snprintf(want[1], sizeof(want[1]), "%" PRIu64, r[i].end - r[i].start);
		snprintf(want[2], sizeof(want[2]), "%s", r[i].perms);
		snprintf(want[3], sizeof(want[3]), "anon");
		snprintf(want[4], sizeof(want[4]), "%" PRIu64, r[i].rss);
		snprintf(want[5], sizeof(want[5]), "%" PRIu64, r[i].priv);
		snprintf(want[6], sizeof(want[6]), "%" PRIu64, r[i].shared);
		for (c = 1; c < 7; c++) {
			if (strcmp(cell[c], want[c]) && ++bad <= 3)
				CHECK(0, "table row %zu: %s '%s', want '%s': %.*s", i, cols[c].name, cell[c], want[c],
				      (int)len, line);
		}
		i++;
	}
	CHECK(i == n && !bad, "table: %zu of %zu regions in order, %zu cells differ", i, n, bad);
}

/* --raw: the same rows, cells split on single spaces. */
static void check_raw(const char *out, const struct region *r, size_t n)
{
	const char *line = out;
	char want[256];
	size_t i = 0, len;

	for (; line && *line && i < n; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		len = strcspn(line, "\n");
		snprintf(want, sizeof(want), "%" PRIx64 "-%" PRIx64 " %" PRIu64 " %s anon %" PRIu64 " %" PRIu64 " %" PRIu64,
			 r[i].start, r[i].end, r[i].end - r[i].start, r[i].perms, r[i].rss, r[i].priv, r[i].shared);
		if (len == strlen(want) && !strncmp(line, want, len))
			i++;
	}
	CHECK(i == n, "--raw: %zu of %zu regions found in order, then: %.200s", i, n, line ? line : "");
}

/* Braces and brackets balanced outside strings, nothing after the document. */
static bool well_formed(const char *s)
{
	int depth = 0;
	bool str = false;

	for (; *s; s++) {
		if (str) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				str = false;
			else if ((unsigned char)*s < 0x20)
				return false;
			continue;
		}
		if (*s == '"')
			str = true;
		else if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']')
			depth--;
		else if (!depth && *s != '\n')
			return false;	/* outside the document */
		if (depth < 0)
			return false;
	}
	return !depth && !str;
}

static void check_json(const char *out, pid_t pid, const struct region *r, size_t n)
{
	const char *p = out, *b, *e, *totals = strstr(out, "\n   \"totals\": {");
	char head[64], buf[32];
	size_t i, bad = 0;

	snprintf(head, sizeof(head), "{\n   \"pid\": %d,\n", (int)pid);
	CHECK(well_formed(out), "the JSON document is not well-formed: %.300s", out);
	CHECK(!strncmp(out, head, strlen(head)) && strstr(out, "\n   \"regions\": [\n      {\n") && totals,
	      "the JSON document's members: %.300s", out);
	for (i = 0; i < n; i++) {
		if (!json_region(p, r[i].start, &b, &e) || (totals && b > totals)) {
			CHECK(0, "JSON: no region at %" PRIx64 " after the previous one", r[i].start);
			return;
		}
		if ((json_num(b, e, "end") != (int64_t)r[i].end || json_num(b, e, "size") != (int64_t)PAGE ||
		     json_num(b, e, "rss") != (int64_t)r[i].rss || json_num(b, e, "exclusive") != (int64_t)r[i].priv ||
		     json_num(b, e, "shared") != (int64_t)r[i].shared ||
		     strcmp(json_str(b, e, "perms", buf, sizeof(buf)), r[i].perms) ||
		     strcmp(json_str(b, e, "kind", buf, sizeof(buf)), "anon")) && ++bad <= 3)
			CHECK(0, "JSON region %zu: %.*s", i, (int)(e - b), b);
		p = e;
	}
	CHECK(!bad, "JSON: %zu of %zu regions differ", bad, n);
}

int main(void)
{
	const char *cols = "RANGE,SIZE,PERMS,KIND,RSS,EXCLUSIVE,SHARED";
	static struct region r[NREG + 8];
	char pid_s[16], *out, *err;
	size_t n, odd = 0, i;
	pid_t pid;
	void *p;
	int rc;

	p = mmap(NULL, (NREG + 2) * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mmap: %s\n", strerror(errno));
		return 1;
	}
	area = (uint64_t)(uintptr_t)p;
	pid = unit_spawn(setup, NULL);
	snprintf(pid_s, sizeof(pid_s), "%d", (int)pid);
	setenv("LC_ALL", "C", 1);
	n = kernel_regions(pid, r, NREG + 8);
	for (i = 0; i < n; i++)
		odd += !strcmp(r[i].perms, "r--p") && r[i].rss == PAGE;
	CHECK(n == NREG && odd == NREG / 2, "the target has %zu regions (%zu read-only, resident), want %d", n, odd,
	      NREG);

	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(), (const char *const[]){ "show", "-b", "-o", cols, pid_s, NULL });
	CHECK(rc == 0, "show: exit %d: %s", rc, err);
	check_table(out, r, n);
	free(out);
	free(err);
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(),
		      (const char *const[]){ "show", "-r", "-b", "-n", "-o", cols, pid_s, NULL });
	CHECK(rc == 0, "show --raw: exit %d: %s", rc, err);
	check_raw(out, r, n);
	free(out);
	free(err);
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(), (const char *const[]){ "show", "--json", pid_s, NULL });
	CHECK(rc == 0, "show --json: exit %d: %s", rc, err);
	check_json(out, pid, r, n);
	free(out);
	free(err);
	unit_kill(pid);
	return unit_failed("cli_show_rows") ? 1 : 0;
}
