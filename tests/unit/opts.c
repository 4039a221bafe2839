// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * opts.c - option structs as libbpf's OPTS_VALID treats them: every function that takes one
 * rejects (-EINVAL) a struct whose bytes past the fields this library knows are not zero, or whose
 * sz cannot even hold sz; pagemig_move() rejects unknown flags and more than
 * PAGEMIG_MAX_THREADS threads; PAGEMIG_OPTS() sets sz and zeroes the rest.  Nothing may move or
 * change when a call is rejected.
 */
#include <inttypes.h>
#include <sys/mman.h>

#include "unit.h"

/* A caller compiled against a newer header: one field more, which this library does not know. */
#define NEWER(type)                  \
	struct {                     \
		struct type o;       \
		uint64_t newer;      \
	}

static struct pagemig_plan plan00(void)
{
	struct pagemig_nodemask m = { 0 };
	struct pagemig_plan p;

	pagemig_nodemask_set(&m, 0);
	pagemig_plan(&m, &m, &p);
	return p;
}

static void test_macro(void)
{
	PAGEMIG_OPTS(pagemig_move_opts, mo, .flags = PAGEMIG_MOVE_DRY_RUN, .threads = 1);
	PAGEMIG_OPTS(pagemig_open_opts, oo);

	CHECK(mo.sz == sizeof(mo) && mo.flags == PAGEMIG_MOVE_DRY_RUN && mo.threads == 1 && !mo.filter &&
	      !mo.batch, "PAGEMIG_OPTS(pagemig_move_opts): sz %zu flags %u threads %u", mo.sz, mo.flags, mo.threads);
	CHECK(oo.sz == sizeof(oo) && !oo.proc_root && !oo.errbuf, "PAGEMIG_OPTS(pagemig_open_opts): sz %zu", oo.sz);
}

static void test_move(struct pagemig *pm)
{
	struct pagemig_plan p = plan00();
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_region r = { .sz = sizeof(r), .start = 0x1000, .end = 0x2000, .kind = PAGEMIG_KIND_ANON };
	NEWER(pagemig_move_opts) big;
	int ret;

	PAGEMIG_OPTS(pagemig_move_opts, o, .flags = PAGEMIG_MOVE_DRY_RUN);
	ret = pagemig_move(pm, &p, &o, &st);
	CHECK(ret == 0, "a valid dry run: %d", ret);

	o.flags = PAGEMIG_MOVE_DRY_RUN | (1U << 7);
	CHECK(pagemig_move(pm, &p, &o, &st) == -EINVAL, "unknown flag 1 << 7 accepted");
	CHECK(pagemig_move_region(pm, &r, &p, &o, &st) == -EINVAL, "move_region: unknown flag 1 << 7 accepted");
	o.flags = PAGEMIG_MOVE_DRY_RUN;
	o.threads = 1000;
	CHECK(pagemig_move(pm, &p, &o, &st) == -EINVAL, "threads 1000 accepted");
	o.threads = PAGEMIG_MAX_THREADS + 1;
	CHECK(pagemig_move(pm, &p, &o, &st) == -EINVAL, "threads %d accepted", PAGEMIG_MAX_THREADS + 1);
	o.threads = PAGEMIG_MAX_THREADS;
	ret = pagemig_move(pm, &p, &o, &st);
	CHECK(ret == 0, "threads %d: %d", PAGEMIG_MAX_THREADS, ret);
	o.threads = 0;
	o.sz = 0;
	CHECK(pagemig_move(pm, &p, &o, &st) == -EINVAL, "sz 0 accepted");
	o.sz = sizeof(size_t) - 1;
	CHECK(pagemig_move(pm, &p, &o, &st) == -EINVAL, "sz %zu accepted", o.sz);

	/* a newer caller: its tail must be zero; a smaller (older) struct is fine */
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.flags = PAGEMIG_MOVE_DRY_RUN;
	ret = pagemig_move(pm, &p, &big.o, &st);
	CHECK(ret == 0, "a newer struct with a zero tail: %d", ret);
	big.newer = 1;
	CHECK(pagemig_move(pm, &p, &big.o, &st) == -EINVAL, "a newer struct with a non-zero tail accepted");
	CHECK(pagemig_move_region(pm, &r, &p, &big.o, &st) == -EINVAL,
	      "move_region: a newer struct with a non-zero tail accepted");
	big.o.sz = offsetof(struct pagemig_move_opts, filter);	/* an old caller: sz and flags */
	ret = pagemig_move(pm, &p, &big.o, &st);
	CHECK(ret == 0, "an older struct (sz and flags only): %d", ret);
}

static void test_open(void)
{
	NEWER(pagemig_open_opts) big;
	struct pagemig *pm = NULL;
	int ret;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	ret = pagemig_open(0, &big.o, &pm);
	CHECK(ret == 0, "open with a zero tail: %d", ret);
	pagemig_close(pm);
	pm = NULL;
	big.newer = 42;
	ret = pagemig_open(0, &big.o, &pm);
	CHECK(ret == -EINVAL && !pm, "open with a non-zero tail: %d", ret);
	pagemig_close(pm);
}

static void test_nodectx(void)
{
	NEWER(pagemig_nodectx) big;
	struct pagemig_nodemask m;
	char err[128];
	int ret;

	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	ret = pagemig_nodemask_parse("0", &big.o, &m, err, sizeof(err));
	CHECK(ret == 0, "parse with a zero tail: %d (%s)", ret, err);
	big.newer = 1;
	ret = pagemig_nodemask_parse("0", &big.o, &m, err, sizeof(err));
	CHECK(ret == -EINVAL && *err, "parse with a non-zero tail: %d (%s)", ret, err);
}

static void test_builtins(void)
{
	NEWER(pagemig_builtin_opts) big;
	struct pagemig *pm;
	int ret;

	if (pagemig_open(0, NULL, &pm)) {
		CHECK(0, "open self");
		return;
	}
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.newer = 1;
	CHECK(pagemig_builtins_register(pm, &big.o) == -EINVAL, "builtins: a non-zero tail accepted");
	big.newer = 0;
	big.o.flags = 1U << 5;
	CHECK(pagemig_builtins_register(pm, &big.o) == -EINVAL, "builtins: unknown flag accepted");
	big.o.flags = 0;
	big.o.hugetlb_pool = (enum pagemig_hugetlb_pool)7;
	CHECK(pagemig_builtins_register(pm, &big.o) == -EINVAL, "builtins: hugetlb_pool 7 accepted");
	big.o.hugetlb_pool = PAGEMIG_HUGETLB_POOL_GROW;
	ret = pagemig_builtins_register(pm, &big.o);
	CHECK(ret == 0, "builtins with a zero tail: %d", ret);
	pagemig_close(pm);
}

static bool match_none(const struct pagemig_region *r, void *ctx)
{
	return false;
}

static void test_region_ops(void)
{
	static NEWER(pagemig_region_ops) big = { .o = { .sz = sizeof(big), .name = "x", .match = match_none } };
	struct pagemig *pm;
	int id;

	if (pagemig_open(0, NULL, &pm)) {
		CHECK(0, "open self");
		return;
	}
	id = pagemig_handler_register(pm, &big.o, NULL);
	CHECK(id > 0, "handler with a zero tail: %d", id);
	big.newer = 3;
	CHECK(pagemig_handler_register(pm, &big.o, NULL) == -EINVAL, "handler with a non-zero tail accepted");
	pagemig_close(pm);
}

int main(void)
{
	struct pagemig *pm;

	test_macro();
	if (pagemig_open(0, NULL, &pm)) {
		fprintf(stderr, "cannot open this process\n");
		return 1;
	}
	test_move(pm);
	pagemig_close(pm);
	test_open();
	test_nodectx();
	test_builtins();
	test_region_ops();
	return unit_exit("opts");
}
