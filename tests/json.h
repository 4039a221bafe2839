/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * json.h - just enough of `pagemig show --json` for tests to read one region's numbers, shared by
 * the host test (tests/unit/cli_show.c) and the lab test (tests/lab/show_placement.c).
 */
#ifndef PAGEMIG_TESTS_JSON_H
#define PAGEMIG_TESTS_JSON_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The object of the region that starts at @start: [*begin, *end); false when absent. */
static inline bool json_region(const char *doc, uint64_t start, const char **begin, const char **end)
{
	char key[64];
	const char *p, *q;

	snprintf(key, sizeof(key), "\"start\": %" PRIu64 ",", start);
	p = strstr(doc, key);
	q = p ? strchr(p, '}') : NULL;
	if (!q)
		return false;
	*begin = p;
	*end = q;
	return true;
}

/* A number member of [p, end); -1 when absent or null. */
static inline int64_t json_num(const char *p, const char *end, const char *name)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "\"%s\": ", name);
	v = strstr(p, key);
	if (!v || v > end || !strchr("0123456789", v[strlen(key)]))
		return -1;
	return (int64_t)strtoull(v + strlen(key), NULL, 10);
}

/* A string member into @buf ("" when absent). */
static inline const char *json_str(const char *p, const char *end, const char *name, char *buf, size_t len)
{
	char key[64];
	const char *v, *q;

	snprintf(key, sizeof(key), "\"%s\": \"", name);
	buf[0] = '\0';
	v = strstr(p, key);
	if (!v || v > end)
		return buf;
	v += strlen(key);
	q = strchr(v, '"');
	if (q && (size_t)(q - v) < len)
		snprintf(buf, len, "%.*s", (int)(q - v), v);
	return buf;
}

#endif
