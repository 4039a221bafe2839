// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ops.c - the registry of region handlers (struct pagemig_region_ops), kept in the handle.
 *
 * A region gets at most one handler: a range registration that overlaps it first (the
 * counterpart of a vma's own vm_ops), then the first class handler whose match() claims it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int add(struct pagemig *pm, const struct pagemig_region_ops *ops, void *ctx, bool range,
	       uint64_t start, uint64_t len)
{
	struct handler_reg *h;

	if (!pm || !ops || ops->sz < offsetofend(struct pagemig_region_ops, finish) ||
	    !OPTS_VALID(ops, pagemig_region_ops))
		return -EINVAL;
	if (pm->nr_handlers == pm->cap_handlers) {
		int cap = pm->cap_handlers ? pm->cap_handlers * 2 : 8;
		void *v = realloc(pm->handlers, (size_t)cap * sizeof(*pm->handlers));

		if (!v)
			return -ENOMEM;
		pm->handlers = v;
		pm->cap_handlers = cap;
	}
	h = &pm->handlers[pm->nr_handlers++];
	h->id = ++pm->next_handler_id;
	h->ops = ops;
	h->ctx = ctx;
	h->range = range;
	h->start = start;
	h->len = len;
	return h->id;
}

void ops_init(struct pagemig *pm)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&pm->reg_lock, &a);
	pthread_mutexattr_destroy(&a);
}

/* The registry's lock: taken by every registry function and by the agent around a transaction. */
void ops_lock(const struct pagemig *pm)
{
	pthread_mutex_lock((pthread_mutex_t *)&pm->reg_lock);
}

void ops_unlock(const struct pagemig *pm)
{
	pthread_mutex_unlock((pthread_mutex_t *)&pm->reg_lock);
}

PAGEMIG_API int pagemig_handler_register(struct pagemig *pm, const struct pagemig_region_ops *ops, void *ctx)
{
	int ret;

	if (!pm || !ops || !ops->match)
		return -EINVAL;
	ops_lock(pm);
	ret = add(pm, ops, ctx, false, 0, 0);
	ops_unlock(pm);
	return ret;
}

PAGEMIG_API int pagemig_region_register(struct pagemig *pm, uint64_t addr, uint64_t len,
					const struct pagemig_region_ops *ops, void *ctx)
{
	int i, ret;

	if (!pm || !len || addr + len < addr || pagemig_pid(pm) != getpid())
		return -EINVAL;
	ops_lock(pm);
	for (i = 0; i < pm->nr_handlers; i++) {
		const struct handler_reg *h = &pm->handlers[i];

		if (h->range && addr < h->start + h->len && h->start < addr + len)
			break;
	}
	ret = i < pm->nr_handlers ? -EINVAL : add(pm, ops, ctx, true, addr, len);
	ops_unlock(pm);
	return ret;
}

PAGEMIG_API int pagemig_handler_unregister(struct pagemig *pm, int id)
{
	int i, ret = -ENOENT;

	if (!pm)
		return -ENOENT;
	ops_lock(pm);
	for (i = 0; i < pm->nr_handlers; i++) {
		if (pm->handlers[i].id != id)
			continue;
		memmove(&pm->handlers[i], &pm->handlers[i + 1],
			(size_t)(pm->nr_handlers - i - 1) * sizeof(*pm->handlers));
		pm->nr_handlers--;
		ret = 0;
		break;
	}
	ops_unlock(pm);
	return ret;
}

const struct handler_reg *ops_claim(const struct pagemig *pm, const struct pagemig_region *r)
{
	int i;

	for (i = 0; i < pm->nr_handlers; i++) {
		const struct handler_reg *h = &pm->handlers[i];

		if (h->range && r->start < h->start + h->len && h->start < r->end)
			return h;
	}
	for (i = 0; i < pm->nr_handlers; i++) {
		const struct handler_reg *h = &pm->handlers[i];

		if (!h->range && h->ops->match(r, h->ctx))
			return h;
	}
	return NULL;
}

PAGEMIG_API const struct pagemig_region_ops *pagemig_handler_claim(const struct pagemig *pm,
								    const struct pagemig_region *r)
{
	const struct handler_reg *h;

	if (!pm || !r)
		return NULL;
	ops_lock(pm);
	h = ops_claim(pm, r);
	ops_unlock(pm);
	return h ? h->ops : NULL;
}

PAGEMIG_API int pagemig_handler_next(const struct pagemig *pm, int prev, const struct pagemig_region_ops **ops,
				     uint64_t *range_start, uint64_t *range_len)
{
	int i, id = 0;

	if (!pm)
		return 0;
	ops_lock(pm);
	for (i = 0; i < pm->nr_handlers && !id; i++) {
		const struct handler_reg *h = &pm->handlers[i];

		if (h->id <= prev)
			continue;
		if (ops)
			*ops = h->ops;
		if (range_start)
			*range_start = h->start;
		if (range_len)
			*range_len = h->len;
		id = h->id;
	}
	ops_unlock(pm);
	return id;
}

PAGEMIG_API void pagemig_handler_explain(struct pagemig *pm, const char *fmt, ...)
{
	va_list ap;

	if (!pm)
		return;
	va_start(ap, fmt);
	vsnprintf(pm->explain, sizeof(pm->explain), fmt, ap);
	va_end(ap);
}

void ops_release(struct pagemig *pm)
{
	free(pm->handlers);
	pm->handlers = NULL;
	pm->nr_handlers = pm->cap_handlers = 0;
	pthread_mutex_destroy(&pm->reg_lock);
}
