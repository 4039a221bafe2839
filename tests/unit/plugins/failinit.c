// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * failinit.c - a plugin whose init changes the registry and then fails with -EPROTO: it
 * unregisters the first handler registered before it (as a plugin replacing a built-in would),
 * registers a class handler and, on the calling process, a range handler.  The loader must return
 * -EPROTO and leave the registry exactly as it was: the handlers' ops live in this object, which
 * is unloaded.
 */
#include <errno.h>
#include <unistd.h>

#include "pagemig.h"

const unsigned int pagemig_plugin_abi = PAGEMIG_PLUGIN_ABI;

static char area[1 << 16];

static bool match(const struct pagemig_region *r, void *ctx)
{
	return true;	/* would claim everything, were it left registered */
}

static const struct pagemig_region_ops ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "failinit",
	.match = match,
};

int pagemig_plugin_init(struct pagemig *pm, unsigned int abi)
{
	int first = pagemig_handler_next(pm, 0, NULL, NULL, NULL);
	int id;

	if (first > 0 && pagemig_handler_unregister(pm, first))
		return -EINVAL;
	id = pagemig_handler_register(pm, &ops, NULL);
	if (id < 0)
		return id;
	/* A range registration is possible only on the calling process. */
	if (pagemig_pid(pm) == getpid()) {
		id = pagemig_region_register(pm, (uintptr_t)area, sizeof(area), &ops, NULL);
		if (id < 0)
			return id;
	}
	return -EPROTO;
}
