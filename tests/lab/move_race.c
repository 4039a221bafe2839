// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_race.c - the target moves memory itself while pagemig moves it: one thread of the target
 * keeps re-binding a buffer between nodes 0 and 1 with mbind(MPOL_MF_MOVE) (syzkaller's mbind
 * with MOVE flags), another keeps mapping two hugetlb pages, writing them and unmapping them
 * (LTP move_pages12: move_pages(2) racing with the freeing of huge pages).
 *
 * Six moves, `pagemig move PID 0,1 2,3 --all` and back `2,3 0,1 --all`, run meanwhile.  Each must
 * end by itself with 0 or 5 (pages the target moved away again after pagemig moved them are left,
 * and must be reported so) or 6 (the hugetlb handler found a pool short: nothing moved), never a
 * signal or another status; its summary must not count more
 * moved than planned; the target must be alive.  Then the target's threads stop: they met no
 * error and the buffer holds what it held (its own check after each mbind, and /proc/PID/mem),
 * and a last move exits 0 with every page of the buffer on node 2 or 3.  The kernel must not
 * complain meanwhile (lab.sh fails a test after which the kernel printed a BUG or a WARNING).
 */
#include "labtest.h"
#include <pthread.h>

#define MIB (1UL << 20)
#define SZ (4 * MIB)
#define HPAGE (2 * MIB)
#define ROUNDS 6

struct layout {
	char *buf;
	uint64_t sum;
	volatile int stop, running;
	volatile long ops[2];	/* mbinds, hugetlb map/unmap cycles */
	char error[256];
};

static struct layout *L;

static void race_error(const char *what, int err)
{
	if (!L->error[0])
		snprintf(L->error, sizeof(L->error), "%s: %s", what, strerror(err));
}

static void *rebinder(void *arg)
{
	for (int n = 1; !L->stop; n ^= 1) {
		int err = lab_mbind(L->buf, SZ, MPOL_BIND, 1ULL << n, MPOL_MF_MOVE);

		/* EIO: some page could not move (under migration by pagemig): not the target's error */
		if (err && err != -EIO) {
			race_error("mbind(MPOL_MF_MOVE)", -err);
			break;
		}
		if (lab_checksum(L->buf, SZ) != L->sum) {
			race_error("contents after mbind", EIO);
			break;
		}
		L->ops[0]++;
	}
	__sync_fetch_and_sub(&L->running, 1);
	return NULL;
}

static void *huge_churn(void *arg)
{
	while (!L->stop) {
		char *p = mmap(NULL, 2 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

		if (p == MAP_FAILED) {
			race_error("mmap(MAP_HUGETLB)", errno);
			break;
		}
		memset(p, 0x5a, 2 * HPAGE);
		if (munmap(p, 2 * HPAGE)) {
			race_error("munmap", errno);
			break;
		}
		L->ops[1]++;
	}
	__sync_fetch_and_sub(&L->running, 1);
	return NULL;
}

static void setup(void *arg)
{
	pthread_t t;

	L->buf = lab_alloc_on_node(SZ, 0, 0);
	madvise(L->buf, SZ, MADV_NOHUGEPAGE);
	lab_fill(L->buf, SZ, 12);
	L->sum = lab_checksum(L->buf, SZ);
	L->running = 2;
	if (pthread_create(&t, NULL, rebinder, NULL) || pthread_create(&t, NULL, huge_churn, NULL))
		FAIL("pthread_create");
}

static void expect_alive(pid_t pid, const char *what)
{
	char path[64], buf[512];
	const char *st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lab_read_file(path, buf, sizeof(buf)) < 0 || !(st = strrchr(buf, ')')) || st[2] == 'Z' || st[2] == 'X')
		FAIL("%s: the target died (its threads' error: '%s')", what, L->error);
}

int main(void)
{
	static char out[1 << 18];
	unsigned long moved, planned;
	const char *sum;
	size_t ps = lab_page_size(), n = SZ / ps, on;
	pid_t pid;
	int rc;

	L = lab_require_cli(4, sizeof(*L));
	lab_require_hugetlb(0xf, 4);
	pid = lab_spawn(setup, NULL);
	while (!L->ops[0] || !L->ops[1])
		usleep(10000);	/* both threads are under way */
	for (int i = 0; i < ROUNDS; i++) {
		const char *from = i % 2 ? "2,3" : "0,1", *to = i % 2 ? "0,1" : "2,3";

		rc = lab_run(out, sizeof(out), "pagemig move %d %s %s --all --no-progress", pid, from, to);
		expect_alive(pid, "during the race");
		sum = strstr(out, "\nmoved ");
		lab_log("%s -> %s: exit %d; the target: %ld mbinds, %ld huge page cycles\n%s", from, to, rc, L->ops[0],
			L->ops[1], sum ? sum + 1 : "no summary");
		if (rc == 6)	/* the hugetlb handler found a destination pool short: nothing moved */
			continue;
		if (rc != 0 && rc != 5)
			FAIL("%s -> %s: exit %d, expected 0, 5 or 6", from, to, rc);
		if (!lab_move_summary(out, &moved, &planned) || moved > planned)
			FAIL("%s -> %s: no summary, or more moved than planned", from, to);
	}
	L->stop = 1;
	for (int i = 0; i < 1000 && L->running; i++)
		usleep(10000);
	if (L->running)
		FAIL("the target's threads did not stop");
	if (L->error[0])
		FAIL("a thread of the target failed: %s", L->error);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("the buffer's contents changed");
	rc = lab_pagemig(NULL, 0, NULL, 0, "move %d 0,1 2,3 --no-progress", pid);
	on = lab_count_on_node(pid, L->buf, n, ps, 2) + lab_count_on_node(pid, L->buf, n, ps, 3);
	if (rc != 0 || on != n)
		FAIL("the move after the race: exit %d, %zu of %zu pages on nodes 2 and 3", rc, on, n);
	lab_kill(pid);
	return 0;
}
