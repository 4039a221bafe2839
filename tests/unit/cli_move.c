// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_move.c - `build/pagemig move` on the single-node host (run from the repository root): what a
 * script reads.  On one node a move from node 0 to node 0 moves nothing, and every resident page
 * of the target is "stayed": that count must equal the target's Rss as the kernel's
 * smaps_rollup says, in the JSON totals and in the --raw summary alike.  Also: every counter is
 * in the totals object, the dry run's document has the same shape, -q prints nothing, several
 * processes give one object each and the worst exit status in the documented order, --cgroup
 * walks a canned cgroup tree (nested, a pid listed twice) and the option errors.
 * Real moves, rates and signals are the lab's (tests/lab/move_multi.c, move_rate.c).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "unit.h"
#include "../json.h"

#define CLI "build/pagemig"
#define MIB (1UL << 20)

static int run_cli(char **out, char **err, uid_t uid, const char *const *args)
{
	return unit_run(out, err, uid, CLI, args);
}

static void setup(void *arg)
{
	char *p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, 4 * MIB);
}

/* The target's Rss in bytes, from smaps_rollup: the kernel's count of its resident pages. */
static int64_t rss_of(pid_t pid)
{
	char path[64], line[256];
	int64_t kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Rss: %" SCNd64 " kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* A number member of the last "totals" object of @doc (the document's own); -1 when absent. */
static int64_t totals_num(const char *doc, const char *name)
{
	const char *t = NULL, *p = doc;

	while ((p = strstr(p, "\"totals\": {")))
		t = p++;
	return t ? json_num(t, t + strlen(t), name) : -1;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

static void test_usage(pid_t pid)
{
	static const char *const bad[][8] = {
		{ "move", "PID", "0", "0", "--rate", "0", NULL },
		{ "move", "PID", "0", "0", "--rate", "fast", NULL },
		{ "move", "PID", "0", "0", "--progress=yaml", NULL },
		{ "move", "PID", "0", "0", "--threads", "9", NULL },
		{ "move", "PID,", "0", "0", NULL },
		{ "move", "PID,x", "0", "0", NULL },
		{ "move", "--cgroup", "/nonexistent-pagemig", "0", "0", NULL },
		{ "move", "PID", "0", "0", "1", NULL },
	};
	char pids[32], pidc[32];
	size_t i;

	snprintf(pids, sizeof(pids), "%d", (int)pid);
	snprintf(pidc, sizeof(pidc), "%d,", (int)pid);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[8];
		char *out, *err, px[40];
		int rc, k;

		snprintf(px, sizeof(px), "%d,x", (int)pid);
		for (k = 0; bad[i][k]; k++)
			args[k] = !strcmp(bad[i][k], "PID") ? pids : !strcmp(bad[i][k], "PID,") ? pidc
				: !strcmp(bad[i][k], "PID,x") ? px : bad[i][k];
		args[k] = NULL;
		rc = run_cli(&out, &err, (uid_t)-1, args);
		CHECK(rc == 2 && !*out && !strncmp(err, "pagemig: ", 9) && count(err, "\n") == 1,
		      "case %zu: exit %d, stdout '%.40s', stderr '%s': want exit 2 and one line", i, rc, out, err);
		free(out);
		free(err);
	}
}

/* JSON: every counter in "totals", named as the text names them, and stayed = the kernel's Rss. */
static void test_json(pid_t pid)
{
	static const char *const keys[] = {
		"regions", "planned", "moved", "fallback", "stayed", "elsewhere", "shared", "busy", "no-memory",
		"hidden", "refused", "failed", "not-present", "unmapped", "unmovable", "handled", "left", "syscalls",
		"rate",
	};
	char p[32], key[64], *out, *err;
	int64_t rss = rss_of(pid), stayed, unmov;
	size_t i;
	int rc;

	snprintf(p, sizeof(p), "%d", (int)pid);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--json", NULL });
	CHECK(rc == 0, "move --json: exit %d, stderr %s", rc, err);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(totals_num(out, keys[i]) >= 0, "totals lacks \"%s\"", keys[i]);
	snprintf(key, sizeof(key), "\"pagesize\": %ld,", sysconf(_SC_PAGESIZE));
	CHECK(strstr(out, key) && strstr(out, "\"errors\": {}") && strstr(out, "\"elapsed\": ") &&
	      strstr(out, "\"exit\": 0,") && strstr(out, "\"error\": null"), "document lacks a member: %.300s", out);
	stayed = totals_num(out, "stayed");
	unmov = totals_num(out, "unmovable");
	CHECK(stayed >= (int64_t)(4 * MIB), "stayed %" PRId64 ": the 4 MiB buffer is not in it", stayed);
	CHECK(stayed + unmov == rss, "stayed %" PRId64 " + unmovable %" PRId64 " != Rss %" PRId64 " (smaps_rollup)",
	      stayed, unmov, rss);
	free(out);
	free(err);

	/* the dry run: the same document, from numa_maps */
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--json", "-d", NULL });
	CHECK(rc == 0 && strstr(out, "\"dry-run\": true") && strstr(out, "\"plan\": "), "dry run: exit %d, %.200s",
	      rc, out);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK(totals_num(out, keys[i]) >= 0, "dry run's totals lack \"%s\"", keys[i]);
	CHECK(totals_num(out, "stayed") + totals_num(out, "unmovable") == rss_of(pid),
	      "dry run: stayed %" PRId64 " + unmovable %" PRId64 " != Rss %" PRId64, totals_num(out, "stayed"),
	      totals_num(out, "unmovable"), rss_of(pid));
	free(out);
	free(err);
}

/* Text: -q, --raw, --bytes, --noheadings, the page size; stayed as in JSON. */
static void test_text(pid_t pid)
{
	char p[32], want[96], last[96], ps[32], *out, *err, *v;
	long psz = sysconf(_SC_PAGESIZE);
	int rc;

	snprintf(p, sizeof(p), "%d", (int)pid);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "-q", NULL });
	CHECK(rc == 0 && !*out && !*err, "-q: exit %d, stdout '%s', stderr '%s'", rc, out, err);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--raw", "-b", "-n", NULL });
	v = strstr(out, "\nstayed ");
	CHECK(rc == 0 && !strstr(out, "RANGE") && !strstr(out, "COUNTER") && v, "--raw -n: exit %d, %s", rc, out);
	CHECK(v && strtoll(v + 8, NULL, 10) + strtoll(strstr(out, "\nunmovable ") + 11, NULL, 10) == rss_of(pid),
	      "--raw: stayed + unmovable != Rss %" PRId64 ": %s", rss_of(pid), out);
	CHECK(strstr(out, "\nhandled 0\n") && strstr(out, "\nelapsed ") && strstr(out, "\nrate 0\n"),
	      "--raw lacks a counter: %s", out);
	free(out);
	free(err);
	if (psz >= 1024 * 1024)
		snprintf(ps, sizeof(ps), "%ldM", psz >> 20);
	else
		snprintf(ps, sizeof(ps), "%ldK", psz >> 10);
	snprintf(want, sizeof(want), "moved 0 of 0 planned (0 of 0 %s pages)", ps);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--progress=json", NULL });
	snprintf(last, sizeof(last), "{\"pid\": %d, \"exit\": 0, \"moved\": 0, ", (int)pid);
	CHECK(rc == 0 && strstr(err, last) && count(err, "\n") == count(err, "{\"pid\": "),
	      "--progress=json: no last line '%s' (or a line that is not JSON): %s", last, err);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--bytes", NULL });
	CHECK(rc == 0 && strstr(out, want) && strstr(out, "\n  stayed       "), "--bytes: want '%s' in %s", want, out);
	free(out);
	free(err);
}

static pid_t gone_pid(void)
{
	pid_t p = unit_spawn(setup, NULL);

	unit_kill(p);
	return p;
}

/* Several processes: one object each, the worst exit status (3 over 0, 4 over 3). */
static void test_several(pid_t a, pid_t b)
{
	char list[64], gone[64], key[64], *out, *err;
	pid_t g = gone_pid();
	int rc;

	snprintf(list, sizeof(list), "%d,%d,%d", (int)b, (int)a, (int)b);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", list, "0", "0", "--json", NULL });
	snprintf(key, sizeof(key), "\"pid\": %d,", (int)a);
	CHECK(rc == 0 && count(out, "\"pid\": ") == 2 && count(out, key) == 1 && strstr(out, "\"processes\": ["),
	      "two pids (one named twice): exit %d, %d objects", rc, count(out, "\"pid\": "));
	CHECK(totals_num(out, "stayed") == rss_of(a) + rss_of(b) - totals_num(out, "unmovable"),
	      "the document's stayed is not the two processes' Rss");
	free(out);
	free(err);

	snprintf(gone, sizeof(gone), "%d,%d", (int)a, (int)g);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", gone, "0", "0", "--json", NULL });
	snprintf(key, sizeof(key), "\"pid\": %d,\n   \"exit\": 3,", (int)g);
	CHECK(rc == 3 && strstr(out, key) && strstr(out, "],\n   \"exit\": 3,"), "a live and a gone pid: exit %d, %s",
	      rc, out);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", gone, "0", "0", NULL });
	snprintf(key, sizeof(key), "pid %d: moved 0B of 0B planned", (int)a);
	CHECK(rc == 3 && strstr(out, key) && strstr(out, ", 2 processes\n") && count(err, "\n") == 1,
	      "text, a live and a gone pid: exit %d, stdout %s, stderr %s", rc, out, err);
	free(out);
	free(err);
	if (geteuid() != 0) {
		printf("permission order test skipped: not root\n");
		return;
	}
	rc = run_cli(&out, &err, 65534, (const char *const[]){ "move", gone, "0", "0", "-q", NULL });
	CHECK(rc == 4 && !*out && count(err, "\n") == 2, "as nobody, root's and a gone pid: exit %d (want 4), %s", rc,
	      err);
	free(out);
	free(err);
}

/* A canned cgroup tree: a, a/x (empty), a/x/y; b listed in two cgroups, a in one. */
static void test_cgroup(pid_t a, pid_t b)
{
	char dir[] = "/tmp/pagemig-cgXXXXXX", path[128], text[64], key[64], *out, *err;
	int rc;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/x", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/x/y", dir);
	mkdir(path, 0755);
	snprintf(text, sizeof(text), "%d\n", (int)b);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	unit_write_file(path, text);
	snprintf(path, sizeof(path), "%s/x/cgroup.procs", dir);
	unit_write_file(path, "");
	snprintf(text, sizeof(text), "%d\n%d\n", (int)a, (int)b);
	snprintf(path, sizeof(path), "%s/x/y/cgroup.procs", dir);
	unit_write_file(path, text);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", "--cgroup", dir, "0", "0", "--json", NULL });
	snprintf(key, sizeof(key), "\"pid\": %d,", (int)b);
	CHECK(rc == 0 && count(out, "\"pid\": ") == 2 && count(out, key) == 1, "--cgroup: exit %d, %d objects, %s", rc,
	      count(out, "\"pid\": "), err);
	free(out);
	free(err);
	snprintf(path, sizeof(path), "%s/x", dir);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", "--cgroup", path, "0", "0", "-d", NULL });
	snprintf(key, sizeof(key), "pid %d: would move", (int)a);
	CHECK(rc == 0 && strstr(out, key), "--cgroup of a nested cgroup: exit %d, %s", rc, out);
	free(out);
	free(err);
	snprintf(path, sizeof(path), "%s/x/y/cgroup.procs", dir);
	unit_write_file(path, "");
	snprintf(path, sizeof(path), "%s/x", dir);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", "--cgroup", path, "0", "0", NULL });
	CHECK(rc == 3 && strstr(err, "no process in cgroup"), "an empty cgroup: exit %d, %s", rc, err);
	free(out);
	free(err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0, "%s", path);
}

#define OBJ "/dev/shm/pagemig-unit-unmapped"

static void map_obj(void *arg)
{
	size_t len = (size_t)(uintptr_t)arg;
	int fd = open(OBJ, O_RDWR);
	char *p = fd >= 0 ? mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;

	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, len);
}

/*
 * A shared object mapped whole, touched in part: another process touched the rest and exited.
 * That rest is "unmapped" (root: /proc/PID/map_files), as the object's mincore(2) says, less
 * what the target maps.
 */
static void test_unmapped(void)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), resident = 0, i;
	unsigned char vec[4 * MIB / 4096];
	char p[32], *out, *err;
	pid_t helper, t;
	void *m;
	int fd, rc;

	if (geteuid() != 0 || ps != 4096) {
		printf("unmapped test skipped: not root, or pages are not 4 KiB\n");
		return;
	}
	fd = open(OBJ, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && !ftruncate(fd, 4 * MIB), "cannot create %s", OBJ);
	helper = unit_spawn(map_obj, (void *)(uintptr_t)(4 * MIB));
	unit_kill(helper);
	t = unit_spawn(map_obj, (void *)(uintptr_t)MIB);
	m = mmap(NULL, 4 * MIB, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && !mincore(m, 4 * MIB, vec), "mincore: %s", strerror(errno));
	for (i = 0; i < sizeof(vec); i++)
		resident += (vec[i] & 1) ? ps : 0;
	snprintf(p, sizeof(p), "%d", (int)t);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "--json", NULL });
	CHECK(rc == 0 && totals_num(out, "unmapped") == (int64_t)(resident - MIB),
	      "unmapped %" PRId64 ", the kernel says %zu of the object in memory and 1 MiB mapped", totals_num(out, "unmapped"),
	      resident);
	free(out);
	free(err);
	rc = run_cli(&out, &err, (uid_t)-1, (const char *const[]){ "move", p, "0", "0", "-r", "-b", NULL });
	CHECK(rc == 0 && strstr(out, "\nunmapped ") && strtoull(strstr(out, "\nunmapped ") + 10, NULL, 10) == resident - MIB,
	      "--raw: no unmapped line of %zu: %s", resident - MIB, out);
	free(out);
	free(err);
	unit_kill(t);
	munmap(m, 4 * MIB);
	close(fd);
	unlink(OBJ);
}

int main(void)
{
	pid_t a, b;

	a = unit_spawn(setup, NULL);
	b = unit_spawn(setup, NULL);
	test_usage(a);
	test_json(a);
	test_text(a);
	test_several(a, b);
	test_cgroup(a, b);
	test_unmapped();
	unit_kill(a);
	unit_kill(b);
	if (unit_failed("cli_move"))
		return 1;
	return 0;
}
