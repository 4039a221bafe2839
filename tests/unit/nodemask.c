// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nodemask.c - node masks: numactl node strings (valid and invalid, with their error codes and
 * messages), the kernel's list format, format/parse round trips, set operations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static const char *fmt(const struct pagemig_nodemask *m)
{
	static char buf[4][4096];
	static int i;

	i = (i + 1) % 4;
	pagemig_nodemask_format(m, buf[i], sizeof(buf[i]));
	return buf[i];
}

/* The contexts of the table; nodes 2 and 3 of the lab have memory and no CPUs. */
enum { C_NONE, C_LAB, C_ALLOWED, C_NOMEM, C_NOMEM_ANY, C_SPARSE, C_EVERY, NR_CTX };

static struct pagemig_nodemask online4, all4, allowed13, mem013, sparse;
static struct pagemig_nodectx ctxs[NR_CTX];

static void setup_ctxs(void)
{
	online4 = unit_mask_of("0-3");
	all4 = unit_mask_of("0-3");
	allowed13 = unit_mask_of("1,3");
	mem013 = unit_mask_of("0-1,3");
	sparse = unit_mask_of("0,2,5,7");
	ctxs[C_LAB] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), &online4, NULL, &all4, true };
	ctxs[C_ALLOWED] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), &online4, &allowed13, &all4, true };
	ctxs[C_NOMEM] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), &online4, NULL, &mem013, true };
	ctxs[C_NOMEM_ANY] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), &online4, NULL, &mem013, false };
	ctxs[C_SPARSE] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), &sparse, &sparse, &sparse, true };
	ctxs[C_EVERY] = (struct pagemig_nodectx){ sizeof(struct pagemig_nodectx), NULL, NULL, NULL, false };
}

struct parse_case {
	const char *str;
	int ctx;
	int ret;
	const char *want;	/* the mask (ret 0) or a substring of the message */
};

static const struct parse_case cases[] = {
	/* valid */
	{ "0", C_LAB, 0, "0" },
	{ "2", C_LAB, 0, "2" },			/* memory-only nodes are valid targets */
	{ "2-3", C_LAB, 0, "2-3" },
	{ "0-3", C_LAB, 0, "0-3" },
	{ "3,0", C_LAB, 0, "0,3" },
	{ "0,0,1-2", C_LAB, 0, "0-2" },
	{ "all", C_LAB, 0, "0-3" },
	{ "1,all", C_LAB, 0, "0-3" },
	{ "!1", C_LAB, 0, "0,2-3" },
	{ "!0-2", C_LAB, 0, "3" },
	{ "+0-1", C_ALLOWED, 0, "1,3" },	/* relative to the target's allowed nodes */
	{ "+1", C_ALLOWED, 0, "3" },
	{ "!+0", C_ALLOWED, 0, "3" },
	{ "!3", C_ALLOWED, 0, "1" },
	{ "all", C_ALLOWED, 0, "1,3" },
	{ "all", C_NOMEM, 0, "0-1,3" },		/* "all" means the nodes that can take memory */
	{ "!0", C_NOMEM, 0, "1,3" },
	{ "!2", C_NOMEM, 0, "0-1,3" },		/* excluding a node does not need memory */
	{ "2", C_NOMEM_ANY, 0, "2" },
	{ "+0-1", C_SPARSE, 0, "0,2" },
	{ "+3", C_SPARSE, 0, "7" },
	{ "!5", C_SPARSE, 0, "0,2,7" },
	{ "007", C_NONE, 0, "7" },
	{ "5", C_NONE, 0, "5" },
	{ "1023", C_NONE, 0, "1023" },
	{ "0-1023", C_NONE, 0, "0-1023" },
	{ "all", C_EVERY, 0, "0-1023" },
	{ "!0", C_EVERY, 0, "1-1023" },
	/* syntax */
	{ "", C_LAB, -EINVAL, "empty node list" },
	{ "", C_NONE, -EINVAL, "empty node list" },
	{ "10-1", C_NONE, -EINVAL, "invalid node range '10-1'" },
	{ "1-", C_NONE, -EINVAL, "invalid node range '1-'" },
	{ "1-x", C_NONE, -EINVAL, "invalid node range '1-x'" },
	{ "-1", C_NONE, -EINVAL, "invalid node '-1'" },
	{ "1024", C_NONE, -EINVAL, "node number too large in '1024' (max 1023)" },
	{ "0-1024", C_NONE, -EINVAL, "too large in '0-1024'" },
	{ "99999999999", C_NONE, -EINVAL, "too large in '99999999999'" },
	{ "184467440737095516161844674407370955161", C_LAB, -EINVAL, "too large" },
	{ "1x", C_NONE, -EINVAL, "trailing characters after '1' in '1x'" },
	{ "1-2x", C_NONE, -EINVAL, "trailing characters after '1-2' in '1-2x'" },
	{ "1-2-3", C_NONE, -EINVAL, "trailing characters after '1-2' in '1-2-3'" },
	{ "0x1", C_NONE, -EINVAL, "trailing characters after '0' in '0x1'" },
	{ "1 ", C_LAB, -EINVAL, "trailing characters after '1' in '1 '" },
	{ " 1", C_LAB, -EINVAL, "invalid node ' 1'" },
	{ "0, 1", C_LAB, -EINVAL, "invalid node ' 1'" },
	{ "1\n", C_LAB, -EINVAL, "trailing characters after '1' in '1?'" },
	{ "0,,1", C_LAB, -EINVAL, "empty entry in node list '0,,1'" },
	{ "0,", C_LAB, -EINVAL, "empty entry" },
	{ ",0", C_LAB, -EINVAL, "empty entry" },
	{ ",", C_LAB, -EINVAL, "empty entry" },
	{ "!", C_LAB, -EINVAL, "empty node list after '!'" },
	{ "+", C_LAB, -EINVAL, "empty node list after '+'" },
	{ "!+", C_LAB, -EINVAL, "empty node list after '!+'" },
	{ "!!1", C_LAB, -EINVAL, "invalid node '!1'" },
	{ "+!1", C_LAB, -EINVAL, "invalid node '!1'" },
	{ "ALL", C_LAB, -EINVAL, "invalid node 'ALL'" },
	{ "all1", C_LAB, -EINVAL, "invalid node 'all1'" },
	{ "!0-3", C_LAB, -EINVAL, "'!0-3' leaves no node (allowed: 0-3)" },
	{ "!all", C_LAB, -EINVAL, "leaves no node" },
	{ "!0-1,3", C_NOMEM, -EINVAL, "'!0-1,3' leaves no node (allowed with memory: 0-1,3)" },
	{ "all", C_NONE, -EINVAL, "'all' needs a node context" },
	{ "!1", C_NONE, -EINVAL, "'!' needs a node context" },
	{ "+1", C_NONE, -EINVAL, "'+' needs a node context" },
	/* nodes that are offline, not allowed, without memory */
	{ "9", C_LAB, -ENODEV, "node 9 does not exist (online: 0-3)" },
	{ "0-4", C_LAB, -ENODEV, "node 4 does not exist (online: 0-3)" },
	{ "!9", C_LAB, -ENODEV, "node 9 does not exist" },
	{ "1", C_SPARSE, -ENODEV, "node 1 does not exist (online: 0,2,5,7)" },
	{ "0-2", C_SPARSE, -ENODEV, "node 1 does not exist" },
	{ "0", C_ALLOWED, -ENODEV, "node 0 is not allowed (allowed: 1,3)" },
	{ "+2", C_ALLOWED, -ENODEV, "node +2 does not exist (allowed: 1,3)" },
	{ "+4", C_SPARSE, -ENODEV, "node +4 does not exist (allowed: 0,2,5,7)" },
	{ "2", C_NOMEM, -ENXIO, "node 2 has no memory" },
	{ "1-3", C_NOMEM, -ENXIO, "node 2 has no memory" },
};

static void test_parse_table(void)
{
	struct pagemig_nodemask out, sentinel;
	char err[256];
	size_t i;
	int ret;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct parse_case *c = &cases[i];

		out = sentinel;
		memset(err, 'X', sizeof(err));
		ret = pagemig_nodemask_parse(c->str, c->ctx == C_NONE ? NULL : &ctxs[c->ctx], &out, err, sizeof(err));
		CHECK(ret == c->ret, "'%s' (ctx %d): returned %d, want %d (%s)", c->str, c->ctx, ret, c->ret, err);
		if (ret != c->ret)
			continue;
		if (!ret) {
			CHECK(!strcmp(fmt(&out), c->want), "'%s': got '%s', want '%s'", c->str, fmt(&out), c->want);
			CHECK(err[0] == '\0', "'%s': success left a message '%s'", c->str, err);
			continue;
		}
		CHECK(strstr(err, c->want), "'%s': message '%s' lacks '%s'", c->str, err, c->want);
		CHECK(!strchr(err, '\n'), "'%s': message is not one line", c->str);
		CHECK(pagemig_nodemask_is_equal(&out, &sentinel), "'%s': failure wrote the mask", c->str);
		/* the same outcome without a message buffer */
		CHECK(pagemig_nodemask_parse(c->str, c->ctx == C_NONE ? NULL : &ctxs[c->ctx], &out, NULL, 0) == ret,
		      "'%s': different result without a message buffer", c->str);
	}
}

static void test_parse_edges(void)
{
	struct pagemig_nodectx small = { .sz = offsetof(struct pagemig_nodectx, allowed) };
	struct pagemig_nodemask out;
	char err[8];

	/* a message that does not fit is cut, and terminated */
	memset(err, 'X', sizeof(err));
	CHECK(pagemig_nodemask_parse("9", &ctxs[C_LAB], &out, err, sizeof(err)) == -ENODEV, "small buffer");
	CHECK(err[sizeof(err) - 1] == '\0' && strlen(err) == sizeof(err) - 1, "message not cut: '%.8s'", err);
	CHECK(pagemig_nodemask_parse(NULL, &ctxs[C_LAB], &out, NULL, 0) == -EINVAL, "NULL string");
	/* an older, smaller context: only the fields it holds are read */
	small.online = &online4;
	CHECK(pagemig_nodemask_parse("5", &small, &out, NULL, 0) == -ENODEV, "small ctx: online ignored");
	CHECK(pagemig_nodemask_parse("all", &small, &out, NULL, 0) == 0 && !strcmp(fmt(&out), "0-3"),
	      "small ctx: all is '%s'", fmt(&out));
}

struct list_case {
	const char *str;
	int ret;
	const char *want;
};

static const struct list_case list_cases[] = {
	{ "0-3,5\n", 0, "0-3,5" },
	{ "0\n", 0, "0" },
	{ "", 0, "" },
	{ "\n", 0, "" },
	{ "0-1023", 0, "0-1023" },
	{ "1,0", 0, "0-1" },
	{ "1-", -EINVAL, NULL },
	{ "3-1", -EINVAL, NULL },
	{ "a", -EINVAL, NULL },
	{ "0,", -EINVAL, NULL },
	{ ",0", -EINVAL, NULL },
	{ "0,,1", -EINVAL, NULL },
	{ "1024", -EINVAL, NULL },
	{ "0 1", -EINVAL, NULL },
	{ "!1", -EINVAL, NULL },
	{ "all", -EINVAL, NULL },
};

static void test_parse_list(void)
{
	struct pagemig_nodemask m;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(list_cases); i++) {
		const struct list_case *c = &list_cases[i];

		memset(&m, 0xa5, sizeof(m));
		ret = nodemask_parse_list(c->str, &m);
		CHECK(ret == c->ret, "list '%s': returned %d, want %d", c->str, ret, c->ret);
		if (!ret && c->want)
			CHECK(!strcmp(fmt(&m), c->want), "list '%s': got '%s', want '%s'", c->str, fmt(&m), c->want);
	}
}

static void test_format(void)
{
	struct pagemig_nodemask m = unit_mask_of("0-3,6,8-9,1023");
	char buf[64];

	CHECK(!strcmp(fmt(&m), "0-3,6,8-9,1023"), "format: '%s'", fmt(&m));
	pagemig_nodemask_zero(&m);
	CHECK(pagemig_nodemask_format(&m, buf, sizeof(buf)) == 0 && !strcmp(buf, ""), "empty: '%s'", buf);
	CHECK(pagemig_nodemask_format(&m, buf, 0) == -ENOSPC, "zero length accepted");
	m = unit_mask_of("0-3,6");
	CHECK(pagemig_nodemask_format(&m, buf, 6) == 0 && !strcmp(buf, "0-3,6"), "exact fit: '%s'", buf);
	CHECK(pagemig_nodemask_format(&m, buf, 5) == -ENOSPC && !strcmp(buf, "0-3,"), "cut: '%s'", buf);
	CHECK(pagemig_nodemask_format(&m, buf, 2) == -ENOSPC && !strcmp(buf, "0"), "cut: '%s'", buf);
}

/* Random masks (sparse, dense, clustered): format, then both parsers read back the same mask. */
static void test_roundtrip(void)
{
	struct pagemig_nodemask m, back;
	unsigned int seed = 12345;
	char buf[8192];
	int i, n, density;

	for (i = 0; i < 2000; i++) {
		pagemig_nodemask_zero(&m);
		density = 1 + rand_r(&seed) % 100;
		for (n = 0; n < PAGEMIG_MAX_NODES >> (i % 8); n++)
			if (rand_r(&seed) % 100 < density)
				pagemig_nodemask_set(&m, n);
		CHECK(pagemig_nodemask_format(&m, buf, sizeof(buf)) == 0, "format %d failed", i);
		CHECK(nodemask_parse_list(buf, &back) == 0 && pagemig_nodemask_is_equal(&m, &back),
		      "list round trip of '%s'", buf);
		if (pagemig_nodemask_is_empty(&m))
			continue;
		CHECK(pagemig_nodemask_parse(buf, NULL, &back, NULL, 0) == 0 && pagemig_nodemask_is_equal(&m, &back),
		      "parse round trip of '%s'", buf);
		CHECK(pagemig_nodemask_parse(buf, &ctxs[C_EVERY], &back, NULL, 0) == 0 &&
		      pagemig_nodemask_is_equal(&m, &back), "parse round trip of '%s' in context", buf);
	}
}

static void test_bits(void)
{
	struct pagemig_nodemask m, a, b, d;
	int n, count = 0, prev = -1;

	pagemig_nodemask_zero(&m);
	CHECK(pagemig_nodemask_is_empty(&m) && pagemig_nodemask_weight(&m) == 0, "zero");
	CHECK(pagemig_nodemask_next(&m, -1) == -1 && pagemig_nodemask_nth(&m, 0) == -1, "empty next/nth");
	pagemig_nodemask_set(&m, -1);
	pagemig_nodemask_set(&m, PAGEMIG_MAX_NODES);
	CHECK(pagemig_nodemask_is_empty(&m), "out-of-range set changed the mask");
	CHECK(!pagemig_nodemask_is_set(&m, -1) && !pagemig_nodemask_is_set(&m, PAGEMIG_MAX_NODES), "is_set range");
	for (n = 0; n < PAGEMIG_MAX_NODES; n += 63)
		pagemig_nodemask_set(&m, n);
	pagemig_nodemask_set(&m, 1023);
	CHECK(pagemig_nodemask_weight(&m) == 18, "weight %d", pagemig_nodemask_weight(&m));
	for (n = pagemig_nodemask_next(&m, -1); n >= 0; n = pagemig_nodemask_next(&m, n)) {
		CHECK(n > prev && (n % 63 == 0 || n == 1023), "next gave %d after %d", n, prev);
		CHECK(pagemig_nodemask_nth(&m, count) == n, "nth(%d) = %d, want %d", count,
		      pagemig_nodemask_nth(&m, count), n);
		prev = n;
		count++;
	}
	CHECK(count == 18 && prev == 1023, "iterated %d nodes, last %d", count, prev);
	CHECK(pagemig_nodemask_nth(&m, 18) == -1 && pagemig_nodemask_nth(&m, -1) == -1, "nth out of range");
	CHECK(pagemig_nodemask_next(&m, 1023) == -1 && pagemig_nodemask_next(&m, 5000) == -1, "next at end");
	pagemig_nodemask_clear(&m, 63);
	pagemig_nodemask_clear(&m, 5000);
	CHECK(!pagemig_nodemask_is_set(&m, 63) && pagemig_nodemask_weight(&m) == 17, "clear");

	a = unit_mask_of("0-5,64-70");
	b = unit_mask_of("4-9,70-80");
	pagemig_nodemask_and(&d, &a, &b);
	CHECK(!strcmp(fmt(&d), "4-5,70"), "and: %s", fmt(&d));
	pagemig_nodemask_or(&d, &a, &b);
	CHECK(!strcmp(fmt(&d), "0-9,64-80"), "or: %s", fmt(&d));
	pagemig_nodemask_andnot(&d, &a, &b);
	CHECK(!strcmp(fmt(&d), "0-3,64-69"), "andnot: %s", fmt(&d));
	d = a;
	pagemig_nodemask_andnot(&d, &d, &b);	/* aliasing */
	CHECK(!strcmp(fmt(&d), "0-3,64-69"), "andnot aliased: %s", fmt(&d));
	d = b;
	pagemig_nodemask_or(&d, &a, &d);
	CHECK(!strcmp(fmt(&d), "0-9,64-80"), "or aliased: %s", fmt(&d));
	CHECK(pagemig_nodemask_is_subset(&d, &d) && pagemig_nodemask_is_subset(&a, &d), "subset");
	CHECK(!pagemig_nodemask_is_subset(&d, &a), "not a subset");
	CHECK(!pagemig_nodemask_is_equal(&a, &b) && pagemig_nodemask_is_equal(&a, &a), "equal");
}

static void test_remap(void)
{
	struct pagemig_nodemask f = unit_mask_of("2-4"), t = unit_mask_of("3-5"), f8 = unit_mask_of("0-7"), t3 = unit_mask_of("3-5");
	struct pagemig_nodemask empty;

	pagemig_nodemask_zero(&empty);
	CHECK(pagemig_nodemask_remap(&f, &t, 2) == 3 && pagemig_nodemask_remap(&f, &t, 4) == 5, "2,3,4 -> 3,4,5");
	CHECK(pagemig_nodemask_remap(&f, &t, 7) == 7, "a node outside from maps to itself");
	CHECK(pagemig_nodemask_remap(&f, &empty, 3) == 3, "an empty to maps to itself");
	CHECK(pagemig_nodemask_remap(&f8, &t3, 6) == 3 && pagemig_nodemask_remap(&f8, &t3, 7) == 4,
	      "0-7 -> 3,4,5 wraps: 6 -> %d, 7 -> %d", pagemig_nodemask_remap(&f8, &t3, 6),
	      pagemig_nodemask_remap(&f8, &t3, 7));
	f = unit_mask_of("1,700");
	t = unit_mask_of("64,1023");
	CHECK(pagemig_nodemask_remap(&f, &t, 700) == 1023, "remap across words");
	CHECK(pagemig_nodemask_remap(&f, &t, -1) == -1, "remap of an invalid node");
}

int main(void)
{
	setup_ctxs();
	test_parse_table();
	test_parse_edges();
	test_parse_list();
	test_format();
	test_roundtrip();
	test_bits();
	test_remap();
	if (unit_failed("nodemask"))
		return 1;
	printf("nodemask: %zu parse cases, %zu list cases, round trips and set operations passed\n",
	       ARRAY_SIZE(cases), ARRAY_SIZE(list_cases));
	return 0;
}
