// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hooks.c - the region handlers of one move (the seed's migrate_vmas()): before any page moves,
 * the owner's handlers run in the target's agent, then ours, region by region, in address order;
 * a region either claims was moved (or kept) by its handler and no page of it moves here.  After
 * the move, each handler whose migrate hook ran gets its finish hook with the move's outcome, and
 * the agent is told the outcome too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* A region its handler moved itself (or kept): done, its resident bytes counted as handled. */
static int handled(struct rec *x, const struct pagemig_region *r)
{
	if (x->done)
		return 0;
	x->done = true;
	return rec_count(x, pagemig_kind_is_movable(r->kind) ? PAGEMIG_STAT_HANDLED : PAGEMIG_STAT_UNMOVABLE, r->rss);
}

/*
 * The owner's handler that ran for @x in the target's agent, if any (@claimed): a region it moved
 * itself (or kept) is done like one of ours, and no handler of ours runs for it.
 */
static int owner_claims(struct hooks *h, struct rec *x, const struct pagemig_region *r, bool *claimed)
{
	size_t i;
	int err = 0;

	*claimed = false;
	for (i = 0; i < h->nowner && !err; i++) {
		const struct agent_result *o = &h->owner[i];

		if (o->start >= r->end || r->start >= o->end)
			continue;
		if (!rec_more(x))
			return -ENOMEM;
		x->more->owner = o->name;
		*claimed = true;
		if (o->result == PAGEMIG_REGION_DONE)
			err = handled(x, r);
	}
	return err;
}

static void note_error(struct hooks *h, const struct pagemig_region_ops *ops, const struct pagemig_region *r,
		       int err)
{
	if (!h->he)
		return;
	h->he->err = err;
	snprintf(h->he->handler, sizeof(h->he->handler), "%s", ops->name ? ops->name : "?");
	h->he->start = r->start;
	h->he->end = r->end;
	snprintf(h->he->detail, sizeof(h->he->detail), "%s", h->pm->explain);
}

int hooks_migrate(struct hooks *h, struct rec *x)
{
	struct pagemig_region rb;
	const struct pagemig_region *r = rec_region(x, &rb);
	const struct handler_reg *reg;
	bool claimed;
	int ret;

	hooks_keep_lease(h, false);
	ret = owner_claims(h, x, r, &claimed);
	if (ret || claimed || !(reg = ops_claim(h->pm, r)))
		return ret;
	if (!rec_more(x))
		return -ENOMEM;
	x->more->ops = reg->ops;
	x->more->ctx = reg->ctx;
	if ((h->flags & PAGEMIG_MOVE_DRY_RUN) || !reg->ops->migrate)
		return 0;
	h->pm->explain[0] = '\0';
	ret = reg->ops->migrate(h->pm, r, &h->plan->from, &h->plan->to, h->flags & PAGEMIG_MOVE_ALL, reg->ctx);
	x->ran = true;
	if (ret < 0) {
		note_error(h, reg->ops, r, ret);
		return ret;
	}
	return ret == PAGEMIG_REGION_DONE ? handled(x, r) : 0;
}

void hooks_finish(struct hooks *h, struct recs *rs, int err)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		struct rec *x = &rs->v[i];
		struct pagemig_region rb;

		if (x->ran && x->more->ops->finish)
			x->more->ops->finish(h->pm, rec_region(x, &rb), err, x->more->ctx);
	}
	if (h->agent) {
		int fin = agent_finish(h->agent, err);

		if (h->he)
			h->he->finish_err = fin;
	}
}

int hooks_owner_migrate(struct hooks *h, struct pagemig_agent_conn *agent, const struct pagemig_filter *filter)
{
	int err = agent_prepare(agent, h->plan, h->flags, filter_source(filter), &h->owner, &h->nowner, h->he);

	if (!err)
		h->agent = agent;
	return err;
}

void hooks_keep_lease(struct hooks *h, bool now)
{
	if (h->agent)
		agent_keep(h->agent, now);
}

int hooks_progress(const struct pagemig_progress *p, void *ctx)
{
	struct hooks *h = ctx;

	hooks_keep_lease(h, false);
	return h->user_progress ? h->user_progress(p, h->user_ctx) : 0;
}

void hooks_release(struct hooks *h)
{
	free(h->owner);
	h->owner = NULL;
	h->nowner = 0;
}
