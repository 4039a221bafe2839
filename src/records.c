// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * records.c - the first step of a move: the target's regions read once, the ones the filter
 * selects kept as records (a region selected by address ranges alone is cut to them:
 * pagemig_regions_select()).  A record holds its region (path, policy and node counts included)
 * and what the later steps learn about it; rec_region() is the one place that turns a record back
 * into a region, for the handlers, the engine and the report alike.
 *
 * A move keeps a record per selected region until it reports, so records are small: the region
 * is encoded once (its numbers as LEB128 varints, its strings interned in the set's table, and
 * the encoding itself interned: equal regions share one), and the counters are a few inline
 * slots; a record that needs more (or counts a per-page errno, or is claimed by a handler) gets a
 * struct rec_more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * A region's encoding: a flags byte (perms, shared, has_pagemap), its numbers and its interned
 * strings' addresses as varints, then at the next multiple of 8 its node counts as they are
 * (rec_region() points node_pages there).  An encoding is interned: 8-byte aligned.
 */
#define ENC_PERMS_RAW	(1U << 4)	/* perms is not [r-][w-][x-][ps]: its 5 bytes follow */
#define ENC_SHARED	(1U << 5)
#define ENC_PAGEMAP	(1U << 6)
#define ENC_MAX		(1 + sizeof(((struct pagemig_region *)0)->perms) + 21 * 10 + 7)
#define ENC_NODES	64	/* node counts that fit the encoder's buffer on the stack */

static unsigned char *put(unsigned char *p, uint64_t v)
{
	do {
		*p++ = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return p;
}

static const unsigned char *get(const unsigned char *p, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	do
		*v |= (uint64_t)(*p & 0x7f) << shift, shift += 7;
	while (*p++ & 0x80);
	return p;
}

/* The perms bits when they are the usual "rwxp" letters or dashes, else -1. */
static int perms_bits(const char *perms)
{
	static const char on[] = "rwxs", off[] = "---p";
	int i, bits = 0;

	for (i = 0; i < 4; i++) {
		if (perms[i] == on[i])
			bits |= 1 << i;
		else if (perms[i] != off[i])
			return -1;
	}
	return perms[4] ? -1 : bits;
}

/* @s interned (NULL stays NULL); false without memory. */
static bool intern_str(struct intern *t, const char *s, uint64_t *out)
{
	const void *c = s ? intern(t, s, strlen(s)) : NULL;

	*out = (uintptr_t)c;
	return !s || c;
}

/* @r (whole: its sz is this header's) encoded into @buf: its length, or 0 without memory. */
static size_t encode(struct intern *t, const struct pagemig_region *r, unsigned char *buf)
{
	uint64_t path, vmflags_str, policy, f[] = {
		r->offset, r->kind, r->vmflags, r->page_size, r->rss, r->anon, r->anon_huge, r->hugetlb,
		r->swap, r->locked, (uint64_t)r->nr_nodes, r->mapmax, r->present, r->swapped, r->exclusive,
		r->shared_pages, r->private_rss, r->shared_rss,
	};
	int bits = perms_bits(r->perms);
	unsigned char *p = buf;
	size_t i;

	if (!intern_str(t, r->path, &path) || !intern_str(t, r->vmflags_str, &vmflags_str) ||
	    !intern_str(t, r->policy, &policy))
		return 0;
	*p++ = (unsigned char)((bits < 0 ? ENC_PERMS_RAW : (unsigned int)bits) | (r->shared ? ENC_SHARED : 0) |
			       (r->has_pagemap ? ENC_PAGEMAP : 0));
	if (bits < 0) {
		memcpy(p, r->perms, sizeof(r->perms));
		p += sizeof(r->perms);
	}
	for (i = 0; i < ARRAY_SIZE(f); i++)
		p = put(p, f[i]);
	p = put(p, path);
	p = put(p, vmflags_str);
	p = put(p, policy);
	while ((p - buf) % 8)
		*p++ = 0;
	if (r->nr_nodes)
		memcpy(p, r->node_pages, (size_t)r->nr_nodes * sizeof(uint64_t));
	return (size_t)(p - buf) + (size_t)r->nr_nodes * sizeof(uint64_t);
}

const struct pagemig_region *rec_region(const struct rec *x, struct pagemig_region *r)
{
	const unsigned char *p = x->blob;
	uint64_t v[21];
	size_t i;

	memset(r, 0, sizeof(*r));
	r->sz = sizeof(*r);
	r->start = x->start;
	r->end = x->end;
	if (*p & ENC_PERMS_RAW) {
		memcpy(r->perms, p + 1, sizeof(r->perms));
	} else {
		for (i = 0; i < 4; i++)
			r->perms[i] = (*p >> i) & 1 ? "rwxs"[i] : "---p"[i];
	}
	r->shared = *p & ENC_SHARED;
	r->has_pagemap = *p & ENC_PAGEMAP;
	p += 1 + (*p & ENC_PERMS_RAW ? sizeof(r->perms) : 0);
	for (i = 0; i < ARRAY_SIZE(v); i++)
		p = get(p, &v[i]);
	r->offset = v[0];
	r->kind = (enum pagemig_kind)v[1];
	r->vmflags = v[2];
	r->page_size = v[3];
	r->rss = v[4];
	r->anon = v[5];
	r->anon_huge = v[6];
	r->hugetlb = v[7];
	r->swap = v[8];
	r->locked = v[9];
	r->nr_nodes = (int)v[10];
	r->mapmax = v[11];
	r->present = v[12];
	r->swapped = v[13];
	r->exclusive = v[14];
	r->shared_pages = v[15];
	r->private_rss = v[16];
	r->shared_rss = v[17];
	r->path = (const char *)(uintptr_t)v[18];
	r->vmflags_str = (const char *)(uintptr_t)v[19];
	r->policy = (const char *)(uintptr_t)v[20];
	p += (8 - (uintptr_t)(p - x->blob) % 8) % 8;
	r->node_pages = r->nr_nodes ? (const uint64_t *)(const void *)p : NULL;
	return r;
}

void records_free(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].more)
			free(rs->v[i].more->wide);
		free(rs->v[i].more);
	}
	free(rs->v);
	intern_free(&rs->tab);
	memset(rs, 0, sizeof(*rs));
}

/* @r as this header's struct: the caller's fields up to its sz, a path, node counts or none. */
static void whole_region(struct pagemig_region *x, const struct pagemig_region *r)
{
	size_t sz = MIN(r->sz, sizeof(*x));

	memset(x, 0, sizeof(*x));
	memcpy(x, r, sz);
	x->sz = sizeof(*x);
	if (sz < offsetofend(struct pagemig_region, path) || !x->path)
		x->path = "";
	if (sz < offsetofend(struct pagemig_region, policy))
		x->policy = NULL;
	if (sz < offsetofend(struct pagemig_region, vmflags_str))
		x->vmflags_str = NULL;
	if (sz < offsetofend(struct pagemig_region, node_pages) || !r->node_pages || r->nr_nodes <= 0) {
		x->node_pages = NULL;
		x->nr_nodes = 0;
	}
}

/* @r's encoding, interned in @t: NULL without memory. */
static const unsigned char *intern_region(struct intern *t, const struct pagemig_region *r)
{
	unsigned char sbuf[ENC_MAX + ENC_NODES * sizeof(uint64_t)], *buf = sbuf;
	const unsigned char *blob = NULL;
	size_t len;

	if (r->nr_nodes > ENC_NODES && !(buf = malloc(ENC_MAX + (size_t)r->nr_nodes * sizeof(uint64_t))))
		return NULL;
	len = encode(t, r, buf);
	if (len)
		blob = intern(t, buf, len);
	if (buf != sbuf)
		free(buf);
	return blob;
}

struct rec *records_add(struct recs *rs, const struct pagemig_region *r)
{
	struct pagemig_region w;
	struct rec *x;
	int n;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		void *v = realloc(rs->v, cap * sizeof(*rs->v));

		if (!v)
			return NULL;
		rs->v = v;
		rs->cap = cap;
	}
	whole_region(&w, r);
	x = &rs->v[rs->n];
	memset(x, 0, sizeof(*x));
	memset(x->cnt_stat, 0xff, sizeof(x->cnt_stat));
	x->blob = intern_region(&rs->tab, &w);
	if (!x->blob)
		return NULL;
	x->start = w.start;
	x->end = w.end;
	x->empty = !w.rss && !w.hugetlb;
	for (n = 0; n < w.nr_nodes; n++)
		x->empty &= !w.node_pages[n];
	rs->n++;
	return x;
}

struct rec_more *rec_more(struct rec *x)
{
	if (!x->more)
		x->more = calloc(1, sizeof(*x->more));
	return x->more;
}

void rec_stats(const struct rec *x, struct pagemig_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	st->sz = sizeof(*st);
	if (x->more && x->more->wide) {
		memcpy(st->bytes, x->more->wide->bytes, sizeof(st->bytes));
		memcpy(st->errors, x->more->wide->errors, sizeof(st->errors));
		return;
	}
	for (i = 0; i < REC_SLOTS; i++)
		if (x->cnt_stat[i] < PAGEMIG_STAT_MAX)
			st->bytes[x->cnt_stat[i]] += x->cnt[i];
}

int rec_stats_set(struct rec *x, const struct pagemig_stats *st)
{
	size_t i, n = 0;

	if (!(x->more && x->more->wide)) {
		for (i = 0; i < PAGEMIG_STAT_MAX; i++)
			n += st->bytes[i] != 0;
		if (n <= REC_SLOTS && !st->errors[0].err) {
			memset(x->cnt, 0, sizeof(x->cnt));
			memset(x->cnt_stat, 0xff, sizeof(x->cnt_stat));
			for (i = n = 0; i < PAGEMIG_STAT_MAX; i++) {
				if (st->bytes[i]) {
					x->cnt_stat[n] = (uint8_t)i;
					x->cnt[n++] = st->bytes[i];
				}
			}
			return 0;
		}
		if (!rec_more(x) || !(x->more->wide = malloc(sizeof(*x->more->wide))))
			return -ENOMEM;
	}
	*x->more->wide = *st;
	return 0;
}

int rec_stats_add(struct rec *x, const struct pagemig_stats *d)
{
	struct pagemig_stats st;

	rec_stats(x, &st);
	pagemig_stats_add(&st, d);
	return rec_stats_set(x, &st);
}

int rec_count(struct rec *x, enum pagemig_stat stat, uint64_t bytes)
{
	struct pagemig_stats st;

	if (!bytes)
		return 0;
	rec_stats(x, &st);
	st.bytes[stat] += bytes;
	return rec_stats_set(x, &st);
}

uint64_t rec_stat(const struct rec *x, enum pagemig_stat stat)
{
	size_t i;

	if (x->more && x->more->wide)
		return x->more->wide->bytes[stat];
	for (i = 0; i < REC_SLOTS; i++)
		if (x->cnt_stat[i] == stat)
			return x->cnt[i];
	return 0;
}

int records_read(struct pagemig *pm, const struct pagemig_filter *filter, unsigned int flags, struct recs *rs,
		 int (*fn)(struct rec *x, void *ctx), void *ctx)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret, err;

	err = regions_open(pm, flags, &it);
	if (!err)
		err = pagemig_regions_select(it, filter);	/* address ranges cut regions */
	if (err) {
		pagemig_regions_close(it);
		return err;
	}
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		struct rec *x = records_add(rs, &r);

		if (!x) {
			err = -ENOMEM;
			goto out;
		}
		err = fn ? fn(x, ctx) : 0;
		if (err)
			goto out;
	}
	err = ret < 0 ? ret : 0;
out:
	pagemig_regions_close(it);
	return err;
}

int records_reread(struct pagemig *pm, struct recs *rs,
		   int (*fn)(const struct pagemig_region *now, struct rec *x, void *ctx), void *ctx)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	size_t i = 0;
	int ret, err;

	/*
	 * the node counts are all the callers read: numa_maps and maps, one page-table walk, and no
	 * pagemap to split a region mapped more than once into private and shared
	 */
	err = regions_open(pm, PAGEMIG_REGIONS_LIGHT | REGIONS_NO_SPLIT, &it);
	if (err)
		return err;
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		/* records before it are gone; every record that starts in it is the region itself or
		   a piece of it (a filter's cut) */
		for (; i < rs->n && rs->v[i].start < r.end; i++) {
			err = fn(rs->v[i].start < r.start ? NULL : &r, &rs->v[i], ctx);
			if (err)
				goto out;
		}
	}
	err = ret < 0 ? ret : 0;
	for (; !err && i < rs->n; i++)
		err = fn(NULL, &rs->v[i], ctx);
out:
	pagemig_regions_close(it);
	return err;
}
