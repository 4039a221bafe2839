// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_bench.c - what a target's agent adds to a move (bench/agent.sh runs it in the NUMA lab).
 *
 * A forked target maps 4 MiB on node 0 with a range handler whose hooks return at once, and starts
 * an agent.  Each repetition times, interleaved, on that target:
 *   plain:  pagemig_open() + pagemig_move(0 -> 0) + pagemig_close()          (no agent)
 *   agent:  pagemig_open() + pagemig_agent_connect() + pagemig_move(0 -> 0, agent)
 *           + pagemig_agent_disconnect() + pagemig_close()   (connect timed apart too)
 * A 0 -> 0 move reads the regions and runs the handlers but moves no page: what is left is the
 * cost of the move's frame, and the difference is the agent's round trip (connect, HELLO with
 * PREPARE, FINISH).  Wall time (CLOCK_MONOTONIC) and the mover's CPU time
 * (CLOCK_PROCESS_CPUTIME_ID) per repetition; the target's CPU time over all repetitions from
 * /proc/PID/task/ * /schedstat.  Medians, with the spread (min-max).
 *
 * Usage: agent_bench [-r REPS]
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pagemig.h>

#define LEN (4UL << 20)
#define MAXR 201

static int noop_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
			const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	return 0;
}

static void noop_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
}

static const struct pagemig_region_ops ops = {
	.sz = sizeof(ops), .name = "bench", .migrate = noop_migrate, .finish = noop_finish,
};

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "agent_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static pid_t target(void)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe(ready))
		die("pipe", errno);
	pid = fork();
	if (pid == 0) {
		struct pagemig_agent_opts ao = { .sz = sizeof(ao) };
		struct pagemig_agent *a;
		struct pagemig *pm;
		char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 1, LEN);
		if (pagemig_open(0, NULL, &pm) || pagemig_region_register(pm, (uintptr_t)p, LEN, &ops, NULL) <= 0 ||
		    pagemig_agent_start(pm, &ao, &a) || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (read(ready[0], &c, 1) != 1)
		die("the target did not start", EIO);
	return pid;
}

/* The target's CPU time so far, every thread's (schedstat: nanoseconds on a CPU). */
static double target_cpu(pid_t pid)
{
	char path[64], file[300];
	struct dirent *de;
	double sum = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		unsigned long long ns;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", path, de->d_name);
		f = fopen(file, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += (double)ns / 1e9;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return sum;
}

/* One move of the target, timed; with the agent when @agent. */
static void one(pid_t pid, bool agent, double *wall, double *cpu, double *conn)
{
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_agent_conn *c = NULL;
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_move_opts mo = { .sz = sizeof(mo), .threads = 1 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), w1;
	int err;

	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	err = pagemig_open(pid, NULL, &pm);
	if (err)
		die("pagemig_open", err);
	w1 = now(CLOCK_MONOTONIC);
	if (agent && (err = pagemig_agent_connect(pm, NULL, &c)))
		die("pagemig_agent_connect", err);
	w1 = now(CLOCK_MONOTONIC) - w1;
	mo.agent = c;
	err = pagemig_move(pm, &plan, &mo, &st);
	if (err < 0)
		die("pagemig_move", err);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
	*wall = now(CLOCK_MONOTONIC) - w0;
	*cpu = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
	*conn = w1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void row(const char *name, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%-34s %8.3f ms   (min %.3f, max %.3f)\n", name, v[n / 2] * 1e3, v[0] * 1e3, v[n - 1] * 1e3);
}

int main(int argc, char **argv)
{
	static double pw[MAXR], pc[MAXR], aw[MAXR], ac[MAXR], add[MAXR], addc[MAXR], con[MAXR], dummy;
	int reps = 51, i, opt;
	struct utsname u;
	double t0, t1;
	pid_t pid;

	while ((opt = getopt(argc, argv, "r:")) != -1)
		if (opt == 'r')
			reps = atoi(optarg);
	if (reps < 3 || reps > MAXR)
		die("-r: 3 to 201 repetitions", EINVAL);
	pid = target();
	uname(&u);
	printf("kernel: %s\n", u.release);
	one(pid, true, &dummy, &dummy, &dummy);		/* warm: the library's files, the target's pages */
	one(pid, false, &dummy, &dummy, &dummy);
	t0 = target_cpu(pid);
	for (i = 0; i < reps; i++) {
		double dc;

		one(pid, false, &pw[i], &pc[i], &dc);
		one(pid, true, &aw[i], &ac[i], &con[i]);
		add[i] = aw[i] - pw[i];
		addc[i] = ac[i] - pc[i];
	}
	t1 = target_cpu(pid);
	printf("repetitions: %d, interleaved (plain, agent); medians\n", reps);
	row("move 0->0, no agent: wall", pw, reps);
	row("move 0->0, no agent: mover CPU", pc, reps);
	row("move 0->0, agent: wall", aw, reps);
	row("move 0->0, agent: mover CPU", ac, reps);
	row("  of which connect (checks, HELLO)", con, reps);
	row("added by the agent: wall", add, reps);
	row("added by the agent: mover CPU", addc, reps);
	printf("%-34s %8.3f ms per agent move (all its threads, over %d)\n", "target CPU", (t1 - t0) * 1e3 / reps, reps);
	printf("RESULT added_wall_ms=%.3f added_cpu_ms=%.3f\n", add[reps / 2] * 1e3, addc[reps / 2] * 1e3);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}
