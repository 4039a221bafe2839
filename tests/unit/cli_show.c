// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_show.c - `build/pagemig show` on this very process, on the host (run from the repo root).
 *
 * Exit codes (usage 2, no process 3, permission 4, --help 0), then the JSON numbers of regions
 * this test lays out itself: private anonymous memory, MAP_SHARED memory half of which a child
 * has mapped too, and a region never touched.  Expected numbers come from the kernel's own
 * reports (smaps' Private_* and Shared_*, Rss), not from what the test asked for.  On the
 * single-node host every page is on node 0; tests/lab/show_placement.c checks real placement.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "../json.h"

#define CLI unit_cli()
#define MIB (1UL << 20)
#define SHM_SZ (2 * MIB)

/*
 * Run CLI with @args (NULL-terminated), capturing stdout and stderr (both may be NULL).
 * posix_spawn() does not copy this process's page tables: the counts stay this process's own.
 * @uid: when not -1, the child runs as that uid (fork + setuid, for the permission test).
 */
static int run_cli(char **out, char **err, uid_t uid, const char *const *args)
{
	return unit_run(out, err, uid, CLI, args);
}

static int expect_rc(int want, const char *stderr_has, const char *const *args)
{
	char *out, *err;
	int rc = run_cli(&out, &err, (uid_t)-1, args);

	CHECK(rc == want, "pagemig show %s ...: exit %d, want %d (stderr: %s)", args[1] ? args[1] : "", rc,
	      want, err);
	if (stderr_has)
		CHECK(strstr(err, stderr_has) != NULL, "stderr '%s' lacks '%s'", err, stderr_has);
	CHECK(!strchr(err, '\n') || !strstr(err, ".\n"), "diagnostic ends with a period: %s", err);
	free(out);
	free(err);
	return rc;
}

/* Every subcommand words a bad option the same way: one line, exit 2. */
static void test_bad_options(void)
{
	static const struct {
		const char *args[4];
		const char *want;
	} cases[] = {
		{ { "show", "--bogus", "1" }, "pagemig: unknown option '--bogus' (see 'pagemig show --help')\n" },
		{ { "show", "-x", "1" }, "pagemig: unknown option '-x' (see 'pagemig show --help')\n" },
		{ { "show", "1", "-o" }, "pagemig: option '-o' needs an argument\n" },
		{ { "move", "1", "--batch" }, "pagemig: option '--batch' needs an argument\n" },
		{ { "move", "--dry-run=yes", "1" }, "pagemig: option '--dry-run' takes no argument\n" },
		{ { "nodes", "--json=1" }, "pagemig: option '--json' takes no argument\n" },
		{ { "handlers", "-q" }, "pagemig: unknown option '-q' (see 'pagemig handlers --help')\n" },
		{ { "handlers", "-H" }, "pagemig: option '-H' needs an argument\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *err = NULL;
		int rc = run_cli(NULL, &err, (uid_t)-1, cases[i].args);

		CHECK(rc == 2 && err && !strcmp(err, cases[i].want), "pagemig %s %s: exit %d, stderr '%s', want '%s'",
		      cases[i].args[0], cases[i].args[1], rc, err ? err : "", cases[i].want);
		free(err);
	}
}

static pid_t missing_pid(void)
{
	pid_t p;

	for (p = 999999; p > 900000; p--)
		if (kill(p, 0) < 0 && errno == ESRCH)
			return p;
	return 999999;
}

static void test_exit_codes(void)
{
	char pid[32], self[32];
	char *out = NULL, *err = NULL;
	int rc;

	snprintf(pid, sizeof(pid), "%d", (int)missing_pid());
	snprintf(self, sizeof(self), "%d", (int)getpid());
	expect_rc(3, "no such process", (const char *const[]){ "show", pid, NULL });
	expect_rc(2, "'abc'", (const char *const[]){ "show", "abc", NULL });
	expect_rc(2, "hep", (const char *const[]){ "show", "--regions", "hep", "1", NULL });
	expect_rc(2, "--bogus", (const char *const[]){ "show", "--bogus", self, NULL });
	expect_rc(2, NULL, (const char *const[]){ "show", NULL });
	expect_rc(2, NULL, (const char *const[]){ "show", self, self, NULL });
	expect_rc(2, "FOO", (const char *const[]){ "show", "-o", "FOO", self, NULL });
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "--help", NULL });
	CHECK(rc == 0 && strstr(out, "Usage: pagemig show") && !*err, "--help: exit %d, stdout %.40s", rc, out);
	free(out);
	free(err);
	/* as an unprivileged uid, this root-owned process is out of reach */
	if (geteuid() == 0) {
		rc = run_cli(NULL, &err, 65534, (const char *const[]){ "show", self, NULL });
		CHECK(rc == 4 && strstr(err, "cannot read process"), "as nobody: exit %d, stderr %s", rc, err);
		free(err);
	} else {
		unit_skip("permission test skipped: not root");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The JSON document: just enough parsing for the numbers of one region                       */
/* ------------------------------------------------------------------------------------------ */

/* The sum of a number array member (node-bytes), and its element @idx in *@at. */
static int64_t json_array_sum(const char *p, const char *end, const char *name, int idx, int64_t *at)
{
	char key[64], *next;
	const char *v;
	int64_t sum = 0;
	int i = 0;

	snprintf(key, sizeof(key), "\"%s\": [", name);
	*at = -1;
	v = strstr(p, key);
	if (!v || v > end)
		return -1;
	for (v += strlen(key); *v && *v != ']'; v = next) {
		uint64_t x = strtoull(v, &next, 10);

		if (next == v) {
			next = (char *)v + 1;
			continue;
		}
		if (i++ == idx)
			*at = (int64_t)x;
		sum += (int64_t)x;
	}
	return sum;
}

/* smaps of our own region at @start: *priv and *shared in bytes, and Rss. */
static void smaps_split(uint64_t start, int64_t *priv, int64_t *shared, int64_t *rss)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], key[32];
	bool in = false;
	long long kb;

	*priv = *shared = *rss = 0;
	if (!f)
		exit(1);
	while (fgets(line, sizeof(line), f)) {
		uint64_t a, z;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %31s", &a, &z, key) == 3) {
			in = a == start;
			continue;
		}
		if (!in || sscanf(line, "%31[^:]: %lld kB", key, &kb) != 2)
			continue;
		if (!strncmp(key, "Private_", 8))
			*priv += kb * 1024;
		else if (!strncmp(key, "Shared_", 7))
			*shared += kb * 1024;
		else if (!strcmp(key, "Rss"))
			*rss = kb * 1024;
	}
	fclose(f);
}

/* ------------------------------------------------------------------------------------------ */
/* This process's own regions                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* @counts: the document has PRESENT (smaps' Rss); without it, maps and numa_maps only. */
static void check_region(const char *doc, const char *what, void *addr, const char *kind, bool counts)
{
	uint64_t start = (uint64_t)(uintptr_t)addr;
	int64_t priv, shared, rss, n0, sum;
	const char *b, *e;
	char k[32];

	if (!json_region(doc, start, &b, &e)) {
		CHECK(0, "%s: no region at %#" PRIx64 " in the JSON", what, start);
		return;
	}
	smaps_split(start, &priv, &shared, &rss);
	CHECK(!strcmp(json_str(b, e, "kind", k, sizeof(k)), kind), "%s: kind %s, want %s", what, k, kind);
	CHECK(json_num(b, e, "rss") == rss, "%s: rss %" PRId64 ", smaps Rss %" PRId64, what,
	      json_num(b, e, "rss"), rss);
	if (counts)
		CHECK(json_num(b, e, "present") == rss, "%s: present %" PRId64 ", smaps Rss %" PRId64, what,
		      json_num(b, e, "present"), rss);
	else
		CHECK(!memmem(b, (size_t)(e - b), "\"present\"", 9) && !memmem(b, (size_t)(e - b), "\"swapped\"", 9),
		      "%s: present or swapped in a row of the default JSON", what);
	CHECK(json_num(b, e, "exclusive") == priv, "%s: exclusive %" PRId64 ", smaps Private_* %" PRId64,
	      what, json_num(b, e, "exclusive"), priv);
	CHECK(json_num(b, e, "shared") == shared, "%s: shared %" PRId64 ", smaps Shared_* %" PRId64, what,
	      json_num(b, e, "shared"), shared);
	sum = json_array_sum(b, e, "node-bytes", 0, &n0);
	CHECK(sum == rss, "%s: node-bytes sum %" PRId64 ", smaps Rss %" PRId64, what, sum, rss);
	sum = json_array_sum(b, e, "node-pages", 0, &n0);
	CHECK(sum * 4096 == rss || sysconf(_SC_PAGESIZE) != 4096, "%s: node-pages sum %" PRId64, what, sum);
}

/* The sharing child: it maps the first half of the MAP_SHARED region at @arg, writing, since a
 * read fault would map the neighbouring pages too (fault-around). */
static void map_half(void *arg)
{
	volatile char *shm = arg;

	for (size_t off = 0; off < SHM_SZ / 2; off += 4096)
		shm[off] = 3;
}

/* -a, --regions, the table, --summary, --raw -o: on the regions test_self() laid out. */
static void test_views(const char *self, char *anon, char *untouched)
{
	const char *b, *e;
	char range[64], *out, *err;
	int rc;

	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "-a", "--json", self, NULL });
	CHECK(rc == 0 && json_region(out, (uint64_t)(uintptr_t)untouched, &b, &e) && json_num(b, e, "rss") == 0,
	      "untouched region missing with -a, or resident");
	free(out);
	free(err);

	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, (uintptr_t)anon, (uintptr_t)anon + 3 * MIB);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "--json", "--regions", range, self, NULL });
	CHECK(rc == 0 && strstr(out, "\"regions\": 1,") && strstr(out, "\"rss\": 3145728"),
	      "--regions %s: exit %d, not exactly one 3 MiB region", range, rc);
	free(out);
	free(err);

	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", self, NULL });
	CHECK(rc == 0 && strstr(out, "RANGE") && strstr(out, "\ntotal "), "table: exit %d: %.200s", rc, out);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "--summary", "--json", self, NULL });
	CHECK(rc == 0 && strstr(out, "\"summary\": [") && strstr(out, "\"kind\": \"shm\""), "summary: %.200s", out);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "--raw", "-o", "RANGE,RSS", "--bytes", self, NULL });
	snprintf(range, sizeof(range), "\n%" PRIxPTR "-%" PRIxPTR " 3145728\n", (uintptr_t)anon,
		 (uintptr_t)anon + 3 * MIB);
	CHECK(rc == 0 && !strncmp(out, "RANGE RSS\n", 10) && strstr(out, range), "raw: %.300s", out);
	free(out);
	free(err);

	/* [vvar] has no pages to count (pfnmap): its row has none, the totals still do */
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "show", "-a", "--pagemap", "--json", self, NULL });
	b = rc == 0 ? strstr(out, "\"totals\": {") : NULL;
	CHECK(b && json_num(b, b + strlen(b), "exclusive") > 0 && json_num(b, b + strlen(b), "present") > 0,
	      "-a --pagemap: exit %d, totals without pagemap counts: %.300s", rc, b ? b : out);
	free(out);
	free(err);
}

static void test_self(void)
{
	const size_t len = SHM_SZ;
	char self[32], *out, *err;
	char *shm, *anon, *untouched;
	const char *b, *e;
	pid_t child;
	int rc;

	/* the sharing child first: private memory mapped later is not copy-on-write shared with it */
	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	anon = mmap(NULL, 3 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	untouched = mmap(NULL, MIB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (shm == MAP_FAILED || anon == MAP_FAILED || untouched == MAP_FAILED)
		exit(1);
	memset(shm, 1, len);
	child = unit_spawn(map_half, shm);
	madvise(anon, 3 * MIB, MADV_NOHUGEPAGE);
	memset(anon, 2, 3 * MIB);
	snprintf(self, sizeof(self), "%d", (int)getpid());

	/* by default maps and numa_maps (and pagemap for the shared region); with PRESENT, smaps too */
	for (int counts = 0; counts < 2; counts++) {
		rc = run_cli(&out, &err, (uid_t)-1,
			     (const char *const[]){ "show", "--json", self, counts ? "-o" : NULL, "+PRESENT,SWAPPED", NULL });
		CHECK(rc == 0, "show --json: exit %d: %s", rc, err);
		CHECK(strstr(out, "\"totals\": {") && strstr(out, "\"regions\": ["), "JSON shape: %.200s", out);
		CHECK((strstr(out, "\"present\": null") == NULL) == counts, "totals' present %s null%s", counts ? "is" : "is not",
		      counts ? " with -o +PRESENT" : " by default");
		check_region(out, "private anon", anon, "anon", counts);
		check_region(out, "shared anon", shm, "shm", counts);
		CHECK(json_region(out, (uint64_t)(uintptr_t)shm, &b, &e) && json_num(b, e, "shared") == (int64_t)len / 2 &&
		      json_num(b, e, "exclusive") == (int64_t)len / 2, "shared anon: not half shared, half exclusive");
		CHECK(json_region(out, (uint64_t)(uintptr_t)anon, &b, &e) && json_num(b, e, "exclusive") == 3 * MIB,
		      "private anon: not 3 MiB exclusive");
		CHECK(!json_region(out, (uint64_t)(uintptr_t)untouched, &b, &e), "untouched region shown without -a");
		free(out);
		free(err);
	}

	test_views(self, anon, untouched);
	unit_kill(child);
}

int main(void)
{
	if (access(CLI, X_OK)) {
		fprintf(stderr, "%s: %s (run from the repository root after make)\n", CLI, strerror(errno));
		return 1;
	}
	test_exit_codes();
	test_bad_options();
	test_self();
	return unit_exit("cli_show");
}
