// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * abi.c - the version script names every export by hand: each PAGEMIG_API function of
 * include/pagemig.h appears exactly once in a global: list of src/libpagemig.map, the map names
 * nothing else, and no global: list has a wildcard (a new function would land in an old version
 * node).  Run from the repository root.
 */
#include <ctype.h>

#include "unit.h"

#define MAX_NAMES 256

struct names {
	char *v[MAX_NAMES];
	int n;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "cannot read %s (run from the repository root)\n", path);
		exit(1);
	}
	buf = calloc(1, (size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		exit(1);
	fclose(f);
	return buf;
}

static void add(struct names *ns, const char *s, size_t len)
{
	if (ns->n == MAX_NAMES)
		exit(1);
	ns->v[ns->n++] = strndup(s, len);
}

static int count(const struct names *ns, const char *name)
{
	int i, c = 0;

	for (i = 0; i < ns->n; i++)
		c += !strcmp(ns->v[i], name);
	return c;
}

/* The function names of "PAGEMIG_API type name(" declarations. */
static void header_exports(const char *text, struct names *ns)
{
	const char *p = text, *paren, *q;

	while ((p = strstr(p, "PAGEMIG_API "))) {
		paren = strchr(p, '(');
		if (!paren || memchr(p, ';', (size_t)(paren - p)))
			break;
		for (q = paren; q > p && (isalnum((unsigned char)q[-1]) || q[-1] == '_'); q--)
			;
		if (!strncmp(q, "pagemig_", 8))
			add(ns, q, (size_t)(paren - q));
		p = paren;
	}
}

/* The names in the map's global: lists; @wild counts wildcards there. */
static void map_globals(char *text, struct names *ns, int *wild)
{
	char *line, *save = NULL, *c;
	bool global = false, comment = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (comment || !strncmp(line, "/*", 2)) {
			comment = !strstr(line, "*/");
			continue;
		}
		if (!strncmp(line, "global:", 7) || !strncmp(line, "local:", 6) || strchr(line, '}') ||
		    strchr(line, '{')) {
			global = !strncmp(line, "global:", 7);
			continue;
		}
		c = strchr(line, ';');
		if (!global || !c || c == line)
			continue;
		*wild += strpbrk(line, "*?[") != NULL;
		add(ns, line, (size_t)(c - line));
	}
}

int main(void)
{
	char *header = slurp("include/pagemig.h"), *map = slurp("src/libpagemig.map");
	struct names exports = { 0 }, listed = { 0 };
	int i, wild = 0;

	header_exports(header, &exports);
	map_globals(map, &listed, &wild);
	CHECK(exports.n > 40, "only %d PAGEMIG_API functions found in the header", exports.n);
	CHECK(!wild, "src/libpagemig.map: %d wildcard(s) in a global: list", wild);
	for (i = 0; i < exports.n; i++)
		CHECK(count(&listed, exports.v[i]) == 1, "%s: listed %d times in src/libpagemig.map", exports.v[i],
		      count(&listed, exports.v[i]));
	for (i = 0; i < listed.n; i++)
		CHECK(count(&exports, listed.v[i]) == 1, "src/libpagemig.map lists %s, which the header does not export",
		      listed.v[i]);
	for (i = 0; i < exports.n; i++)
		free(exports.v[i]);
	for (i = 0; i < listed.n; i++)
		free(listed.v[i]);
	free(header);
	free(map);
	return unit_exit("abi");
}
