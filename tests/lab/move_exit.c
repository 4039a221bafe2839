// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_exit.c - moves that cannot finish: the target exits in the middle of the move, and the
 * target node runs out of memory.
 *
 * Exit: a target with 256 MiB on node 0 is moved to node 2 with --batch 64; as soon as the kernel
 * shows its first pages on node 2, the target _exit()s.  Reaped at once (the pid vanishes) or left
 * a zombie until pagemig is done (the pid stays, its memory is gone), six times each, half of them
 * with 16 more threads in the target (then the leader's memory is gone while the process still
 * counts as alive: its other threads are still exiting, and move_pages(2) says -EINVAL meanwhile).
 * pagemig must end by itself with 0, 3 or 5 — never a signal — and with 3, stderr says that the
 * process exited.
 *
 * Full node: another process fills node 3 (512 MiB) with bound anonymous memory up to a few tens
 * of MiB above its watermarks; moving a target's 64 MiB from node 0 to node 3 must exit 5, report
 * no-memory, and count as moved exactly the pages the kernel shows on node 3.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define BIG (256 * MIB)
#define SMALL (64 * MIB)
#define ROUNDS 6

struct layout {
	char *buf;
	uint64_t sum;
	int threads;		/* extra threads of the next big target */
};

static struct layout *L;

static void on_usr1(int sig)
{
	_exit(0);
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void setup_big(void *arg)
{
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	L->buf = lab_alloc_on_node(BIG, 0, 0);
	for (int i = 0; i < L->threads; i++)
		if (pthread_create(&t, NULL, sleeper, NULL))
			FAIL("pthread_create");
}

static void exit_mid_move(bool reap, int threads)
{
	static char out[65536];
	char args[256], err[8192], how[64];
	size_t ps = lab_page_size();
	int status, st[64], rc;
	pid_t pid, pm;
	double t0;
	bool seen = false;

	snprintf(how, sizeof(how), "%s, %d thread%s", reap ? "reaped" : "zombie", 1 + threads, threads ? "s" : "");
	L->threads = threads;
	pid = lab_spawn(setup_big, NULL);
	lab_expect_on(pid, L->buf, BIG, ps, 0, "the target's 256 MiB");
	/* zombies are moved by two pagemig threads: an exit must stop both cleanly */
	snprintf(args, sizeof(args), "move %d 0 2 --batch 64 --no-progress%s", pid, reap ? "" : " --threads 2");
	pm = lab_start("exec pagemig %s >/tmp/exit.out 2>/tmp/exit.err", args);
	t0 = lab_now();
	/* Wait until the buffer's first pages are on node 2: pagemig is in the middle of it then. */
	while (lab_now() - t0 < 30) {
		if (waitpid(pm, &status, WNOHANG) == pm)
			FAIL("%s: pagemig finished before the target exited: the test did not test anything", how);
		if (lab_query_nodes_pid(pid, L->buf, 64, ps, st) == 0 && st[0] == 2) {
			seen = true;
			break;
		}
		usleep(500);
	}
	if (!seen)
		FAIL("%s: no page of the target reached node 2 within 30 s", how);
	kill(pid, SIGUSR1);
	if (reap && waitpid(pid, NULL, 0) != pid)
		FAIL("waitpid(target): %s", strerror(errno));
	lab_log("%s: the target exited %.2fs after pagemig started", how, lab_now() - t0);
	if (waitpid(pm, &status, 0) != pm)
		FAIL("waitpid(pagemig): %s", strerror(errno));
	if (!reap && waitpid(pid, NULL, 0) != pid)
		FAIL("waitpid(target): %s", strerror(errno));
	lab_read_file("/tmp/exit.out", out, sizeof(out));
	lab_read_file("/tmp/exit.err", err, sizeof(err));
	lab_log("%s\nstderr: %s", out, err);
	if (!WIFEXITED(status))
		FAIL("%s: pagemig was killed by signal %d when its target exited", how, WTERMSIG(status));
	rc = WEXITSTATUS(status);
	lab_log("%s: pagemig exited %d after %.2fs", how, rc, lab_now() - t0);
	if (rc != 0 && rc != 3 && rc != 5)
		FAIL("%s: pagemig exited %d when its target exited mid-move, expected 0, 3 or 5", how, rc);
	if (rc == 3 && !strstr(err, "exited"))
		FAIL("%s: exit 3 but stderr does not say that the process exited: '%s'", how, err);
}

static void setup_fill(void *arg)
{
	size_t len = *(size_t *)arg;

	/* Bound to node 3 by a policy on the range: page tables come from elsewhere. */
	lab_alloc_on_node(len, 3, 0);
}

static void setup_small(void *arg)
{
	L->buf = lab_alloc_on_node(SMALL, 0, 0);
	lab_fill(L->buf, SMALL, 51);
	L->sum = lab_checksum(L->buf, SMALL);
}

static void full_node(void)
{
	static char out[65536];
	size_t ps = lab_page_size(), npages = SMALL / ps, on3, on0, fill;
	long long free_kb = lab_node_meminfo(3, "MemFree");
	unsigned long moved, planned;
	pid_t pid, filler;
	int rc;

	if (free_kb < 0 || (size_t)free_kb * 1024 < 128 * MIB)
		FAIL("node 3 has %lld kB free, expected most of its 512 MiB", free_kb);
	fill = (size_t)free_kb * 1024 - 40 * MIB;
	filler = lab_spawn(setup_fill, &fill);
	lab_log("node 3: %lld kB free, filled with %zu MiB, %lld kB free now", free_kb, fill / MIB,
		lab_node_meminfo(3, "MemFree"));
	pid = lab_spawn(setup_small, NULL);
	lab_expect_on(pid, L->buf, SMALL, ps, 0, "the target's 64 MiB");

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 3 --regions %lx-%lx --no-progress", pid,
		     (unsigned long)(uintptr_t)L->buf, (unsigned long)(uintptr_t)L->buf + SMALL);
	lab_log("%s", out);
	on3 = lab_count_on_node(pid, L->buf, npages, ps, 3);
	on0 = lab_count_on_node(pid, L->buf, npages, ps, 0);
	lab_log("kernel: %zu pages on node 3, %zu on node 0; node 3 free %lld kB", on3, on0,
		lab_node_meminfo(3, "MemFree"));
	if (on3 + on0 != npages)
		FAIL("%zu pages are neither on node 0 nor on node 3", npages - on3 - on0);
	if (on3 == npages)
		FAIL("every page fit on the full node 3: this test's premise is wrong");
	if (rc != 5)
		FAIL("move onto a full node: exit %d, expected 5", rc);
	if (!strstr(out, "no-memory"))
		FAIL("move onto a full node: the report does not mention no-memory");
	if (!lab_move_summary(out, &moved, &planned))
		FAIL("no 'moved X of Y planned (M of P 4K pages)' summary");
	if (planned != npages || moved != on3)
		FAIL("pagemig says %lu of %lu pages moved; the kernel shows %zu of %zu on node 3", moved, planned, on3,
		     npages);

	if (lab_mem_checksum(pid, L->buf, SMALL) != L->sum)
		FAIL("contents changed by a move that ran out of memory");
	lab_kill(pid);
	lab_kill(filler);
}

int main(void)
{
	L = lab_require_cli(4, sizeof(*L));
	full_node();
	/* A few times each: where the exit lands in pagemig's work varies from run to run. */
	for (int i = 0; i < ROUNDS; i++) {
		exit_mid_move(true, i % 2 ? 16 : 0);
		exit_mid_move(false, i % 2 ? 16 : 0);
	}
	return 0;
}
