// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_multi.c - `pagemig move` of several processes: a pid list, and a cgroup v2 with a nested
 * child cgroup, judged by the kernel's placement and the buffers' checksums.
 *
 * Pid list: two targets with 16 MiB each on node 0 move to node 2 in one `--json` command; every
 * page of both buffers must be on node 2 (move_pages(2) query), with the same contents; each
 * process's object must count its buffer as planned and moved, and the document's totals must
 * equal the sum of the processes' and what the kernel shows: the bytes that arrived on node 2
 * over both processes (a placement query of every page before and after).  A pid that no longer
 * exists, named with a live one, must not stop the live one from moving: exit 3, and it moved.
 *
 * Cgroup: one target in a new cgroup, another in a child cgroup of it; `--cgroup` with `-q` moves
 * both to node 3, prints nothing at all, and exits 0.  Then `show --cgroup --summary --json`
 * must give each process's bytes on node 3 as its numa_maps counts them.
 */
#include <sys/stat.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (16 * MIB)
#define CG "/sys/fs/cgroup/pagemig-lab"

struct layout {
	char *buf[4];
	uint64_t sum[4];
	int next;
};

static struct layout *L;

static void setup(void *arg)
{
	int i = L->next;

	L->buf[i] = lab_alloc_on_node(SZ, 0, 0);
	lab_fill(L->buf[i], SZ, 100 + (uint64_t)i);
	L->sum[i] = lab_checksum(L->buf[i], SZ);
}

static pid_t spawn(int i)
{
	L->next = i;
	return lab_spawn(setup, NULL);
}

/* The object of process @pid in a "processes" array: [*begin, *end). */
static bool process_obj(const char *doc, pid_t pid, const char **begin, const char **end)
{
	char key[32];
	const char *p, *q;

	snprintf(key, sizeof(key), "\"pid\": %d,", (int)pid);
	p = strstr(doc, key);
	if (!p)
		return false;
	q = strstr(p + 1, "\"pid\": ");
	*begin = p;
	*end = q ? q : p + strlen(p);
	return true;
}

/* A number member of the first "totals" object in [p, end); -1 when absent. */
static int64_t totals_num(const char *p, const char *end, const char *name)
{
	const char *t = strstr(p, "\"totals\": {");
	char key[64];
	const char *v;

	if (!t || t > end)
		return -1;
	snprintf(key, sizeof(key), "\"%s\": ", name);
	v = strstr(t, key);
	return v && v < end ? (int64_t)strtoll(v + strlen(key), NULL, 10) : -1;
}

/* A number member of the row whose range starts at @start, in [p, end); -1 when absent. */
static int64_t row_num(const char *p, const char *end, const void *start, const char *name)
{
	char key[64];
	const char *r, *q, *v;

	snprintf(key, sizeof(key), "\"range\": \"%lx-", (unsigned long)(uintptr_t)start);
	r = strstr(p, key);
	if (!r || r > end)
		return -1;
	q = strchr(r, '}');
	snprintf(key, sizeof(key), "\"%s\": ", name);
	v = strstr(r, key);
	return v && q && v < q ? (int64_t)strtoll(v + strlen(key), NULL, 10) : -1;
}

static void two_pids(void)
{
	static char out[1 << 20];
	size_t ps = lab_page_size();
	size_t before[2], after[2];
	int64_t moved_sum = 0, total_moved;
	const char *tail;
	pid_t pid[2], dead;
	int rc, i;

	for (i = 0; i < 2; i++) {
		pid[i] = spawn(i);
		lab_expect_on(pid[i], L->buf[i], SZ, ps, 0, "a target's 16 MiB before the move");
		before[i] = lab_count_all_on_node(pid[i], 2);
	}
	rc = lab_pagemig(out, sizeof(out), NULL, 0, "move %d,%d 0 2 --json --no-progress", pid[0], pid[1]);
	if (rc != 0)
		FAIL("pagemig move of two pids exited %d, expected 0", rc);
	for (i = 0; i < 2; i++) {
		const char *b, *e;
		int64_t planned, moved, pmoved;

		lab_expect_on(pid[i], L->buf[i], SZ, ps, 2, "a target's 16 MiB after the move");
		if (lab_mem_checksum(pid[i], L->buf[i], SZ) != L->sum[i])
			FAIL("process %d: contents changed by the move", (int)pid[i]);
		after[i] = lab_count_all_on_node(pid[i], 2);
		if (!process_obj(out, pid[i], &b, &e))
			FAIL("no JSON object for process %d", (int)pid[i]);
		planned = row_num(b, e, L->buf[i], "planned");
		moved = row_num(b, e, L->buf[i], "moved");
		if (planned != (int64_t)SZ || moved != (int64_t)SZ)
			FAIL("process %d: its buffer's row says planned %" PRId64 ", moved %" PRId64 ", expected %lu",
			     (int)pid[i], planned, moved, SZ);
		pmoved = totals_num(b, e, "moved");
		lab_log("process %d: totals moved %" PRId64 " bytes; the kernel shows %zu more pages on node 2",
			(int)pid[i], pmoved, after[i] - before[i]);
		if (pmoved != (int64_t)((after[i] - before[i]) * ps))
			FAIL("process %d: totals.moved %" PRId64 " but %zu bytes arrived on node 2", (int)pid[i], pmoved,
			     (after[i] - before[i]) * ps);
		moved_sum += pmoved;
	}
	/* the document's own totals come last, after the "processes" array */
	tail = strstr(out, "],\n   \"exit\": 0,\n   \"totals\": {");
	if (!tail)
		FAIL("no \"exit\" and \"totals\" after the \"processes\" array");
	total_moved = totals_num(tail, out + strlen(out), "moved");
	if (total_moved != moved_sum)
		FAIL("the document's totals.moved is %" PRId64 ", the processes' add up to %" PRId64, total_moved,
		     moved_sum);

	/* a pid that is gone does not stop the others: exit 3, and the live one moved back */
	dead = spawn(2);
	lab_kill(dead);
	rc = lab_pagemig(out, sizeof(out), NULL, 0, "move %d,%d 2 0 --no-progress", (int)dead, pid[0]);
	if (rc != 3)
		FAIL("moving a live and a gone process exited %d, expected 3", rc);
	lab_expect_on(pid[0], L->buf[0], SZ, ps, 0, "the live process, moved with a gone one");
	lab_kill(pid[0]);
	lab_kill(pid[1]);
}

static void join_cgroup(const char *dir, pid_t pid)
{
	char path[128], val[32];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(val, sizeof(val), "%d", (int)pid);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		FAIL("cannot put process %d into %s: %s", (int)pid, dir, strerror(errno));
	close(fd);
}

/* Node 3 of each process's totals in `show --cgroup --json`: numa_maps, as the kernel counts. */
static void show_cgroup(pid_t a, pid_t b)
{
	static char out[1 << 20];
	pid_t pids[2] = { a, b };
	const char *p, *e;
	unsigned long long n[4];
	int rc, i;

	rc = lab_pagemig(out, sizeof(out), NULL, 0, "show --cgroup /sys/fs/cgroup/pagemig-lab --summary --json");
	if (rc != 0)
		FAIL("pagemig show --cgroup exited %d", rc);
	for (i = 0; i < 2; i++) {
		long kernel = lab_numa_maps_pages(pids[i], NULL, 3);

		if (!process_obj(out, pids[i], &p, &e) || !(p = strstr(p, "\"totals\": {")) || p > e ||
		    !(p = strstr(p, "\"node-bytes\": [")) ||
		    sscanf(p, "\"node-bytes\": [%llu, %llu, %llu, %llu]", &n[0], &n[1], &n[2], &n[3]) != 4)
			FAIL("show --cgroup: no node-bytes in the totals of process %d", (int)pids[i]);
		lab_log("process %d: show says %llu bytes on node 3, numa_maps %ld pages", (int)pids[i], n[3], kernel);
		if (n[3] < SZ || n[3] != (unsigned long long)kernel * lab_page_size())
			FAIL("show --cgroup: process %d has %llu bytes on node 3, numa_maps says %ld pages", (int)pids[i],
			     n[3], kernel);
	}
}

static void cgroup(void)
{
	char out[4096], err[4096];
	size_t ps = lab_page_size();
	pid_t a, b;
	int rc;

	if (access("/sys/fs/cgroup/cgroup.procs", F_OK))
		SKIP("cgroup2 is not mounted on /sys/fs/cgroup");
	if ((mkdir(CG, 0755) && errno != EEXIST) || (mkdir(CG "/child", 0755) && errno != EEXIST))
		FAIL("mkdir %s: %s", CG "/child", strerror(errno));
	a = spawn(2);
	b = spawn(3);
	join_cgroup(CG, a);
	join_cgroup(CG "/child", b);
	rc = lab_pagemig(out, sizeof(out), err, sizeof(err), "move --cgroup pagemig-lab 0 3 -q");
	if (rc != 0)
		FAIL("pagemig move --cgroup exited %d, expected 0", rc);
	if (out[0] || err[0])
		FAIL("-q printed something: stdout '%s', stderr '%s'", out, err);
	lab_expect_on(a, L->buf[2], SZ, ps, 3, "the process in the cgroup");
	lab_expect_on(b, L->buf[3], SZ, ps, 3, "the process in the child cgroup");
	if (lab_mem_checksum(a, L->buf[2], SZ) != L->sum[2] || lab_mem_checksum(b, L->buf[3], SZ) != L->sum[3])
		FAIL("contents changed by the cgroup's move");
	show_cgroup(a, b);
	lab_kill(a);
	lab_kill(b);
	rmdir(CG "/child");
	rmdir(CG);
}

int main(void)
{
	L = lab_require_cli(4, sizeof(*L));
	two_pids();
	cgroup();
	return 0;
}
