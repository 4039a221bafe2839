// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unmapped.c - how much of a shared object (shm, a shared file mapping) is resident in memory but
 * not mapped by the process being moved: pages that other processes touched, some of which may
 * have exited since.  The process's page tables cannot show them, so the move counts them as not
 * present; the object itself can: the region's file, opened through /proc/PID/map_files (root
 * only), is mapped here at the region's offset (never touched) and mincore(2) says which of its
 * pages are in memory.  Without the privilege, or when the process is gone, nothing is said.
 *
 * With --objects the library moves those pages itself (PAGEMIG_MOVE_OBJECTS) and counts them: what
 * is left here is what it could not find (none, normally).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "move.h"

#define MINCORE_CHUNK (1UL << 30)	/* bytes asked per mincore(2) call: a 256 KiB vector */

/* Bytes of the object behind [@start, @end) at @offset of process @pid that are in memory, or -errno. */
static int64_t object_resident(pid_t pid, uint64_t start, uint64_t end, uint64_t offset)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = end - start, off, n, i;
	unsigned char *vec = malloc(MINCORE_CHUNK / ps);
	int64_t bytes = 0;
	char path[96];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	fd = vec ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	p = fd >= 0 ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)offset) : MAP_FAILED;
	if (p == MAP_FAILED)
		bytes = vec ? -errno : -ENOMEM;
	if (fd >= 0)
		close(fd);
	for (off = 0; bytes >= 0 && off < len; off += MINCORE_CHUNK) {
		n = (len - off < MINCORE_CHUNK ? len - off : MINCORE_CHUNK) / ps;
		if (mincore(p + off, n * ps, vec)) {
			bytes = -errno;
			break;
		}
		for (i = 0; i < n; i++)
			bytes += (vec[i] & 1) ? (int64_t)ps : 0;
	}
	if (p != MAP_FAILED)
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

/* Candidate @c, a shared mapping of its object at @offset; -errno when the object cannot be read. */
static int unmapped_region(struct move_cli *m, uint64_t offset, struct unmapped_cand *c)
{
	uint64_t size = c->end - c->start, mapped = size - c->not_present, un;
	int64_t res = object_resident(m->pid, c->start, c->end, offset);

	if (res < 0)
		return (int)res;
	if ((uint64_t)res <= mapped)
		return 0;
	un = (uint64_t)res - mapped;
	if (un > c->not_present)
		un = c->not_present;
	m->st.bytes[PAGEMIG_STAT_NOT_PRESENT] -= un;
	m->unmapped += un;
	if (c->ln >= 0) {
		cli_cell_size(&m->tb, &m->out, c->ln, COL_NOTPRES, c->not_present - un);
		cli_cell_size(&m->tb, &m->out, c->ln, COL_UNMAPPED, un);
	}
	return 0;
}

/*
 * The candidates that are shared mappings (maps' perms end in 's'; maps costs no page-table walk),
 * until one cannot be read for want of privilege: then none can.
 */
void unmapped_count(struct move_cli *m)
{
	char path[64], perms[8], *line = NULL;
	unsigned long long start, end, offset;
	size_t cap = 0, i = 0;
	int err = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)m->pid);
	f = m->nr_cands ? fopen(path, "re") : NULL;
	while (f && i < m->nr_cands && err != -EPERM && err != -EACCES && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%llx-%llx %7s %llx", &start, &end, perms, &offset) != 4)
			continue;
		for (; i < m->nr_cands && m->cands[i].start < start; i++)
			;
		if (i < m->nr_cands && m->cands[i].start == start && m->cands[i].end == end && perms[3] == 's')
			err = unmapped_region(m, offset, &m->cands[i++]);
	}
	if (f)
		fclose(f);
	free(line);
	free(m->cands);
	m->cands = NULL;
	m->nr_cands = m->cap_cands = 0;
}

bool unmapped_may_map(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &hdr, d))
		return false;
	/* CAP_SYS_ADMIN (21), CAP_CHECKPOINT_RESTORE (40, Linux 5.9) */
	return (d[0].effective >> 21 & 1) || (d[1].effective >> (40 - 32) & 1);
}
