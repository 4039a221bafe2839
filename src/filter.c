// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * filter.c - the region filter language shared by every subcommand.
 *
 *	heap,stack            kinds (see pagemig_kind_name(), plus thp)
 *	7f0000000000-7f00ffffffff   an address range, hex, 0x optional: regions that overlap it
 *	/usr/lib/lib?*.so*    a path glob: any term with '/', '*', '?' or '['
 *	!file                 a negated term
 *
 * A region matches when it matches some positive term (or there is none) and no negative term.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define THP_KIND	0	/* not a pagemig_kind: regions with transparent huge pages */

enum term_type {
	TERM_KIND,
	TERM_RANGE,
	TERM_GLOB,
};

struct term {
	enum term_type type;
	bool neg;
	int kind;		/* TERM_KIND: a pagemig_kind, or THP_KIND */
	uint64_t lo, hi;	/* TERM_RANGE: [lo, hi) */
	const char *glob;	/* TERM_GLOB: points into the filter's text */
};

struct pagemig_filter {
	size_t nr;
	bool has_positive;
	char *text;
	char *source;		/* @str as given, for filter_source() */
	struct term terms[];
};

static const struct {
	const char *name;
	int kind;
} kinds[] = {
	{ "heap", PAGEMIG_KIND_HEAP },	     { "stack", PAGEMIG_KIND_STACK },
	{ "anon", PAGEMIG_KIND_ANON },	     { "file", PAGEMIG_KIND_FILE },
	{ "shm", PAGEMIG_KIND_SHM },	     { "huge", PAGEMIG_KIND_HUGETLB },
	{ "thp", THP_KIND },		     { "special", PAGEMIG_KIND_SPECIAL },
	{ "nopages", PAGEMIG_KIND_NOPAGES }, { "other", PAGEMIG_KIND_OTHER },
};

#define fail(err, errlen, ...) errbuf_fail(err, errlen, -EINVAL, __VA_ARGS__)

/* @s for a one-line message: control characters escaped, long strings cut with "...". */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	for (; *s && n + 8 < len; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", (unsigned char)*s);
		else
			buf[n++] = *s;
	}
	strcpy(buf + n, *s ? "..." : "");
	return buf;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* "0x1f" or "1f", the whole of [s, end): at most 16 digits. */
static bool parse_addr(const char *s, const char *end, uint64_t *v)
{
	uint64_t x = 0;
	int d;

	if (end - s > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	if (s == end || end - s > 16)
		return false;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			return false;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return true;
}

/* Does @tok look like an attempt at a range: a hex number, then '-'? */
static bool is_range(const char *tok)
{
	const char *dash = strchr(tok, '-');
	uint64_t v;

	return dash && parse_addr(tok, dash, &v);
}

static int parse_kind(const char *tok, struct term *t, char *err, size_t errlen)
{
	char buf[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		if (!strcmp(tok, kinds[i].name)) {
			t->type = TERM_KIND;
			t->kind = kinds[i].kind;
			return 0;
		}
	}
	return fail(err, errlen, "unknown region kind '%s' in filter (kinds: heap, stack, anon, file, shm, "
		    "huge, thp, special, nopages, other)", shown(tok, buf, sizeof(buf)));
}

/* One term, already trimmed and without its '!'. */
static int parse_term(char *tok, struct term *t, char *err, size_t errlen)
{
	const char *dash;
	char buf[128];

	if (strpbrk(tok, "/*?[")) {
		t->type = TERM_GLOB;
		t->glob = tok;
		return 0;
	}
	if (is_range(tok)) {
		dash = strchr(tok, '-');
		t->type = TERM_RANGE;
		if (!parse_addr(tok, dash, &t->lo) || !parse_addr(dash + 1, dash + strlen(dash), &t->hi) ||
		    t->lo >= t->hi)
			return fail(err, errlen, "invalid address range '%s'", shown(tok, buf, sizeof(buf)));
		return 0;
	}
	return parse_kind(tok, t, err, errlen);
}

PAGEMIG_API int pagemig_filter_parse(const char *str, struct pagemig_filter **out, char *err, size_t errlen)
{
	struct pagemig_filter *f;
	char *p, *tok, buf[128];
	size_t n = 1;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!str || !out)
		return -EINVAL;
	for (p = (char *)str; *p; p++)
		n += *p == ',';
	f = calloc(1, sizeof(*f) + n * sizeof(f->terms[0]));
	if (!f || !(f->text = strdup(str)) || !(f->source = strdup(str))) {
		pagemig_filter_free(f);
		return -ENOMEM;
	}
	for (p = f->text; (tok = strsep(&p, ",")); f->nr++) {
		struct term *t = &f->terms[f->nr];

		tok = trim(tok);
		t->neg = *tok == '!';
		if (t->neg)
			tok = trim(tok + 1);
		if (!*tok) {
			rc = fail(err, errlen, "empty term in filter '%s'", shown(str, buf, sizeof(buf)));
			goto err_free;
		}
		rc = parse_term(tok, t, err, errlen);
		if (rc)
			goto err_free;
		f->has_positive |= !t->neg;
	}
	*out = f;
	return 0;
err_free:
	pagemig_filter_free(f);
	return rc;
}

/* A glob matches the path, the path without " (deleted)", or equals the path. */
static bool glob_match(const char *glob, const char *path)
{
	static const char deleted[] = " (deleted)";
	size_t n = strlen(path), d = sizeof(deleted) - 1;
	char buf[PATH_MAX];

	if (!fnmatch(glob, path, 0) || !strcmp(glob, path))
		return true;
	if (n <= d || n - d >= sizeof(buf) || strcmp(path + n - d, deleted))
		return false;
	memcpy(buf, path, n - d);
	buf[n - d] = '\0';
	return !fnmatch(glob, buf, 0) || !strcmp(glob, buf);
}

static bool term_match(const struct term *t, const struct pagemig_region *r)
{
	switch (t->type) {
	case TERM_KIND:
		if (t->kind == THP_KIND)
			return r->anon_huge || (r->vmflags & PAGEMIG_VM_HUGEPAGE);
		return (int)r->kind == t->kind;
	case TERM_RANGE:
		return r->start < t->hi && r->end > t->lo;
	case TERM_GLOB:
		return glob_match(t->glob, r->path ? r->path : "");
	}
	return false;
}

PAGEMIG_API bool pagemig_filter_match(const struct pagemig_filter *f, const struct pagemig_region *r)
{
	bool positive = false;
	size_t i;

	if (!f)
		return true;
	for (i = 0; i < f->nr; i++) {
		if (!term_match(&f->terms[i], r))
			continue;
		if (f->terms[i].neg)
			return false;
		positive = true;
	}
	return positive || !f->has_positive;
}

PAGEMIG_API void pagemig_filter_free(struct pagemig_filter *f)
{
	if (!f)
		return;
	free(f->text);
	free(f->source);
	free(f);
}

const char *filter_source(const struct pagemig_filter *f)
{
	return f ? f->source : "";
}
