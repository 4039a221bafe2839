// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nodemask.c - sets of NUMA nodes: set operations, numactl's node strings, the kernel's list format.
 *
 * Two parsers share one number/range scanner:
 *  - pagemig_nodemask_parse() reads what users type ("1", "0-3", "!1", "+0-1", "all") and checks
 *    every node against a context (online, allowed, with memory), with a one-line reason;
 *  - nodemask_parse_list() reads what the kernel writes (sysfs lists, Mems_allowed_list).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "internal.h"

#define NWORDS (PAGEMIG_MAX_NODES / 64)

PAGEMIG_API void pagemig_nodemask_zero(struct pagemig_nodemask *m)
{
	memset(m, 0, sizeof(*m));
}

PAGEMIG_API void pagemig_nodemask_set(struct pagemig_nodemask *m, int node)
{
	if (node >= 0 && node < PAGEMIG_MAX_NODES)
		m->bits[node / 64] |= 1ULL << (node % 64);
}

PAGEMIG_API void pagemig_nodemask_clear(struct pagemig_nodemask *m, int node)
{
	if (node >= 0 && node < PAGEMIG_MAX_NODES)
		m->bits[node / 64] &= ~(1ULL << (node % 64));
}

PAGEMIG_API bool pagemig_nodemask_is_set(const struct pagemig_nodemask *m, int node)
{
	return node >= 0 && node < PAGEMIG_MAX_NODES && (m->bits[node / 64] >> (node % 64)) & 1;
}

PAGEMIG_API bool pagemig_nodemask_is_empty(const struct pagemig_nodemask *m)
{
	int i;

	for (i = 0; i < NWORDS; i++)
		if (m->bits[i])
			return false;
	return true;
}

PAGEMIG_API bool pagemig_nodemask_is_equal(const struct pagemig_nodemask *a, const struct pagemig_nodemask *b)
{
	return !memcmp(a->bits, b->bits, sizeof(a->bits));
}

PAGEMIG_API bool pagemig_nodemask_is_subset(const struct pagemig_nodemask *a, const struct pagemig_nodemask *b)
{
	int i;

	for (i = 0; i < NWORDS; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

PAGEMIG_API int pagemig_nodemask_weight(const struct pagemig_nodemask *m)
{
	int i, w = 0;

	for (i = 0; i < NWORDS; i++)
		w += __builtin_popcountll(m->bits[i]);
	return w;
}

PAGEMIG_API int pagemig_nodemask_next(const struct pagemig_nodemask *m, int prev)
{
	int n = prev < 0 ? 0 : prev + 1;
	int i = n / 64;
	uint64_t w;

	if (n >= PAGEMIG_MAX_NODES)
		return -1;
	w = m->bits[i] & (~0ULL << (n % 64));
	while (!w) {
		if (++i >= NWORDS)
			return -1;
		w = m->bits[i];
	}
	return i * 64 + __builtin_ctzll(w);
}

PAGEMIG_API void pagemig_nodemask_and(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
				      const struct pagemig_nodemask *b)
{
	int i;

	for (i = 0; i < NWORDS; i++)
		dst->bits[i] = a->bits[i] & b->bits[i];
}

PAGEMIG_API void pagemig_nodemask_or(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
				     const struct pagemig_nodemask *b)
{
	int i;

	for (i = 0; i < NWORDS; i++)
		dst->bits[i] = a->bits[i] | b->bits[i];
}

PAGEMIG_API void pagemig_nodemask_andnot(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
					 const struct pagemig_nodemask *b)
{
	int i;

	for (i = 0; i < NWORDS; i++)
		dst->bits[i] = a->bits[i] & ~b->bits[i];
}

/* The position of the @n-th set bit of @w (there are more than @n). */
static int nth_bit(uint64_t w, int n)
{
	while (n-- > 0)
		w &= w - 1;
	return __builtin_ctzll(w);
}

PAGEMIG_API int pagemig_nodemask_nth(const struct pagemig_nodemask *m, int n)
{
	int i, w;

	if (n < 0)
		return -1;
	for (i = 0; i < NWORDS; i++) {
		w = __builtin_popcountll(m->bits[i]);
		if (n < w)
			break;
		n -= w;
	}
	if (i == NWORDS)
		return -1;
	return i * 64 + nth_bit(m->bits[i], n);
}

/* How many nodes of @m are below @node. */
static int ordinal(const struct pagemig_nodemask *m, int node)
{
	int i, ord = 0;

	for (i = 0; i < node / 64; i++)
		ord += __builtin_popcountll(m->bits[i]);
	if (node % 64)
		ord += __builtin_popcountll(m->bits[node / 64] & ((1ULL << (node % 64)) - 1));
	return ord;
}

PAGEMIG_API int pagemig_nodemask_remap(const struct pagemig_nodemask *from, const struct pagemig_nodemask *to,
				       int node)
{
	int w = pagemig_nodemask_weight(to);

	if (!w || !pagemig_nodemask_is_set(from, node))
		return node;
	return pagemig_nodemask_nth(to, ordinal(from, node) % w);
}

PAGEMIG_API int pagemig_nodemask_format(const struct pagemig_nodemask *m, char *buf, size_t len)
{
	char run[32];
	size_t used = 0, n;
	int lo, hi;

	if (len)
		buf[0] = '\0';
	for (lo = pagemig_nodemask_next(m, -1); lo >= 0; lo = pagemig_nodemask_next(m, hi)) {
		for (hi = lo; pagemig_nodemask_is_set(m, hi + 1); hi++)
			;
		if (hi == lo)
			n = (size_t)snprintf(run, sizeof(run), "%s%d", used ? "," : "", lo);
		else
			n = (size_t)snprintf(run, sizeof(run), "%s%d-%d", used ? "," : "", lo, hi);
		if (used + n >= len) {
			if (len > used + 1)
				memcpy(buf + used, run, len - used - 1);
			if (len)
				buf[len - 1] = '\0';
			return -ENOSPC;
		}
		memcpy(buf + used, run, n + 1);
		used += n;
	}
	if (!len)
		return -ENOSPC;
	return 0;
}

/*
 * Scan "N" or "N-M" (decimal, N <= M < PAGEMIG_MAX_NODES) at the start of [@s, @end).
 * Return: the number of characters read (the caller decides what may follow), -EDOM when @s does
 * not start with a digit, -ERANGE for a number too large, -EINVAL for a bad range ("1-", "10-1").
 */
static int scan_range(const char *s, const char *end, int *lo, int *hi)
{
	const char *p = s;
	int v[2] = { 0, 0 }, i;

	for (i = 0; i < 2; i++) {
		const char *digits = p;

		while (p < end && *p >= '0' && *p <= '9') {
			if (v[i] < PAGEMIG_MAX_NODES)	/* stops growing: no overflow */
				v[i] = v[i] * 10 + (*p - '0');
			p++;
		}
		if (p == digits)
			return i ? -EINVAL : -EDOM;
		if (v[i] >= PAGEMIG_MAX_NODES)
			return -ERANGE;
		if (i || p == end || *p != '-')
			break;
		p++;
	}
	if (i == 0)
		v[1] = v[0];
	if (v[0] > v[1])
		return -EINVAL;
	*lo = v[0];
	*hi = v[1];
	return (int)(p - s);
}

int nodemask_parse_list(const char *str, struct pagemig_nodemask *out)
{
	struct pagemig_nodemask m;
	const char *s = str, *end = str + strlen(str), *comma;
	int lo, hi, n;

	while (end > s && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	pagemig_nodemask_zero(&m);
	while (s < end) {
		comma = memchr(s, ',', (size_t)(end - s));
		if (!comma)
			comma = end;
		n = scan_range(s, comma, &lo, &hi);
		if (n < 0 || s + n != comma || (comma != end && comma + 1 == end))
			return -EINVAL;
		while (lo <= hi)
			pagemig_nodemask_set(&m, lo++);
		s = comma + 1;
	}
	*out = m;
	return 0;
}

/* The state of one pagemig_nodemask_parse() call. */
struct parse {
	const char *str;			/* the whole string, for messages */
	char *err;
	size_t errlen;
	bool has_ctx;
	bool invert;				/* leading '!' */
	bool relative;				/* leading '+' */
	bool need_memory;
	const struct pagemig_nodemask *online;	/* NULL: not checked */
	const struct pagemig_nodemask *allowed;	/* NULL: not checked */
	const struct pagemig_nodemask *memory;	/* NULL: not checked */
	struct pagemig_nodemask base;		/* allowed & online: the base of '+' */
	struct pagemig_nodemask pool;		/* base, with memory when needed: "all" and '!' */
};

/* Write a one-line reason (control characters of user input become '?') and return @ret. */
#define fail(p, ret, ...) errbuf_fail((p)->err, (p)->errlen, ret, __VA_ARGS__)

/* @m as a list for messages: "0-3", "none". */
static const char *list(const struct pagemig_nodemask *m, char *buf, size_t len)
{
	if (pagemig_nodemask_is_empty(m))
		snprintf(buf, len, "none");
	else
		pagemig_nodemask_format(m, buf, len);
	return buf;
}

static void parse_init(struct parse *p, const char *str, const struct pagemig_nodectx *ctx, char *err,
		       size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->str = str;
	p->err = err;
	p->errlen = errlen;
	p->has_ctx = ctx != NULL;
	p->online = OPTS_GET(ctx, online, NULL);
	p->allowed = OPTS_GET(ctx, allowed, NULL);
	p->memory = OPTS_GET(ctx, memory, NULL);
	p->need_memory = OPTS_GET(ctx, need_memory, false);
	memset(p->base.bits, 0xff, sizeof(p->base.bits));
	if (p->allowed)
		pagemig_nodemask_and(&p->base, &p->base, p->allowed);
	if (p->online)
		pagemig_nodemask_and(&p->base, &p->base, p->online);
	p->pool = p->base;
	if (p->need_memory && p->memory)
		pagemig_nodemask_and(&p->pool, &p->pool, p->memory);
}

/* Check one named node; nodes named after '!' are only excluded, so they need no memory. */
static int check_node(struct parse *p, int node)
{
	char buf[128];

	if (p->online && !pagemig_nodemask_is_set(p->online, node))
		return fail(p, -ENODEV, "node %d does not exist (online: %s)", node,
			    list(p->online, buf, sizeof(buf)));
	if (p->allowed && !pagemig_nodemask_is_set(p->allowed, node))
		return fail(p, -ENODEV, "node %d is not allowed (allowed: %s)", node,
			    list(p->allowed, buf, sizeof(buf)));
	if (p->need_memory && !p->invert && p->memory && !pagemig_nodemask_is_set(p->memory, node))
		return fail(p, -ENXIO, "node %d has no memory", node);
	return 0;
}

/* Add node @n (an index into the allowed nodes after '+') to @m. */
static int add_node(struct parse *p, int n, struct pagemig_nodemask *m)
{
	char buf[128];
	int node = n, ret;

	if (p->relative) {
		node = pagemig_nodemask_nth(&p->base, n);
		if (node < 0)
			return fail(p, -ENODEV, "node +%d does not exist (allowed: %s)", n,
				    list(&p->base, buf, sizeof(buf)));
	}
	ret = check_node(p, node);
	if (ret)
		return ret;
	pagemig_nodemask_set(m, node);
	return 0;
}

/* One comma-separated entry: "all", "N" or "N-M". */
static int parse_token(struct parse *p, const char *tok, size_t len, struct pagemig_nodemask *m)
{
	int lo, hi, n, ret;

	if (!len)
		return fail(p, -EINVAL, "empty entry in node list '%s'", p->str);
	if (len == 3 && !memcmp(tok, "all", 3)) {
		if (!p->has_ctx)
			return fail(p, -EINVAL, "'all' needs a node context");
		pagemig_nodemask_or(m, m, &p->pool);
		return 0;
	}
	n = scan_range(tok, tok + len, &lo, &hi);
	if (n == -EDOM)
		return fail(p, -EINVAL, "invalid node '%.*s'", (int)len, tok);
	if (n == -ERANGE)
		return fail(p, -EINVAL, "node number too large in '%.*s' (max %d)", (int)len, tok,
			    PAGEMIG_MAX_NODES - 1);
	if (n < 0)
		return fail(p, -EINVAL, "invalid node range '%.*s'", (int)len, tok);
	if ((size_t)n < len)
		return fail(p, -EINVAL, "trailing characters after '%.*s' in '%.*s'", n, tok, (int)len, tok);
	for (; lo <= hi; lo++) {
		ret = add_node(p, lo, m);
		if (ret)
			return ret;
	}
	return 0;
}

PAGEMIG_API int pagemig_nodemask_parse(const char *str, const struct pagemig_nodectx *ctx,
				       struct pagemig_nodemask *out, char *err, size_t errlen)
{
	struct pagemig_nodemask m;
	struct parse p;
	const char *s = str, *comma;
	char buf[128];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	parse_init(&p, str ? str : "", ctx, err, errlen);
	if (!OPTS_VALID(ctx, pagemig_nodectx))
		return fail(&p, -EINVAL, "struct pagemig_nodectx: sz %zu, or fields this library does not know",
			    ctx->sz);
	if (!str || !*str)
		return fail(&p, -EINVAL, "empty node list");
	p.invert = *s == '!';
	s += p.invert;
	p.relative = *s == '+';
	s += p.relative;
	if (!*s)
		return fail(&p, -EINVAL, "empty node list after '%.*s'", (int)(s - str), str);
	if ((p.invert || p.relative) && !p.has_ctx)
		return fail(&p, -EINVAL, "'%c' needs a node context", *str);
	pagemig_nodemask_zero(&m);
	for (;;) {
		comma = strchr(s, ',');
		ret = parse_token(&p, s, comma ? (size_t)(comma - s) : strlen(s), &m);
		if (ret)
			return ret;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (p.invert)
		pagemig_nodemask_andnot(&m, &p.pool, &m);
	if (pagemig_nodemask_is_empty(&m))
		return fail(&p, -EINVAL, "'%s' leaves no node (allowed%s: %s)", str,
			    pagemig_nodemask_is_equal(&p.pool, &p.base) ? "" : " with memory",
			    list(&p.pool, buf, sizeof(buf)));
	*out = m;
	return 0;
}
