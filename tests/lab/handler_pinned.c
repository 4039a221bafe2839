// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * handler_pinned.c - io_uring fixed buffers (long-term pinned pages) and the pinned-pool region
 * handler of examples/pinned-pool, moved 0 -> 2 with pagemig_move() inside this process.
 *
 * A pool of 64 x 64 KiB buffers on node 0 is filled through real WRITE_FIXED/READ_FIXED I/O on a
 * tmpfs file.  Then:
 *  (a) without the handler, the pool's pages stay on node 0, pagemig says "refused", never "moved",
 *      and pagemig_move() returns PAGEMIG_PARTIAL;
 *  (c) with the handler attached and a failing class handler on a region above the pool, the move
 *      fails with -EIO before any page of any region moves; the pool's finish() gets -EIO and
 *      registers the buffers again;
 *  (d) with a READ_FIXED from an empty pipe in flight, the handler gives up after its quiesce
 *      timeout (-EBUSY) and nothing moves; the read still lands in the buffer later;
 *  (b) with the handler and I/O in flight, the move returns 0, every pool page is on node 2, the
 *      hooks ran once each, and fixed-buffer I/O after the move reads and writes the right data;
 *  (e) a re-registration that fails (RLIMIT_MEMLOCK) is kept and reported by the pool's API, and
 *      pinned_pool_register() recovers once the limit allows it.
 * Placement comes from move_pages(nodes = NULL); "the buffers are registered" from the kernel too:
 * pinned pages refuse to move (status entries left unwritten), and fixed-buffer I/O works.
 */
#include <linux/capability.h>
#include <sys/resource.h>

#include "labtest.h"

#include "../../examples/pinned-pool/pinned_pool.c"

#define NBUF 64
#define BSZ (64UL << 10)
#define LEN (NBUF * BSZ)
#define MIB (1UL << 20)
#define DATA_PATH "/tmp/handler_pinned.dat"
#define SENT (-4242)

static size_t pagesz;

/* ------------------------------------------------------------------------------------------ */
/* Probes and checks on the kernel's side                                                      */
/* ------------------------------------------------------------------------------------------ */

static void require_io_uring(void)
{
	struct io_uring ring;
	int err = io_uring_queue_init(1, &ring, 0);

	if (err == -ENOSYS || err == -EPERM)
		SKIP("io_uring unavailable: io_uring_queue_init: %s", strerror(-err));
	if (err)
		FAIL("io_uring_queue_init: %s", strerror(-err));
	io_uring_queue_exit(&ring);
}

static void expect_on(void *addr, size_t len, int node, const char *what)
{
	lab_expect_on(0, addr, len, pagesz, node, what);
}

/*
 * The kernel's word on "registered": move_pages(2) of pinned pages returns their count and leaves
 * their status entries unwritten (measured on 6.1 and 6.12, README.md).  Three pages are asked to
 * go to @node; they must stay where they are.
 */
static void expect_pinned(struct pinned_pool *pp, int node, int now, const char *what)
{
	char *b = pinned_pool_base(pp);
	size_t len = pinned_pool_len(pp);
	void *pages[3] = { b, b + len / 2, b + len - pagesz };
	int nodes[3] = { node, node, node }, st[3] = { SENT, SENT, SENT };
	long ret = syscall(SYS_move_pages, 0, 3, pages, nodes, st, MPOL_MF_MOVE);

	if (ret != 3 || st[0] != SENT || st[1] != SENT || st[2] != SENT)
		FAIL("%s: pool pages not pinned: move_pages returned %ld (errno %d), status %d %d %d", what, ret,
		     ret < 0 ? errno : 0, st[0], st[1], st[2]);
	for (int i = 0; i < 3; i++)
		if (lab_node_of(pages[i]) != now)
			FAIL("%s: pinned page %d moved to node %d", what, i, lab_node_of(pages[i]));
}

/* ------------------------------------------------------------------------------------------ */
/* Fixed-buffer I/O                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Every buffer @i <-> file offset @i * BSZ, as many in flight as the ring takes. */
static void io_all(struct pinned_pool *pp, enum pinned_pool_op op, int fd, const char *what)
{
	struct pinned_pool_cqe cqe[16];
	unsigned int i = 0, done = 0;
	int n, err = 0;

	while (done < NBUF) {
		while (i < NBUF && !(err = pinned_pool_submit(pp, op, i, fd, i * BSZ, BSZ, i)))
			i++;
		if (i < NBUF && err != -EBUSY)
			FAIL("%s: pinned_pool_submit(%u): %s", what, i, strerror(-err));
		n = pinned_pool_reap(pp, cqe, 16, 1);
		if (n <= 0)
			FAIL("%s: pinned_pool_reap: %d", what, n);
		for (int k = 0; k < n; k++)
			if (cqe[k].res != (int)BSZ)
				FAIL("%s: %s of buffer %" PRIu64 ": %d", what, op == PINNED_POOL_READ ? "READ_FIXED" :
				     "WRITE_FIXED", cqe[k].tag, cqe[k].res);
		done += (unsigned int)n;
	}
}

static void expect_bufs(struct pinned_pool *pp, uint64_t seed, const char *what)
{
	static char want[BSZ];

	for (unsigned int i = 0; i < NBUF; i++) {
		lab_fill(want, BSZ, seed * 1000 + i);
		if (lab_checksum(want, BSZ) != lab_checksum(pinned_pool_buf(pp, i), BSZ))
			FAIL("%s: buffer %u does not hold pattern %" PRIu64, what, i, seed);
	}
}

static void expect_file(int fd, uint64_t seed, const char *what)
{
	static char want[BSZ], got[BSZ];

	for (unsigned int i = 0; i < NBUF; i++) {
		lab_fill(want, BSZ, seed * 1000 + i);
		if (pread(fd, got, BSZ, (off_t)(i * BSZ)) != (ssize_t)BSZ || memcmp(want, got, BSZ))
			FAIL("%s: the file at buffer %u's offset does not hold pattern %" PRIu64, what, i, seed);
	}
}

/* Pattern @seed through WRITE_FIXED into the file, buffers cleared, READ_FIXED back, all checked. */
static void round_trip(struct pinned_pool *pp, int fd, uint64_t seed, const char *what)
{
	for (unsigned int i = 0; i < NBUF; i++)
		lab_fill(pinned_pool_buf(pp, i), BSZ, seed * 1000 + i);
	io_all(pp, PINNED_POOL_WRITE, fd, what);
	expect_file(fd, seed, what);
	memset(pinned_pool_base(pp), 0, LEN);
	io_all(pp, PINNED_POOL_READ, fd, what);
	expect_bufs(pp, seed, what);
	lab_log("%s: %d buffers written with WRITE_FIXED and read back with READ_FIXED, contents match", what, NBUF);
}

/* ------------------------------------------------------------------------------------------ */
/* pagemig                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void log_stats(const char *what, int ret, const struct pagemig_stats *st)
{
	char line[1024];
	int len = snprintf(line, sizeof(line), "%s: pagemig_move = %d;", what, ret);

	for (int s = 0; s < PAGEMIG_STAT_MAX; s++) {
		const char *name = pagemig_stat_name((enum pagemig_stat)s);

		if (st->bytes[s])
			len += snprintf(line + len, sizeof(line) - (size_t)len, " %s %" PRIu64 " KiB",
					name ? name : "(null)", st->bytes[s] >> 10);
	}
	lab_log("%s", line);
}

static struct pinned_pool_stats pool_stats(struct pinned_pool *pp)
{
	struct pinned_pool_stats s = { .sz = sizeof(s) };

	if (pinned_pool_stats(pp, &s))
		FAIL("pinned_pool_stats");
	return s;
}

/* pagemig_move() of [@addr, @addr + @len) only (no range: the whole process). */
static int move(struct pagemig *pm, const struct pagemig_plan *plan, void *addr, size_t len,
		struct pagemig_handler_error *he, struct pagemig_stats *st)
{
	PAGEMIG_OPTS(pagemig_move_opts, mo, .handler_error = he);
	struct pagemig_filter *f = NULL;
	char range[64], err[128];
	int ret;

	if (addr) {
		snprintf(range, sizeof(range), "%lx-%lx", (unsigned long)addr, (unsigned long)addr + len);
		ret = pagemig_filter_parse(range, &f, err, sizeof(err));
		if (ret)
			FAIL("pagemig_filter_parse(%s): %s", range, err);
		mo.filter = f;
	}
	*st = (struct pagemig_stats){ .sz = sizeof(*st) };
	ret = pagemig_move(pm, plan, &mo, st);
	pagemig_filter_free(f);
	return ret;
}

/* ------------------------------------------------------------------------------------------ */
/* (a) no handler                                                                              */
/* ------------------------------------------------------------------------------------------ */

static void test_unhandled(struct pagemig *pm, const struct pagemig_plan *plan, struct pinned_pool *pp)
{
	struct pagemig_stats st;
	int ret;

	/* The kernel first, as is: the fact the handler exists for. */
	expect_pinned(pp, 2, 0, "(a) raw move_pages");
	ret = move(pm, plan, pinned_pool_base(pp), LEN, NULL, &st);
	log_stats("(a) no handler", ret, &st);
	if (ret != PAGEMIG_PARTIAL)
		FAIL("(a) pagemig_move returned %d, expected PAGEMIG_PARTIAL (%d)", ret, PAGEMIG_PARTIAL);
	if (st.bytes[PAGEMIG_STAT_MOVED] || st.bytes[PAGEMIG_STAT_FALLBACK])
		FAIL("(a) %" PRIu64 " KiB of pinned pages reported moved", st.bytes[PAGEMIG_STAT_MOVED] >> 10);
	if (st.bytes[PAGEMIG_STAT_PLANNED] != LEN || st.bytes[PAGEMIG_STAT_REFUSED] != LEN)
		FAIL("(a) planned %" PRIu64 " KiB, refused %" PRIu64 " KiB; expected %lu KiB each",
		     st.bytes[PAGEMIG_STAT_PLANNED] >> 10, st.bytes[PAGEMIG_STAT_REFUSED] >> 10, LEN >> 10);
	expect_on(pinned_pool_base(pp), LEN, 0, "(a) pool after a move without handler");
	expect_bufs(pp, 1, "(a) contents");
	lab_log("(a) ok: %lu KiB pinned on node 0, reported refused", LEN >> 10);
}

/* ------------------------------------------------------------------------------------------ */
/* (c) another handler fails after the pool's migrate ran                                      */
/* ------------------------------------------------------------------------------------------ */

struct failing {
	uint64_t start;
	struct pinned_pool *pool;
	unsigned int migrate_calls;
	unsigned int finish_calls;
	int finish_err;
	bool pool_unregistered;	/* when its migrate ran, the pool's had already unregistered */
};

static bool fail_match(const struct pagemig_region *r, void *ctx)
{
	return r->start == ((struct failing *)ctx)->start;
}

static int fail_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
			const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct failing *f = ctx;
	struct pinned_pool_stats s = pool_stats(f->pool);

	f->migrate_calls++;
	f->pool_unregistered = !s.registered && s.unregistrations > 0;
	pagemig_handler_explain(pm, "the test's failing handler");
	return -EIO;
}

static void fail_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct failing *f = ctx;

	f->finish_calls++;
	f->finish_err = err;
}

static const struct pagemig_region_ops fail_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "failing",
	.match = fail_match,
	.migrate = fail_migrate,
	.finish = fail_finish,
};

/* 1 MiB of anonymous memory on node 0, above @above (a gap between: no vma merge). */
static char *map_above(char *above)
{
	for (int k = 1; k < 4096; k++) {
		char *want = above + (size_t)k * 2 * MIB, *p;

		p = mmap(want, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == want) {
			if (lab_mbind(p, MIB, MPOL_BIND, 1ULL << 0, 0))
				FAIL("mbind");
			lab_fill(p, MIB, 77);
			return p;
		}
		if (p != MAP_FAILED)
			munmap(p, MIB);
	}
	FAIL("no free address above the pool");
}

static void test_error(struct pagemig *pm, const struct pagemig_plan *plan, struct pinned_pool *pp, int fd)
{
	struct pagemig_handler_error he = { 0 };
	struct pinned_pool_stats s0 = pool_stats(pp), s;
	char *other = map_above((char *)pinned_pool_base(pp) + LEN), *plain;
	struct failing f = { .start = (uintptr_t)other, .pool = pp };
	uint64_t sum_other = lab_checksum(other, MIB), sum_plain;
	struct pagemig_stats st;
	int id, ret;

	/* MPOL_PREFERRED: a policy unlike the pool's, so that the two never merge into one vma. */
	plain = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (plain == MAP_FAILED || lab_mbind(plain, MIB, MPOL_PREFERRED, 1ULL << 0, 0))
		FAIL("map the plain region");
	lab_fill(plain, MIB, 78);
	sum_plain = lab_checksum(plain, MIB);
	expect_on(plain, MIB, 0, "(c) plain region before");
	expect_on(other, MIB, 0, "(c) failing handler's region before");
	id = pagemig_handler_register(pm, &fail_ops, &f);
	if (id <= 0)
		FAIL("pagemig_handler_register: %d", id);
	ret = move(pm, plan, NULL, 0, &he, &st);	/* the whole process */
	log_stats("(c) failing handler", ret, &st);
	if (ret != -EIO)
		FAIL("(c) pagemig_move returned %d, expected -EIO (%d)", ret, -EIO);
	if (he.err != -EIO || strcmp(he.handler, "failing") || he.start != f.start)
		FAIL("(c) handler_error: err %d, handler '%s', start %#" PRIx64, he.err, he.handler, he.start);
	if (st.bytes[PAGEMIG_STAT_MOVED])
		FAIL("(c) %" PRIu64 " KiB reported moved by a failed move", st.bytes[PAGEMIG_STAT_MOVED] >> 10);
	expect_on(pinned_pool_base(pp), LEN, 0, "(c) pool after the failed move");
	expect_on(other, MIB, 0, "(c) failing handler's region after the failed move");
	expect_on(plain, MIB, 0, "(c) plain region after the failed move");
	if (lab_checksum(other, MIB) != sum_other || lab_checksum(plain, MIB) != sum_plain)
		FAIL("(c) contents changed");
	if (f.migrate_calls != 1 || f.finish_calls != 1 || f.finish_err != -EIO)
		FAIL("(c) failing handler: migrate x%u, finish x%u with %d", f.migrate_calls, f.finish_calls,
		     f.finish_err);
	if (!f.pool_unregistered)
		FAIL("(c) the pool's migrate had not unregistered the buffers before the failing handler ran");
	s = pool_stats(pp);
	if (s.migrate_calls != s0.migrate_calls + 1 || s.finish_calls != s0.finish_calls + 1 ||
	    s.last_finish_err != -EIO)
		FAIL("(c) pool handler: migrate x%u, finish x%u, last finish with %d", s.migrate_calls - s0.migrate_calls,
		     s.finish_calls - s0.finish_calls, s.last_finish_err);
	if (!s.registered || s.registrations != s0.registrations + 1 || pinned_pool_status(pp))
		FAIL("(c) buffers not registered again: registered %d, registrations +%u, reg_err %d, status %d",
		     s.registered, s.registrations - s0.registrations, s.reg_err, pinned_pool_status(pp));
	expect_pinned(pp, 2, 0, "(c) after finish(-EIO)");
	round_trip(pp, fd, 3, "(c) I/O after the failed move");
	if (pagemig_handler_unregister(pm, id))
		FAIL("pagemig_handler_unregister");
	munmap(other, MIB);
	munmap(plain, MIB);
	lab_log("(c) ok: -EIO from 'failing', nothing moved, pool finish(-EIO) registered the buffers again");
}

/* ------------------------------------------------------------------------------------------ */
/* (d) I/O that does not finish: the handler gives up                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_busy(struct pagemig *pm, const struct pagemig_plan *plan, struct pinned_pool *pp, int fd)
{
	struct pagemig_handler_error he = { 0 };
	struct pinned_pool_stats s0 = pool_stats(pp), s;
	struct pinned_pool_cqe cqe;
	static char msg[4096];
	struct pagemig_stats st;
	int pfd[2], ret, err;

	if (pipe(pfd))
		FAIL("pipe: %s", strerror(errno));
	err = pinned_pool_submit(pp, PINNED_POOL_READ, 5, pfd[0], 0, sizeof(msg), 555);
	if (err)
		FAIL("(d) READ_FIXED from a pipe: %s", strerror(-err));
	ret = move(pm, plan, pinned_pool_base(pp), LEN, &he, &st);
	log_stats("(d) read in flight", ret, &st);
	lab_log("(d) handler_error: %d '%s' %s", he.err, he.handler, he.detail);
	if (ret != -EBUSY || he.err != -EBUSY || strcmp(he.handler, "pinned-pool"))
		FAIL("(d) pagemig_move returned %d (handler '%s' %d), expected -EBUSY from pinned-pool", ret, he.handler,
		     he.err);
	expect_on(pinned_pool_base(pp), LEN, 0, "(d) pool after the refused move");
	s = pool_stats(pp);
	if (s.migrate_calls != s0.migrate_calls + 1 || s.finish_calls != s0.finish_calls + 1 ||
	    s.last_finish_err != -EBUSY || s.unregistrations != s0.unregistrations || !s.registered)
		FAIL("(d) pool handler: migrate +%u, finish +%u with %d, unregistrations +%u, registered %d",
		     s.migrate_calls - s0.migrate_calls, s.finish_calls - s0.finish_calls, s.last_finish_err,
		     s.unregistrations - s0.unregistrations, s.registered);
	expect_pinned(pp, 2, 0, "(d) after the refused move");
	lab_fill(msg, sizeof(msg), 99);
	if (write(pfd[1], msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		FAIL("write to the pipe: %s", strerror(errno));
	ret = pinned_pool_reap(pp, &cqe, 1, 1);
	if (ret != 1 || cqe.tag != 555 || cqe.res != (int)sizeof(msg))
		FAIL("(d) reap: %d, tag %" PRIu64 ", res %d", ret, cqe.tag, cqe.res);
	if (memcmp(pinned_pool_buf(pp, 5), msg, sizeof(msg)))
		FAIL("(d) the pipe's data is not in buffer 5");
	close(pfd[0]);
	close(pfd[1]);
	round_trip(pp, fd, 4, "(d) I/O after the refused move");
	lab_log("(d) ok: -EBUSY after the quiesce timeout, nothing moved, the read completed into buffer 5");
}

/* ------------------------------------------------------------------------------------------ */
/* (b) with the handler                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void test_handled(struct pagemig *pm, const struct pagemig_plan *plan, struct pinned_pool *pp, int fd)
{
	struct pinned_pool_stats s0 = pool_stats(pp), s;
	struct pinned_pool_cqe cqe[8];
	struct pagemig_stats st;
	int ret, err;

	/* Eight writes of what the buffers hold, not reaped: in flight when the move begins. */
	for (unsigned int i = 0; i < 8; i++) {
		err = pinned_pool_submit(pp, PINNED_POOL_WRITE, i, fd, i * BSZ, BSZ, 100 + i);
		if (err)
			FAIL("(b) WRITE_FIXED of buffer %u: %s", i, strerror(-err));
	}
	ret = move(pm, plan, pinned_pool_base(pp), LEN, NULL, &st);
	log_stats("(b) with handler", ret, &st);
	if (ret != 0)
		FAIL("(b) pagemig_move returned %d, expected 0", ret);
	expect_on(pinned_pool_base(pp), LEN, 2, "(b) pool after the move");
	if (st.bytes[PAGEMIG_STAT_MOVED] != LEN)
		FAIL("(b) %" PRIu64 " KiB reported moved, %lu KiB are on node 2", st.bytes[PAGEMIG_STAT_MOVED] >> 10,
		     LEN >> 10);
	s = pool_stats(pp);
	lab_log("(b) pool handler: migrate +%u, finish +%u (last with %d), drained +%u, unregistered +%u, "
		"registered +%u", s.migrate_calls - s0.migrate_calls, s.finish_calls - s0.finish_calls,
		s.last_finish_err, s.drained - s0.drained, s.unregistrations - s0.unregistrations,
		s.registrations - s0.registrations);
	if (s.migrate_calls != s0.migrate_calls + 1 || s.finish_calls != s0.finish_calls + 1 || s.last_finish_err)
		FAIL("(b) hooks: migrate +%u, finish +%u, last finish with %d", s.migrate_calls - s0.migrate_calls,
		     s.finish_calls - s0.finish_calls, s.last_finish_err);
	if (s.drained != s0.drained + 8)
		FAIL("(b) the migrate hook waited for %u I/Os, 8 were in flight", s.drained - s0.drained);
	if (!s.registered || s.unregistrations != s0.unregistrations + 1 || s.registrations != s0.registrations + 1 ||
	    pinned_pool_status(pp))
		FAIL("(b) buffers not registered again: registered %d, registrations +%u, reg_err %d, status %d",
		     s.registered, s.registrations - s0.registrations, s.reg_err, pinned_pool_status(pp));
	ret = pinned_pool_reap(pp, cqe, 8, 8);
	if (ret != 8)
		FAIL("(b) %d of the 8 writes in flight were reaped after the move", ret);
	/* io_uring completes them in any order: each tag once, each write whole */
	for (unsigned int k = 0, seen = 0; k < 8; k++) {
		uint64_t t = cqe[k].tag - 100;

		if (t >= 8 || (seen & (1U << t)) || cqe[k].res != (int)BSZ)
			FAIL("(b) completion %u: tag %" PRIu64 ", res %d (tags 100-107 once each, res %lu)", k,
			     cqe[k].tag, cqe[k].res, BSZ);
		seen |= 1U << t;
	}
	expect_bufs(pp, 4, "(b) contents after the move");
	expect_file(fd, 4, "(b) the writes in flight");
	expect_pinned(pp, 3, 2, "(b) after the move");
	round_trip(pp, fd, 5, "(b) I/O after the move");
	lab_log("(b) ok: %lu KiB on node 2, buffers registered on the new pages", LEN >> 10);
}

/* ------------------------------------------------------------------------------------------ */
/* (e) registration fails in finish()                                                          */
/* ------------------------------------------------------------------------------------------ */

static void set_cap(int cap, bool on)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		FAIL("capget: %s", strerror(errno));
	if (on)
		d[0].effective |= 1U << cap;
	else
		d[0].effective &= ~(1U << cap);
	if (syscall(SYS_capset, &h, d))
		FAIL("capset: %s", strerror(errno));
}

static void set_memlock(rlim_t cur)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		FAIL("getrlimit: %s", strerror(errno));
	rl.rlim_cur = cur;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < cur)
		rl.rlim_max = cur;
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		FAIL("setrlimit(RLIMIT_MEMLOCK): %s", strerror(errno));
}

static void test_reregister_fails(const struct pagemig_plan *plan, int fd)
{
	struct pinned_pool_opts o = { .sz = sizeof(o), .nr_bufs = 4, .buf_size = BSZ, .node = 0, .ring_entries = 8 };
	static char buf[BSZ];
	struct pinned_pool_cqe cqe = { 0 };
	struct pinned_pool_stats s;
	struct pinned_pool *pp;
	struct pagemig_stats st;
	struct pagemig *pm;
	struct rlimit old;
	int ret, err;

	/* Without CAP_IPC_LOCK, registered buffers count against RLIMIT_MEMLOCK. */
	if (getrlimit(RLIMIT_MEMLOCK, &old))
		FAIL("getrlimit: %s", strerror(errno));
	set_memlock(RLIM_INFINITY);
	set_cap(CAP_IPC_LOCK, false);
	err = pinned_pool_create(&o, &pp);
	if (err)
		FAIL("(e) pinned_pool_create: %s", strerror(-err));
	err = pagemig_open(0, NULL, &pm);
	if (err || pinned_pool_attach(pp, pm) <= 0)
		FAIL("(e) pagemig_open/pinned_pool_attach");
	set_memlock(pagesz);	/* one page: less than the pool's 64 */
	ret = move(pm, plan, pinned_pool_base(pp), pinned_pool_len(pp), NULL, &st);
	set_memlock(RLIM_INFINITY);
	log_stats("(e) memlock limit of one page", ret, &st);
	if (ret != 0)
		FAIL("(e) pagemig_move returned %d, expected 0", ret);
	expect_on(pinned_pool_base(pp), pinned_pool_len(pp), 2, "(e) pool after the move");
	s = pool_stats(pp);
	lab_log("(e) after the move: registered %d, reg_err %d, pinned_pool_status %d", s.registered, s.reg_err,
		pinned_pool_status(pp));
	if (s.finish_calls != 1 || s.last_finish_err || s.registered || s.reg_err != -ENOMEM)
		FAIL("(e) finish x%u with %d: registered %d, reg_err %d; expected a failed re-registration (-ENOMEM)",
		     s.finish_calls, s.last_finish_err, s.registered, s.reg_err);
	if (pinned_pool_status(pp) != -ENOMEM)
		FAIL("(e) pinned_pool_status = %d, expected -ENOMEM", pinned_pool_status(pp));
	err = pinned_pool_submit(pp, PINNED_POOL_WRITE, 0, fd, 0, BSZ, 1);
	if (err != -ENOMEM)
		FAIL("(e) pinned_pool_submit on unregistered buffers = %d, expected -ENOMEM", err);
	err = pinned_pool_register(pp);
	if (err || pinned_pool_status(pp))
		FAIL("(e) pinned_pool_register after the limit was lifted: %s", strerror(-err));
	expect_pinned(pp, 3, 2, "(e) after pinned_pool_register");
	lab_fill(pinned_pool_buf(pp, 0), BSZ, 6000);
	err = pinned_pool_submit(pp, PINNED_POOL_WRITE, 0, fd, 0, BSZ, 1);
	if (err || pinned_pool_reap(pp, &cqe, 1, 1) != 1 || cqe.res != (int)BSZ)
		FAIL("(e) WRITE_FIXED after pinned_pool_register: %d / %d", err, cqe.res);
	if (pread(fd, buf, BSZ, 0) != (ssize_t)BSZ || memcmp(buf, pinned_pool_buf(pp, 0), BSZ))
		FAIL("(e) the file does not hold what WRITE_FIXED wrote");
	pagemig_close(pm);
	pinned_pool_free(pp);
	set_cap(CAP_IPC_LOCK, true);
	if (setrlimit(RLIMIT_MEMLOCK, &old))
		FAIL("setrlimit: %s", strerror(errno));
	lab_log("(e) ok: the failed re-registration was reported (-ENOMEM) and pinned_pool_register recovered");
}

int main(void)
{
	struct pinned_pool_opts o = { .sz = sizeof(o), .nr_bufs = NBUF, .buf_size = BSZ, .node = 0,
				      .ring_entries = 32, .quiesce_ms = 500 };
	struct pagemig_nodemask from = { 0 }, to = { 0 };
	struct pagemig_plan plan;
	struct pinned_pool *pp;
	struct pagemig *pm;
	int fd, err, id;

	pagesz = lab_page_size();
	lab_require_root();	/* (e) lowers and raises RLIMIT_MEMLOCK, drops and restores CAP_IPC_LOCK */
	lab_require_nodes(4);
	require_io_uring();
	err = pinned_pool_create(&o, &pp);
	if (err)
		FAIL("pinned_pool_create: %s", strerror(-err));
	fd = open(DATA_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, LEN))
		FAIL("create %s: %s", DATA_PATH, strerror(errno));
	round_trip(pp, fd, 1, "setup");
	expect_on(pinned_pool_base(pp), LEN, 0, "setup: pool");
	pagemig_nodemask_set(&from, 0);
	pagemig_nodemask_set(&to, 2);
	if (pagemig_plan(&from, &to, &plan) || (err = pagemig_open(0, NULL, &pm)))
		FAIL("pagemig_plan/pagemig_open: %d", err);

	test_unhandled(pm, &plan, pp);
	round_trip(pp, fd, 2, "(a) I/O after the refused move");
	id = pinned_pool_attach(pp, pm);
	if (id <= 0)
		FAIL("pinned_pool_attach: %s", strerror(-id));
	test_error(pm, &plan, pp, fd);
	test_busy(pm, &plan, pp, fd);
	test_handled(pm, &plan, pp, fd);
	test_reregister_fails(&plan, fd);

	pagemig_close(pm);
	pinned_pool_free(pp);
	close(fd);
	unlink(DATA_PATH);
	return 0;
}
