// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * badabi.c - a plugin built for another plugin ABI (99): the loader must refuse it with -ENOTSUP
 * before it calls anything, so the handler below must never be registered.
 */
#include <errno.h>

#include "pagemig.h"

const unsigned int pagemig_plugin_abi = 99;

static bool match(const struct pagemig_region *r, void *ctx)
{
	return false;
}

static const struct pagemig_region_ops ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "badabi",
	.match = match,
};

int pagemig_plugin_init(struct pagemig *pm, unsigned int abi)
{
	int id = pagemig_handler_register(pm, &ops, NULL);	/* must not run */

	return id < 0 ? id : 0;
}
