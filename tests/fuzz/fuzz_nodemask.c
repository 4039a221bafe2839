// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_nodemask.c - pagemig_nodemask_parse() and nodemask_parse_list() on arbitrary strings.
 *
 * Invariants, checked in several contexts (none; the lab's 4 nodes with memory-only nodes 2 and 3;
 * allowed nodes 1,3; a node without memory; no limits):
 *  - the result is 0, -EINVAL, -ENODEV or -ENXIO, and the same when parsed again;
 *  - success: a non-empty mask inside the online and allowed nodes (and the nodes with memory when
 *    required), no message, and formatting it then parsing the text gives the same mask back;
 *  - failure: the mask is untouched, the message is one non-empty line, cut and terminated when the
 *    buffer is small.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *const fuzz_dictionary[] = {
	"0", "1", "2", "3", "7", "-", ",", "!", "+", "all", "1023", "1024", "99999999999", " ", "0-3", "\n", NULL,
};

#define ASSERT(cond, str)                                                                        \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz_nodemask: %s:%d: %s broken for '%s'\n", __FILE__, \
				__LINE__, #cond, str);                                           \
			abort();                                                                 \
		}                                                                                \
	} while (0)

enum { NR_CTX = 5 };

static struct pagemig_nodemask online4, all4, allowed13, mem013;
static struct pagemig_nodectx ctxs[NR_CTX];

static void setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	nodemask_parse_list("0-3", &online4);
	nodemask_parse_list("0-3", &all4);
	nodemask_parse_list("1,3", &allowed13);
	nodemask_parse_list("0-1,3", &mem013);
	/* ctxs[0] stays unused: index 0 means a NULL context */
	ctxs[1] = (struct pagemig_nodectx){ sizeof(ctxs[1]), &online4, NULL, &all4, true };
	ctxs[2] = (struct pagemig_nodectx){ sizeof(ctxs[2]), &online4, &allowed13, &all4, true };
	ctxs[3] = (struct pagemig_nodectx){ sizeof(ctxs[3]), &online4, NULL, &mem013, true };
	ctxs[4] = (struct pagemig_nodectx){ sizeof(ctxs[4]), NULL, NULL, NULL, false };
}

static void check_message(const char *str, const char *err, size_t errlen)
{
	size_t len = strnlen(err, errlen);
	size_t i;

	ASSERT(len < errlen, str);
	ASSERT(len > 0 || errlen == 1, str);
	for (i = 0; i < len; i++)
		ASSERT((unsigned char)err[i] >= ' ' && err[i] != 0x7f, str);
}

static void check_success(const char *str, const struct pagemig_nodectx *ctx, const struct pagemig_nodemask *m)
{
	struct pagemig_nodemask back;
	char *text = malloc(8192);

	ASSERT(text, str);
	ASSERT(!pagemig_nodemask_is_empty(m), str);
	if (ctx && ctx->online)
		ASSERT(pagemig_nodemask_is_subset(m, ctx->online), str);
	if (ctx && ctx->allowed)
		ASSERT(pagemig_nodemask_is_subset(m, ctx->allowed), str);
	if (ctx && ctx->need_memory && ctx->memory)
		ASSERT(pagemig_nodemask_is_subset(m, ctx->memory), str);
	ASSERT(pagemig_nodemask_format(m, text, 8192) == 0, str);
	ASSERT(pagemig_nodemask_parse(text, NULL, &back, NULL, 0) == 0, str);
	ASSERT(pagemig_nodemask_is_equal(m, &back), str);
	ASSERT(nodemask_parse_list(text, &back) == 0 && pagemig_nodemask_is_equal(m, &back), str);
	free(text);
}

static void check_parse(const char *str, const struct pagemig_nodectx *ctx, size_t errlen)
{
	struct pagemig_nodemask out, again, sentinel;
	char err[256];
	int ret;

	memset(&sentinel, 0x5a, sizeof(sentinel));
	out = sentinel;
	memset(err, 'X', sizeof(err));
	ret = pagemig_nodemask_parse(str, ctx, &out, err, errlen);
	ASSERT(ret == 0 || ret == -EINVAL || ret == -ENODEV || ret == -ENXIO, str);
	ASSERT(pagemig_nodemask_parse(str, ctx, &again, NULL, 0) == ret, str);
	if (ret) {
		ASSERT(pagemig_nodemask_is_equal(&out, &sentinel), str);
		check_message(str, err, errlen);
		return;
	}
	ASSERT(err[0] == '\0', str);
	ASSERT(pagemig_nodemask_is_equal(&out, &again), str);
	check_success(str, ctx, &out);
}

static void check_list(const char *str)
{
	struct pagemig_nodemask m, back;
	char text[8192];
	int ret = nodemask_parse_list(str, &m);

	ASSERT(ret == 0 || ret == -EINVAL, str);
	if (ret)
		return;
	ASSERT(pagemig_nodemask_format(&m, text, sizeof(text)) == 0, str);
	ASSERT(nodemask_parse_list(text, &back) == 0 && pagemig_nodemask_is_equal(&m, &back), str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = malloc(size + 1);
	int i;

	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';	/* inputs with a NUL byte end there, as a C string would */
	setup();
	for (i = 0; i < NR_CTX; i++) {
		check_parse(str, i ? &ctxs[i] : NULL, 256);
		check_parse(str, i ? &ctxs[i] : NULL, 1 + size % 24);
	}
	check_list(str);
	free(str);
	return 0;
}
