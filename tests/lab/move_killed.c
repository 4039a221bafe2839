// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_killed.c - the mover is SIGKILLed in the middle of a move (an OOM kill, a `kill -9` by an
 * impatient operator): no page of the target may be lost or changed, the target must keep running,
 * and a second `pagemig move` must then finish the job.
 *
 * A target holds 32 MiB on node 0 (a pattern, checksummed) and answers SIGUSR1 by counting in a
 * shared page.  `pagemig move PID 0 2` is started twice and each time SIGKILLed as soon as the
 * kernel shows the buffer's first pages on node 2: once at --rate 16 (a move of two seconds, so the
 * kill lands in its middle) and once at --rate 32 with --batch 64 (many small calls).  After each
 * kill: every page of the buffer is on node 0 or node 2 (numa_maps counts all of them, none twice),
 * its contents are what they were (read through /proc/PID/mem), the target is alive (not a zombie,
 * not stopped) and answers a signal.  Then an unhindered `pagemig move` exits 0 with every page on
 * node 2 (move_pages(nodes = NULL)) and the contents intact.
 */
#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (32 * MIB)

struct layout {
	char *buf;
	uint64_t sum;
	volatile int pongs;	/* SIGUSR1s the target answered */
};

static struct layout *L;

static void on_usr1(int sig)
{
	__sync_fetch_and_add(&L->pongs, 1);
}

static void setup(void *arg)
{
	L->buf = lab_alloc_on_node(SZ, 0, 0);
	madvise(L->buf, SZ, MADV_NOHUGEPAGE);
	lab_fill(L->buf, SZ, 77);
	L->sum = lab_checksum(L->buf, SZ);
	signal(SIGUSR1, on_usr1);
}

/* Start `pagemig move PID 0 2 EXTRA...` with its output to the console; returns its pid. */
static pid_t start_mover(pid_t target, const char *a1, const char *a2, const char *a3, const char *a4)
{
	char spid[16];
	pid_t pid;

	snprintf(spid, sizeof(spid), "%d", (int)target);
	lab_log("+ pagemig move %s 0 2 --no-progress %s %s %s %s", spid, a1, a2, a3 ? a3 : "", a4 ? a4 : "");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		execlp("pagemig", "pagemig", "move", spid, "0", "2", "--no-progress", a1, a2, a3, a4, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* The target is alive, neither a zombie nor stopped, and answers SIGUSR1. */
static void expect_alive(pid_t pid, const char *what)
{
	char path[64], buf[512];
	const char *st;
	int before = L->pongs;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lab_read_file(path, buf, sizeof(buf)) < 0)
		FAIL("%s: the target is gone", what);
	st = strrchr(buf, ')');
	if (!st || (st[2] != 'S' && st[2] != 'R'))
		FAIL("%s: the target's state is '%c'", what, st ? st[2] : '?');
	if (kill(pid, SIGUSR1))
		FAIL("%s: kill(SIGUSR1): %s", what, strerror(errno));
	for (int i = 0; i < 500 && L->pongs == before; i++)
		usleep(10000);
	if (L->pongs == before)
		FAIL("%s: the target does not answer signals", what);
}

/* Kill the mover once the kernel shows pages of the buffer on node 2; then judge the target. */
static void kill_midway(pid_t target, pid_t mover, const char *what)
{
	size_t ps = lab_page_size(), n = SZ / ps, start = lab_count_on_node(target, L->buf, n, ps, 2), on2 = start;
	long n0, n2;
	int status = 0;

	while (waitpid(mover, &status, WNOHANG) == 0) {
		on2 = lab_count_on_node(target, L->buf, n, ps, 2);
		if (on2 > start)
			break;
		usleep(5000);
	}
	if (on2 == start || on2 == n)
		FAIL("%s: the mover ended (status %#x) with %zu of %zu pages on node 2: not killed midway", what,
		     status, on2, n);
	kill(mover, SIGKILL);
	if (waitpid(mover, &status, 0) != mover)
		FAIL("%s: waitpid: %s", what, strerror(errno));
	on2 = lab_count_on_node(target, L->buf, n, ps, 2);
	n0 = lab_numa_maps_pages(target, L->buf, 0);
	n2 = lab_numa_maps_pages(target, L->buf, 2);
	lab_log("%s: mover %s; the kernel shows %zu of %zu pages on node 2 (numa_maps: N0=%ld N2=%ld)", what,
		WIFSIGNALED(status) ? "killed" : "had already exited", on2, n, n0, n2);
	if (n0 < 0 || n0 + n2 != (long)n)
		FAIL("%s: numa_maps counts %ld + %ld pages on nodes 0 and 2, the buffer has %zu", what, n0, n2, n);
	if (lab_mem_checksum(target, L->buf, SZ) != L->sum)
		FAIL("%s: the buffer's contents changed", what);
	expect_alive(target, what);
}

int main(void)
{
	size_t ps = lab_page_size();
	pid_t pid;
	int rc;

	L = lab_require_cli(3, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->buf, SZ, ps, 0, "the buffer before the moves");

	kill_midway(pid, start_mover(pid, "--rate", "16", NULL, NULL), "killed at --rate 16");
	kill_midway(pid, start_mover(pid, "--rate", "32", "--batch", "64"), "killed with --batch 64 --rate 32");

	rc = lab_pagemig(NULL, 0, NULL, 0, "move %d 0 2 --no-progress", pid);
	if (rc != 0)
		FAIL("the move after the kills exited %d, expected 0", rc);
	lab_expect_on(pid, L->buf, SZ, ps, 2, "the buffer after the last move");
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("the buffer's contents changed by the last move");
	expect_alive(pid, "after the last move");
	lab_kill(pid);
	return 0;
}
