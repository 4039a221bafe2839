// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * intern.c - one copy of each distinct byte string a move keeps: its records' paths, policies,
 * VmFlags, node counts and encoded regions (records.c).  A target with 100,000 regions has a
 * handful of distinct strings, and its one-page regions share a few encodings.  Copies live in
 * chunks that never move, so what intern() returns stays valid until intern_free(); each is
 * 8-byte aligned (node counts are u64 arrays) and followed by a NUL (strings).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHUNK_SIZE	(64 * 1024)

/* Before each copy: its length and hash (for lookups and for growing the slots). */
struct item {
	uint32_t len;
	uint32_t hash;
};

struct intern_chunk {
	struct intern_chunk *prev;
	size_t cap;
	size_t used;
	/* copies follow, each an item header, the bytes and a NUL, rounded up to 8 bytes */
};

static uint32_t hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

static const struct item *item_of(const void *copy)
{
	return (const struct item *)copy - 1;
}

/* Double the slots (at three quarters full); false without memory. */
static bool grow_slots(struct intern *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 256, i, j;
	const void **s = calloc(n, sizeof(*s));

	if (!s)
		return false;
	for (i = 0; i < t->nslots; i++) {
		if (!t->slots[i])
			continue;
		for (j = item_of(t->slots[i])->hash & (n - 1); s[j]; j = (j + 1) & (n - 1))
			;
		s[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->nslots = n;
	return true;
}

/* Room for @need bytes, in the current chunk or a new one. */
static void *carve(struct intern *t, size_t need)
{
	struct intern_chunk *c = t->chunk;
	void *p;

	if (!c || c->cap - c->used < need) {
		size_t cap = MAX((size_t)CHUNK_SIZE, need + sizeof(*c));

		c = malloc(cap);
		if (!c)
			return NULL;
		c->prev = t->chunk;
		c->cap = cap;
		c->used = sizeof(*c);
		t->chunk = c;
	}
	p = (char *)c + c->used;
	c->used += need;
	return p;
}

const void *intern(struct intern *t, const void *p, size_t len)
{
	uint32_t h = hash_bytes(p, len);
	struct item *it;
	size_t i;

	if (len > UINT32_MAX)
		return NULL;
	if (t->n + 1 > t->nslots / 4 * 3 && !grow_slots(t))
		return NULL;
	for (i = h & (t->nslots - 1); t->slots[i]; i = (i + 1) & (t->nslots - 1)) {
		const struct item *o = item_of(t->slots[i]);

		if (o->hash == h && o->len == len && !memcmp(t->slots[i], p, len))
			return t->slots[i];
	}
	it = carve(t, (sizeof(*it) + len + 1 + 7) & ~(size_t)7);
	if (!it)
		return NULL;
	it->len = (uint32_t)len;
	it->hash = h;
	memcpy(it + 1, p, len);
	((char *)(it + 1))[len] = '\0';
	t->slots[i] = it + 1;
	t->n++;
	return it + 1;
}

void intern_free(struct intern *t)
{
	struct intern_chunk *c = t->chunk, *prev;

	for (; c; c = prev) {
		prev = c->prev;
		free(c);
	}
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
