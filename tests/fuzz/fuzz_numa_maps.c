// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_numa_maps.c - the numa_maps side of the region reader, and the merge, on arbitrary text.
 *
 * The input is read as /proc/PID/numa_maps next to two smaps: a fixed one (four regions, the last
 * the gate vma [vsyscall], which numa_maps never lists), and one made of a region at every address
 * the input's lines start with, so that lines match.  Invariants:
 *  - next() returns 1 with a sane region, then 0 and 0 again; never an error;
 *  - every smaps region is either returned or dropped, once: returned + dropped == regions;
 *  - returned regions are smaps's own (start, end, path), in smaps's order;
 *  - node counts fit: 1 <= nr_nodes <= PAGEMIG_MAX_NODES, and the page size is never 0;
 *  - [vsyscall] is returned unless a line of the input claims its address.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

const char *const fuzz_dictionary[] = {
	"1000 ", "3000 ", "5000 ", "ffffffffff600000 ", "\n", " ", "=", "default", "bind:0-1", "interleave:0-3",
	"weighted interleave:0-1", "weighted", "prefer (many)=static:0-1", "prefer", "(many)", "local",
	"file=/usr/bin/a\\040b", "heap", "stack", "huge", "anon=", "dirty=", "mapped=", "mapmax=", "swapcache=",
	"active=", "writeback=", "N0=", "N1=", "N3=", "N1023=", "N1024=", "N99999999999999999999=",
	"kernelpagesize_kB=", "kernelpagesize_kB=2048", "kernelpagesize_kB=18014398509481984", "0", "4",
	"99999999999999999999", NULL,
};

#define ASSERT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_numa_maps: %s:%d: %s broken\n", __FILE__, __LINE__, #cond); \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct fixed {
	uint64_t start, end;
	const char *path;
};

static const struct fixed fixed[] = {
	{ 0x1000, 0x2000, "/usr/bin/a b" },
	{ 0x3000, 0x4000, "[heap]" },
	{ 0x5000, 0x8000, "" },
	{ 0xffffffffff600000, 0xffffffffff601000, "[vsyscall]" },
};

static void put_region(FILE *f, uint64_t start, uint64_t end, const char *path)
{
	fprintf(f, "%lx-%lx rw-p 00000000 00:00 0 %s\nRss: 4 kB\nKernelPageSize: 4 kB\nVmFlags: rd wr mr mw me ac \n",
		start, end, path);
}

/* smaps: the fixed regions, or one page at each start address of the input's lines. */
static char *make_smaps(const char *numa, bool derived, size_t *len, size_t *count)
{
	char *out = NULL, *end;
	const char *s;
	uint64_t a;
	FILE *f = open_memstream(&out, len);
	size_t i;

	if (!f)
		abort();
	*count = 0;
	for (i = 0; !derived && i < sizeof(fixed) / sizeof(fixed[0]); i++, ++*count)
		put_region(f, fixed[i].start, fixed[i].end, fixed[i].path);
	for (s = numa; derived && s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		if (strspn(s, "0123456789abcdefABCDEF") == 0 || strspn(s, "0123456789abcdefABCDEF") > 16)
			continue;
		a = strtoull(s, &end, 16);
		if (a <= UINT64_MAX - 0x10000) {
			put_region(f, a, a + 0x10000, "");
			++*count;
		}
	}
	fclose(f);
	return out;
}

/* Does some line of @numa (NUL bytes included) start at an address of [vsyscall]? */
static bool mentions_gate(const char *numa, size_t len)
{
	size_t i;

	for (i = 0; i + 11 <= len; i++)
		if (!strncasecmp(numa + i, "ffffffffff6", 11))
			return true;
	return false;
}

static void run(char *numa, size_t len, bool derived)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it;
	size_t slen, count, n = 0, next = 0;
	char *smaps = make_smaps(numa, derived, &slen, &count);
	FILE *s = fmemopen(smaps, slen ? slen : 1, "r"), *m = fmemopen(numa, len, "r");
	bool vsyscall = false;
	int rc;

	if (!s || !m)
		abort();
	ASSERT(regions_open_streams(NULL, s, m, 0, &it) == 0);
	while ((rc = pagemig_region_next(it, &r)) == 1) {
		n++;
		ASSERT(r.nr_nodes >= 1 && r.nr_nodes <= PAGEMIG_MAX_NODES);
		ASSERT(r.page_size > 0 && r.policy && !strchr(r.policy, '\n') && r.mapmax >= 1);
		if (derived)
			continue;
		while (next < count && fixed[next].start != r.start)
			next++;
		ASSERT(next < count && r.end == fixed[next].end && !strcmp(r.path, fixed[next].path));
		vsyscall |= !strcmp(r.path, "[vsyscall]");
		next++;
	}
	ASSERT(rc == 0);
	ASSERT(pagemig_region_next(it, &r) == 0);
	ASSERT(n + pagemig_regions_dropped(it) == count);
	ASSERT(derived || vsyscall || mentions_gate(numa, len));
	pagemig_regions_close(it);
	free(smaps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf;

	if (!size)
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	run(buf, size, false);
	if (!memchr(buf, '\0', size))
		run(buf, size, true);
	free(buf);
	return 0;
}
