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

#define CHUNK	4096	/* pages per mapping: at most a chunk of the engine's */

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

/* The scratch of one chunk. */
struct chunk {
	uint64_t ents[CHUNK];		/* the target's pagemap */
	unsigned char vec[CHUNK];	/* mincore(2) of our mapping */
	void *addr[CHUNK];		/* the candidates: in memory, not mapped by the target */
};

/* Map the candidates [0, @c) into our mapping: runs of neighbours, one madvise(2) each. */
static int populate(void *const *addr, size_t c, size_t ps)
{
	size_t i = 0, j;

	while (i < c) {
		char *p = addr[i];

		for (j = i + 1; j < c && (char *)addr[j] == p + (j - i) * ps; j++)
			;
		/* a failure (the file was truncated meanwhile) shows in the placement query */
		if (madvise(p, (j - i) * ps, MADV_POPULATE_READ) && errno == EINVAL)
			return -EOPNOTSUPP;	/* before Linux 5.14 */
		i = j;
	}
	return 0;
}

/* The @n pages of @r from @addr: the object's pages in memory that the target does not map. */
static int object_chunk(struct pagemig *pm, struct engine *e, int fd, const struct pagemig_region *r,
			uint64_t addr, size_t n, struct chunk *k, bool dry_run, struct pagemig_stats *os,
			uint64_t *vanished)
{
	size_t ps = pm->base_page, len, i, c = 0;
	uint64_t unseen = 0;
	long got;
	char *p;
	int err;

	got = pagemap_read(pm, addr, n, k->ents);
	if (got <= 0)
		return (int)got;
	len = (size_t)got * ps;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)(r->offset + (addr - r->start)));
	if (p == MAP_FAILED)
		return -errno;
	err = mincore(p, len, k->vec) ? -errno : 0;
	for (i = 0; !err && i < (size_t)got; i++)
		if ((k->vec[i] & 1) && !(k->ents[i] & PM_PRESENT))	/* else: not in memory, or the target's */
			k->addr[c++] = p + i * ps;
	if (!err && c)
		err = populate(k->addr, c, ps);
	if (!err && c)
		err = engine_move_own(e, k->addr, c, dry_run, os, &unseen);
	*vanished += unseen;
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

int object_move(struct pagemig *pm, struct engine *e, const struct pagemig_region *r, bool dry_run,
		struct pagemig_stats *st)
{
	struct pagemig_stats os = { .sz = sizeof(os) };
	uint64_t addr, next, vanished = 0;
	struct chunk *k;
	int fd, err = 0;

	if (!object_is_candidate(r))
		return 0;
	fd = open_object(pm, r);
	if (fd == -ENOENT)
		return 0;	/* unmapped since the regions were read: nothing of it is the target's */
	if (fd < 0)
		return fd;
	k = malloc(sizeof(*k));
	if (!k) {
		sys_close(fd);
		return -ENOMEM;
	}
	for (addr = r->start; !err && addr < r->end; addr = next) {
		next = MIN(r->end, addr + CHUNK * pm->base_page);
		err = object_chunk(pm, e, fd, r, addr, (size_t)((next - addr) / pm->base_page), k, dry_run, &os,
				   &vanished);
	}
	account(st, &os, vanished, dry_run);
	free(k);
	sys_close(fd);
	return err;
}
