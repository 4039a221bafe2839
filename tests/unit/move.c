// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move.c - pagemig_move() and `pagemig move` on the single-node host: the counters, what a move
 * of nothing reports, MOVE_ALL's privilege check, and the CLI's exit codes and messages.
 * Real migrations are the lab's (tests/lab/move_*.c).  Run from the repository root.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define CLI unit_cli()

/* Run a shell command; its stdout+stderr into @out; returns the exit status. */
static int run(char *out, size_t len, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	if (!p)
		return -1;
	while (n + 1 < len && fgets(out + n, (int)(len - n), p))
		n = strlen(out);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void test_stats(void)
{
	struct pagemig_stats a = { .sz = sizeof(a) }, b = { .sz = sizeof(b) };

	CHECK(!strcmp(pagemig_stat_name(PAGEMIG_STAT_MOVED), "moved"), "name of MOVED");
	CHECK(!strcmp(pagemig_stat_name(PAGEMIG_STAT_MAX), "?"), "name out of range");
	CHECK(pagemig_stats_is_complete(&a), "empty stats are complete");
	a.bytes[PAGEMIG_STAT_SHARED] = 4096;
	a.bytes[PAGEMIG_STAT_NOT_PRESENT] = 4096;
	CHECK(pagemig_stats_is_complete(&a), "shared and not-present pages do not make a move partial");
	b.bytes[PAGEMIG_STAT_FAILED] = 8192;
	b.errors[0].err = EIO;
	b.errors[0].bytes = 8192;
	b.bytes[PAGEMIG_STAT_MOVED] = 4096;
	pagemig_stats_add(&a, &b);
	pagemig_stats_add(&a, &b);
	CHECK(a.bytes[PAGEMIG_STAT_MOVED] == 8192, "moved adds up: %llu", (unsigned long long)a.bytes[1]);
	CHECK(a.bytes[PAGEMIG_STAT_FAILED] == 16384, "failed adds up");
	CHECK(a.errors[0].err == EIO && a.errors[0].bytes == 16384 && !a.errors[1].err, "errors merge by errno");
	CHECK(!pagemig_stats_is_complete(&a), "failed pages make a move partial");
}

/*
 * struct pagemig_stats can grow: a caller built against an older header (a smaller sz) gets
 * nothing written past its sz, by pagemig_move() or pagemig_stats_add(); a new counter changes
 * no field's offset (the counters have room for PAGEMIG_STAT_SLOTS).
 */
static void test_stats_layout(void)
{
	struct {
		struct pagemig_stats st;
		unsigned char guard[64];
	} old, full = { .st = { .sz = sizeof(full.st) } };
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	size_t i, sz = offsetofend(struct pagemig_stats, regions);
	bool intact = true;
	int ret;

	CHECK(sizeof(full.st.bytes) == PAGEMIG_STAT_SLOTS * sizeof(uint64_t) && PAGEMIG_STAT_MAX <= PAGEMIG_STAT_SLOTS,
	      "bytes[] has %zu slots, not PAGEMIG_STAT_SLOTS", sizeof(full.st.bytes) / sizeof(uint64_t));
	CHECK(offsetof(struct pagemig_stats, bytes) > offsetof(struct pagemig_stats, numa_balancing) &&
	      offsetof(struct pagemig_stats, bytes) > offsetof(struct pagemig_stats, errors),
	      "bytes[] comes before fixed fields");
	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	if (pagemig_open(0, NULL, &pm)) {
		CHECK(0, "open self");
		return;
	}
	memset(&old, 0xa5, sizeof(old));
	old.st.sz = sz;
	ret = pagemig_move(pm, &plan, NULL, &old.st);
	CHECK(ret == 0, "move with an old, small stats struct: %d", ret);
	for (i = sz; i < sizeof(old); i++)
		intact &= ((unsigned char *)&old)[i] == 0xa5;
	CHECK(intact, "pagemig_move() wrote past the caller's sz %zu", sz);
	CHECK(old.st.sz == sz && old.st.regions > 0, "old struct: sz %zu regions %" PRIu64, old.st.sz, old.st.regions);

	ret = pagemig_move(pm, &plan, NULL, &full.st);
	CHECK(ret == 0, "move: %d", ret);
	memset(&old, 0xa5, sizeof(old));
	old.st.sz = sz;
	old.st.regions = 0;
	pagemig_stats_add(&old.st, &full.st);
	for (i = sz, intact = true; i < sizeof(old); i++)
		intact &= ((unsigned char *)&old)[i] == 0xa5;
	CHECK(intact && old.st.regions == full.st.regions, "pagemig_stats_add() wrote past the caller's sz %zu", sz);
	pagemig_close(pm);
}

static void test_move_nothing(void)
{
	struct pagemig_nodemask zero = { 0 };
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_plan plan;
	struct pagemig *pm;
	char *buf = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	memset(buf, 1, 1 << 20);
	pagemig_nodemask_set(&zero, 0);
	CHECK(!pagemig_plan(&zero, &zero, &plan), "plan 0 -> 0");
	CHECK(plan.nr_steps == 0 && plan.target[0] == -1, "0 -> 0 moves nothing");
	err = pagemig_open(0, NULL, &pm);
	CHECK(!err, "open self: %d", err);
	if (err)
		return;
	err = pagemig_move(pm, &plan, NULL, &st);
	CHECK(err == 0, "move of nothing returns %d", err);
	CHECK(st.regions > 0, "regions visited");
	CHECK(st.bytes[PAGEMIG_STAT_MOVED] == 0 && st.bytes[PAGEMIG_STAT_PLANNED] == 0, "nothing planned or moved");
	CHECK(st.bytes[PAGEMIG_STAT_STAYED] >= (1 << 20), "our megabyte stayed: %llu",
	      (unsigned long long)st.bytes[PAGEMIG_STAT_STAYED]);
	CHECK(pagemig_move(pm, NULL, NULL, &st) == -EINVAL, "NULL plan");
	st.sz = 0;
	CHECK(pagemig_move(pm, &plan, NULL, &st) == -EINVAL, "stats without sz");
	pagemig_close(pm);
	munmap(buf, 1 << 20);
}

/* Our own region that holds @addr, as the iterator reads it (node counts included). */
static int find_region(struct pagemig *pm, const void *addr, struct pagemig_region *out, uint64_t *nodes,
		       int maxnodes)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret, found = -ENOENT;

	ret = pagemig_regions_open(pm, 0, &it);
	if (ret)
		return ret;
	while ((ret = pagemig_region_next(it, &r)) > 0) {
		if ((uintptr_t)addr < r.start || (uintptr_t)addr >= r.end)
			continue;
		*out = r;
		out->path = "";
		out->vmflags_str = "";
		out->policy = "";
		out->nr_nodes = MIN(r.nr_nodes, maxnodes);
		memcpy(nodes, r.node_pages, (size_t)out->nr_nodes * sizeof(*nodes));
		out->node_pages = nodes;
		found = 0;
	}
	pagemig_regions_close(it);
	return ret < 0 ? ret : found;
}

/*
 * pagemig_move_region(): a dry run plans and moves nothing (here a move to node 1, which this
 * host lacks, would fail every page); a move of nothing still says it visited one region, with
 * its syscalls and time.
 */
static void test_move_region(void)
{
	struct pagemig_nodemask n0 = { 0 }, n1 = { 0 };
	PAGEMIG_OPTS(pagemig_move_opts, dry, .flags = PAGEMIG_MOVE_DRY_RUN);
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_region r;
	struct pagemig_plan away, stay;
	uint64_t nodes[8];
	struct pagemig *pm;
	size_t len = 1 << 20;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	CHECK(buf != MAP_FAILED, "mmap");
	if (buf == MAP_FAILED)
		return;
	madvise(buf, len, MADV_NOHUGEPAGE);	/* its own region, next to no other */
	memset(buf, 3, len);
	pagemig_nodemask_set(&n0, 0);
	pagemig_nodemask_set(&n1, 1);
	CHECK(!pagemig_plan(&n0, &n1, &away) && !pagemig_plan(&n0, &n0, &stay), "plans");
	err = pagemig_open(0, NULL, &pm);
	CHECK(!err, "open self: %d", err);
	if (err)
		goto out;
	err = find_region(pm, buf, &r, nodes, 8);
	CHECK(!err, "our region not found: %d", err);
	if (err)
		goto out_close;
	err = pagemig_move_region(pm, &r, &away, &dry, &st);
	CHECK(err == 0, "dry run of one region returned %d", err);
	CHECK(st.bytes[PAGEMIG_STAT_PLANNED] >= len, "dry run planned %" PRIu64 " bytes, want at least %zu",
	      st.bytes[PAGEMIG_STAT_PLANNED], len);
	CHECK(!st.bytes[PAGEMIG_STAT_MOVED] && !st.bytes[PAGEMIG_STAT_FAILED] && !st.syscalls,
	      "dry run moved %" PRIu64 ", failed %" PRIu64 " bytes, %" PRIu64 " syscalls: it tried to move",
	      st.bytes[PAGEMIG_STAT_MOVED], st.bytes[PAGEMIG_STAT_FAILED], st.syscalls);
	CHECK(st.regions == 1, "dry run: %" PRIu64 " regions, want 1", st.regions);

	memset(&st, 0xff, sizeof(st));
	st.sz = sizeof(st);
	err = pagemig_move_region(pm, &r, &stay, NULL, &st);
	CHECK(err == 0, "move of one region to where it is returned %d", err);
	CHECK(st.regions == 1 && st.syscalls > 0 && st.elapsed_ns > 0 && st.elapsed_ns < 60000000000ULL,
	      "move of one region: regions %" PRIu64 ", syscalls %" PRIu64 ", elapsed %" PRIu64 " ns", st.regions,
	      st.syscalls, st.elapsed_ns);
	CHECK(st.bytes[PAGEMIG_STAT_STAYED] >= len && !st.bytes[PAGEMIG_STAT_PLANNED],
	      "move of one region to where it is: stayed %" PRIu64 ", planned %" PRIu64,
	      st.bytes[PAGEMIG_STAT_STAYED], st.bytes[PAGEMIG_STAT_PLANNED]);
	CHECK(!st.numa_balancing || st.numa_balancing == 1, "numa_balancing not written");
out_close:
	pagemig_close(pm);
out:
	munmap(buf, len);
}

/*
 * The engine's page sizes come from the handle: the base page size pagemig_open() found, and the
 * THP size of sysfs (kernel/mm/transparent_hugepage/hpage_pmd_size under the handle's sys root;
 * the sys-4node fixture says 4 MiB): a chunk that starts on a 2 MiB boundary ends on a 4 MiB one.
 */
static void test_engine_sizes(void)
{
	char root[PATH_MAX + 64];
	PAGEMIG_OPTS(pagemig_open_opts, o, .sys_root = root);
	struct pagemig_region r = { .sz = sizeof(r), .start = 0x200000, .end = 0x10000000, .kind = PAGEMIG_KIND_ANON };
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	struct engine e;
	uint64_t end;
	int err;

	snprintf(root, sizeof(root), "%s/sys-4node", unit_fixtures());
	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	err = pagemig_open(0, &o, &pm);
	CHECK(!err, "open self with the sys-4node tree: %d", err);
	if (err)
		return;
	pm->base_page = 16384;		/* as on a 16 KiB-page kernel */
	err = engine_init(&e, pm, &plan, NULL);
	CHECK(!err, "engine_init: %d", err);
	if (!err) {
		CHECK(e.base == 16384, "engine base page %" PRIu64 ", the handle's is 16384", e.base);
		CHECK(e.thp_size == 4 << 20, "engine THP size %" PRIu64 ", sysfs says 4 MiB", e.thp_size);
		end = engine_chunk_end(&e, &r, r.start);
		CHECK(end > r.start && !(end & ((4 << 20) - 1)), "a chunk from 0x200000 ends at %#" PRIx64
		      ", not on a 4 MiB boundary", end);
		engine_release(&e);
	}
	pagemig_close(pm);
}

static void nothing(void *arg)
{
}

/*
 * A recycled pid: move_pages(2) acts on whatever process has the number now.  Simulated: the
 * handle's pidfd is swapped for one of a process that has exited, while the pid still answers
 * (the target's pagemap was opened before, as a move does).  Moving a region must stop with
 * -ESRCH at the first look at the pidfd, after the first batch or placement query, and count
 * nothing of that process as moved or stayed.
 */
static void test_pid_reuse(void)
{
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_region r;
	struct pagemig_plan plan;
	struct pagemig *pm = NULL;
	struct engine e;
	uint64_t nodes[8], unseen;
	size_t len = 1 << 20;
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t a, b;
	int fd, ret;

	if (buf == MAP_FAILED)
		return;
	madvise(buf, len, MADV_NOHUGEPAGE);
	memset(buf, 1, len);
	a = unit_spawn(nothing, NULL);	/* it has the page of buf too */
	b = unit_spawn(nothing, NULL);
	fd = (int)syscall(SYS_pidfd_open, b, 0);
	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	ret = pagemig_open(a, NULL, &pm);
	CHECK(!ret && fd >= 0, "open %d: %d, pidfd of %d: %d", (int)a, ret, (int)b, fd);
	if (!ret && fd >= 0 && !find_region(pm, buf, &r, nodes, 8) && !engine_init(&e, pm, &plan, NULL)) {
		CHECK(pagemap_read(pm, 0, 0, NULL) == 0, "pagemap open");
		unit_kill(b);			/* its pidfd is readable now */
		sys_close(pm->pidfd);
		pm->pidfd = fd;
		ret = engine_move_chunk(&e, &r, r.start, r.end, &plan.from, true, &st, &unseen);
		CHECK(ret == -ESRCH, "moving a region whose pidfd says the target exited returned %d, want -ESRCH", ret);
		CHECK(!st.bytes[PAGEMIG_STAT_STAYED] && !st.bytes[PAGEMIG_STAT_MOVED],
		      "the other process's pages were counted: stayed %" PRIu64 ", moved %" PRIu64,
		      st.bytes[PAGEMIG_STAT_STAYED], st.bytes[PAGEMIG_STAT_MOVED]);
		engine_release(&e);
	} else {
		CHECK(0, "setup: open, find the region or engine_init failed");
		unit_kill(b);
	}
	pagemig_close(pm);
	unit_kill(a);
	munmap(buf, len);
}

/* MOVE_ALL needs CAP_SYS_NICE: in a child without it, pagemig_move() refuses before moving. */
/* Lines of our own /proc/self/maps: PAGEMIG_MOVE_OBJECTS must leave no mapping of its own behind. */
static int maps_lines(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/*
 * PAGEMIG_MOVE_OBJECTS on ourselves (0 -> 0: nothing moves): a shared region that a child filled
 * and that we touched a quarter of.  The child's pages are the object's, not ours: they are found
 * (stayed), and not counted as not present; a dry run finds them too.  Without MOVE_ALL: -EINVAL.
 */
static void test_objects(void)
{
	const size_t len = 1 << 20, own = len / 4, ps = (size_t)sysconf(_SC_PAGESIZE);
	char *buf = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct pagemig_stats st = { .sz = sizeof(st) };
	PAGEMIG_OPTS(pagemig_move_opts, o, .flags = PAGEMIG_MOVE_OBJECTS);
	struct pagemig_region r = { .sz = sizeof(r) };
	uint64_t nodes[PAGEMIG_MAX_NODES];
	struct pagemig_nodemask m = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	int err, before;
	pid_t child;

	pagemig_nodemask_set(&m, 0);
	pagemig_plan(&m, &m, &plan);
	if (buf == MAP_FAILED || pagemig_open(0, NULL, &pm)) {
		CHECK(0, "setup");
		return;
	}
	CHECK(pagemig_move(pm, &plan, &o, &st) == -EINVAL, "OBJECTS without MOVE_ALL is -EINVAL");
	if (geteuid() != 0) {
		unit_skip("not root: PAGEMIG_MOVE_OBJECTS not tested");
		goto out;
	}
	child = fork();
	if (child == 0) {
		memset(buf, 7, len);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	for (size_t off = 0; off < own; off += ps)
		buf[off] = 7;	/* maps our quarter: a write (a read would map neighbours: fault-around) */
	err = find_region(pm, buf, &r, nodes, PAGEMIG_MAX_NODES);
	CHECK(!err && r.shared && r.kind == PAGEMIG_KIND_SHM, "our shared region: %d", err);
	before = maps_lines();
	o.flags = PAGEMIG_MOVE_OBJECTS | PAGEMIG_MOVE_ALL;
	err = pagemig_move_region(pm, &r, &plan, &o, &st);
	CHECK(err == 0, "move with objects: %d", err);
	CHECK(st.bytes[PAGEMIG_STAT_STAYED] == len && st.bytes[PAGEMIG_STAT_NOT_PRESENT] == 0 &&
	      st.bytes[PAGEMIG_STAT_OBJECT] == 0 && st.bytes[PAGEMIG_STAT_PLANNED] == 0,
	      "stayed %" PRIu64 " (want %zu), not present %" PRIu64 ", object %" PRIu64,
	      st.bytes[PAGEMIG_STAT_STAYED], len, st.bytes[PAGEMIG_STAT_NOT_PRESENT], st.bytes[PAGEMIG_STAT_OBJECT]);
	CHECK(maps_lines() == before, "no mapping left behind: %d lines of maps, %d before", maps_lines(), before);
	r.node_pages = NULL;	/* the object's pages alone */
	r.nr_nodes = 0;
	o.flags |= PAGEMIG_MOVE_DRY_RUN;
	memset(&st, 0, sizeof(st));
	st.sz = sizeof(st);
	err = pagemig_move_region(pm, &r, &plan, &o, &st);
	CHECK(err == 0 && st.bytes[PAGEMIG_STAT_STAYED] == len - own, "dry run: %d, stayed %" PRIu64 " (want %zu)",
	      err, st.bytes[PAGEMIG_STAT_STAYED], len - own);
	CHECK(maps_lines() == before, "no mapping left behind by the dry run");
out:
	pagemig_close(pm);
	munmap(buf, len);
}

static void test_move_all_needs_cap(void)
{
	pid_t pid;
	int st;

	if (geteuid() != 0) {
		unit_skip("not root: MOVE_ALL privilege check not tested");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
		struct __user_cap_data_struct d[2];
		struct pagemig_stats s = { .sz = sizeof(s) };
		PAGEMIG_OPTS(pagemig_move_opts, o, .flags = PAGEMIG_MOVE_ALL);
		struct pagemig_nodemask m = { 0 };
		struct pagemig_plan plan;
		struct pagemig *pm;

		syscall(SYS_capget, &h, d);
		d[0].effective &= ~(1U << CAP_SYS_NICE);
		d[0].permitted &= ~(1U << CAP_SYS_NICE);
		if (syscall(SYS_capset, &h, d))
			_exit(2);
		pagemig_nodemask_set(&m, 0);
		pagemig_plan(&m, &m, &plan);
		if (pagemig_open(0, NULL, &pm))
			_exit(3);
		_exit(pagemig_move(pm, &plan, &o, &s) == -EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "MOVE_ALL without CAP_SYS_NICE: child status %d", st);
}

struct cli_case {
	const char *args;	/* after "pagemig move", %d is a live pid */
	int status;
	const char *msg;	/* a substring of the output */
};

static void test_cli(void)
{
	static const struct cli_case cases[] = {
		{ "", 2, "missing process id" },
		{ "%d", 2, "missing --from" },
		{ "%d 0", 2, "missing --to" },
		{ "abc 0 0", 2, "'abc' is not a process id" },
		{ "-5 0 0", 2, "unknown option '-5'" },
		{ "999999999 0 0", 2, "is not a process id" },
		{ "4000000 0 0", 3, "no such process" },
		{ "%d 0 9", 2, "node 9 does not exist" },
		{ "%d 0 1-", 2, "'1-'" },
		{ "%d 10-1 0", 2, "10-1" },
		{ "%d x 0", 2, "--from 'x': invalid node 'x'" },
		{ "%d '' 0", 2, "--from '': empty node list" },
		{ "%d 0 0 --regions hep", 2, "unknown region kind 'hep'" },
		{ "%d 0 0 --hugetlb-pool=bogus", 2, "invalid --hugetlb-pool 'bogus'" },
		{ "%d 0 0 --batch 0", 2, "invalid batch size" },
		{ "%d 0 0 --bogus", 2, "unknown option '--bogus'" },
		{ "%d 0 0 -o NOPE", 2, "unknown column 'NOPE'" },
		{ "%d 0 0 -H /nonexistent.so", 6, "cannot load plugin '/nonexistent.so'" },
		{ "%d 0 0 --no-progress", 0, "moved 0B of 0B planned" },
		{ "%d 0 0 --progress", 0, "(100%) 0 MiB/s ETA 0s" },
		{ "%d 0 0 --threads 9", 2, "invalid thread count '9'" },
		{ "%d --from 0 --to 0 --json", 0, "\"totals\": {" },
		{ "%d 0 0 --dry-run", 0, "HANDLER" },
		{ "--help", 0, "Exit status" },
	};
	char cmd[512], args[256], out[65536];
	pid_t child = fork();
	size_t i;

	if (child == 0) {
		for (;;)
			pause();
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		snprintf(args, sizeof(args), cases[i].args, (int)child);
		snprintf(cmd, sizeof(cmd), "%s move %s 2>&1", CLI, args);
		rc = run(out, sizeof(out), cmd);
		CHECK(rc == cases[i].status, "'%s' exited %d, want %d: %s", args, rc, cases[i].status, out);
		CHECK(strstr(out, cases[i].msg), "'%s' output lacks '%s': %s", args, cases[i].msg, out);
		if (cases[i].status && cases[i].status != 6)
			CHECK(!strncmp(out, "pagemig: ", 9), "'%s': error not prefixed: %s", args, out);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(void)
{
	if (access(CLI, X_OK)) {
		printf("%s not built (run from the repository root after make)\n", CLI);
		return 1;
	}
	test_stats();
	test_move_nothing();
	test_move_region();
	test_stats_layout();
	test_engine_sizes();
	test_pid_reuse();
	test_move_all_needs_cap();
	test_objects();
	test_cli();
	return unit_exit("move");
}
