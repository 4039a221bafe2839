// SPDX-License-Identifier: LGPL-2.1-or-later
/* builtins.c - registering the built-in region handlers on a handle. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

PAGEMIG_API int pagemig_builtins_register(struct pagemig *pm, const struct pagemig_builtin_opts *opts)
{
	const struct pagemig_region_ops *all[] = {
		&handler_special_ops, &handler_nopages_ops, &handler_hugetlb_ops,
	};
	struct builtins *b;
	size_t i;
	int id;

	if (!pm || !OPTS_VALID(opts, pagemig_builtin_opts) || (OPTS_GET(opts, flags, 0) & ~PAGEMIG_BUILTIN_STRICT) ||
	    (unsigned int)OPTS_GET(opts, hugetlb_pool, 0) > PAGEMIG_HUGETLB_POOL_GROW_SHRINK)
		return -EINVAL;
	if (pm->builtins)
		return -EEXIST;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->opts.sz = sizeof(b->opts);
	b->opts.flags = OPTS_GET(opts, flags, 0);
	b->opts.hugetlb_pool = OPTS_GET(opts, hugetlb_pool, PAGEMIG_HUGETLB_POOL_NO);
	pm->builtins = b;
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		id = pagemig_handler_register(pm, all[i], b);
		if (id < 0) {
			builtins_release(pm);
			return id;
		}
		b->ids[i] = id;
	}
	return 0;
}

void builtins_release(struct pagemig *pm)
{
	size_t i;

	if (!pm->builtins)
		return;
	for (i = 0; i < ARRAY_SIZE(pm->builtins->ids); i++)
		if (pm->builtins->ids[i])
			pagemig_handler_unregister(pm, pm->builtins->ids[i]);
	free(pm->builtins);
	pm->builtins = NULL;
}

bool builtins_only(const struct pagemig *pm)
{
	bool only = !pm->builtins || !(pm->builtins->opts.flags & PAGEMIG_BUILTIN_STRICT);
	int i;

	ops_lock(pm);
	for (i = 0; i < pm->nr_handlers && only; i++)
		only = pm->builtins && pm->handlers[i].ctx == pm->builtins && !pm->handlers[i].range;
	ops_unlock(pm);
	return only;
}
