// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_rate.c - `pagemig move --rate`, and SIGINT/SIGTERM during a move.
 *
 * Rate: 96 MiB on node 0 move to node 2 at 32 MiB/s.  While pagemig runs, the test counts the
 * buffer's pages on node 2 (move_pages(2) query) every 100 ms; the bytes that arrived between any
 * two counts must be no more than 32 MiB/s over the time between them (at least a second), plus
 * two batches in flight (2 MiB each at this rate).  The move must take at least 2.5 s (96 MiB at
 * 32 MiB/s is 3 s; only a lower bound: TCG is slow, never fast), move every page, keep the
 * contents, and report a measured rate (JSON totals) of no more than 32 MiB/s.
 *
 * Stop: the same buffer moves at 8 MiB/s with --progress=json; once the kernel shows pages on
 * node 2, the test sends SIGINT (then, in a second round, SIGTERM).  pagemig must exit 130, print
 * the summary with what moved (which must equal the buffer's pages the kernel shows on node 2:
 * some, not all), say on stderr which signal stopped it, have written JSON progress lines for
 * the target and a last one with exit 130 and those bytes moved, and the contents must be intact.
 */
#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (96 * MIB)
#define RATE_MIB 32
#define SLOW_MIB 8
#define MAX_SAMPLES 4096

struct layout {
	char *buf;
	uint64_t sum;
};

static struct layout *L;

static void setup(void *arg)
{
	L->buf = lab_alloc_on_node(SZ, 0, 0);
	lab_fill(L->buf, SZ, 77);
	L->sum = lab_checksum(L->buf, SZ);
}

struct sample {
	double start, end;	/* the query ran in between */
	size_t pages;
};

static void rate(void)
{
	static struct sample s[MAX_SAMPLES];
	static char out[1 << 20], err[8192];
	size_t ps = lab_page_size(), n = 0, npages = SZ / ps, i, j;
	double t0, secs, limit = RATE_MIB * (double)MIB, worst = 0;
	char args[256];
	const char *tot, *v;
	int status, rc;
	pid_t pid, pm;

	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->buf, SZ, ps, 0, "96 MiB before the move");
	snprintf(args, sizeof(args), "move %d 0 2 --rate %d --json --no-progress --regions %lx-%lx", (int)pid, RATE_MIB,
		 (unsigned long)(uintptr_t)L->buf, (unsigned long)(uintptr_t)L->buf + SZ);
	t0 = lab_now();
	pm = lab_start("exec pagemig %s >/tmp/rate.out 2>/tmp/rate.err", args);
	while (waitpid(pm, &status, WNOHANG) == 0 && n < MAX_SAMPLES) {
		s[n].start = lab_now();
		s[n].pages = lab_count_on_node(pid, L->buf, npages, ps, 2);
		s[n].end = lab_now();
		n++;
		usleep(100000);
	}
	if (n == MAX_SAMPLES && waitpid(pm, &status, 0) != pm)
		FAIL("waitpid: %s", strerror(errno));
	secs = lab_now() - t0;
	lab_read_file("/tmp/rate.out", out, sizeof(out));
	lab_read_file("/tmp/rate.err", err, sizeof(err));
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lab_log("pagemig exited %d after %.2fs, %zu samples; stderr: %s", rc, secs, n, err);
	if (rc != 0)
		FAIL("--rate %d: exit %d, expected 0", RATE_MIB, rc);
	/* any two counts: no faster than asked over the time between them (a second at least) */
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			double span = s[j].end - s[i].start, bytes;

			bytes = s[j].pages > s[i].pages ? (double)(s[j].pages - s[i].pages) * (double)ps : 0;
			if (bytes / (span > 1 ? span : 1) > worst)
				worst = bytes / (span > 1 ? span : 1);
			if (bytes > limit * (span > 1 ? span : 1) + 4 * MIB)
				FAIL("%.1f MiB arrived on node 2 within %.2fs (%.2fs to %.2fs): faster than %d MiB/s",
				     bytes / MIB, span, s[i].start - t0, s[j].end - t0, RATE_MIB);
		}
	}
	lab_log("fastest seen over a second or more: %.1f MiB/s", worst / MIB);
	if (secs < 2.5)
		FAIL("96 MiB at %d MiB/s took %.2fs, expected at least 2.5s", RATE_MIB, secs);
	lab_expect_on(pid, L->buf, SZ, ps, 2, "96 MiB after the rate-limited move");
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("contents changed by the rate-limited move");
	tot = strstr(out, "\"totals\": {");
	v = tot ? strstr(tot, "\"rate\": ") : NULL;
	if (!v)
		FAIL("no rate in the JSON totals");
	lab_log("reported rate: %.1f MiB/s", strtod(v + 8, NULL) / MIB);
	if (strtod(v + 8, NULL) > limit || strtod(v + 8, NULL) < limit / 8)
		FAIL("reported rate %.0f bytes/s, expected up to %d MiB/s (and not far below)", strtod(v + 8, NULL),
		     RATE_MIB);
	lab_kill(pid);
}

static void stop(int sig)
{
	static char out[65536], err[65536];
	size_t ps = lab_page_size(), npages = SZ / ps, on2;
	unsigned long moved, planned;
	char args[256], key[64];
	double t0, tsig;
	int status, rc, st[64];
	pid_t pid, pm;
	const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM", *line;

	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->buf, SZ, ps, 0, "96 MiB before the move");
	snprintf(args, sizeof(args), "move %d 0 2 --rate %d --progress=json --regions %lx-%lx", (int)pid, SLOW_MIB,
		 (unsigned long)(uintptr_t)L->buf, (unsigned long)(uintptr_t)L->buf + SZ);
	pm = lab_start("exec pagemig %s >/tmp/stop.out 2>/tmp/stop.err", args);
	t0 = lab_now();
	while (lab_query_nodes_pid(pid, L->buf, 64, ps, st) || st[0] != 2) {
		if (waitpid(pm, &status, WNOHANG) == pm)
			FAIL("%s: pagemig ended before its first batch arrived: nothing to stop", name);
		if (lab_now() - t0 > 60)
			FAIL("%s: no page reached node 2 within 60 s", name);
		usleep(20000);
	}
	tsig = lab_now();
	kill(pm, sig);
	if (waitpid(pm, &status, 0) != pm)
		FAIL("waitpid: %s", strerror(errno));
	lab_read_file("/tmp/stop.out", out, sizeof(out));
	lab_read_file("/tmp/stop.err", err, sizeof(err));
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	on2 = lab_count_on_node(pid, L->buf, npages, ps, 2);
	lab_log("%s: pagemig exited %d %.2fs after the signal; %zu of %zu pages on node 2\n%s%s", name, rc,
		lab_now() - tsig, on2, npages, out, err);
	if (!WIFEXITED(status) || rc != 130)
		FAIL("%s: pagemig ended with %d, expected exit 130", name, rc);
	if (!strstr(err, name))
		FAIL("%s: stderr does not say what stopped the move: %s", name, err);
	if (!lab_move_summary(out, &moved, &planned))
		FAIL("%s: no summary of what moved before the stop", name);
	if (on2 == 0 || on2 == npages)
		FAIL("%s: %zu of %zu pages on node 2: the move was not stopped midway", name, on2, npages);
	if (moved != on2)
		FAIL("%s: the summary says %lu pages moved, the kernel shows %zu on node 2", name, moved, on2);
	snprintf(key, sizeof(key), "{\"pid\": %d, \"done\": ", (int)pid);
	line = strstr(err, key);
	line = line ? strstr(line, "\"total\": ") : NULL;
	if (!line || strtoull(line + 9, NULL, 10) < SZ)
		FAIL("%s: no JSON progress line for process %d with a total of 96 MiB or more", name, (int)pid);
	snprintf(key, sizeof(key), "{\"pid\": %d, \"exit\": 130, \"moved\": %zu,", (int)pid, on2 * ps);
	if (!strstr(err, key))
		FAIL("%s: no last JSON progress line '%s'", name, key);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("%s: contents changed by the stopped move", name);
	lab_kill(pid);
}

int main(void)
{
	L = lab_require_cli(4, sizeof(*L));
	rate();
	stop(SIGINT);
	stop(SIGTERM);
	return 0;
}
