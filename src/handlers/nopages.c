// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nopages.c - io and pfnmap regions (VmFlags io/pf): device or raw PFN mappings with no struct
 * pages behind them, which regular migration cannot move.  They are reported per region; with
 * PAGEMIG_BUILTIN_STRICT such a region is an error that stops the whole move (the seed's rule).
 */
#include <errno.h>
#include <inttypes.h>

#include "handlers.h"

static bool match(const struct pagemig_region *r, void *ctx)
{
	return r->kind == PAGEMIG_KIND_NOPAGES;
}

static int migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		   const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	const struct builtins *b = ctx;

	if (b->opts.flags & PAGEMIG_BUILTIN_STRICT) {
		pagemig_handler_explain(pm, "region %" PRIx64 "-%" PRIx64 " (%s) has no struct pages and cannot move",
					r->start, r->end, r->path && *r->path ? r->path : "io/pfnmap");
		return -ENXIO;
	}
	return PAGEMIG_REGION_DONE;
}

const struct pagemig_region_ops handler_nopages_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "nopages",
	.match = match,
	.migrate = migrate,
	.description = "io/pfnmap regions: no struct pages, cannot move (an error with --strict)",
};
