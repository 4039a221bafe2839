// SPDX-License-Identifier: LGPL-2.1-or-later
/* stats.c - the counters of a move: names, sums, and what "complete" means. */
#include <string.h>

#include "internal.h"

static const char *const stat_names[PAGEMIG_STAT_MAX] = {
	[PAGEMIG_STAT_PLANNED] = "planned",
	[PAGEMIG_STAT_MOVED] = "moved",
	[PAGEMIG_STAT_FALLBACK] = "fallback",
	[PAGEMIG_STAT_STAYED] = "stayed",
	[PAGEMIG_STAT_ELSEWHERE] = "elsewhere",
	[PAGEMIG_STAT_SHARED] = "shared",
	[PAGEMIG_STAT_BUSY] = "busy",
	[PAGEMIG_STAT_NOMEM] = "no-memory",
	[PAGEMIG_STAT_HIDDEN] = "hidden",
	[PAGEMIG_STAT_REFUSED] = "refused",
	[PAGEMIG_STAT_FAILED] = "failed",
	[PAGEMIG_STAT_NOT_PRESENT] = "not-present",
	[PAGEMIG_STAT_UNMOVABLE] = "unmovable",
	[PAGEMIG_STAT_HANDLED] = "handled",
	[PAGEMIG_STAT_OBJECT] = "object",
};

PAGEMIG_API const char *pagemig_stat_name(enum pagemig_stat stat)
{
	if ((unsigned int)stat >= PAGEMIG_STAT_MAX || !stat_names[stat])
		return "?";
	return stat_names[stat];
}

/* Count @bytes of a per-page error @err (positive errno) in @st. */
void stats_add_error(struct pagemig_stats *st, int err, uint64_t bytes)
{
	size_t i;

	st->bytes[PAGEMIG_STAT_FAILED] += bytes;
	for (i = 0; i < PAGEMIG_STATS_ERRORS; i++) {
		if (st->errors[i].err == err || !st->errors[i].err) {
			st->errors[i].err = err;
			st->errors[i].bytes += bytes;
			return;
		}
	}
	/* More distinct errnos than slots: the last slot collects the rest. */
	st->errors[PAGEMIG_STATS_ERRORS - 1].bytes += bytes;
}

/* Copy @src (the library's own, whole) to the caller's @dst, as much of it as @dst->sz holds. */
void stats_copy_out(struct pagemig_stats *dst, const struct pagemig_stats *src)
{
	size_t sz = MIN(dst->sz, sizeof(*src));

	memcpy(dst, src, sz);
	dst->sz = sz;
}

/* Whether the caller's @st holds @field (its sz; 0, never a real size, is this header's). */
#define ST_HAS(st, field) (!(st)->sz || (st)->sz >= offsetofend(struct pagemig_stats, field))

_Static_assert(PAGEMIG_STAT_MAX <= PAGEMIG_STAT_SLOTS, "enum pagemig_stat outgrew struct pagemig_stats");

PAGEMIG_API void pagemig_stats_add(struct pagemig_stats *dst, const struct pagemig_stats *src)
{
	size_t i;

	if (ST_HAS(dst, bytes) && ST_HAS(src, bytes)) {
		for (i = 0; i < PAGEMIG_STAT_MAX; i++)
			dst->bytes[i] += src->bytes[i];
		for (i = 0; i < PAGEMIG_STATS_ERRORS && src->errors[i].err; i++) {
			dst->bytes[PAGEMIG_STAT_FAILED] -= src->errors[i].bytes;
			stats_add_error(dst, src->errors[i].err, src->errors[i].bytes);
		}
	}
	if (ST_HAS(dst, regions) && ST_HAS(src, regions))
		dst->regions += src->regions;
	if (ST_HAS(dst, syscalls) && ST_HAS(src, syscalls))
		dst->syscalls += src->syscalls;
	if (ST_HAS(dst, numa_balancing) && ST_HAS(src, numa_balancing))
		dst->numa_balancing |= src->numa_balancing;
}

PAGEMIG_API bool pagemig_stats_is_complete(const struct pagemig_stats *st)
{
	static const enum pagemig_stat left_behind[] = {
		PAGEMIG_STAT_BUSY, PAGEMIG_STAT_NOMEM, PAGEMIG_STAT_HIDDEN,
		PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED,
	};
	size_t i;

	if (!ST_HAS(st, bytes))
		return true;	/* a struct without counters has nothing left behind to show */
	for (i = 0; i < ARRAY_SIZE(left_behind); i++)
		if (st->bytes[left_behind[i]])
			return false;
	return true;
}
