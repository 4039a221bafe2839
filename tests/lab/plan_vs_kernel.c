/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * plan_vs_kernel - pagemig_plan() predicts where migrate_pages(2) puts every page.
 *
 * For each pair of node strings, a fresh target allocates PAGES pages of private anonymous memory
 * on each of nodes 0-3 (mbind MPOL_BIND, touched); the test checks the placement, calls
 * migrate_pages(2) on the target with the two masks, queries the placement again (move_pages(2)
 * with nodes = NULL, across processes) and checks that each page is on plan.target[its original
 * node], or still where it was for -1.  The pairs cover the kernel's skip rule (masks of different
 * weights), a chain the kernel must order (1-3 -> 0-2), every node to one, and "0,1 -> 1,0",
 * which as masks is the identity: nothing moves.  The node strings go through
 * pagemig_nodemask_parse() with the guest's topology, so memory-only nodes 2 and 3 must be
 * accepted as targets.
 */
#include "labtest.h"
#include "pagemig.h"

#define NODES 4
#define PAGES 64

struct layout {
	char *addr[NODES];	/* the target's region on each node, same address in the parent */
};

static const struct {
	const char *from;
	const char *to;
} pairs[] = {
	{ "0-3", "2,3" },	/* 0 -> 2, 1 -> 3; 2 and 3 stay */
	{ "0,1", "3" },
	{ "0", "2" },
	{ "1,2", "0,3" },
	{ "1-3", "0-2" },	/* a chain: 1 -> 0, 2 -> 1, 3 -> 2, each page moved once */
	{ "0-3", "0" },
	{ "0,1", "1,0" },	/* sets: the identity */
};

static void setup(void *arg)
{
	struct layout *l = arg;
	int n;

	for (n = 0; n < NODES; n++)
		l->addr[n] = lab_alloc_on_node(PAGES * lab_page_size(), n, 0);
}

static uint64_t parse(const char *str, const struct pagemig_nodectx *ctx, struct pagemig_nodemask *m)
{
	char err[256];
	int ret = pagemig_nodemask_parse(str, ctx, m, err, sizeof(err));

	if (ret)
		FAIL("pagemig_nodemask_parse('%s'): %d: %s", str, ret, err);
	return m->bits[0];
}

/* Where the pages of each node's region are; @want: the node every page should be on, per region. */
static int check_placement(pid_t pid, const struct layout *l, const int *want, const char *when)
{
	int status[PAGES], n, i, bad = 0, err;

	for (n = 0; n < NODES; n++) {
		err = lab_query_nodes_pid(pid, l->addr[n], PAGES, lab_page_size(), status);
		if (err)
			FAIL("move_pages query of node %d's region: %s", n, strerror(-err));
		for (i = 0; i < PAGES; i++) {
			if (status[i] == want[n])
				continue;
			if (bad++ < 8)
				lab_log("  %s: page %d of node %d's region is on %d, expected %d", when, i, n,
					status[i], want[n]);
		}
	}
	return bad;
}

static void steps_str(const struct pagemig_plan *p, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < p->nr_steps && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, " %d>%d", p->steps[i].from, p->steps[i].to);
}

static int run_pair(int k, const struct pagemig_nodectx *ctx, struct layout *l)
{
	static struct pagemig_plan plan;
	struct pagemig_nodemask from, to;
	int want[NODES], n, bad;
	uint64_t f = parse(pairs[k].from, ctx, &from), t = parse(pairs[k].to, ctx, &to);
	char steps[128];
	pid_t pid;
	long ret;

	if (pagemig_plan(&from, &to, &plan))
		FAIL("pagemig_plan(%s -> %s) failed", pairs[k].from, pairs[k].to);
	pid = lab_spawn(setup, l);
	for (n = 0; n < NODES; n++)
		want[n] = n;
	if (check_placement(pid, l, want, "before"))
		FAIL("%s -> %s: the pages are not on their nodes before the move", pairs[k].from, pairs[k].to);
	ret = lab_migrate_pages(pid, f, t);
	if (ret)
		FAIL("migrate_pages(%s -> %s): %ld", pairs[k].from, pairs[k].to, ret);
	for (n = 0; n < NODES; n++)
		want[n] = plan.target[n] < 0 ? n : plan.target[n];
	bad = check_placement(pid, l, want, "after");
	lab_kill(pid);
	steps_str(&plan, steps, sizeof(steps));
	lab_log("%-4s -> %-4s steps%s: target 0..3 = %d %d %d %d, %s", pairs[k].from, pairs[k].to,
		plan.nr_steps ? steps : " none", plan.target[0], plan.target[1], plan.target[2], plan.target[3],
		bad ? "MISMATCH" : "every page where the plan says");
	return bad;
}

int main(void)
{
	const struct pagemig_nodemask *online, *memory;
	struct pagemig_topology *topo = NULL;
	PAGEMIG_OPTS(pagemig_nodectx, ctx);
	struct layout *l;
	int k, failed = 0, err;

	lab_require_root();
	lab_require_nodes(NODES);
	err = pagemig_topology_load(NULL, &topo);
	if (err)
		FAIL("pagemig_topology_load: %s", strerror(-err));
	online = pagemig_topology_online(topo);
	memory = pagemig_topology_memory(topo);
	for (k = 0; k < NODES; k++)
		if (!pagemig_nodemask_is_set(memory, k))
			SKIP("needs memory on nodes 0-%d; node %d has none", NODES - 1, k);
	ctx.online = online;
	ctx.memory = memory;
	ctx.need_memory = true;
	/* the layout is written by the target and read here: a shared page mapped before the fork */
	l = lab_map_shared(sizeof(*l));
	for (k = 0; k < (int)(sizeof(pairs) / sizeof(pairs[0])); k++)
		failed += run_pair(k, &ctx, l) != 0;
	pagemig_topology_free(topo);
	if (failed)
		FAIL("%d of %zu mask pairs: migrate_pages(2) placed pages elsewhere than pagemig_plan() says", failed,
		     sizeof(pairs) / sizeof(pairs[0]));
	lab_log("all %zu mask pairs: migrate_pages(2) placed every page on pagemig_plan()'s target",
		sizeof(pairs) / sizeof(pairs[0]));
	return 0;
}
