// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * demo.c - a process with io_uring fixed buffers on node 0 moves itself to another node.
 *
 *   pinned-pool NODE [FILE]
 *   pinned-pool serve NODE MIB [FILE]	(serve.c: moved from outside, through its agent)
 *
 * Creates a pool of 64 x 64 KiB fixed buffers bound to node 0, writes FILE (default
 * /tmp/pinned-pool-demo.dat) through them and reads it back, then moves its whole self from node 0
 * to NODE with pagemig (the pool's handler unregisters the buffers around the move), and does the
 * same I/O again.  Exit status: 0 when every pool page reached NODE and every check passed.
 * Pages of other regions that could not move (the ring's own pages: kernel memory) are listed,
 * and make pagemig_move() return PAGEMIG_PARTIAL, but do not fail the demo.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <pagemig.h>

#include "pinned_pool.h"

#define MAX_PAGES 65536

int serve_main(int argc, char **argv);	/* serve.c */

/* A pattern that differs per byte, per buffer and per round. */
static void fill(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

/* Every buffer, one I/O each, as many in flight as the ring takes. */
static int io_all(struct pinned_pool *pp, enum pinned_pool_op op, int fd)
{
	unsigned int i = 0, done = 0, nr = pinned_pool_nr_bufs(pp), k;
	size_t bsz = pinned_pool_buf_size(pp);
	struct pinned_pool_cqe cqe[16];
	int n, err = 0;

	while (done < nr) {
		while (i < nr && !(err = pinned_pool_submit(pp, op, i, fd, (uint64_t)i * bsz, bsz, i)))
			i++;
		if (i < nr && err != -EBUSY)
			return err;
		n = pinned_pool_reap(pp, cqe, 16, 1);
		if (n < 0)
			return n;
		for (k = 0; k < (unsigned int)n; k++)
			if (cqe[k].res != (int)bsz)
				return cqe[k].res < 0 ? cqe[k].res : -EIO;
		done += (unsigned int)n;
	}
	return 0;
}

/* Write round @seed's pattern through the buffers, clear them, read it back, compare. */
static int round_trip(struct pinned_pool *pp, int fd, uint64_t seed)
{
	unsigned int i, nr = pinned_pool_nr_bufs(pp), bad = 0;
	size_t bsz = pinned_pool_buf_size(pp);
	unsigned char *want = malloc(bsz);
	int err;

	if (!want)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		fill(pinned_pool_buf(pp, i), bsz, seed * 1000 + i);
	err = io_all(pp, PINNED_POOL_WRITE, fd);
	if (!err) {
		memset(pinned_pool_base(pp), 0, pinned_pool_len(pp));
		err = io_all(pp, PINNED_POOL_READ, fd);
	}
	for (i = 0; !err && i < nr; i++) {
		fill(want, bsz, seed * 1000 + i);
		bad += memcmp(want, pinned_pool_buf(pp, i), bsz) != 0;
	}
	free(want);
	if (err)
		return err;
	printf("  %u buffers written with WRITE_FIXED and read back with READ_FIXED: %s\n", nr,
	       bad ? "MISMATCH" : "contents match");
	return bad ? -EIO : 0;
}

/* Where the pool's pages are, as the kernel says (move_pages(2) with nodes = NULL). */
static int placement(struct pinned_pool *pp, const char *when, int want_node)
{
	static void *pages[MAX_PAGES];
	static int status[MAX_PAGES];
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), n = pinned_pool_len(pp) / ps, i, on = 0;
	int node;

	if (n > MAX_PAGES)
		n = MAX_PAGES;
	for (i = 0; i < n; i++)
		pages[i] = (char *)pinned_pool_base(pp) + i * ps;
	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
		return -errno;
	printf("  pool pages %s:", when);
	for (node = -1; node < 64; node++) {
		size_t c = 0;

		for (i = 0; i < n; i++)
			c += node < 0 ? status[i] < 0 : status[i] == node;
		if (c)
			printf(node < 0 ? " %zu not placed" : " %zu on node %d", c, node);
		if (node == want_node)
			on = c;
	}
	printf("\n");
	return on == n ? 0 : 1;
}

static void print_stats(const struct pagemig_stats *st)
{
	int s;

	printf("  pagemig:");
	for (s = 0; s < PAGEMIG_STAT_MAX; s++) {
		const char *name = pagemig_stat_name((enum pagemig_stat)s);

		if (st->bytes[s])
			printf(" %s %" PRIu64 " KiB", name ? name : "?", st->bytes[s] >> 10);
	}
	printf(" (%" PRIu64 " regions, %" PRIu64 " syscalls)\n", st->regions, st->syscalls);
}

/* Regions that left pages behind, with why (pagemig's region_done callback). */
static void region_done(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	static const enum pagemig_stat behind[] = {
		PAGEMIG_STAT_BUSY, PAGEMIG_STAT_NOMEM, PAGEMIG_STAT_HIDDEN, PAGEMIG_STAT_REFUSED, PAGEMIG_STAT_FAILED,
	};
	size_t i;

	for (i = 0; i < sizeof(behind) / sizeof(behind[0]); i++)
		if (st->bytes[behind[i]])
			printf("    left behind in %" PRIx64 "-%" PRIx64 " %s (%s): %s %" PRIu64 " KiB\n", r->start, r->end,
			       r->path && *r->path ? r->path : "anon", pagemig_kind_name(r->kind),
			       pagemig_stat_name(behind[i]), st->bytes[behind[i]] >> 10);
}

/* pagemig_open(0) + the pool's handler + the built-ins, then move node 0 -> @to. */
static int move_self(struct pinned_pool *pp, int to)
{
	struct pagemig_handler_error he = { 0 };
	PAGEMIG_OPTS(pagemig_move_opts, mo, .handler_error = &he, .region_done = region_done);
	struct pagemig_builtin_opts bo = { .sz = sizeof(bo) };
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_nodemask from = { 0 }, dst = { 0 };
	struct pinned_pool_stats ps = { .sz = sizeof(ps) };
	struct pagemig_plan plan;
	struct pagemig *pm;
	int err;

	err = pagemig_open(0, NULL, &pm);
	if (err)
		return err;
	pagemig_nodemask_set(&from, 0);
	pagemig_nodemask_set(&dst, to);
	err = pinned_pool_attach(pp, pm);
	if (err > 0)
		err = pagemig_builtins_register(pm, &bo);
	if (!err)
		err = pagemig_plan(&from, &dst, &plan);
	if (!err)
		err = pagemig_move(pm, &plan, &mo, &st);
	pagemig_close(pm);
	if (err < 0 && he.err)
		fprintf(stderr, "pinned-pool: handler '%s' stopped the move: %s%s%s\n", he.handler, strerror(-he.err),
			*he.detail ? ": " : "", he.detail);
	printf("  pagemig_move(0 -> %d) = %d%s\n", to, err, err == PAGEMIG_PARTIAL ? " (PAGEMIG_PARTIAL)" : "");
	print_stats(&st);
	pinned_pool_stats(pp, &ps);
	printf("  pool handler: migrate x%u, finish x%u (last with %d), %u I/Os drained, buffers %s\n",
	       ps.migrate_calls, ps.finish_calls, ps.last_finish_err, ps.drained,
	       ps.registered ? "registered again" : "NOT registered");
	if (!ps.registered)
		fprintf(stderr, "pinned-pool: buffers not registered again: %s\n", strerror(-ps.reg_err));
	return err;
}

int main(int argc, char **argv)
{
	struct pinned_pool_opts po = { .sz = sizeof(po), .nr_bufs = 64, .buf_size = 64 << 10, .node = 0 };
	const char *path = argc > 2 ? argv[2] : "/tmp/pinned-pool-demo.dat";
	struct pinned_pool *pp;
	int to, fd, err, fails = 0;
	char *end;

	if (argc > 1 && !strcmp(argv[1], "serve"))
		return serve_main(argc - 1, argv + 1);
	if (argc < 2 || argc > 3 || !strcmp(argv[1], "--help")) {
		printf("usage: pinned-pool NODE [FILE]\n       pinned-pool serve NODE MIB [FILE]\n");
		return argc == 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	to = (int)strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || to < 0 || to >= PAGEMIG_MAX_NODES) {
		fprintf(stderr, "pinned-pool: bad node '%s'\n", argv[1]);
		return 2;
	}
	err = pinned_pool_create(&po, &pp);
	if (err) {
		fprintf(stderr, "pinned-pool: cannot create the pool on node 0: %s\n", strerror(-err));
		return 1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "pinned-pool: cannot open '%s': %s\n", path, strerror(errno));
		return 1;
	}
	printf("pool: %u x %zu KiB fixed buffers at %p, bound to node 0; file %s\n", pinned_pool_nr_bufs(pp),
	       pinned_pool_buf_size(pp) >> 10, pinned_pool_base(pp), path);
	fails += round_trip(pp, fd, 1) != 0;
	fails += placement(pp, "before the move", 0) != 0;
	printf("moving this process from node 0 to node %d\n", to);
	err = move_self(pp, to);
	if (err == PAGEMIG_PARTIAL)
		printf("  some pages stayed (listed above); the pool's must all be on node %d:\n", to);
	fails += err < 0;
	fails += placement(pp, "after the move", to) != 0;
	printf("I/O after the move:\n");
	err = round_trip(pp, fd, 2);
	if (err)
		fprintf(stderr, "pinned-pool: fixed-buffer I/O after the move failed: %s\n", strerror(-err));
	fails += err != 0;
	close(fd);
	unlink(path);
	pinned_pool_free(pp);
	printf("%s\n", fails ? "demo: some checks failed" : "demo: ok");
	return fails ? 1 : 0;
}
