// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_stress.c - 50 back-and-forth moves (0 -> 2, 2 -> 0, ...) of a 4 MiB buffer while a thread
 * of the target keeps writing a known pattern over it and reading it back.  The rounds stop early
 * (after at least one there and back) when they have taken 40 s: on Linux 6.1 under TCG a single
 * move_pages(2) call under such a writer has taken from 0.02 s to 10 s, varying with host load.
 *
 * Every move must exit 0 or 5 (pages busy under the writer may stay, but then they are reported);
 * what pagemig reports as planned and moved must equal what the kernel shows (move_pages with
 * nodes = NULL on the buffer, before and after each move); the writer must never read back
 * anything but what it wrote; at the end the buffer holds exactly the writer's last pattern, read
 * by the test through /proc/PID/mem.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (4 * MIB)
#define WORDS (SZ / sizeof(uint64_t))
#define ROUNDS 50
#define BUDGET_S 40	/* for all rounds: Linux 6.1 under TCG can take seconds per move under a writer */

struct layout {
	uint64_t *buf;			/* SZ bytes, node 0 at first */
	volatile int stop;		/* test -> writer: finish the pass and stop */
	volatile int done;		/* writer -> test: stopped; gen is final */
	volatile uint64_t gen;		/* the pattern the buffer holds (the last pass's) */
	volatile uint64_t passes;	/* completed write+verify passes */
	volatile uint64_t errors;	/* words that read back wrong */
	volatile uint64_t first_bad;	/* index of the first of them */
};

static struct layout *L;

static inline uint64_t pattern(uint64_t i, uint64_t gen)
{
	return (i * 0x9e3779b97f4a7c15ULL) ^ (gen * 0xc2b2ae3d27d4eb4fULL) ^ (i << 7);
}

static void *writer(void *arg)
{
	volatile uint64_t *w = L->buf;
	uint64_t gen = 0;

	while (!L->stop) {
		gen++;
		for (size_t i = 0; i < WORDS; i++)
			w[i] = pattern(i, gen);
		for (size_t i = 0; i < WORDS; i++) {
			if (w[i] != pattern(i, gen)) {
				if (!L->errors)
					L->first_bad = i;
				L->errors++;
			}
		}
		L->gen = gen;
		L->passes++;
	}
	L->done = 1;
	return NULL;
}

static void setup(void *arg)
{
	pthread_t t;

	L->buf = lab_alloc_on_node(SZ, 0, 0);
	if (pthread_create(&t, NULL, writer, NULL))
		FAIL("pthread_create");
	while (!L->passes)	/* one full pass before the first move */
		usleep(1000);
}

int main(void)
{
	static char out[65536];
	size_t ps = lab_page_size(), npages = SZ / ps;
	unsigned long moved, planned;
	uint64_t passes0, *copy;
	int busy_rounds = 0, rc, r;
	double t0;
	pid_t pid;

	L = lab_require_cli(4, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->buf, SZ, ps, 0, "the buffer before the moves");
	passes0 = L->passes;
	t0 = lab_now();

	for (r = 0; r < ROUNDS && (r < 2 || lab_now() - t0 < BUDGET_S); r++) {
		int src = r % 2 ? 2 : 0, dst = r % 2 ? 0 : 2;
		size_t on_src = lab_count_on_node(pid, L->buf, npages, ps, src);
		size_t on_dst = lab_count_on_node(pid, L->buf, npages, ps, dst), after;

		/* Only the buffer: what pagemig counts is then exactly what the kernel shows for it. */
		rc = lab_run(out, sizeof(out), "pagemig move %d %d %d --regions %lx-%lx --no-progress", pid, src, dst,
			     (unsigned long)(uintptr_t)L->buf, (unsigned long)(uintptr_t)L->buf + SZ);
		after = lab_count_on_node(pid, L->buf, npages, ps, dst);
		{
			const char *m = strstr(out, "\nmoved ");

			lab_log("round %d: exit %d, %.*s", r, rc, m ? (int)strcspn(m + 1, "\n") : 0, m ? m + 1 : "");
		}
		if (rc != 0 && rc != 5) {
			lab_log("%s", out);
			FAIL("round %d (%d -> %d): exit %d, expected 0 or 5", r, src, dst, rc);
		}
		if (!lab_move_summary(out, &moved, &planned)) {
			lab_log("%s", out);
			FAIL("round %d: no 'moved X of Y planned (M of P 4K pages)' summary", r);
		}
		if (planned != on_src || moved != after - on_dst) {
			lab_log("%s", out);
			FAIL("round %d (%d -> %d): pagemig says %lu of %lu pages moved; the kernel showed %zu on node %d "
			     "before and %zu more on node %d after", r, src, dst, moved, planned, on_src, src,
			     after - on_dst, dst);
		}
		if (rc == 0 && after != npages) {
			lab_log("%s", out);
			FAIL("round %d: exit 0 but only %zu of %zu pages on node %d", r, after, npages, dst);
		}
		if (rc == 5) {
			lab_log("%s", out);
			if (after == npages)
				FAIL("round %d: exit 5 but every page is on node %d", r, dst);
			if (!strstr(out, "partial ("))
				FAIL("round %d: exit 5 without a 'partial (...)' reason", r);
			busy_rounds++;
		}
		if (L->errors)
			FAIL("round %d: the writer read back %lu wrong words (first at byte %lu)", r,
			     (unsigned long)L->errors, (unsigned long)(L->first_bad * 8));
	}
	lab_log("%d rounds in %.1fs, %d partial; the writer made %lu passes during the moves", r, lab_now() - t0,
		busy_rounds, (unsigned long)(L->passes - passes0));
	if (L->passes - passes0 < 2)
		FAIL("the writer made %lu passes during the moves: nothing ran concurrently",
		     (unsigned long)(L->passes - passes0));

	/* Stop the writer; the buffer must hold its last pattern, every word of it. */
	L->stop = 1;
	for (int i = 0; i < 10000 && !L->done; i++)
		usleep(1000);
	if (!L->done)
		FAIL("the writer did not stop");
	if (L->errors)
		FAIL("the writer read back %lu wrong words", (unsigned long)L->errors);
	copy = malloc(SZ);
	if (!copy)
		FAIL("out of memory");
	lab_read_mem(pid, L->buf, copy, SZ);
	for (size_t i = 0; i < WORDS; i++)
		if (copy[i] != pattern(i, L->gen))
			FAIL("word %zu of the buffer is %#lx, the writer's last pass wrote %#lx", i,
			     (unsigned long)copy[i], (unsigned long)pattern(i, L->gen));
	free(copy);
	lab_kill(pid);
	return 0;
}
