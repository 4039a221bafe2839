// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * regions.c - a target's regions: /proc/PID/smaps and /proc/PID/numa_maps read side by side.
 *
 * Both files list the target's vmas in address order, but they are read at different moments and
 * the target keeps running.  They are read as streams (one line of each in memory, whatever the
 * target's size) and merged by start address:
 *  - a numa_maps line with no smaps region (mapped in between) is skipped;
 *  - an smaps region with no numa_maps line (unmapped in between), or whose range a later
 *    numa_maps line starts inside (split in between), is dropped and counted in
 *    pagemig_regions_dropped().  The gate vma ([vsyscall]) is never in numa_maps: special regions
 *    are kept with no per-node counts.  Without numa_maps at all (a kernel built without NUMA)
 *    every region is kept with no per-node counts.
 *  - a last line without its newline (the target exited mid-read, or a cut file) is discarded,
 *    with the smaps region it belongs to.
 * Reaching the end of smaps while the target is gone means the lists may be cut short: -ESRCH.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct pagemig_region_iter {
	struct pagemig *pm;		/* NULL for bare streams (fuzzing) */
	unsigned int flags;
	FILE *smaps;
	FILE *numa;			/* NULL without numa_maps */
	char *hdr, *line, *nline;	/* smaps: next region's maps line, current line; numa_maps line */
	size_t hdr_cap, line_cap, nline_cap;
	bool have_hdr, have_nline;
	uint64_t nstart;		/* start address of nline */
	int err;			/* sticky: once failed or finished, stays so */
	bool done;
	unsigned int dropped;
	/* what the returned region's pointers point to, reused by every next() */
	struct pagemig_region cur;
	char *path, *vmflags, *policy;
	size_t path_cap, vmflags_cap, policy_cap;
	uint64_t node_pages[PAGEMIG_MAX_NODES];
	char *bufs;			/* the streams' buffers: see PROC_BUF */
};

/*
 * stdio reads /proc files 1 KiB at a time (their st_blksize); each read(2) of a seq_file costs a
 * vma lookup and a syscall.  64 KiB buffers took `show --summary` of 10,000 regions from 1,179
 * read(2) calls to 307 (a seq_file read returns at most about a page).
 */
#define PROC_BUF 65536

/* known VmFlags mnemonics, in PAGEMIG_VM_* bit order */
static const char vm_names[][3] = {
	"rd", "wr", "ex", "sh", "io", "pf", "lo", "ht", "hg", "nh", "dc", "de",
	"mm", "gd", "sd", "mg", "ac", "nr", "lf", "wf", "dd", "um", "uw", "sl",
};

/* smaps fields that are kept: all in kB, added into a region field */
#define FIELD(k, f) { k, sizeof(k) - 1, offsetof(struct pagemig_region, f) }
static const struct {
	const char *key;
	size_t len;
	size_t off;
} smaps_fields[] = {
	FIELD("Rss", rss),
	FIELD("Anonymous", anon),
	FIELD("AnonHugePages", anon_huge),
	FIELD("ShmemPmdMapped", anon_huge),
	FIELD("FilePmdMapped", anon_huge),
	FIELD("Shared_Hugetlb", hugetlb),
	FIELD("Private_Hugetlb", hugetlb),
	FIELD("Private_Clean", private_rss),
	FIELD("Private_Dirty", private_rss),
	FIELD("Private_Hugetlb", private_rss),
	FIELD("Shared_Clean", shared_rss),
	FIELD("Shared_Dirty", shared_rss),
	FIELD("Shared_Hugetlb", shared_rss),
	FIELD("Swap", swap),
	FIELD("Locked", locked),
	FIELD("KernelPageSize", page_size),
};
#undef FIELD

/* Copy @n bytes of @src into *@dst as a string, growing it as needed. */
static int store(char **dst, size_t *cap, const char *src, size_t n)
{
	char *p;

	if (n + 1 > *cap) {
		p = realloc(*dst, n + 1);
		if (!p)
			return -ENOMEM;
		*dst = p;
		*cap = n + 1;
	}
	memcpy(*dst, src, n);
	(*dst)[n] = '\0';
	return 0;
}

/* One line without its newline: 1, 0 at the end, -errno.  *@whole is false for a cut last line. */
static int read_line(FILE *f, char **buf, size_t *cap, bool *whole)
{
	ssize_t n;

	errno = 0;
	n = getline(buf, cap, f);
	if (n < 0)
		return ferror(f) ? (errno ? -errno : -EIO) : 0;
	*whole = n > 0 && (*buf)[n - 1] == '\n';
	if (*whole)
		(*buf)[n - 1] = '\0';
	return 1;
}

/* A hexadecimal number of 1 to 16 digits. */
static bool parse_hex(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;
	int d, n = 0;

	for (;; p++, n++) {
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
			d = (*p | 0x20) - 'a' + 10;
		else
			break;
		if (x >> 60)
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*s = p;
	*v = x;
	return n > 0;
}

static bool parse_dec(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t x = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (UINT64_MAX - 9) / 10)
			return false;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*v = x;
	return true;
}

static void skip_spaces(const char **s)
{
	while (**s == ' ' || **s == '\t')
		(*s)++;
}

/* A maps line starts "START-"; an smaps field line starts "Key:". */
static bool is_header(const char *s)
{
	uint64_t v;

	return parse_hex(&s, &v) && *s == '-';
}

/* "start-end perms offset major:minor inode   path": the path is the rest of the line. */
static int parse_header(struct pagemig_region_iter *it, const char *s, struct pagemig_region *r)
{
	uint64_t dev, ino;
	int i;

	if (!parse_hex(&s, &r->start) || *s++ != '-' || !parse_hex(&s, &r->end) || *s++ != ' ')
		return -EINVAL;
	for (i = 0; i < 4; i++, s++) {
		if (*s == ' ' || *s == '\0')
			return -EINVAL;
		r->perms[i] = *s;
	}
	r->perms[4] = '\0';
	skip_spaces(&s);
	if (!parse_hex(&s, &r->offset) || (skip_spaces(&s), !parse_hex(&s, &dev)) || *s++ != ':' ||
	    !parse_hex(&s, &dev) || (skip_spaces(&s), !parse_dec(&s, &ino)))
		return -EINVAL;
	if (*s && *s != ' ' && *s != '\t')
		return -EINVAL;
	if (r->start >= r->end)
		return -EINVAL;
	skip_spaces(&s);
	r->shared = r->perms[3] == 's';
	return store(&it->path, &it->path_cap, s, strlen(s));
}

static uint64_t parse_vmflags(const char *s)
{
	uint64_t bits = 0;
	size_t i, n;

	for (;;) {
		skip_spaces(&s);
		n = strcspn(s, " \t");
		if (!n)
			return bits;
		for (i = 0; n == 2 && i < ARRAY_SIZE(vm_names); i++)
			if (!memcmp(s, vm_names[i], 2))
				bits |= 1ULL << i;
		s += n;
	}
}

/* "Key:   123 kB" or "VmFlags: rd wr ..."; unknown keys and malformed values are ignored. */
static int parse_field(struct pagemig_region_iter *it, const char *s, struct pagemig_region *r)
{
	const char *colon = strchr(s, ':'), *v;
	size_t i, klen;
	uint64_t x;

	if (!colon)
		return 0;
	klen = (size_t)(colon - s);
	v = colon + 1;
	skip_spaces(&v);
	if (klen == 7 && !memcmp(s, "VmFlags", 7)) {
		r->vmflags = parse_vmflags(v);
		i = strlen(v);
		while (i && (v[i - 1] == ' ' || v[i - 1] == '\t'))
			i--;
		return store(&it->vmflags, &it->vmflags_cap, v, i);
	}
	for (i = 0; i < ARRAY_SIZE(smaps_fields); i++) {
		if (smaps_fields[i].len != klen || memcmp(s, smaps_fields[i].key, klen))
			continue;
		if (!parse_dec(&v, &x) || x > UINT64_MAX / 1024)
			return 0;
		/* a key may feed more than one field (Private_Hugetlb: hugetlb and private_rss) */
		*(uint64_t *)((char *)r + smaps_fields[i].off) += x * 1024;
		v = colon + 1;
		skip_spaces(&v);
	}
	return 0;
}

/*
 * The next smaps block into it->cur: 1 when it is whole, 2 when it must be dropped (a bad maps
 * line, or cut short), 0 at the end, -errno.
 */
static int read_block(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;
	bool whole = true, bad;
	size_t cap;
	char *tmp;
	int rc;

	while (!it->have_hdr) {		/* only before the first region: skip to a maps line */
		rc = read_line(it->smaps, &it->hdr, &it->hdr_cap, &whole);
		if (rc <= 0 || !whole)
			return rc < 0 ? rc : 0;
		it->have_hdr = is_header(it->hdr);
	}
	it->have_hdr = false;
	rc = parse_header(it, it->hdr, r);
	if (rc == -ENOMEM)
		return rc;
	bad = rc < 0;
	for (;;) {
		rc = read_line(it->smaps, &it->line, &it->line_cap, &whole);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		if (is_header(it->line)) {
			if (whole) {
				tmp = it->hdr, it->hdr = it->line, it->line = tmp;
				cap = it->hdr_cap, it->hdr_cap = it->line_cap, it->line_cap = cap;
				it->have_hdr = true;
			}
			break;
		}
		if (!whole)
			return 2;
		rc = parse_field(it, it->line, r);
		if (rc)
			return rc;
	}
	return bad ? 2 : 1;
}

/* Read the next numa_maps line that starts with an address: 1, 0 at the end, -errno. */
static int numa_advance(struct pagemig_region_iter *it)
{
	const char *s;
	bool whole;
	int rc;

	it->have_nline = false;
	for (;;) {
		rc = read_line(it->numa, &it->nline, &it->nline_cap, &whole);
		if (rc <= 0)
			return rc;
		if (!whole)
			return 0;
		s = it->nline;
		if (parse_hex(&s, &it->nstart) && *s == ' ') {
			it->have_nline = true;
			return 1;
		}
	}
}

/* "weighted interleave:0-3" and "prefer (many):0-1" are policies with a space in their name. */
static size_t policy_len(const char *s)
{
	size_t n = strcspn(s, " ");

	if (s[n] == ' ' && ((n == 8 && !strncmp(s, "weighted", 8) && !strncmp(s + 9, "interleave", 10)) ||
			    (n == 6 && !strncmp(s, "prefer", 6) && !strncmp(s + 7, "(many)", 6))))
		n += 1 + strcspn(s + n + 1, " ");
	return n;
}

/* One numa_maps token: N<node>=<pages>, kernelpagesize_kB=<k>, mapmax=<n>; others are ignored. */
static void parse_numa_token(struct pagemig_region_iter *it, const char *s, uint64_t *kpage)
{
	struct pagemig_region *r = &it->cur;
	const char *p = s + 1;
	uint64_t node, v;

	if (s[0] == 'N' && parse_dec(&p, &node) && *p++ == '=' && parse_dec(&p, &v)) {
		if (node < PAGEMIG_MAX_NODES) {
			it->node_pages[node] = v;
			r->nr_nodes = MAX(r->nr_nodes, (int)node + 1);
		}
	} else if (!strncmp(s, "kernelpagesize_kB=", 18)) {
		s += 18;
		if (parse_dec(&s, &v) && v <= UINT64_MAX / 1024)
			*kpage = v * 1024;
	} else if (!strncmp(s, "mapmax=", 7)) {
		s += 7;
		if (parse_dec(&s, &v) && v)
			r->mapmax = v;
	} else if (!strncmp(s, "huge", 4) && (s[4] == ' ' || s[4] == '\t' || !s[4] || s[4] == '\n')) {
		r->vmflags |= PAGEMIG_VM_HUGETLB;	/* smaps says so too; maps does not */
	}
}

/* "<start> <policy> tokens...": it->nline, whose start is already parsed. */
static int parse_numa(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;
	const char *s = strchr(it->nline, ' ');
	uint64_t kpage = 0;
	size_t n;
	int err;

	skip_spaces(&s);
	n = policy_len(s);
	err = store(&it->policy, &it->policy_cap, s, n);
	if (err)
		return err;
	for (s += n;; s += n) {
		skip_spaces(&s);
		n = strcspn(s, " \t");
		if (!n)
			break;
		parse_numa_token(it, s, &kpage);
	}
	if (kpage)
		r->page_size = kpage;
	return 0;
}

/* Find it->cur's numa_maps line: 1 found (parsed), 0 none, 2 the region was split, -errno. */
static int merge_numa(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;
	int rc;

	for (;;) {
		if (!it->have_nline) {
			rc = numa_advance(it);
			if (rc <= 0)
				return rc;
		}
		if (it->nstart > r->start)
			return 0;
		if (it->nstart == r->start)
			break;
		it->have_nline = false;	/* a region smaps did not see */
	}
	rc = parse_numa(it);
	if (rc)
		return rc;
	rc = numa_advance(it);
	if (rc < 0)
		return rc;
	return rc && it->nstart < r->end ? 2 : 1;
}

static void reset_region(struct pagemig_region_iter *it)
{
	/* node_pages[] is zero from nr_nodes on: clear what the last region used, not 8 KiB */
	memset(it->node_pages, 0, (size_t)MAX(it->cur.nr_nodes, 0) * sizeof(it->node_pages[0]));
	memset(&it->cur, 0, sizeof(it->cur));
	it->cur.nr_nodes = 1;
	it->cur.mapmax = 1;
	store(&it->path, &it->path_cap, "", 0);
	store(&it->vmflags, &it->vmflags_cap, "", 0);
	store(&it->policy, &it->policy_cap, "", 0);
}

/*
 * PAGEMIG_REGIONS_LIGHT: what smaps would have said, from numa_maps' counts.  Pages mapped once
 * (mapmax 1) are all private; otherwise pagemap's exclusive bit splits this region alone.
 */
static int light_counts(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;
	uint64_t sum = 0;
	int n, err;

	for (n = 0; n < r->nr_nodes; n++)
		sum += it->node_pages[n] * r->page_size;
	r->kind = region_kind(r);	/* numa_maps' "huge" may have told us more */
	if (r->kind == PAGEMIG_KIND_HUGETLB)
		r->hugetlb = sum;
	else
		r->rss = sum;
	r->private_rss = sum;
	if (r->mapmax <= 1 || !sum || !it->pm || (it->flags & REGIONS_NO_SPLIT))
		return 1;
	r->node_pages = it->node_pages;
	err = residency_count(it->pm, r);
	if (err)
		return err;
	r->private_rss = MIN(sum, r->exclusive * it->pm->base_page);
	r->shared_rss = sum - r->private_rss;
	return 1;
}

/* Fill it->cur with the next region: 1, 0 at the end, -errno. */
static int next_region(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;
	int rc;

	for (;; it->dropped++) {
		reset_region(it);
		if (!it->path || !it->vmflags || !it->policy)
			return -ENOMEM;
		rc = read_block(it);
		if (rc == 2)
			continue;
		if (rc != 1)
			return rc;
		r->path = it->path;
		r->kind = region_kind(r);
		rc = it->numa ? merge_numa(it) : 1;
		if (rc == 0 && r->kind == PAGEMIG_KIND_SPECIAL)
			rc = 1;		/* the gate vma: never in numa_maps */
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (!r->page_size)
				r->page_size = it->pm ? it->pm->base_page : 4096;
			return it->flags & PAGEMIG_REGIONS_LIGHT ? light_counts(it) : 1;
		}
	}
}

static void close_stream(FILE *f)
{
	if (f)
		fclose(f);
}

/* The iterator over @smaps and @numa_maps, which it owns from here on. */
static int iter_open(struct pagemig *pm, FILE *smaps, FILE *numa_maps, unsigned int flags,
		     struct pagemig_region_iter **out)
{
	struct pagemig_region_iter *it = calloc(1, sizeof(*it));
	int err = !it ? -ENOMEM : !pm && (flags & PAGEMIG_REGIONS_PAGEMAP) ? -EINVAL : 0;

	if (err) {
		free(it);
		close_stream(smaps);
		close_stream(numa_maps);
		return err;
	}
	it->pm = pm;
	it->flags = flags;
	it->smaps = smaps;
	it->numa = numa_maps;
	*out = it;
	return 0;
}

int regions_open_streams(struct pagemig *pm, FILE *smaps, FILE *numa_maps, unsigned int flags,
			 struct pagemig_region_iter **out)
{
	return iter_open(pm, smaps, numa_maps, flags, out);
}

static int gone_or(struct pagemig *pm, int err)
{
	return pm && space_check_alive(pm) ? -ESRCH : err;
}

/*
 * A /proc file of the target.  The two files are read one after the other, in the caller's
 * thread: reading them side by side on helper threads (a pipe each) saved wall time on an idle
 * machine but cost more CPU than it saved (bench/README.md, "show").
 */
static FILE *open_stream(struct pagemig *pm, const char *file, int *err)
{
	char path[PATH_MAX];
	FILE *f;
	int fd;

	*err = proc_path(&pm->proc, file, path, sizeof(path));
	if (*err)
		return NULL;
	fd = sys_open(path, O_RDONLY);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = -errno;
		sys_close(fd);
	}
	return f;
}

PAGEMIG_API int pagemig_regions_open(struct pagemig *pm, unsigned int flags, struct pagemig_region_iter **out)
{
	return flags & REGIONS_NO_SPLIT ? -EINVAL : regions_open(pm, flags, out);
}

int regions_open(struct pagemig *pm, unsigned int flags, struct pagemig_region_iter **out)
{
	bool light = flags & PAGEMIG_REGIONS_LIGHT;
	FILE *smaps, *numa;
	int err;

	if (!pm || !out || (flags & ~(PAGEMIG_REGIONS_PAGEMAP | PAGEMIG_REGIONS_LIGHT | REGIONS_NO_SPLIT)))
		return -EINVAL;
	numa = open_stream(pm, "numa_maps", &err);
	if (!numa && (err != -ENOENT || space_check_alive(pm)))
		return err == -ENOENT ? -ESRCH : gone_or(pm, err);
	/* maps has smaps' header lines and nothing else: the same parser reads both */
	smaps = open_stream(pm, light ? "maps" : "smaps", &err);
	if (!smaps) {
		close_stream(numa);
		return err == -ENOENT ? -ESRCH : gone_or(pm, err);
	}
	err = 0;
	if (flags & PAGEMIG_REGIONS_PAGEMAP)
		err = (int)pagemap_read(pm, 0, 0, NULL);	/* opens pagemap: fail early */
	/* opened after the target exited, the files may be another process's that got its pid */
	if (!err)
		err = space_check_alive(pm);
	if (err < 0) {
		close_stream(smaps);
		close_stream(numa);
		return err == -ENOENT ? -ESRCH : gone_or(pm, err);
	}
	err = iter_open(pm, smaps, numa, flags, out);
	if (err)
		return err;
	(*out)->bufs = malloc(2 * PROC_BUF);
	if ((*out)->bufs) {	/* without them stdio's own buffers do, slower */
		setvbuf(smaps, (*out)->bufs, _IOFBF, PROC_BUF);
		if (numa)
			setvbuf(numa, (*out)->bufs + PROC_BUF, _IOFBF, PROC_BUF);
	}
	return 0;
}

/*
 * A PROT_NONE region in which smaps saw no page (in RAM, swapped or huge): a reservation.  Its
 * pagemap counts are zero, and before Linux 6.7 (no PAGEMAP_SCAN to skip holes) reading 8 bytes
 * per 4 KiB page to find that out cost seconds per TiB.  Only PROT_NONE: a readable region may hold
 * the shared zero page, which pagemap counts as present and smaps does not count at all.  Only
 * where smaps was read: maps alone says nothing of swap.
 */
static bool nothing_there(struct pagemig_region_iter *it)
{
	struct pagemig_region *r = &it->cur;

	if ((it->flags & PAGEMIG_REGIONS_LIGHT) || r->rss || r->swap || r->hugetlb ||
	    (r->vmflags & (PAGEMIG_VM_IO | PAGEMIG_VM_PFNMAP)) || strncmp(r->perms, "---", 3) ||
	    pagemap_can_scan(it->pm))
		return false;
	r->present = r->swapped = r->exclusive = r->shared_pages = 0;
	r->has_pagemap = true;
	return true;
}

/* Give the caller it->cur, as much of it as the caller's struct holds. */
static void copy_out(struct pagemig_region_iter *it, struct pagemig_region *r)
{
	size_t sz = r->sz;

	it->cur.path = it->path;
	it->cur.vmflags_str = it->vmflags;
	it->cur.policy = it->policy;
	it->cur.node_pages = it->node_pages;
	memcpy(r, &it->cur, MIN(sz, sizeof(*r)));
	r->sz = sz;
}

PAGEMIG_API int pagemig_region_next(struct pagemig_region_iter *it, struct pagemig_region *r)
{
	int rc;

	if (!it || !r || r->sz < sizeof(r->sz))
		return -EINVAL;
	if (it->err || it->done)
		return it->err;
	rc = next_region(it);
	if (rc == 1 && (it->flags & PAGEMIG_REGIONS_PAGEMAP)) {
		rc = nothing_there(it) ? 0 : residency_count(it->pm, &it->cur);
		rc = rc ? rc : 1;
	}
	if (rc == 1) {
		copy_out(it, r);
		return 1;
	}
	/* an end may be a cut: the target's files end at exit_mm(), before its pidfd says so */
	rc = rc ? gone_or(it->pm, rc) : it->pm ? space_check_complete(it->pm) : 0;
	if (rc)
		it->err = rc;
	it->done = true;
	return rc;
}

PAGEMIG_API unsigned int pagemig_regions_dropped(const struct pagemig_region_iter *it)
{
	return it ? it->dropped : 0;
}

PAGEMIG_API void pagemig_regions_close(struct pagemig_region_iter *it)
{
	if (!it)
		return;
	close_stream(it->smaps);
	close_stream(it->numa);
	free(it->bufs);
	free(it->hdr);
	free(it->line);
	free(it->nline);
	free(it->path);
	free(it->vmflags);
	free(it->policy);
	free(it);
}
