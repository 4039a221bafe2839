// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * filter.c - the region filter language: a table of filters, valid and invalid, with the regions
 * each one must and must not match, and the messages of the invalid ones.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* The regions every filter is tried on; a filter's expectation is a string of 0/1, one per region. */
static const struct pagemig_region regions[] = {
	{ .start = 0x555555554000, .end = 0x555555556000, .kind = PAGEMIG_KIND_FILE, .path = "/usr/bin/cat" },
	{ .start = 0x555555560000, .end = 0x555555581000, .kind = PAGEMIG_KIND_HEAP, .path = "[heap]" },
	{ .start = 0x7f0000000000, .end = 0x7f0000200000, .kind = PAGEMIG_KIND_ANON, .path = "",
	  .anon_huge = 2 << 20 },
	{ .start = 0x7f0000200000, .end = 0x7f0000400000, .kind = PAGEMIG_KIND_HUGETLB,
	  .path = "/anon_hugepage (deleted)" },
	{ .start = 0x7f0000400000, .end = 0x7f0000410000, .kind = PAGEMIG_KIND_SHM, .path = "/dev/zero (deleted)" },
	{ .start = 0x7f0000410000, .end = 0x7f0000420000, .kind = PAGEMIG_KIND_FILE,
	  .path = "/usr/lib/x86_64-linux-gnu/libc.so.6" },
	{ .start = 0x7f0000420000, .end = 0x7f0000430000, .kind = PAGEMIG_KIND_ANON, .path = "[anon:my buf]",
	  .vmflags = PAGEMIG_VM_HUGEPAGE },
	{ .start = 0x7f0000430000, .end = 0x7f0000432000, .kind = PAGEMIG_KIND_SPECIAL, .path = "[vdso]" },
	{ .start = 0x7f0000450000, .end = 0x7f0000460000, .kind = PAGEMIG_KIND_NOPAGES, .path = "/dev/mem" },
	{ .start = 0x7ffffffde000, .end = 0x7ffffffff000, .kind = PAGEMIG_KIND_STACK, .path = "[stack]" },
	{ .start = 0xffffffffff600000, .end = 0xffffffffff601000, .kind = PAGEMIG_KIND_SPECIAL,
	  .path = "[vsyscall]" },
	{ .start = 0x10000, .end = 0x11000, .kind = PAGEMIG_KIND_OTHER, .path = "[uffd]" },
};

static const struct {
	const char *filter;
	const char *match;	/* per region; NULL: invalid */
	const char *error;	/* for invalid filters: the message */
} cases[] = {
	/*                               file heap anon huge shm libc anonb vdso mem stack vsys uffd */
	{ "heap", "010000000000", NULL },
	{ "heap,stack", "010000000100", NULL },
	{ " heap , stack ", "010000000100", NULL },
	{ "anon", "001000100000", NULL },
	{ "file", "100001000000", NULL },
	{ "shm", "000010000000", NULL },
	{ "huge", "000100000000", NULL },
	{ "thp", "001000100000", NULL },
	{ "special", "000000010010", NULL },
	{ "nopages", "000000001000", NULL },
	{ "other", "000000000001", NULL },
	{ "!heap", "101111111111", NULL },
	{ "!file,!anon", "010110011111", NULL },
	{ "anon,!thp", "000000000000", NULL },
	{ "file,!/usr/lib/*", "100000000000", NULL },
	{ "/usr/lib/*", "000001000000", NULL },
	{ "/usr/*/libc.so.?", "000001000000", NULL },
	{ "*libc*", "000001000000", NULL },
	{ "/anon_hugepage", "000100000000", NULL },	/* matches without " (deleted)" */
	{ "/dev/zero (deleted)", "000010000000", NULL },
	{ "[anon:my buf]", "000000100000", NULL },	/* a literal bracket name */
	{ "[[]heap]", "010000000000", NULL },
	{ "7f0000000000-7f0000200000", "001000000000", NULL },
	{ "0x7f0000000000-0x7f0000200001", "001100000000", NULL },	/* overlap */
	{ "0X7F00001FF000-7f0000200000", "001000000000", NULL },
	{ "7f00003fffff-7f0000410001", "000111000000", NULL },
	{ "0-1000", "000000000000", NULL },
	{ "0-ffffffffffffffff", "111111111111", NULL },
	{ "ffffffffff600000-ffffffffff600001", "000000000010", NULL },
	{ "heap,7ffffffde000-7ffffffdf000", "010000000100", NULL },
	{ "!0-7f0000000000", "001111111110", NULL },
	{ "", NULL, "empty term in filter ''" },
	{ "anon,,file", NULL, "empty term in filter 'anon,,file'" },
	{ "heap,", NULL, "empty term in filter 'heap,'" },
	{ "!", NULL, "empty term in filter '!'" },
	{ "hep", NULL, "unknown region kind 'hep' in filter (kinds: heap, stack, anon, file, shm, huge, thp, "
		       "special, nopages, other)" },
	{ "heap,!Stack", NULL, "unknown region kind 'Stack' in filter (kinds: heap, stack, anon, file, shm, huge, "
			       "thp, special, nopages, other)" },
	{ "sta\n", NULL, "unknown region kind 'sta\\x0a' in filter (kinds: heap, stack, anon, file, shm, huge, thp, "
		       "special, nopages, other)" },
	{ "0x2000-0x1000", NULL, "invalid address range '0x2000-0x1000'" },
	{ "1000-1000", NULL, "invalid address range '1000-1000'" },
	{ "1000-", NULL, "invalid address range '1000-'" },
	{ "1000-zz", NULL, "invalid address range '1000-zz'" },
	{ "0x-1000", NULL, "unknown region kind '0x-1000' in filter (kinds: heap, stack, anon, file, shm, huge, "
			   "thp, special, nopages, other)" },
	{ "0-10000000000000000", NULL, "invalid address range '0-10000000000000000'" },
};

static void test_case(size_t i)
{
	struct pagemig_filter *f = NULL;
	char err[256] = "unset";
	size_t j;
	int rc = pagemig_filter_parse(cases[i].filter, &f, err, sizeof(err));

	if (!cases[i].match) {
		CHECK(rc == -EINVAL, "'%s': %d, want -EINVAL", cases[i].filter, rc);
		CHECK(!strcmp(err, cases[i].error), "'%s': message '%s', want '%s'", cases[i].filter, err,
		      cases[i].error);
		return;
	}
	CHECK(rc == 0 && f, "'%s': %d (%s)", cases[i].filter, rc, err);
	CHECK(!rc || !strcmp(err, ""), "'%s': message '%s' on success", cases[i].filter, err);
	if (rc)
		return;
	for (j = 0; j < ARRAY_SIZE(regions); j++) {
		bool want = cases[i].match[j] == '1', got = pagemig_filter_match(f, &regions[j]);

		CHECK(got == want, "'%s' on %s (%lx): %d, want %d", cases[i].filter, regions[j].path,
		      regions[j].start, got, want);
	}
	pagemig_filter_free(f);
}

int main(void)
{
	struct pagemig_filter *f = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].match && strlen(cases[i].match) != ARRAY_SIZE(regions)) {
			fprintf(stderr, "bad case '%s' in the test itself\n", cases[i].filter);
			return 1;
		}
		test_case(i);
	}
	for (i = 0; i < ARRAY_SIZE(regions); i++)
		CHECK(pagemig_filter_match(NULL, &regions[i]), "a NULL filter rejects %s", regions[i].path);
	CHECK(pagemig_filter_parse(NULL, &f, NULL, 0) == -EINVAL, "a NULL filter string");
	CHECK(pagemig_filter_parse("heap", &f, NULL, 0) == 0, "no error buffer");
	pagemig_filter_free(f);
	pagemig_filter_free(NULL);
	for (i = PAGEMIG_KIND_HEAP; i <= PAGEMIG_KIND_OTHER; i++) {
		char err[256];
		const char *name = pagemig_kind_name((enum pagemig_kind)i);

		f = NULL;
		CHECK(pagemig_filter_parse(name, &f, err, sizeof(err)) == 0, "kind name '%s' is not a filter", name);
		pagemig_filter_free(f);
	}
	CHECK(!strcmp(pagemig_kind_name((enum pagemig_kind)0), "?"), "kind 0 has a name");
	CHECK(!strcmp(pagemig_kind_name((enum pagemig_kind)99), "?"), "kind 99 has a name");
	if (unit_failed("filter"))
		return 1;
	return 0;
}
