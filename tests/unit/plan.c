// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * plan.c - pagemig_plan(): targets and step order for the kernel's examples and more, checked
 * against a literal model of do_migrate_pages()'s loop for every pair of masks over 6 nodes.
 *
 * It also pins down what the kernel does with "cycles": node masks are sets, so "0,1 -> 1,0" is
 * the identity and nothing moves; and since no pair of masks maps with a cycle, replaying the
 * steps node by node (what the kernel does) never moves a page twice and leaves every page on
 * target[its original node] (what pagemig does page by page).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* "1>3 0>2": the steps of @p. */
static const char *steps_str(const struct pagemig_plan *p, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < p->nr_steps && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%d>%d", i ? " " : "", p->steps[i].from,
					 p->steps[i].to);
	return buf;
}

struct plan_case {
	const char *from;
	const char *to;
	const char *steps;	/* in execution order; their pairs are the only targets that are not -1 */
};

static const struct plan_case cases[] = {
	{ "0-3", "2-3", "1>3 0>2" },		/* 0 -> 2, 1 -> 3; 2 and 3 stay (weights differ) */
	{ "0-1", "3", "0>3 1>3" },
	{ "2-4", "3-5", "4>5 3>4 2>3" },	/* the kernel's example: all move, emptied before filled */
	{ "0-7", "3-5", "7>4 6>3 2>5 1>4 0>3" },/* the kernel's example: only 0,1,2,6,7 move */
	{ "0-1", "0-1", "" },			/* "0,1 -> 1,0": masks are sets, this is the identity */
	{ "1", "1", "" },
	{ "0", "2", "0>2" },
	{ "1-2", "0,3", "1>0 2>3" },
	{ "0-3", "0", "3>0 2>0 1>0" },
	{ "0,2", "1-2", "0>1" },		/* equal weights: 2 maps to itself */
	{ "0-1", "2-5", "0>2 1>3" },
	{ "1,700", "64,1023", "1>64 700>1023" },
};

/* want[n]: the target of each "s>d" pair of @steps, -1 for other nodes. */
static void targets_of(const char *steps, int *want)
{
	int n, a, b, len;

	for (n = 0; n < PAGEMIG_MAX_NODES; n++)
		want[n] = -1;
	while (sscanf(steps, "%d>%d%n", &a, &b, &len) == 2) {
		want[a] = b;
		steps += len;
	}
}

static void test_table(void)
{
	struct pagemig_plan *p = malloc(sizeof(*p));
	struct pagemig_nodemask from, to;
	char buf[256];
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct plan_case *c = &cases[i];
		int want[PAGEMIG_MAX_NODES];

		from = unit_mask_of(c->from);
		to = unit_mask_of(c->to);
		CHECK(pagemig_plan(&from, &to, p) == 0, "%s -> %s failed", c->from, c->to);
		CHECK(!strcmp(steps_str(p, buf, sizeof(buf)), c->steps), "%s -> %s: steps '%s', want '%s'", c->from,
		      c->to, buf, c->steps);
		targets_of(c->steps, want);
		for (n = 0; n < PAGEMIG_MAX_NODES; n++)
			CHECK(p->target[n] == want[n], "%s -> %s: target[%d] = %d, want %d", c->from, c->to, n,
			      p->target[n], want[n]);
		CHECK(pagemig_nodemask_is_equal(&p->from, &from) && pagemig_nodemask_is_equal(&p->to, &to),
		      "%s -> %s: masks not kept", c->from, c->to);
	}
	pagemig_nodemask_zero(&from);
	to = unit_mask_of("1");
	CHECK(pagemig_plan(&from, &to, p) == -EINVAL, "an empty from accepted");
	CHECK(pagemig_plan(&to, &from, p) == -EINVAL, "an empty to accepted");
	free(p);
}

/* Every node to one: the destinations never leave the pending set, so the kernel goes backwards. */
static void test_all_to_one(void)
{
	struct pagemig_plan *p = malloc(sizeof(*p));
	struct pagemig_nodemask from = unit_mask_of("0-1023"), to = unit_mask_of("1023");
	int n;

	CHECK(pagemig_plan(&from, &to, p) == 0 && p->nr_steps == 1023, "0-1023 -> 1023: %d steps", p->nr_steps);
	for (n = 0; n < p->nr_steps; n++)
		CHECK(p->steps[n].from == 1022 - n && p->steps[n].to == 1023, "step %d: %d>%d", n, p->steps[n].from,
		      p->steps[n].to);
	for (n = 0; n < 1023; n++)
		CHECK(p->target[n] == 1023, "target[%d] = %d", n, p->target[n]);
	CHECK(p->target[1023] == -1, "1023 moves to %d", p->target[1023]);
	free(p);
}

/*
 * The kernel's loop, transcribed statement by statement from do_migrate_pages() (mm/mempolicy.c):
 * the (source, dest) pairs it hands to migrate_to_node(), in order.  Returns their count.
 */
static int kernel_steps(const struct pagemig_nodemask *from, const struct pagemig_nodemask *to, int pairs[][2])
{
	struct pagemig_nodemask tmp = *from;
	int nr = 0, s, d, source, dest;

	while (!pagemig_nodemask_is_empty(&tmp)) {
		source = -1;
		dest = 0;
		for (s = pagemig_nodemask_next(&tmp, -1); s >= 0; s = pagemig_nodemask_next(&tmp, s)) {
			if (pagemig_nodemask_weight(from) != pagemig_nodemask_weight(to) &&
			    pagemig_nodemask_is_set(to, s))
				continue;
			d = pagemig_nodemask_remap(from, to, s);
			if (s == d)
				continue;
			source = s;
			dest = d;
			if (!pagemig_nodemask_is_set(&tmp, dest))
				break;
		}
		if (source == -1)
			break;
		pagemig_nodemask_clear(&tmp, source);
		pairs[nr][0] = source;
		pairs[nr][1] = dest;
		nr++;
	}
	return nr;
}

/*
 * For every pair of non-empty masks over 6 nodes: the steps are the kernel's, and replaying them
 * node by node (one page per node, as migrate_to_node() moves everything on the source) moves no
 * page twice and leaves each page on target[its original node], or where it was for -1.
 */
static void test_exhaustive(void)
{
	struct pagemig_plan *p = malloc(sizeof(*p));
	struct pagemig_nodemask from, to;
	int pairs[PAGEMIG_MAX_NODES][2], place[6], moves[6];
	unsigned int f, t;
	int nr, i, n, checked = 0;

	for (f = 1; f < 64; f++) {
		for (t = 1; t < 64; t++) {
			pagemig_nodemask_zero(&from);
			pagemig_nodemask_zero(&to);
			from.bits[0] = f;
			to.bits[0] = t;
			CHECK(pagemig_plan(&from, &to, p) == 0, "plan %#x -> %#x", f, t);
			nr = kernel_steps(&from, &to, pairs);
			CHECK(nr == p->nr_steps, "%#x -> %#x: %d steps, the kernel takes %d", f, t, p->nr_steps, nr);
			for (i = 0; i < nr && i < p->nr_steps; i++)
				CHECK(p->steps[i].from == pairs[i][0] && p->steps[i].to == pairs[i][1],
				      "%#x -> %#x: step %d is %d>%d, the kernel's %d>%d", f, t, i, p->steps[i].from,
				      p->steps[i].to, pairs[i][0], pairs[i][1]);
			for (n = 0; n < 6; n++) {
				place[n] = n;
				moves[n] = 0;
			}
			for (i = 0; i < nr; i++)
				for (n = 0; n < 6; n++)
					if (place[n] == pairs[i][0]) {
						place[n] = pairs[i][1];
						moves[n]++;
					}
			for (n = 0; n < 6; n++) {
				CHECK(moves[n] <= 1, "%#x -> %#x: the page of node %d moved %d times", f, t, n, moves[n]);
				CHECK(place[n] == (p->target[n] < 0 ? n : p->target[n]),
				      "%#x -> %#x: the kernel leaves node %d's page on %d, target %d", f, t, n, place[n],
				      p->target[n]);
			}
			checked++;
		}
	}
	CHECK(checked == 63 * 63, "checked %d pairs", checked);
	free(p);
}

/* Larger random masks: the kernel's steps, and no step fills a node that a later step empties. */
static void test_random(void)
{
	struct pagemig_plan *p = malloc(sizeof(*p));
	static int pairs[PAGEMIG_MAX_NODES][2];
	struct pagemig_nodemask from, to;
	unsigned int seed = 42;
	int k, n, i, j, nr, span;

	for (k = 0; k < 3000; k++) {
		pagemig_nodemask_zero(&from);
		pagemig_nodemask_zero(&to);
		span = 8 << (k % 8);	/* 8 .. 1024 nodes */
		for (n = 0; n < span; n++) {
			if (rand_r(&seed) % 4 == 0)
				pagemig_nodemask_set(&from, n);
			if (rand_r(&seed) % 4 == 0)
				pagemig_nodemask_set(&to, n);
		}
		pagemig_nodemask_set(&from, rand_r(&seed) % span);
		pagemig_nodemask_set(&to, rand_r(&seed) % span);
		CHECK(pagemig_plan(&from, &to, p) == 0, "random plan %d", k);
		nr = kernel_steps(&from, &to, pairs);
		CHECK(nr == p->nr_steps, "random %d: %d steps, the kernel takes %d", k, p->nr_steps, nr);
		for (i = 0; i < nr && i < p->nr_steps; i++) {
			CHECK(p->steps[i].from == pairs[i][0] && p->steps[i].to == pairs[i][1], "random %d: step %d", k, i);
			for (j = i + 1; j < p->nr_steps; j++)
				CHECK(p->steps[i].to != p->steps[j].from, "random %d: step %d fills %d, step %d empties it",
				      k, i, p->steps[i].to, j);
		}
	}
	free(p);
}

int main(void)
{
	test_table();
	test_all_to_one();
	test_exhaustive();
	test_random();
	if (unit_failed("plan"))
		return 1;
	printf("plan: %zu cases, all-to-one, 3969 small and 3000 random mask pairs against the kernel's loop passed\n",
	       ARRAY_SIZE(cases));
	return 0;
}
