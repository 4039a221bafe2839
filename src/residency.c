// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * residency.c - which pages of a region are in RAM, swapped out, or shared: /proc/PID/pagemap.
 *
 * pagemap holds one 64-bit entry per base page of the target's address space: bit 63 present,
 * 62 swapped, 61 file page or shared anonymous, 56 mapped exclusively by this process (4.2+),
 * 0-54 the PFN (zero without CAP_SYS_ADMIN).  It is read in chunks of CHUNK entries, so memory use
 * does not grow with the region.  Counts are in base pages, hugetlb regions included (the kernel
 * writes one entry per base page of a huge page).  The shared zero page is present but never
 * exclusive: it counts as shared, and no move can move it.
 *
 * Linux 6.7 added the PAGEMAP_SCAN ioctl, which walks the page tables and returns only the ranges
 * that hold present or swapped pages; where it works, only those ranges are read, so a huge
 * sparse region costs what its populated part costs.  It is probed once per handle.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

#define CHUNK		4096	/* pagemap entries per read: 32 KiB */
#define SCAN_VEC	256	/* ranges per PAGEMAP_SCAN call */

/* The PAGEMAP_SCAN ABI of linux/fs.h (6.7+), spelled out: older headers lack it. */
struct scan_range {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define SCAN_IOCTL		_IOWR('f', 16, struct scan_arg)
#define SCAN_IS_PRESENT		(1ULL << 3)
#define SCAN_IS_SWAPPED		(1ULL << 4)

struct residency_buf {
	uint64_t ents[CHUNK];
	struct scan_range vec[SCAN_VEC];
};

static long scan_ioctl(int fd, struct scan_arg *arg)
{
	return sys_ioctl(fd, SCAN_IOCTL, arg);
}

static int pagemap_open(struct pagemig *pm)
{
	char path[PATH_MAX];
	struct scan_arg probe = { .size = sizeof(probe) };
	int fd, err;

	if (pm->pagemap_fd >= 0)
		return 0;
	err = proc_path(&pm->proc, "pagemap", path, sizeof(path));
	if (err)
		return err;
	fd = sys_open(path, O_RDONLY);
	if (fd < 0)
		return fd == -ENOENT ? -ESRCH : fd;
	if (space_check_alive(pm)) {	/* the pid may be another process's by now */
		sys_close(fd);
		return -ESRCH;
	}
	pm->pagemap_fd = fd;
	/* an empty range: 0 where the ioctl exists, ENOTTY before 6.7 (and on canned files) */
	pm->pagemap_scan = scan_ioctl(fd, &probe) == 0 ? 1 : -1;
	return 0;
}

bool pagemap_can_scan(struct pagemig *pm)
{
	return !pagemap_open(pm) && pm->pagemap_scan > 0;
}

uint64_t pagemap_next_present(struct pagemig *pm, uint64_t start, uint64_t end)
{
	struct scan_range v;
	struct scan_arg a = {
		.size = sizeof(a),
		.start = start,
		.end = end,
		.vec = (uintptr_t)&v,
		.vec_len = 1,
		.max_pages = 1,
		.category_anyof_mask = SCAN_IS_PRESENT,
		.return_mask = SCAN_IS_PRESENT,
	};
	long n;

	if (start >= end || pagemap_open(pm) || pm->pagemap_scan <= 0)
		return start;
	n = scan_ioctl(pm->pagemap_fd, &a);
	if (n < 0)
		return start;	/* the caller reads pagemap and finds out */
	if (n == 0)		/* nothing up to walk_end (the end, unless the walk stopped early) */
		return a.walk_end > start && a.walk_end <= end ? a.walk_end : start;
	return MAX(start, MIN(v.start, end));
}

long pagemap_read(struct pagemig *pm, uint64_t addr, size_t n, uint64_t *entries)
{
	off_t off = (off_t)(addr / pm->base_page * sizeof(uint64_t));
	size_t done = 0;
	long r;
	int err = pagemap_open(pm);

	if (err)
		return err;
	if (n > SIZE_MAX / sizeof(uint64_t) / 2)
		return -EINVAL;
	while (done < n) {
		r = sys_pread(pm->pagemap_fd, entries + done, (n - done) * sizeof(uint64_t),
			      off + (off_t)(done * sizeof(uint64_t)));
		if (r == -EINTR)
			continue;
		if (r < 0)
			return space_check_alive(pm) ? -ESRCH : r;
		if (r < (long)sizeof(uint64_t))
			break;
		done += (size_t)r / sizeof(uint64_t);
	}
	/* pagemap reads as empty once the target's mm is gone; above the user range it is empty too */
	if (done < n && space_check_alive(pm))
		return -ESRCH;
	return (long)done;
}

/* Count the entries of [start, end) into @r with plain reads. */
static int count_range(struct pagemig *pm, struct residency_buf *b, uint64_t start, uint64_t end,
		       struct pagemig_region *r)
{
	uint64_t addr, e;
	long got, i;

	for (addr = start; addr < end; addr += (uint64_t)got * pm->base_page) {
		got = pagemap_read(pm, addr, (size_t)MIN((end - addr) / pm->base_page, CHUNK), b->ents);
		if (got <= 0)
			return (int)got;
		for (i = 0; i < got; i++) {
			e = b->ents[i];
			r->swapped += !!(e & PM_SWAPPED);
			if (!(e & PM_PRESENT))
				continue;
			r->present++;
			if (e & PM_EXCLUSIVE)
				r->exclusive++;
			else
				r->shared_pages++;
		}
	}
	return 0;
}

/* Read only the ranges PAGEMAP_SCAN reports as present or swapped. */
static int count_scan(struct pagemig *pm, struct residency_buf *b, struct pagemig_region *r)
{
	struct scan_arg a = {
		.size = sizeof(a),
		.end = r->end,
		.vec = (uintptr_t)b->vec,
		.vec_len = SCAN_VEC,
		.category_anyof_mask = SCAN_IS_PRESENT | SCAN_IS_SWAPPED,
		.return_mask = SCAN_IS_PRESENT | SCAN_IS_SWAPPED,
	};
	uint64_t walk = r->start;
	long n, i;
	int err;

	while (walk < r->end) {
		a.start = walk;
		a.walk_end = 0;
		n = scan_ioctl(pm->pagemap_fd, &a);
		if (n < 0)
			return (int)n;
		for (i = 0; i < n && i < SCAN_VEC; i++) {
			err = count_range(pm, b, MAX(b->vec[i].start, r->start), MIN(b->vec[i].end, r->end), r);
			if (err)
				return err;
		}
		if (a.walk_end <= walk)
			return -EIO;	/* no progress: let plain reads do it */
		walk = a.walk_end;
	}
	return 0;
}

static void reset_counts(struct pagemig_region *r)
{
	r->present = 0;
	r->swapped = 0;
	r->exclusive = 0;
	r->shared_pages = 0;
}

int residency_count(struct pagemig *pm, struct pagemig_region *r)
{
	struct residency_buf *b = pm->residency_buf;
	int err = pagemap_open(pm);

	reset_counts(r);
	r->has_pagemap = false;
	if (err)
		return err;
	if (r->vmflags & (PAGEMIG_VM_IO | PAGEMIG_VM_PFNMAP))
		return 0;	/* no struct pages: nothing the counts could mean */
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b)
			return -ENOMEM;
		pm->residency_buf = b;
	}
	err = pm->pagemap_scan > 0 ? count_scan(pm, b, r) : -ENOTTY;
	if (err && err != -ESRCH) {
		/* EFAULT above the user range ([vsyscall]), or anything unexpected: read it all */
		reset_counts(r);
		err = count_range(pm, b, r->start, r->end, r);
	}
	if (err)
		return err;
	r->has_pagemap = true;
	return 0;
}

#define QUERY	512	/* placement queries per move_pages(2) call */

/* Where the @n pages at @addrs are (move_pages(2), nodes NULL), added to @nodes. */
static int count_nodes(struct pagemig *pm, void **addrs, size_t n, uint64_t *nodes)
{
	int status[QUERY];
	long ret;
	size_t i;

	if (!n)
		return 0;
	ret = sys_move_pages(pagemig_pid(pm), n, addrs, NULL, status, 0);
	if (ret < 0)
		return (int)ret;
	for (i = 0; i < n; i++)
		if (status[i] >= 0 && status[i] < PAGEMIG_MAX_NODES)
			nodes[status[i]]++;
	return space_check_alive(pm);	/* a pid reused by now would answer for another process */
}

/*
 * A piece of a region: pagemap says which of its pages are resident (one entry per page of
 * r->page_size is looked at), a placement query where.
 */
int residency_nodes(struct pagemig *pm, struct pagemig_region *r, uint64_t *nodes, uint64_t *resident)
{
	uint64_t ents[QUERY], step = MAX(r->page_size, pm->base_page), addr;
	void *addrs[QUERY];
	size_t k = 0, i, n;
	long got;
	int err = 0;

	memset(nodes, 0, PAGEMIG_MAX_NODES * sizeof(*nodes));
	*resident = 0;
	for (addr = r->start; addr < r->end && !err; addr += n * step) {
		n = (size_t)MIN((r->end - addr) / step, QUERY);
		if (!n)
			break;
		if (step == pm->base_page) {
			got = pagemap_read(pm, addr, n, ents);
			if (got < 0)
				return (int)got;
			memset(ents + got, 0, (n - (size_t)got) * sizeof(*ents));	/* a region cut short */
		}
		for (i = 0; i < n && step != pm->base_page; i++) {	/* a huge page: its first entry */
			got = pagemap_read(pm, addr + i * step, 1, &ents[i]);
			if (got < 0)
				return (int)got;
			if (!got)
				ents[i] = 0;
		}
		for (i = 0; i < n && !err; i++) {
			if (!(ents[i] & PM_PRESENT))
				continue;
			*resident += step;
			addrs[k++] = (void *)(uintptr_t)(addr + i * step);
			if (k == QUERY) {
				err = count_nodes(pm, addrs, k, nodes);
				k = 0;
			}
		}
	}
	return err ? err : count_nodes(pm, addrs, k, nodes);
}

void residency_release(struct pagemig *pm)
{
	if (pm->pagemap_fd >= 0)
		sys_close(pm->pagemap_fd);
	pm->pagemap_fd = -1;
	free(pm->residency_buf);
	pm->residency_buf = NULL;
}
