// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_filter.c - pagemig_filter_parse() and pagemig_filter_match() on arbitrary strings.
 *
 * Invariants:
 *  - the result is 0 or -EINVAL (-ENOMEM aside), the same when parsed again;
 *  - failure: no filter, a one-line non-empty message, cut and terminated when the buffer is
 *    small, and it quotes the filter or a term of it;
 *  - success: an empty message; matching any region is deterministic, and "F" and "F,!F"-style
 *    negation agree: a region that matches "!T" never matches T alone;
 *  - a NULL filter matches everything.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const fuzz_dictionary[] = {
	"heap", "stack", "anon", "file", "shm", "huge", "thp", "special", "nopages", "other", "!", ",", "-", "0x",
	"7f0000000000", "ffffffffffffffff", "10000000000000000", "/usr/lib/*", "*", "?", "[", "]", "[!a]", "\\",
	" ", "/dev/zero", " (deleted)", "[heap]", "0", "1", NULL,
};

#define ASSERT(cond, str)                                                                     \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "fuzz_filter: %s:%d: %s broken for '%s'\n", __FILE__, \
				__LINE__, #cond, str);                                        \
			abort();                                                              \
		}                                                                             \
	} while (0)

static const struct pagemig_region regions[] = {
	{ .start = 0x555555554000, .end = 0x555555556000, .kind = PAGEMIG_KIND_FILE, .path = "/usr/bin/cat" },
	{ .start = 0x555555560000, .end = 0x555555581000, .kind = PAGEMIG_KIND_HEAP, .path = "[heap]" },
	{ .start = 0x7f0000000000, .end = 0x7f0000200000, .kind = PAGEMIG_KIND_ANON, .path = "", .anon_huge = 4096 },
	{ .start = 0x7f0000400000, .end = 0x7f0000410000, .kind = PAGEMIG_KIND_SHM, .path = "/dev/zero (deleted)" },
	{ .start = 0x7f0000410000, .end = 0x7f0000420000, .kind = PAGEMIG_KIND_FILE, .path = "/usr/lib/libc.so.6" },
	{ .start = 0xffffffffff600000, .end = 0xffffffffff601000, .kind = PAGEMIG_KIND_SPECIAL,
	  .path = "[vsyscall]" },
};

#define NR_REGIONS (sizeof(regions) / sizeof(regions[0]))

static unsigned int match_bits(const struct pagemig_filter *f)
{
	unsigned int bits = 0;
	size_t i;

	for (i = 0; i < NR_REGIONS; i++)
		bits |= (unsigned int)pagemig_filter_match(f, &regions[i]) << i;
	return bits;
}

static void check_failure(const char *str, const char *err, size_t errlen)
{
	size_t len = strnlen(err, errlen);

	ASSERT(len < errlen, str);
	ASSERT(len > 0 || errlen == 1, str);
	ASSERT(!strchr(err, '\n'), str);
	/* with room for it, the message quotes something */
	ASSERT(errlen < 256 || strchr(err, '\''), str);
}

/* For a filter of one term T (no ','), "!T" is its complement on every region. */
static void check_negation(const char *str, unsigned int bits)
{
	struct pagemig_filter *g = NULL;
	char *neg;

	if (strchr(str, ',') || str[strspn(str, " \t")] == '!')
		return;
	if (asprintf(&neg, "!%s", str) < 0)
		abort();
	if (pagemig_filter_parse(neg, &g, NULL, 0) == 0) {
		ASSERT(match_bits(g) == (~bits & ((1U << NR_REGIONS) - 1)), str);
		pagemig_filter_free(g);
	}
	free(neg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t errlens[] = { 256, 8, 1 };
	struct pagemig_filter *f, *g;
	char *str = strndup((const char *)data, size), err[256];
	size_t i;
	int rc, rc2;

	if (!str)
		abort();
	for (i = 0; i < sizeof(errlens) / sizeof(errlens[0]); i++) {
		f = (struct pagemig_filter *)&f;	/* must be left alone on failure */
		memset(err, 'x', sizeof(err));
		rc = pagemig_filter_parse(str, &f, err, errlens[i]);
		ASSERT(rc == 0 || rc == -EINVAL || rc == -ENOMEM, str);
		if (rc) {
			ASSERT(f == (struct pagemig_filter *)&f, str);
			if (rc == -EINVAL)
				check_failure(str, err, errlens[i]);
			continue;
		}
		ASSERT(err[0] == '\0', str);
		g = NULL;
		rc2 = pagemig_filter_parse(str, &g, NULL, 0);
		ASSERT(rc2 == 0 && match_bits(f) == match_bits(g), str);
		if (i == 0)
			check_negation(str, match_bits(f));
		pagemig_filter_free(f);
		pagemig_filter_free(g);
	}
	ASSERT(match_bits(NULL) == (1U << NR_REGIONS) - 1, str);
	free(str);
	return 0;
}
