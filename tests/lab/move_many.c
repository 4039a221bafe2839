// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_many.c - many targets at once: eight processes in one `pagemig move P1,...,P8 0 2`, then
 * two `pagemig move` commands at the same time on four targets each, 2 -> 3.
 *
 * Each target holds 1 MiB on node 0 with a pattern of its own.  The eight-pid move must exit 0,
 * put every page of every buffer on node 2 (move_pages(nodes = NULL) on each), and its JSON totals
 * must count as moved at least the eight buffers' bytes (their other pages move too).  The two
 * concurrent moves must both exit 0, with every buffer on node 3.  Contents intact throughout.
 */
#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (1 * MIB)
#define NR 8

struct layout {
	char *buf[NR];
	uint64_t sum[NR];
	int next;
};

static struct layout *L;

static void setup(void *arg)
{
	int i = L->next;

	L->buf[i] = lab_alloc_on_node(SZ, 0, 0);
	lab_fill(L->buf[i], SZ, 800 + (uint64_t)i);
	L->sum[i] = lab_checksum(L->buf[i], SZ);
}

static void expect_all(const pid_t *pid, int node, const char *what)
{
	for (int i = 0; i < NR; i++) {
		lab_expect_on(pid[i], L->buf[i], SZ, lab_page_size(), node, what);
		if (lab_mem_checksum(pid[i], L->buf[i], SZ) != L->sum[i])
			FAIL("%s: process %d: contents changed", what, (int)pid[i]);
	}
}

static int finish(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		FAIL("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	static char out[1 << 20];
	char list[NR][128] = { "" }, all[256] = "";
	const char *t;
	pid_t pid[NR], a, b;
	int rc, ra, rb;

	L = lab_require_cli(4, sizeof(*L));
	for (int i = 0; i < NR; i++) {
		L->next = i;
		pid[i] = lab_spawn(setup, NULL);
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%d", i ? "," : "", (int)pid[i]);
		snprintf(list[i % 2] + strlen(list[i % 2]), sizeof(list[0]) - strlen(list[i % 2]), "%s%d",
			 i < 2 ? "" : ",", (int)pid[i]);
	}
	expect_all(pid, 0, "before the moves");

	/* lab_run(), not lab_pagemig(): the JSON of eight processes is too long for the serial console */
	rc = lab_run(out, sizeof(out), "pagemig move %s 0 2 --json --no-progress", all);
	if (rc != 0)
		FAIL("the move of %d processes exited %d, expected 0", NR, rc);
	expect_all(pid, 2, "after the move of 8 processes");
	t = strrchr(out, '"') ? strstr(out, "\"totals\": {") : NULL;
	while (t && strstr(t + 1, "\"totals\": {"))
		t = strstr(t + 1, "\"totals\": {");	/* the document's totals come last */
	if (!t || !strstr(t, "\"moved\": ") || strtoull(strstr(t, "\"moved\": ") + 9, NULL, 10) < NR * SZ)
		FAIL("the JSON totals do not count the %d buffers as moved", NR);

	a = lab_start("exec pagemig move %s 2 3 --no-progress >/dev/null", list[0]);
	b = lab_start("exec pagemig move %s 2 3 --no-progress >/dev/null", list[1]);
	ra = finish(a);
	rb = finish(b);
	lab_log("concurrent moves: exit %d and %d", ra, rb);
	if (ra != 0 || rb != 0)
		FAIL("two concurrent moves of four processes each exited %d and %d, expected 0 and 0", ra, rb);
	expect_all(pid, 3, "after the two concurrent moves");
	for (int i = 0; i < NR; i++)
		lab_kill(pid[i]);
	return 0;
}
