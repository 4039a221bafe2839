// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * object.c - the pages of a shared object (shm, memfd, shared anonymous memory, a shared file
 * mapping) that the target does not map (PAGEMIG_MOVE_OBJECTS): in memory because other
 * processes touched them, some of which may have exited since.  The target's page tables cannot
 * reach them; the object can.
 *
 * The region's file, opened through /proc/PID/map_files (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE),
 * is mapped here read-only at the region's offset, one chunk at a time.  mincore(2) says which of
 * its pages are in memory; those the target maps (its pagemap) are its own move's business and are
 * left out; the rest are faulted into our mapping with MADV_POPULATE_READ (a page in memory is
 * only mapped: nothing is read or allocated, unless the kernel dropped the page since mincore(2)
 * looked), and then go through the engine's batches as pages of our own process (move_pages(2)
 * with pid 0).  Our mapping makes each of them mapped once more, so a page that another process
 * maps too moves only with MPOL_MF_MOVE_ALL: the flag requires PAGEMIG_MOVE_ALL (CAP_SYS_NICE).
 * Each chunk's mapping is gone before the next chunk is mapped.
 *
 * The counts: the pages found are taken out of the region's "not present" (the target's walk
 * counted them so) and counted where they went: planned and moved (PAGEMIG_STAT_OBJECT says how
 * many moved this way), stayed, elsewhere, or a reason they did not move.  A dry run counts the
 * same without moving.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif
#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40	/* Linux 5.9 */
#endif

#define CHUNK	4096	/* pages per mapping; at most the engine's candidates per chunk */

bool object_is_candidate(const struct pagemig_region *r)
{
	return r->shared && (r->kind == PAGEMIG_KIND_SHM || r->kind == PAGEMIG_KIND_FILE);
}

int object_check_privilege(void)
{
	uint64_t caps;
	int err = sys_capget_effective(&caps);

	if (err)
		return err;
	return caps & (1ULL << CAP_SYS_ADMIN | 1ULL << CAP_CHECKPOINT_RESTORE) ? 0 : -EPERM;
}

/* The region's object, opened through map_files; -ENOENT when the region is no longer there. */
static int open_object(struct pagemig *pm, const struct pagemig_region *r)
{
	char name[64], path[PATH_MAX];
	int err;

	snprintf(name, sizeof(name), "map_files/%" PRIx64 "-%" PRIx64, r->start, r->end);
	err = proc_path(&pm->proc, name, path, sizeof(path));
	return err ? err : sys_open(path, O_RDONLY);
}

/* Map the candidates [0, @c) into our mapping: runs of neighbours, one madvise(2) each. */
static int populate(struct engine *e, size_t c)
{
	size_t i = 0, j;

	while (i < c) {
		char *p = e->addr[i];

		for (j = i + 1; j < c && (char *)e->addr[j] == p + (j - i) * e->base; j++)
			;
		/* a failure (the file was truncated meanwhile) shows in the placement query */
		if (madvise(p, (j - i) * e->base, MADV_POPULATE_READ) && errno == EINVAL)
			return -EOPNOTSUPP;	/* before Linux 5.14 */
		i = j;
	}
	return 0;
}

/*
 * Where the candidates are now (e->qstatus): those on a source node become pending (first, with
 * their targets); the others are counted as staying or elsewhere.  A page not mapped after all
 * (dropped meanwhile) stays "not present".
 */
static size_t classify(struct engine *e, size_t c, struct pagemig_stats *os)
{
	const struct pagemig_plan *p = e->plan;
	size_t j, n = 0;

	for (j = 0; j < c; j++) {
		int node = e->qstatus[j], t = node >= 0 && node < PAGEMIG_MAX_NODES ? p->target[node] : -1;

		if (node < 0)
			continue;
		if (t >= 0 && t != node) {
			e->addr[n] = e->addr[j];
			e->size[n] = e->size[j];
			e->target[n++] = t;
			os->bytes[PAGEMIG_STAT_PLANNED] += e->size[j];
		} else {
			os->bytes[pagemig_nodemask_is_set(&p->from, node) ? PAGEMIG_STAT_STAYED
									  : PAGEMIG_STAT_ELSEWHERE] += e->size[j];
		}
	}
	return n;
}

/* The @n pages of @r from @addr: the object's pages in memory that the target does not map. */
static int object_chunk(struct engine *e, int fd, const struct pagemig_region *r, uint64_t addr, size_t n,
			unsigned char *vec, bool dry_run, struct pagemig_stats *os)
{
	size_t len, i, c = 0;
	uint64_t planned = os->bytes[PAGEMIG_STAT_PLANNED];
	long got;
	char *p;
	int err;

	got = pagemap_read(e->pm, addr, n, e->ents);
	e->syscalls++;
	if (got <= 0)
		return (int)got;
	len = (size_t)got * e->base;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(r->offset + (addr - r->start)));
	if (p == MAP_FAILED)
		return -errno;
	err = mincore(p, len, vec) ? -errno : 0;
	for (i = 0; !err && i < (size_t)got; i++) {
		if (!(vec[i] & 1) || (e->ents[i] & PM_PRESENT))
			continue;	/* not in memory, or the target maps it: its own move counted it */
		e->addr[c] = p + i * e->base;
		e->size[c++] = e->base;
	}
	if (!err && c)
		err = populate(e, c);
	if (!err && c)
		err = engine_query_list(e, c);
	if (!err && c)
		c = classify(e, c, os);
	if (!err && c && !dry_run) {
		e->prog.total += os->bytes[PAGEMIG_STAT_PLANNED] - planned;	/* the progress total grows */
		err = engine_move_list(e, c, os);
	}
	munmap(p, len);
	return err;
}

/* Fold the object's counts @os into the region's @st (see the top of the file). */
static void account(struct pagemig_stats *st, struct pagemig_stats *os, uint64_t vanished, bool dry_run)
{
	uint64_t found;

	os->bytes[PAGEMIG_STAT_PLANNED] -= MIN(vanished, os->bytes[PAGEMIG_STAT_PLANNED]);
	found = os->bytes[PAGEMIG_STAT_PLANNED] + os->bytes[PAGEMIG_STAT_STAYED] + os->bytes[PAGEMIG_STAT_ELSEWHERE];
	os->bytes[PAGEMIG_STAT_OBJECT] = dry_run ? os->bytes[PAGEMIG_STAT_PLANNED] : os->bytes[PAGEMIG_STAT_MOVED];
	st->bytes[PAGEMIG_STAT_NOT_PRESENT] -= MIN(found, st->bytes[PAGEMIG_STAT_NOT_PRESENT]);
	pagemig_stats_add(st, os);
}

int object_move(struct engine *e, const struct pagemig_region *r, bool dry_run, struct pagemig_stats *st)
{
	struct pagemig_stats os = { .sz = sizeof(os) };
	uint64_t addr, next, unseen = e->unseen;
	pid_t pid = e->pid;
	unsigned char *vec;
	int fd, err = 0;

	if (!object_is_candidate(r))
		return 0;
	fd = open_object(e->pm, r);
	if (fd == -ENOENT)
		return 0;	/* unmapped since the regions were read: nothing of it is the target's */
	if (fd < 0)
		return fd;
	vec = malloc(CHUNK);
	if (!vec) {
		sys_close(fd);
		return -ENOMEM;
	}
	e->pid = 0;		/* our own mapping */
	e->unseen = 0;
	for (addr = r->start; !err && addr < r->end; addr = next) {
		next = MIN(r->end, addr + CHUNK * e->base);
		err = object_chunk(e, fd, r, addr, (size_t)((next - addr) / e->base), vec, dry_run, &os);
	}
	account(st, &os, e->unseen, dry_run);
	e->pid = pid;
	e->unseen = unseen;
	free(vec);
	sys_close(fd);
	return err;
}
