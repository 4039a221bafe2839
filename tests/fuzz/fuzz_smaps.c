// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_smaps.c - the smaps side of the region reader on arbitrary text.
 *
 * The input is read as /proc/PID/smaps twice: alone (as on a kernel without numa_maps), and with a
 * numa_maps made from its own maps lines, so that the merge runs too.  Invariants:
 *  - next() returns 1 with a sane region (start < end, four perms, kind and page size set, strings
 *    without newlines, 1 <= nr_nodes <= PAGEMIG_MAX_NODES), then 0 and 0 again; never an error;
 *  - every maps line of the input gives at most one region: returned + dropped <= maps lines;
 *  - without numa_maps nothing is dropped that was whole, and every node count is 0;
 *  - a region's kind is what region_kind() says for it.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const fuzz_dictionary[] = {
	"7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
	"555555554000-555555556000 r--p 00002000 fe:00 1234                       /usr/bin/my prog",
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
	"10000-20000 rw-s 00000000 00:01 5 /dev/zero (deleted)",
	"\n", " ", "-", ":", "[heap]", "[stack]", "[anon:x y]", "[vdso]", " (deleted)", "/SYSV0000162e", "/memfd:a",
	"Rss:                  8 kB\n", "Anonymous:  4 kB\n", "AnonHugePages:  2048 kB\n", "KernelPageSize: 2048 kB\n",
	"Swap: 99999999999999999999 kB\n", "Locked: 18014398509481984 kB\n", "Shared_Hugetlb: 2048 kB\n",
	"VmFlags: rd wr ex sh mr mw me ac ht hg io pf zz \n", "VmFlags:\n", "Size: 4 kB\n", "THPeligible: 1\n",
	"ffffffffffffffff", "0", "fffffffffffffffff-1", NULL,
};

#define ASSERT(cond)                                                                           \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz_smaps: %s:%d: %s broken\n", __FILE__, __LINE__, #cond); \
			abort();                                                               \
		}                                                                              \
	} while (0)

static bool is_maps_line(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return n && s[n] == '-';
}

/* numa_maps for the maps lines of @smaps: "START default N0=1 kernelpagesize_kB=4". */
static char *numa_of(const char *smaps, size_t *len)
{
	char *out = NULL;
	const char *s;
	FILE *f = open_memstream(&out, len);

	if (!f)
		abort();
	for (s = smaps; s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (is_maps_line(s))
			fprintf(f, "%.*s default anon=1 N0=1 kernelpagesize_kB=4\n", (int)strspn(s, "0123456789abcdefABCDEF"),
				s);
	fclose(f);
	return out;
}

static void check_region(const struct pagemig_region *r, bool numa)
{
	int i;

	ASSERT(r->start < r->end);
	ASSERT(strlen(r->perms) == 4);
	ASSERT(r->shared == (r->perms[3] == 's'));
	ASSERT(r->path && !strchr(r->path, '\n'));
	ASSERT(r->vmflags_str && !strchr(r->vmflags_str, '\n'));
	ASSERT(r->policy && !strchr(r->policy, '\n'));
	ASSERT(r->kind >= PAGEMIG_KIND_HEAP && r->kind <= PAGEMIG_KIND_OTHER);
	ASSERT(r->kind == region_kind(r));
	ASSERT(r->page_size > 0);
	ASSERT(r->nr_nodes >= 1 && r->nr_nodes <= PAGEMIG_MAX_NODES);
	ASSERT(r->mapmax >= 1);
	ASSERT(!r->has_pagemap);
	for (i = 0; !numa && i < r->nr_nodes; i++)
		ASSERT(r->node_pages[i] == 0);
}

static void run(char *smaps, size_t len, bool numa)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it;
	size_t nlen = 0, lines = 0, n = 0;
	char *nm = numa ? numa_of(smaps, &nlen) : NULL;
	FILE *s = fmemopen(smaps, len, "r"), *m = nm ? fmemopen(nm, nlen ? nlen : 1, "r") : NULL;
	const char *p;
	int rc;

	if (!s || (numa && !m))
		abort();
	ASSERT(regions_open_streams(NULL, s, m, 0, &it) == 0);
	while ((rc = pagemig_region_next(it, &r)) == 1) {
		check_region(&r, numa);
		n++;
	}
	ASSERT(rc == 0);
	ASSERT(pagemig_region_next(it, &r) == 0);
	for (p = smaps; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		lines += is_maps_line(p);
	ASSERT(memchr(smaps, '\0', len) || n + pagemig_regions_dropped(it) <= lines);
	pagemig_regions_close(it);
	free(nm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (!size)
		return 0;
	buf = malloc(size + 1);		/* NUL-terminated for numa_of(); the stream sees @size bytes */
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	run(buf, size, false);
	if (!memchr(buf, '\0', size))	/* numa_of() reads a string */
		run(buf, size, true);
	free(buf);
	return 0;
}
