// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_nodes.c - `build/pagemig nodes --sysroot FIXTURE` on the host (run from the repo root).
 *
 * sys-tiers (6.12's tiers and HMAT figures in the lab, node 3 without figures): every JSON node
 * has its tier and figures, null where the kernel shows none; sys-4node (no memory_tiering):
 * every node still has a "tier" key, null; the aligned table has the columns and the
 * memory-only node 3 shows tier 144.  tests/lab/tiers.c checks the real kernels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "../json.h"

#define CLI "build/pagemig"

/* `pagemig nodes --sysroot FIXTURES/@fixture @extra...`: its stdout, or NULL after a failure. */
static char *nodes(const char *fixture, const char *a1, const char *a2, const char *a3)
{
	char root[PATH_MAX + 64], *out, *err;
	const char *args[] = { "nodes", "--sysroot", root, a1, a2, a3, NULL };
	int rc;

	snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), fixture);
	rc = unit_run(&out, &err, (uid_t)-1, CLI, args);
	CHECK(rc == 0 && !*err, "pagemig nodes --sysroot %s: exit %d, stderr '%s'", fixture, rc, err);
	free(err);
	if (rc) {
		free(out);
		return NULL;
	}
	return out;
}

/* The JSON object of node @n in @doc: [*b, *e). */
static bool node_obj(const char *doc, int n, const char **b, const char **e)
{
	char key[32];

	snprintf(key, sizeof(key), "\"node\": %d,", n);
	*b = strstr(doc, key);
	*e = *b ? strchr(*b, '}') : NULL;
	return *e != NULL;
}

/* Whether member @name of [b, e) is null. */
static bool is_null(const char *b, const char *e, const char *name)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "\"%s\": null", name);
	v = strstr(b, key);
	return v && v < e;
}

static void test_tiers_json(void)
{
	static const struct {
		int tier;
		long rlat, wlat, rbw, wbw;
		const char *initiators;
	} want[] = {
		{ 4, 10, 12, 20480, 19456, "0" },
		{ 4, 10, 12, 20480, 19456, "1" },
		{ 54, 60, 75, 10240, 8192, "0-1" },
		{ 144, -1, -1, -1, -1, NULL },
	};
	static const char *const hmat_keys[] = { "read-lat", "write-lat", "read-bw", "write-bw", "initiators" };
	char *out = nodes("sys-tiers", "--json", "-o", "+INITIATORS"), buf[32];
	const char *b, *e;

	if (!out)
		return;
	for (int n = 0; n < 4; n++) {
		if (!node_obj(out, n, &b, &e)) {
			CHECK(0, "sys-tiers: no node %d in %s", n, out);
			continue;
		}
		CHECK(json_num(b, e, "tier") == want[n].tier, "sys-tiers: node %d tier %lld, want %d", n,
		      (long long)json_num(b, e, "tier"), want[n].tier);
		if (!want[n].initiators) {
			for (size_t k = 0; k < ARRAY_SIZE(hmat_keys); k++)
				CHECK(is_null(b, e, hmat_keys[k]), "sys-tiers: node %d: %s not null", n, hmat_keys[k]);
			continue;
		}
		CHECK(json_num(b, e, "read-lat") == want[n].rlat && json_num(b, e, "write-lat") == want[n].wlat &&
		      json_num(b, e, "read-bw") == want[n].rbw && json_num(b, e, "write-bw") == want[n].wbw,
		      "sys-tiers: node %d figures %.*s", n, (int)(e - b), b);
		CHECK(!strcmp(json_str(b, e, "initiators", buf, sizeof(buf)), want[n].initiators),
		      "sys-tiers: node %d initiators '%s', want '%s'", n, buf, want[n].initiators);
	}
	free(out);
}

/* A kernel without tiers: the key is there all the same, null. */
static void test_no_tiers_json(void)
{
	char *out = nodes("sys-4node", "--json", NULL, NULL);
	const char *b, *e;

	if (!out)
		return;
	for (int n = 0; n < 4; n++)
		CHECK(node_obj(out, n, &b, &e) && is_null(b, e, "tier") && is_null(b, e, "read-lat"),
		      "sys-4node: node %d has no null tier: %s", n, out);
	free(out);
}

static void test_table(void)
{
	char *out = nodes("sys-tiers", "-o", "NODE,TYPE,TIER,READ-LAT,READ-BW", NULL);

	if (!out)
		return;
	CHECK(strstr(out, "NODE TYPE        TIER READ-LAT READ-BW\n") != NULL, "header: %s", out);
	CHECK(strstr(out, "   2 memory-only   54       60   10240\n") != NULL, "node 2 row: %s", out);
	CHECK(strstr(out, "   3 memory-only  144                 \n") != NULL ||
	      strstr(out, "   3 memory-only  144\n") != NULL, "node 3 row: %s", out);
	free(out);
}

int main(void)
{
	unit_fixtures();	/* exits with a message when there is none */
	test_tiers_json();
	test_no_tiers_json();
	test_table();
	if (unit_failed("cli_nodes"))
		return 1;
	printf("cli_nodes: tiers and HMAT figures in JSON and the table, null without them\n");
	return 0;
}
