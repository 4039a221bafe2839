/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * labpm.h - the prologue of a lab test that drives libpagemig: open the target, plan a move
 * between two nodes, name a range.  These are the test's setup, not what it checks: each FAILs on
 * an error.  labtest.h stays free of pagemig.h (the benchmarks build against it alone, and the
 * kernel's answers there are the reference).
 */
#ifndef LABPM_H
#define LABPM_H

#include "labtest.h"
#include "pagemig.h"

/* pagemig_open() of @pid (0: this process), or FAIL. */
static inline struct pagemig *lab_open(pid_t pid)
{
	struct pagemig *pm;
	int ret = pagemig_open(pid, NULL, &pm);

	if (ret)
		FAIL("pagemig_open(%d): %s", (int)pid, strerror(-ret));
	return pm;
}

/* The plan of a move from node @from to node @to, or FAIL. */
static inline void lab_plan(int from, int to, struct pagemig_plan *plan)
{
	struct pagemig_nodemask f, t;

	pagemig_nodemask_zero(&f);
	pagemig_nodemask_zero(&t);
	pagemig_nodemask_set(&f, from);
	pagemig_nodemask_set(&t, to);
	if (pagemig_plan(&f, &t, plan))
		FAIL("pagemig_plan(%d -> %d)", from, to);
}

/* A round trip: @plan[0] moves node @a to node @b, @plan[1] back. */
static inline void lab_plan_round_trip(int a, int b, struct pagemig_plan plan[2])
{
	lab_plan(a, b, &plan[0]);
	lab_plan(b, a, &plan[1]);
}

/* A filter of the regions that overlap [@addr, @addr + @len), or FAIL. */
static inline struct pagemig_filter *lab_range_filter(const void *addr, size_t len)
{
	struct pagemig_filter *filter;
	char range[64], err[256];

	snprintf(range, sizeof(range), "%lx-%lx", (unsigned long)(uintptr_t)addr,
		 (unsigned long)(uintptr_t)addr + len);
	if (pagemig_filter_parse(range, &filter, err, sizeof(err)))
		FAIL("filter '%s': %s", range, err);
	return filter;
}

#endif /* LABPM_H */
