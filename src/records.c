// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * records.c - the first step of a move: the target's regions read once, the ones the filter
 * selects kept as records (a region selected by address ranges alone is cut to them:
 * pagemig_regions_select()).  A record holds a copy of its region (path, policy and node counts
 * included) and what the later steps learn about it; rec_region() is the one place that turns a
 * record back into a region, for the handlers, the engine and the report alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *dup_str(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void rec_free(struct rec *x)
{
	free((char *)x->r.path);
	free((char *)x->r.policy);
	free((char *)x->r.vmflags_str);
	free((uint64_t *)x->r.node_pages);
}

void records_free(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		rec_free(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

/* A copy of @r that owns its strings and node counts; false without memory (@x then freeable). */
static bool copy_region(struct pagemig_region *x, const struct pagemig_region *r)
{
	size_t sz = MIN(r->sz, sizeof(*x));
	uint64_t *nodes = NULL;

	memset(x, 0, sizeof(*x));
	memcpy(x, r, sz);
	x->sz = sizeof(*x);
	x->path = strdup(r->path ? r->path : "");
	x->policy = dup_str(sz >= offsetofend(struct pagemig_region, policy) ? r->policy : NULL);
	x->vmflags_str = dup_str(sz >= offsetofend(struct pagemig_region, vmflags_str) ? r->vmflags_str : NULL);
	x->node_pages = NULL;
	if (sz >= offsetofend(struct pagemig_region, node_pages) && r->node_pages && r->nr_nodes > 0) {
		nodes = malloc((size_t)r->nr_nodes * sizeof(*nodes));
		if (nodes)
			memcpy(nodes, r->node_pages, (size_t)r->nr_nodes * sizeof(*nodes));
		x->node_pages = nodes;
	} else {
		x->nr_nodes = 0;
	}
	return x->path && (!r->policy || x->policy) && (!r->vmflags_str || x->vmflags_str) &&
	       (!x->nr_nodes || x->node_pages);
}

struct rec *records_add(struct recs *rs, const struct pagemig_region *r)
{
	struct rec *x;
	int n;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		void *v = realloc(rs->v, cap * sizeof(*rs->v));

		if (!v)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	x = &rs->v[rs->n];
	memset(x, 0, sizeof(*x));
	if (!copy_region(&x->r, r)) {
		rec_free(x);
		return NULL;
	}
	x->empty = !x->r.rss && !x->r.hugetlb;
	for (n = 0; n < x->r.nr_nodes; n++)
		x->empty &= !x->r.node_pages[n];
	x->st.sz = sizeof(x->st);
	rs->n++;
	return x;
}

const struct pagemig_region *rec_region(const struct rec *x)
{
	return &x->r;
}

int records_read(struct pagemig *pm, const struct pagemig_filter *filter, struct recs *rs,
		 int (*fn)(struct rec *x, void *ctx), void *ctx)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret, err;

	err = pagemig_regions_open(pm, 0, &it);
	if (!err)
		err = pagemig_regions_select(it, filter);	/* address ranges cut regions */
	if (err) {
		pagemig_regions_close(it);
		return err;
	}
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		struct rec *x = records_add(rs, &r);

		if (!x) {
			err = -ENOMEM;
			goto out;
		}
		err = fn ? fn(x, ctx) : 0;
		if (err)
			goto out;
	}
	err = ret < 0 ? ret : 0;
out:
	pagemig_regions_close(it);
	return err;
}

int records_reread(struct pagemig *pm, struct recs *rs,
		   int (*fn)(const struct pagemig_region *now, struct rec *x, void *ctx), void *ctx)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	size_t i = 0;
	int ret, err;

	/* the node counts are all the callers read: numa_maps and maps, one page-table walk */
	err = pagemig_regions_open(pm, PAGEMIG_REGIONS_LIGHT, &it);
	if (err)
		return err;
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		for (; i < rs->n && rs->v[i].r.start < r.start; i++)
			fn(NULL, &rs->v[i], ctx);
		/* every record that starts in it: the region itself, or pieces of it (a filter's cut) */
		for (; i < rs->n && rs->v[i].r.start < r.end; i++) {
			err = fn(&r, &rs->v[i], ctx);
			if (err)
				goto out;
		}
	}
	err = ret < 0 ? ret : 0;
	for (; !err && i < rs->n; i++)
		fn(NULL, &rs->v[i], ctx);
out:
	pagemig_regions_close(it);
	return err;
}
