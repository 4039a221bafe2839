/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* handlers.h - the built-in region handlers and their shared state. */
#ifndef PAGEMIG_HANDLERS_H
#define PAGEMIG_HANDLERS_H

#include "../internal.h"

struct hugetlb_state {
	/* huge pages of each node's pool that this move reserved, grew, and still has to finish */
	uint64_t reserved[PAGEMIG_MAX_NODES];
	uint64_t grown[PAGEMIG_MAX_NODES];
	uint64_t freed[PAGEMIG_MAX_NODES];
	uint64_t free_before[PAGEMIG_MAX_NODES];	/* a source pool's free pages before the move */
	uint64_t page_kb;	/* the size the counters are in (one size per move) */
	int outstanding;	/* regions between migrate() and finish() */
	int failed;
};

struct builtins {
	struct pagemig_builtin_opts opts;
	struct hugetlb_state huge;
	int ids[3];
};

extern const struct pagemig_region_ops handler_special_ops;
extern const struct pagemig_region_ops handler_nopages_ops;
extern const struct pagemig_region_ops handler_hugetlb_ops;

#endif
