// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_storm.c - `pagemig move` while the target's address space churns: one thread maps, touches
 * and unmaps memory, one mremap()s a buffer back and forth between two addresses (checking its
 * contents after each move), one forks children that exit at once.
 *
 * The target also holds two buffers that the storm leaves alone: 4 MiB MADV_DONTFORK ("stable") and
 * 2 MiB that every fork shares copy-on-write for a moment ("forked").  Four moves, 0 -> 2, 2 -> 0,
 * ..., run during the storm.  Each must end by itself with 0 or 5, never a signal or another
 * status, and the target must be alive after it; its row for the stable buffer must report as moved
 * what the kernel shows on the target node (move_pages(nodes = NULL)), all of it with exit 0; its
 * summary must not count more moved than planned.  Then the storm stops: the mremap thread saw no
 * bad byte, no thread of the target failed, both buffers hold what they held (read through
 * /proc/PID/mem), and a last move exits 0 with both buffers wholly on node 2.
 */
#include "labtest.h"
#include <pthread.h>

#define MIB (1UL << 20)
#define STABLE (4 * MIB)
#define FORKED (2 * MIB)
#define CHURN (1 * MIB)
#define ROUNDS 4

struct layout {
	pthread_mutex_t vm_lock;	/* churn's mmap vs the remapper's hole (PTHREAD_PROCESS_SHARED) */
	char *stable, *forked;
	uint64_t sum[2];
	volatile int stop;
	volatile int running;	/* storm threads still looping */
	volatile long ops[3];	/* munmaps, mremaps, forks done */
	char error[256];	/* the first error a storm thread met */
};

static struct layout *L;

static void storm_error(const char *what, int err)
{
	if (!L->error[0])
		snprintf(L->error, sizeof(L->error), "%s: %s", what, strerror(err));
}

static void *churn(void *arg)
{
	while (!L->stop) {
		char *p;

		pthread_mutex_lock(&L->vm_lock);
		p = mmap(NULL, CHURN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		pthread_mutex_unlock(&L->vm_lock);
		if (p == MAP_FAILED) {
			storm_error("mmap", errno);
			break;
		}
		for (size_t off = 0; off < CHURN; off += 4096)
			p[off] = (char)off;
		if (munmap(p, CHURN)) {
			storm_error("munmap", errno);
			break;
		}
		L->ops[0]++;
	}
	__sync_fetch_and_sub(&L->running, 1);
	return NULL;
}

/*
 * The buffer moves between the two halves of a PROT_NONE reservation; the half it leaves is
 * reserved again at once, under vm_lock, so that churn's mmap() never takes it (MREMAP_FIXED
 * would then unmap churn's memory under its feet).
 */
static void *remapper(void *arg)
{
	char *a = mmap(NULL, 2 * CHURN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *at[2], *cur;
	uint64_t sum;
	int i = 0;

	if (a == MAP_FAILED) {
		storm_error("mmap", errno);
		goto out;
	}
	at[0] = a;
	at[1] = a + CHURN;
	cur = mmap(at[0], CHURN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (cur == MAP_FAILED) {
		storm_error("mmap", errno);
		goto out;
	}
	lab_fill(cur, CHURN, 5);
	sum = lab_checksum(cur, CHURN);
	while (!L->stop) {
		i ^= 1;
		pthread_mutex_lock(&L->vm_lock);
		cur = mremap(cur, CHURN, CHURN, MREMAP_MAYMOVE | MREMAP_FIXED, at[i]);
		if (cur != MAP_FAILED &&
		    mmap(at[i ^ 1], CHURN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			cur = MAP_FAILED;
		pthread_mutex_unlock(&L->vm_lock);
		if (cur == MAP_FAILED) {
			storm_error("mremap", errno);
			break;
		}
		if (lab_checksum(cur, CHURN) != sum) {
			storm_error("mremap: contents changed", EIO);
			break;
		}
		L->ops[1]++;
	}
out:
	__sync_fetch_and_sub(&L->running, 1);
	return NULL;
}

static void *forker(void *arg)
{
	while (!L->stop) {
		pid_t pid = fork();

		if (pid < 0) {
			storm_error("fork", errno);
			break;
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		L->ops[2]++;
	}
	__sync_fetch_and_sub(&L->running, 1);
	return NULL;
}

static void setup(void *arg)
{
	void *(*fn[3])(void *) = { churn, remapper, forker };
	pthread_mutexattr_t ma;
	pthread_t t;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&L->vm_lock, &ma);

	L->stable = lab_alloc_on_node(STABLE, 0, 0);
	if (madvise(L->stable, STABLE, MADV_DONTFORK))
		FAIL("madvise(MADV_DONTFORK): %s", strerror(errno));
	lab_fill(L->stable, STABLE, 1);
	L->forked = lab_alloc_on_node(FORKED, 0, 0);
	lab_fill(L->forked, FORKED, 2);
	L->sum[0] = lab_checksum(L->stable, STABLE);
	L->sum[1] = lab_checksum(L->forked, FORKED);
	L->running = 3;
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t, NULL, fn[i], NULL))
			FAIL("pthread_create");
}

/* The target must outlive every move: a storm thread's crash would take it down. */
static void expect_alive(pid_t pid, int from, int to)
{
	char path[64], buf[512];
	const char *st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (lab_read_file(path, buf, sizeof(buf)) < 0 || !(st = strrchr(buf, ')')) || st[2] == 'Z' || st[2] == 'X')
		FAIL("%d -> %d: the target died during the move (storm error: '%s')", from, to, L->error);
}

static void move_during_storm(pid_t pid, int from, int to)
{
	static char out[1 << 18];
	size_t ps = lab_page_size(), on;
	unsigned long moved, planned;
	uint64_t v[4];
	int rc;

	rc = lab_run(out, sizeof(out), "pagemig move %d %d %d --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT --bytes",
		     pid, from, to);
	expect_alive(pid, from, to);
	on = lab_count_on_node(pid, L->stable, STABLE / ps, ps, to);
	lab_log("%s\nexit %d; the kernel shows %zu of %zu stable pages on node %d; storm: %ld munmaps, %ld mremaps, "
		"%ld forks", strstr(out, "\nmoved ") ? strstr(out, "\nmoved ") + 1 : "(no summary)", rc, on, STABLE / ps,
		to, L->ops[0], L->ops[1], L->ops[2]);
	if (rc != 0 && rc != 5)
		FAIL("%d -> %d during the storm: exit %d, expected 0 or 5", from, to, rc);
	if (!lab_move_row(out, L->stable, v))
		FAIL("%d -> %d: no row for the stable buffer", from, to);
	if (v[1] != on * ps)
		FAIL("%d -> %d: the stable buffer's row says %lu bytes moved, the kernel shows %zu on node %d", from, to,
		     v[1], on * ps, to);
	if (rc == 0 && on * ps != STABLE)
		FAIL("%d -> %d: exit 0, yet %zu of %zu stable pages on node %d", from, to, on, STABLE / ps, to);
	if (!lab_move_summary(out, &moved, &planned) || moved > planned)
		FAIL("%d -> %d: no summary, or more moved than planned", from, to);
}

int main(void)
{
	size_t ps = lab_page_size();
	pid_t pid;
	int rc;

	L = lab_require_cli(3, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	while (!L->ops[0] || !L->ops[1] || !L->ops[2])
		usleep(10000);	/* every storm thread is under way */
	for (int i = 0; i < ROUNDS; i++)
		move_during_storm(pid, i % 2 ? 2 : 0, i % 2 ? 0 : 2);
	L->stop = 1;
	for (int i = 0; i < 1000 && L->running; i++)
		usleep(10000);
	if (L->running)
		FAIL("%d storm threads did not stop", L->running);
	if (L->error[0])
		FAIL("a storm thread of the target failed: %s", L->error);
	if (lab_mem_checksum(pid, L->stable, STABLE) != L->sum[0] || lab_mem_checksum(pid, L->forked, FORKED) != L->sum[1])
		FAIL("the buffers' contents changed during the storm");
	rc = lab_pagemig(NULL, 0, NULL, 0, "move %d 0 2 --no-progress", pid);
	if (rc != 0)
		FAIL("the move after the storm exited %d, expected 0", rc);
	lab_expect_on(pid, L->stable, STABLE, ps, 2, "stable buffer after the storm");
	lab_expect_on(pid, L->forked, FORKED, ps, 2, "forked buffer after the storm");
	lab_kill(pid);
	return 0;
}
