// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * special.c - [vdso], [vvar], [vsyscall], [uprobes] and kernel buffers such as io_uring rings:
 * pages the kernel provides.
 * There is nothing to move; claiming them keeps them out of regular migration, so they are
 * reported as unmovable rather than as failures.
 */
#include "handlers.h"

static bool match(const struct pagemig_region *r, void *ctx)
{
	return r->kind == PAGEMIG_KIND_SPECIAL;
}

static int migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		   const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	return PAGEMIG_REGION_DONE;
}

const struct pagemig_region_ops handler_special_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "special",
	.match = match,
	.migrate = migrate,
	.description = "vdso, vvar, vsyscall, uprobes, kernel buffers (io_uring rings): nothing to move",
};
