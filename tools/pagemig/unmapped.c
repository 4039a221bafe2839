// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unmapped.c - how much of a shared object (shm, a shared file mapping) is resident in memory but
 * not mapped by the process being moved: pages that other processes touched, some of which may
 * have exited since.  The process's page tables cannot show them, so the move counts them as not
 * present; the object itself can: the region's file, opened through /proc/PID/map_files (root
 * only), is mapped here at the region's offset (never touched) and mincore(2) says which of its
 * pages are in memory.  Without the privilege, or when the process is gone, nothing is said.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "move.h"

/* Bytes of the object behind [@start, @end) at @offset of process @pid that are in memory, or -errno. */
static int64_t object_resident(pid_t pid, uint64_t start, uint64_t end, uint64_t offset)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = end - start, n = len / ps, i;
	unsigned char *vec;
	int64_t bytes = 0;
	char path[96];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	vec = malloc(n ? n : 1);
	p = vec ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)offset) : MAP_FAILED;
	close(fd);
	if (p == MAP_FAILED) {
		free(vec);
		return vec ? -errno : -ENOMEM;
	}
	if (mincore(p, len, vec))
		bytes = -errno;
	for (i = 0; bytes >= 0 && i < n; i++)
		bytes += (vec[i] & 1) ? (int64_t)ps : 0;
	munmap(p, len);
	free(vec);
	return bytes;
}

void unmapped_note(struct move_cli *m, const struct pagemig_region *r, const struct pagemig_stats *st, long ln)
{
	struct unmapped_cand *c;

	if ((r->kind != PAGEMIG_KIND_SHM && r->kind != PAGEMIG_KIND_FILE) || !st->bytes[PAGEMIG_STAT_NOT_PRESENT])
		return;
	if (m->nr_cands == m->cap_cands) {
		size_t cap = m->cap_cands ? 2 * m->cap_cands : 16;

		c = realloc(m->cands, cap * sizeof(*c));
		if (!c)
			return;		/* then they stay not present: a report without this detail */
		m->cands = c;
		m->cap_cands = cap;
	}
	m->cands[m->nr_cands++] = (struct unmapped_cand){
		.start = r->start, .end = r->end, .not_present = st->bytes[PAGEMIG_STAT_NOT_PRESENT], .ln = ln,
	};
}

/* A candidate's region, read again: shared, and its offset in the object. */
static void unmapped_region(struct move_cli *m, const struct pagemig_region *r, struct unmapped_cand *c)
{
	uint64_t size = c->end - c->start, mapped = size - c->not_present, un;
	int64_t res;

	if (!r->shared || r->end != c->end)
		return;
	res = object_resident(m->pid, c->start, c->end, r->offset);
	if (res < 0 || (uint64_t)res <= mapped)
		return;
	un = (uint64_t)res - mapped;
	if (un > c->not_present)
		un = c->not_present;
	m->st.bytes[PAGEMIG_STAT_NOT_PRESENT] -= un;
	m->unmapped += un;
	if (c->ln >= 0) {
		cli_cell_size(&m->tb, &m->out, c->ln, COL_NOTPRES, c->not_present - un);
		cli_cell_size(&m->tb, &m->out, c->ln, COL_UNMAPPED, un);
	}
}

void unmapped_count(struct move_cli *m)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	size_t i = 0;

	if (m->nr_cands && !pagemig_regions_open(m->pm, PAGEMIG_REGIONS_LIGHT, &it)) {
		while (i < m->nr_cands && pagemig_region_next(it, &r) > 0) {
			for (; i < m->nr_cands && m->cands[i].start < r.start; i++)
				;
			if (i < m->nr_cands && m->cands[i].start == r.start)
				unmapped_region(m, &r, &m->cands[i++]);
		}
		pagemig_regions_close(it);
	}
	free(m->cands);
	m->cands = NULL;
	m->nr_cands = m->cap_cands = 0;
}
