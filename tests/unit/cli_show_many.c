// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_show_many.c - `build/pagemig show` of several processes (a pid list, --cgroup on a canned
 * tree), on the host (run from the repository root).  Each process's numbers must be what
 * `pagemig show` of that process alone says, and the total over them their sum; a process that
 * is gone is an error that does not hide the others (exit 3).
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include "unit.h"
#include "../json.h"

#define CLI "build/pagemig"
#define MIB (1UL << 20)

static void setup(void *arg)
{
	size_t len = (size_t)(uintptr_t)arg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	memset(p, 1, len);
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

/* "rss" of the "totals" object after @from (the first one) */
static int64_t totals_rss(const char *from)
{
	const char *t = from ? strstr(from, "\"totals\": {") : NULL;

	return t ? json_num(t, t + strlen(t), "rss") : -1;
}

/* RSS of `pagemig show PID --json -s` alone. */
static int64_t rss_alone(pid_t pid)
{
	char p[32], *out, *err;
	int64_t v;

	snprintf(p, sizeof(p), "%d", (int)pid);
	unit_run(&out, &err, (uid_t)-1, CLI, (const char *const[]){ "show", p, "--json", "-s", NULL });
	v = totals_rss(out);
	free(out);
	free(err);
	return v;
}

static void test_list(pid_t a, pid_t b, pid_t gone)
{
	char list[64], key[64], *out, *err, *pa, *pb, *all;
	int64_t ra = rss_alone(a), rb = rss_alone(b);
	int rc;

	snprintf(list, sizeof(list), "%d,%d", (int)b, (int)a);
	rc = unit_run(&out, &err, (uid_t)-1, CLI, (const char *const[]){ "show", list, "--json", "-s", NULL });
	snprintf(key, sizeof(key), "\"pid\": %d,", (int)a);
	pa = strstr(out, key);
	snprintf(key, sizeof(key), "\"pid\": %d,", (int)b);
	pb = strstr(out, key);
	all = strstr(out, "}],\n   \"totals\": {");	/* after the "processes" array */
	CHECK(rc == 0 && pa && pb && (pa < pb) == (a < b) && all, "two pids, JSON: exit %d, %.300s", rc, out);
	CHECK(totals_rss(pa) == ra && totals_rss(pb) == rb && totals_rss(all) == ra + rb,
	      "rss %" PRId64 " and %" PRId64 " (alone: %" PRId64 ", %" PRId64 "), total %" PRId64, totals_rss(pa),
	      totals_rss(pb), ra, rb, totals_rss(all));
	CHECK(ra >= (int64_t)(4 * MIB) && rb >= (int64_t)(8 * MIB), "the buffers are not in the rss: %" PRId64
	      ", %" PRId64, ra, rb);
	free(out);
	free(err);

	rc = unit_run(&out, &err, (uid_t)-1, CLI, (const char *const[]){ "show", list, "-s", "-r", "-b", NULL });
	snprintf(key, sizeof(key), "\nall ");
	CHECK(rc == 0 && count(out, "\n") == 4 && strstr(out, "PID REGIONS ") == out && strstr(out, key),
	      "two pids, --summary: exit %d, %s", rc, out);
	free(out);
	free(err);

	snprintf(list, sizeof(list), "%d,%d", (int)a, (int)gone);
	rc = unit_run(&out, &err, (uid_t)-1, CLI, (const char *const[]){ "show", list, "-r", NULL });
	snprintf(key, sizeof(key), "\n%d total ", (int)a);
	CHECK(rc == 3 && strstr(out, key) && strstr(out, "\nall total ") && strstr(err, "no such process"),
	      "a live and a gone pid: exit %d, stderr %s", rc, err);
	free(out);
	free(err);
}

static void test_cgroup(pid_t a, pid_t b)
{
	char dir[] = "/tmp/pagemig-cgXXXXXX", path[128], text[64], key[64], *out, *err;
	int rc;

	if (!mkdtemp(dir)) {
		CHECK(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/child", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(text, sizeof(text), "%d\n", (int)a);
	unit_write_file(path, text);
	snprintf(path, sizeof(path), "%s/child/cgroup.procs", dir);
	snprintf(text, sizeof(text), "%d\n%d\n", (int)b, (int)a);
	unit_write_file(path, text);
	rc = unit_run(&out, &err, (uid_t)-1, CLI, (const char *const[]){ "show", "--cgroup", dir, "-s", "-r", NULL });
	snprintf(key, sizeof(key), "\n%d ", (int)b);
	CHECK(rc == 0 && count(out, "\n") == 4 && strstr(out, key), "--cgroup: exit %d, %s%s", rc, out, err);
	free(out);
	free(err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0, "%s", path);
}

int main(void)
{
	pid_t a = unit_spawn(setup, (void *)(uintptr_t)(4 * MIB));
	pid_t b = unit_spawn(setup, (void *)(uintptr_t)(8 * MIB));
	pid_t gone = unit_spawn(setup, (void *)(uintptr_t)MIB);

	unit_kill(gone);
	test_list(a, b, gone);
	test_cgroup(a, b);
	unit_kill(a);
	unit_kill(b);
	return unit_failed("cli_show_many") ? 1 : 0;
}
