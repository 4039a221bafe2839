// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * handlers.c - region migration functions (struct pagemig_region_ops) on this very process.
 *
 * The seed's rule in user space: before any page moves, the migrate hook of every claimed region
 * runs in address order; an error stops the move (and names the handler, the region and its
 * explanation), every handler that ran gets finish(err), handlers after it are never called;
 * PAGEMIG_REGION_DONE keeps a region out of regular migration.  Which handler claims a region: a
 * range registration before any class handler, the first class handler registered before later
 * ones.  Then handler plugins (build/tests/unit/plugins/ *.so, resolved against this -rdynamic
 * binary) and the CLI's handling of them (exit 6, one line).
 *
 * The host has one node: moves go from node 0 to node 0, which moves nothing, but the handlers'
 * pre-pass and finish() run all the same.  tests/lab/handlers_lab.c checks real placement.
 */
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define CHUNK (64UL << 10)
#define NR_REGIONS 4

/* Four private anonymous regions, each between PROT_NONE guards so that none merges. */
static uint64_t R[NR_REGIONS];

static void map_regions(void)
{
	char *p = mmap(NULL, (2 * NR_REGIONS + 1) * CHUNK, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (i = 0; i < NR_REGIONS; i++) {
		char *r = p + (2 * i + 1) * CHUNK;

		if (mprotect(r, CHUNK, PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			exit(1);
		}
		memset(r, i + 1, CHUNK);
		R[i] = (uintptr_t)r;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Test handlers: each claims one region by its start and records its calls in one shared log   */
/* ------------------------------------------------------------------------------------------ */

struct th {
	const char *name;
	uint64_t claim;		/* the start of the region a class handler claims */
	int ret;		/* what migrate() returns */
	const char *explain;	/* said with pagemig_handler_explain() first, when not NULL */
	int migrates;
	int finishes;
	int finish_err;
	bool from_ok;		/* migrate() got the move's masks and flags */
	struct pagemig_region_ops ops;
};

struct event {
	char what;		/* 'm' migrate, 'f' finish */
	const struct th *h;
	uint64_t start;
	uint64_t end;
};

static struct event ev[64];
static int nr_ev;

static void log_event(char what, const struct th *h, const struct pagemig_region *r)
{
	if (nr_ev < (int)ARRAY_SIZE(ev))
		ev[nr_ev++] = (struct event){ what, h, r->start, r->end };
}

static bool th_match(const struct pagemig_region *r, void *ctx)
{
	const struct th *h = ctx;

	return r->start == h->claim;
}

static int th_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		      const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct th *h = ctx;

	h->migrates++;
	h->from_ok = pagemig_nodemask_is_set(from, 0) && pagemig_nodemask_weight(from) == 1 &&
		     pagemig_nodemask_is_set(to, 0) && pagemig_nodemask_weight(to) == 1 && flags == 0;
	log_event('m', h, r);
	if (h->explain)
		pagemig_handler_explain(pm, "%s %d", h->explain, 7);
	return h->ret;
}

static void th_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct th *h = ctx;

	h->finishes++;
	h->finish_err = err;
	log_event('f', h, r);
}

static void th_init(struct th *h, const char *name, uint64_t claim, int ret, const char *explain)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->claim = claim;
	h->ret = ret;
	h->explain = explain;
	h->ops = (struct pagemig_region_ops){
		.sz = sizeof(h->ops), .name = name, .match = th_match, .migrate = th_migrate, .finish = th_finish,
		.description = "unit test handler",
	};
}

static int reg(struct pagemig *pm, struct th *h)
{
	int id = pagemig_handler_register(pm, &h->ops, h);

	CHECK(id > 0, "register %s: %d", h->name, id);
	return id;
}

static struct pagemig *open_self(void)
{
	struct pagemig *pm = NULL;
	int err = pagemig_open(0, NULL, &pm);

	if (err) {
		fprintf(stderr, "pagemig_open(0): %s\n", strerror(-err));
		exit(1);
	}
	nr_ev = 0;
	return pm;
}

/* Per-region counts from the region_done callback, for the test's regions. */
struct seen {
	struct pagemig_stats st[NR_REGIONS];
	int calls[NR_REGIONS];
};

static void on_region_done(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	struct seen *s = ctx;
	int i;

	for (i = 0; i < NR_REGIONS; i++) {
		if (r->start == R[i]) {
			s->st[i] = *st;
			s->calls[i]++;
		}
	}
}

/* Move node 0 -> node 0: nothing moves, every handler hook runs. */
static int move(struct pagemig *pm, unsigned int flags, struct pagemig_handler_error *he, struct seen *seen)
{
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_plan plan;
	struct pagemig_stats total = { .sz = sizeof(total) };
	PAGEMIG_OPTS(pagemig_move_opts, o, .flags = flags, .handler_error = he,
		     .region_done = seen ? on_region_done : NULL, .region_ctx = seen);

	pagemig_nodemask_set(&n0, 0);
	if (pagemig_plan(&n0, &n0, &plan))
		exit(1);
	return pagemig_move(pm, &plan, &o, &total);
}

/* ------------------------------------------------------------------------------------------ */
/* Dispatch                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Class handlers registered out of address order: migrate() in address order, then finish(0). */
static void test_order(void)
{
	struct pagemig *pm = open_self();
	struct th a, b, c;
	int ret, i;

	th_init(&c, "c", R[2], 0, NULL);
	th_init(&a, "a", R[0], 0, NULL);
	th_init(&b, "b", R[1], 0, NULL);
	reg(pm, &c);
	reg(pm, &a);
	reg(pm, &b);
	ret = move(pm, 0, NULL, NULL);
	CHECK(ret == 0, "order: move returned %d", ret);
	CHECK(nr_ev == 6, "order: %d hook calls, want 6", nr_ev);
	for (i = 0; i < 3 && nr_ev == 6; i++) {
		const struct th *want = i == 0 ? &a : i == 1 ? &b : &c;

		CHECK(ev[i].what == 'm' && ev[i].h == want && ev[i].start == R[i], "order: call %d is %c %s at %" PRIx64
		      ", want migrate %s at %" PRIx64, i, ev[i].what, ev[i].h->name, ev[i].start, want->name, R[i]);
		CHECK(ev[i + 3].what == 'f', "order: call %d is not a finish (finish before a later migrate)", i + 3);
		CHECK(ev[i].end == R[i] + CHUNK, "order: region %d ends at %" PRIx64, i, ev[i].end);
	}
	CHECK(a.finishes == 1 && b.finishes == 1 && c.finishes == 1, "order: finishes %d %d %d, want 1 each",
	      a.finishes, b.finishes, c.finishes);
	CHECK(!a.finish_err && !b.finish_err && !c.finish_err, "order: finish errors %d %d %d", a.finish_err,
	      b.finish_err, c.finish_err);
	CHECK(a.from_ok && b.from_ok && c.from_ok, "order: migrate() did not get the move's masks and flags");
	pagemig_close(pm);
}

/* A range registration beats a class handler registered before it; the first class handler wins. */
static void test_claim(void)
{
	struct pagemig *pm = open_self();
	struct pagemig_region r0 = { .sz = sizeof(r0), .start = R[0], .end = R[0] + CHUNK, .path = "" };
	struct pagemig_region r1 = { .sz = sizeof(r1), .start = R[1], .end = R[1] + CHUNK, .path = "" };
	struct th k, g, p, q;
	int ret, idp;

	th_init(&k, "class", R[0], 0, NULL);
	th_init(&g, "range", 0, 0, NULL);
	th_init(&p, "first", R[1], 0, NULL);
	th_init(&q, "second", R[1], 0, NULL);
	reg(pm, &k);
	ret = pagemig_region_register(pm, R[0] + 4096, 4096, &g.ops, &g);	/* inside region 0 */
	CHECK(ret > 0, "region_register: %d", ret);
	idp = reg(pm, &p);
	reg(pm, &q);
	CHECK(pagemig_handler_claim(pm, &r0) == &g.ops, "claim: region 0 not claimed by the range handler");
	CHECK(pagemig_handler_claim(pm, &r1) == &p.ops, "claim: region 1 not claimed by the first class handler");
	ret = move(pm, 0, NULL, NULL);
	CHECK(ret == 0, "claim: move returned %d", ret);
	CHECK(g.migrates == 1 && g.finishes == 1 && !g.finish_err, "claim: range handler %d/%d calls, err %d",
	      g.migrates, g.finishes, g.finish_err);
	CHECK(k.migrates == 0 && k.finishes == 0, "claim: class handler ran on a region with a range handler");
	CHECK(p.migrates == 1 && p.finishes == 1, "claim: first class handler %d/%d calls", p.migrates, p.finishes);
	CHECK(q.migrates == 0 && q.finishes == 0, "claim: second class handler ran on a claimed region");

	/* Unregistering the first hands the region to the second. */
	CHECK(pagemig_handler_unregister(pm, idp) == 0, "unregister first");
	CHECK(pagemig_handler_unregister(pm, idp) == -ENOENT, "unregister first twice");
	th_init(&p, "first", R[1], 0, NULL);
	th_init(&q, "second", R[1], 0, NULL);
	ret = move(pm, 0, NULL, NULL);
	CHECK(ret == 0, "claim: second move returned %d", ret);
	CHECK(p.migrates == 0 && q.migrates == 1 && q.finishes == 1, "claim: after unregister first %d, second %d",
	      p.migrates, q.migrates);
	pagemig_close(pm);
}

/*
 * A handler fails in the middle: the move returns its error, handler_error names it, the region
 * and its explanation; the handlers before it and itself get finish(err); later ones never run.
 */
static void test_error(void)
{
	struct pagemig *pm = open_self();
	struct pagemig_handler_error he = { 0 };
	struct th a, f, c, d;
	int ret;

	th_init(&a, "before", R[0], 0, "stale explanation");	/* explains, but succeeds */
	th_init(&f, "fail-mid", R[1], -EIO, "disk on fire:");
	th_init(&c, "after", R[2], 0, NULL);
	th_init(&d, "after-done", R[3], PAGEMIG_REGION_DONE, NULL);
	reg(pm, &d);
	reg(pm, &f);
	reg(pm, &c);
	reg(pm, &a);
	ret = move(pm, 0, &he, NULL);
	CHECK(ret == -EIO, "error: move returned %d, want -EIO", ret);
	CHECK(he.err == -EIO, "error: handler_error.err %d", he.err);
	CHECK(!strcmp(he.handler, "fail-mid"), "error: handler_error names '%s'", he.handler);
	CHECK(he.start == R[1] && he.end == R[1] + CHUNK, "error: region %" PRIx64 "-%" PRIx64 ", want %" PRIx64
	      "-%" PRIx64, he.start, he.end, R[1], R[1] + CHUNK);
	CHECK(!strcmp(he.detail, "disk on fire: 7"), "error: detail '%s'", he.detail);
	CHECK(a.migrates == 1 && a.finishes == 1 && a.finish_err == -EIO, "error: handler before: %d/%d err %d",
	      a.migrates, a.finishes, a.finish_err);
	CHECK(f.migrates == 1 && f.finishes == 1 && f.finish_err == -EIO, "error: failing handler: %d/%d err %d",
	      f.migrates, f.finishes, f.finish_err);
	CHECK(c.migrates == 0 && c.finishes == 0 && d.migrates == 0 && d.finishes == 0,
	      "error: handlers after the failure ran: %d/%d %d/%d", c.migrates, c.finishes, d.migrates, d.finishes);
	pagemig_close(pm);

	/* A failure without an explanation has an empty detail, not the previous handler's words. */
	pm = open_self();
	memset(&he, 0, sizeof(he));
	th_init(&a, "before", R[0], 0, "stale explanation");
	th_init(&f, "quiet", R[1], -EPERM, NULL);
	reg(pm, &a);
	reg(pm, &f);
	ret = move(pm, 0, &he, NULL);
	CHECK(ret == -EPERM && he.err == -EPERM, "quiet error: move %d, handler_error %d", ret, he.err);
	CHECK(he.detail[0] == '\0', "quiet error: detail '%s', want empty", he.detail);
	CHECK(!strcmp(he.handler, "quiet"), "quiet error: handler '%s'", he.handler);
	pagemig_close(pm);

	/* No failure: handler_error stays clear. */
	pm = open_self();
	memset(&he, 0xff, sizeof(he));
	he.err = 0;
	th_init(&a, "ok", R[0], 0, "words");
	reg(pm, &a);
	ret = move(pm, 0, &he, NULL);
	CHECK(ret == 0 && he.err == 0, "no error: move %d, handler_error %d", ret, he.err);
	pagemig_close(pm);
}

/* DONE: the region is left to its handler and reported as handled, the others as usual. */
static void test_done(void)
{
	struct pagemig *pm = open_self();
	struct seen seen = { 0 };
	struct th a, h;
	int ret, i;

	th_init(&a, "plain", R[0], 0, NULL);
	th_init(&h, "keeper", R[1], PAGEMIG_REGION_DONE, NULL);
	reg(pm, &a);
	reg(pm, &h);
	ret = move(pm, 0, NULL, &seen);
	CHECK(ret == 0, "done: move returned %d", ret);
	for (i = 0; i < NR_REGIONS; i++)
		CHECK(seen.calls[i] == 1, "done: region_done called %d times for region %d", seen.calls[i], i);
	CHECK(seen.st[1].bytes[PAGEMIG_STAT_HANDLED] == CHUNK, "done: region 1 handled %" PRIu64 " bytes, want %lu",
	      seen.st[1].bytes[PAGEMIG_STAT_HANDLED], CHUNK);
	CHECK(seen.st[0].bytes[PAGEMIG_STAT_HANDLED] == 0, "done: region 0 handled %" PRIu64 " bytes",
	      seen.st[0].bytes[PAGEMIG_STAT_HANDLED]);
	CHECK(seen.st[1].bytes[PAGEMIG_STAT_STAYED] == 0 && seen.st[0].bytes[PAGEMIG_STAT_STAYED] == CHUNK,
	      "done: stayed %" PRIu64 " / %" PRIu64 ", want 0 / %lu (regular migration skips a DONE region only)",
	      seen.st[1].bytes[PAGEMIG_STAT_STAYED], seen.st[0].bytes[PAGEMIG_STAT_STAYED], CHUNK);
	CHECK(h.finishes == 1 && !h.finish_err && a.finishes == 1 && !a.finish_err, "done: finishes %d(%d) %d(%d)",
	      h.finishes, h.finish_err, a.finishes, a.finish_err);
	pagemig_close(pm);

	/* A dry run plans; it prepares nothing, so no hook runs. */
	pm = open_self();
	th_init(&a, "plain", R[0], 0, NULL);
	reg(pm, &a);
	ret = move(pm, PAGEMIG_MOVE_DRY_RUN, NULL, NULL);
	CHECK(ret == 0, "dry run: move returned %d", ret);
	CHECK(a.migrates == 0 && a.finishes == 0, "dry run: hooks ran %d/%d", a.migrates, a.finishes);
	pagemig_close(pm);
}

/* Registration rules, ids, listing and unregistering. */
static void test_registry(void)
{
	struct pagemig *pm = open_self();
	struct pagemig_region_ops nomatch, small;
	const struct pagemig_region_ops *ops;
	uint64_t start, len;
	struct th a, g;
	int ida, idg, idadj, id, n;

	th_init(&a, "a", R[0], 0, NULL);
	th_init(&g, "g", 0, 0, NULL);
	nomatch = a.ops;
	nomatch.match = NULL;
	small = a.ops;
	small.sz = sizeof(size_t);
	CHECK(pagemig_handler_register(pm, NULL, NULL) == -EINVAL, "register NULL ops");
	CHECK(pagemig_handler_register(pm, &nomatch, NULL) == -EINVAL, "register without match");
	CHECK(pagemig_handler_register(pm, &small, NULL) == -EINVAL, "register with a too small sz");
	CHECK(pagemig_handler_register(NULL, &a.ops, NULL) == -EINVAL, "register on NULL");
	ida = reg(pm, &a);
	idg = pagemig_region_register(pm, R[2], CHUNK, &g.ops, &g);
	CHECK(idg > 0 && idg != ida, "region_register: %d (class id %d)", idg, ida);
	CHECK(pagemig_region_register(pm, R[2], 0, &g.ops, &g) == -EINVAL, "region_register len 0");
	CHECK(pagemig_region_register(pm, R[2] + 4096, 4096, &g.ops, &g) == -EINVAL, "overlap: inside");
	CHECK(pagemig_region_register(pm, R[2] - 4096, 8192, &g.ops, &g) == -EINVAL, "overlap: the start");
	CHECK(pagemig_region_register(pm, R[2] + CHUNK - 4096, 8192, &g.ops, &g) == -EINVAL, "overlap: the end");
	CHECK(pagemig_region_register(pm, R[2] - 4096, CHUNK + 8192, &g.ops, &g) == -EINVAL, "overlap: around");
	CHECK(pagemig_region_register(pm, UINT64_MAX - 4095, 8192, &g.ops, &g) == -EINVAL, "range wraps");
	idadj = pagemig_region_register(pm, R[2] + CHUNK, 4096, &g.ops, &g);	/* adjacent: fine */
	CHECK(idadj > 0, "adjacent range: %d", idadj);

	/* Listing: every registration once, ranges with their bounds, class handlers with 0/0. */
	n = 0;
	for (id = pagemig_handler_next(pm, 0, &ops, &start, &len); id > 0;
	     id = pagemig_handler_next(pm, id, &ops, &start, &len)) {
		n++;
		if (id == ida)
			CHECK(ops == &a.ops && start == 0 && len == 0, "next: class entry %" PRIx64 "+%" PRIu64, start, len);
		if (id == idg)
			CHECK(ops == &g.ops && start == R[2] && len == CHUNK, "next: range entry %" PRIx64 "+%" PRIu64,
			      start, len);
	}
	CHECK(n == 3, "next: %d registrations listed, want 3", n);
	CHECK(pagemig_handler_next(pm, 0, NULL, NULL, NULL) == ida, "next with NULL outputs");

	CHECK(pagemig_handler_unregister(pm, 9999) == -ENOENT, "unregister unknown id");
	CHECK(pagemig_handler_unregister(pm, 0) == -ENOENT, "unregister id 0");
	CHECK(pagemig_handler_unregister(pm, idg) == 0, "unregister range");
	CHECK(pagemig_handler_unregister(pm, idg) == -ENOENT, "unregister range twice");
	CHECK(pagemig_region_register(pm, R[2] + 4096, 4096, &g.ops, &g) > 0, "range free again after unregister");
	CHECK(pagemig_handler_unregister(pm, ida) == 0, "unregister class");
	CHECK(pagemig_handler_unregister(pm, idadj) == 0, "unregister the adjacent range");
	move(pm, 0, NULL, NULL);
	CHECK(a.migrates == 0, "an unregistered handler ran");
	CHECK(g.migrates == 1, "the new range handler ran %d times", g.migrates);
	pagemig_close(pm);
}

/* A range registration on another process is refused: its ops would run in the wrong process. */
static void test_other_pid(void)
{
	struct pagemig *pm = NULL;
	struct th g;
	pid_t pid = fork();
	int err;

	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK(pid > 0, "fork");
	if (pid < 0)
		return;
	th_init(&g, "g", 0, 0, NULL);
	err = pagemig_open(pid, NULL, &pm);
	CHECK(err == 0, "open child %d: %d", pid, err);
	if (!err) {
		CHECK(pagemig_region_register(pm, R[0], CHUNK, &g.ops, &g) == -EINVAL, "region_register on pid %d", pid);
		CHECK(pagemig_handler_register(pm, &g.ops, &g) > 0, "class handler on another pid");
	}
	pagemig_close(pm);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Plugins                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static char bindir[PATH_MAX];	/* where this test binary is: build/tests/unit */
static char *paths[64];		/* plugin()'s answers, freed by main() */
static int nr_paths;

/* The path of a test plugin, in a buffer that lives until the test ends. */
static const char *plugin(const char *name)
{
	char *p;

	if (nr_paths == (int)ARRAY_SIZE(paths) || asprintf(&p, "%s/plugins/%s", bindir, name) < 0)
		exit(1);
	paths[nr_paths++] = p;
	return p;
}

static int count_handlers(const struct pagemig *pm, const char *name)
{
	const struct pagemig_region_ops *ops;
	int id, n = 0;

	for (id = pagemig_handler_next(pm, 0, &ops, NULL, NULL); id > 0; id = pagemig_handler_next(pm, id, &ops, NULL, NULL))
		n += !name || (ops->name && !strcmp(ops->name, name));
	return n;
}

struct hello_counts {	/* as in examples/plugin-hello/hello.c */
	unsigned int migrate;
	unsigned int finish;
	int last_err;
	uint64_t start;
	uint64_t end;
};

static void test_plugin_hello(void)
{
	struct pagemig *pm = open_self();
	const char *path = plugin("hello.so");
	struct hello_counts *hc;
	char err[512] = "";
	void *dl;
	int ret;

	ret = pagemig_plugin_load(pm, path, err, sizeof(err));
	CHECK(ret == 0, "load %s: %d (%s)", path, ret, err);
	if (ret) {
		pagemig_close(pm);
		return;
	}
	CHECK(count_handlers(pm, "hello") == 1, "hello: %d handlers named hello listed", count_handlers(pm, "hello"));
	dl = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	hc = dl ? dlsym(dl, "hello_counts") : NULL;
	CHECK(hc, "hello: cannot find hello_counts in the loaded plugin");
	ret = move(pm, 0, NULL, NULL);
	CHECK(ret == 0, "hello: move returned %d", ret);
	if (hc) {
		CHECK(hc->migrate == 1 && hc->finish == 1 && hc->last_err == 0, "hello: %u migrate, %u finish, err %d",
		      hc->migrate, hc->finish, hc->last_err);
		CHECK(hc->end > hc->start, "hello: region %" PRIx64 "-%" PRIx64, hc->start, hc->end);
	}
	pagemig_close(pm);	/* unloads it, but our reference keeps it mapped */
	if (dl)
		dlclose(dl);
}

static void test_plugin_bad(void)
{
	struct pagemig *pm = open_self();
	const char *path = plugin("no-such-plugin.so");
	const struct pagemig_region_ops *ops = NULL;
	char err[512];
	struct th a;
	int ret, before, ida;

	th_init(&a, "a", R[0], 0, NULL);
	ida = reg(pm, &a);
	before = count_handlers(pm, NULL);

	ret = pagemig_plugin_load(pm, plugin("badabi.so"), err, sizeof(err));
	CHECK(ret == -ENOTSUP, "wrong ABI: %d (%s)", ret, err);
	CHECK(strstr(err, "99") && strstr(err, "ABI " PAGEMIG_STR(PAGEMIG_PLUGIN_ABI)),
	      "wrong ABI: message does not name both ABIs: %s", err);
	CHECK(count_handlers(pm, NULL) == before, "wrong ABI: its init ran (a handler was registered)");

	ret = pagemig_plugin_load(pm, plugin("noinit.so"), err, sizeof(err));
	CHECK(ret == -ENOEXEC, "missing init: %d (%s)", ret, err);
	CHECK(strstr(err, "pagemig_plugin_init") != NULL, "missing init: message: %s", err);

	ret = pagemig_plugin_load(pm, path, err, sizeof(err));
	CHECK(ret == -ENOENT, "nonexistent: %d (%s)", ret, err);
	CHECK(strstr(err, path) != NULL, "nonexistent: message does not name the path: %s", err);
	CHECK(pagemig_plugin_load(pm, path, NULL, 0) == -ENOENT, "nonexistent without an error buffer");

	/* It unregisters our handler, registers two of its own, fails: all of that is undone. */
	ret = pagemig_plugin_load(pm, plugin("failinit.so"), err, sizeof(err));
	CHECK(ret == -EPROTO, "failing init: %d, want -EPROTO (%s)", ret, err);
	CHECK(strstr(err, "failed to initialize") != NULL, "failing init: message: %s", err);
	CHECK(count_handlers(pm, NULL) == before && count_handlers(pm, "failinit") == 0,
	      "failing init: %d handlers left (%d before), %d named failinit", count_handlers(pm, NULL), before,
	      count_handlers(pm, "failinit"));
	CHECK(pagemig_handler_next(pm, 0, &ops, NULL, NULL) == ida && ops == &a.ops,
	      "failing init: the handler it unregistered is not back");
	CHECK(pagemig_region_register(pm, R[3], CHUNK, &a.ops, &a) > 0, "range registration after a failed init");
	/* The registry still works and nothing of the unloaded plugin is called. */
	ret = move(pm, 0, NULL, NULL);
	CHECK(ret == 0 && a.migrates == 2, "after the bad plugins: move %d, %d migrate calls", ret, a.migrates);
	CHECK(pagemig_plugin_load(NULL, plugin("hello.so"), err, sizeof(err)) == -EINVAL, "load on NULL");
	pagemig_close(pm);
}

/* ------------------------------------------------------------------------------------------ */
/* CLI                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* Run the CLI of this build with @args; stdout and stderr into heap strings (free them). */
static int run_cli(char **out, char **err, const char *const *args)
{
	char cli[PATH_MAX + 64];

	snprintf(cli, sizeof(cli), "%s/../../pagemig", bindir);
	return unit_run(out, err, (uid_t)-1, cli, args);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_cli(void)
{
	char pidstr[16], *out, *err, greet[64];
	const char *bad[4];
	pid_t pid;
	int rc, i;

	bad[0] = plugin("no-such-plugin.so");
	bad[1] = plugin("badabi.so");
	bad[2] = plugin("noinit.so");
	bad[3] = plugin("failinit.so");

	rc = run_cli(&out, &err, (const char *const[]){ "handlers", "-H", plugin("hello.so"), NULL });
	CHECK(rc == 0, "handlers -H hello.so: exit %d: %s", rc, err);
	CHECK(strstr(out, "hello") && strstr(out, plugin("hello.so")) && strstr(out, "greets"),
	      "handlers -H hello.so: not listed:\n%s", out);
	CHECK(strstr(out, "special") && strstr(out, "nopages") && strstr(out, "hugetlb"),
	      "handlers: built-ins not listed:\n%s", out);
	free(out);
	free(err);

	rc = run_cli(&out, &err, (const char *const[]){ "handlers", "-H", bad[1], NULL });
	CHECK(rc == 6, "handlers -H badabi.so: exit %d, want 6", rc);
	free(out);
	free(err);

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid < 0)
		exit(1);
	snprintf(pidstr, sizeof(pidstr), "%d", (int)pid);
	for (i = 0; i < 4; i++) {
		rc = run_cli(&out, &err, (const char *const[]){ "move", pidstr, "0", "0", "-H", bad[i], NULL });
		CHECK(rc == 6, "move -H %s: exit %d, want 6 (stderr: %s)", bad[i], rc, err);
		CHECK(!strncmp(err, "pagemig: ", 9) && count_lines(err) == 1 && err[strlen(err) - 1] == '\n',
		      "move -H %s: stderr is not one 'pagemig: ' line: '%s'", bad[i], err);
		CHECK(strstr(err, bad[i]) != NULL, "move -H %s: the message does not name the plugin: %s", bad[i], err);
		free(out);
		free(err);
	}

	/* The good plugin runs in the CLI's move: it greets the target's heap. */
	rc = run_cli(&out, &err, (const char *const[]){ "move", pidstr, "0", "0", "--no-progress", "-H",
							plugin("hello.so"), NULL });
	CHECK(rc == 0, "move -H hello.so: exit %d: %s", rc, err);
	snprintf(greet, sizeof(greet), "hello: pid %d [heap]", (int)pid);
	CHECK(strstr(err, greet) && strstr(err, "move done"), "move -H hello.so: the plugin did not run:\n%s", err);
	free(out);
	free(err);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	char *slash, *heap;

	if (n <= 0)
		return 1;
	bindir[n] = '\0';
	slash = strrchr(bindir, '/');
	if (slash)
		*slash = '\0';
	/*
	 * The hello plugin greets the [heap]: make sure there is one.  sbrk(), not malloc(): an
	 * allocator may take memory elsewhere (ASan's does), and then there is no [heap].
	 */
	heap = sbrk(4096);
	if (heap == (void *)-1)
		return 1;
	memset(heap, 1, 4096);
	map_regions();

	test_order();
	test_claim();
	test_error();
	test_done();
	test_registry();
	test_other_pid();
	test_plugin_hello();
	test_plugin_bad();
	test_cli();
	while (nr_paths)
		free(paths[--nr_paths]);
	if (unit_failed("handlers"))
		return 1;
	printf("handlers: all checks passed\n");
	return 0;
}
