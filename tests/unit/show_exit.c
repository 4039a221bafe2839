// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * show_exit.c - a target that exits while its regions are read: /proc reads hit EOF at exit_mm(),
 * before the pidfd turns readable, so an EOF alone is no proof that the list is whole.  After an
 * EOF the iterator asks whether the target is exiting (PF_EXITING in /proc/PID/stat, set before
 * exit_mm()); a cut-short answer must never look complete:
 *  - a canned process whose stat says PF_EXITING: the iterator ends with -ESRCH, not 0 (full and
 *    light reads);
 *  - `pagemig show --all` of a live process with 20,000 regions, killed at varied moments
 *    while it is read: exit 0 only with every region listed, else exit 3.
 * Run from the repository root.
 */
#include <sys/mman.h>
#include <time.h>

#include "unit.h"

#define NREGIONS 20000

static void test_canned(void)
{
	static const unsigned int modes[] = { 0, PAGEMIG_REGIONS_LIGHT };
	char root[PATH_MAX + 64], err[256] = "";
	PAGEMIG_OPTS(pagemig_open_opts, o, .proc_root = root, .errbuf = err, .errlen = sizeof(err));
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it;
	struct pagemig *pm;
	int rc, n;

	snprintf(root, sizeof(root), "%s/proc-exiting", unit_fixtures());
	rc = pagemig_open(4246, &o, &pm);
	CHECK(rc == 0, "open the canned exiting process: %d (%s)", rc, err);
	if (rc)
		return;
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		n = 0;
		rc = pagemig_regions_open(pm, modes[m], &it);
		if (!rc)
			while ((rc = pagemig_region_next(it, &r)) == 1)
				n++;
		CHECK(rc == -ESRCH, "mode %u: %d regions, then %d: an exiting target's list looks whole", modes[m], n,
		      rc);
		pagemig_regions_close(it);
	}
	pagemig_close(pm);
}

/* NREGIONS one-page regions that cannot merge (every other one read-only). */
static void many_regions(void *arg)
{
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, NREGIONS * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(1);
	for (size_t i = 0; i < NREGIONS; i++) {
		p[i * psz] = 1;
		if (i % 2 && mprotect(p + i * psz, psz, PROT_READ))
			_exit(1);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* `pagemig show --all` of a fresh target, killed @delay seconds after the CLI starts. */
static void show_killed(double delay, int *cut)
{
	char pid[16], *out = NULL, *err = NULL;
	pid_t t = unit_spawn(many_regions, NULL), killer;
	int rc, n;

	snprintf(pid, sizeof(pid), "%d", (int)t);
	killer = fork();
	if (killer == 0) {
		struct timespec ts = { 0, (long)(delay * 1e9) };

		nanosleep(&ts, NULL);
		kill(t, SIGKILL);
		_exit(0);
	}
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(),
		      (const char *const[]){ "show", pid, "--all", "-o", "RANGE", "--raw", "-n", NULL });
	waitpid(killer, NULL, 0);
	unit_kill(t);
	n = lines(out);
	CHECK(rc == 3 || (rc == 0 && n >= NREGIONS), "killed after %.0f ms: exit %d with %d rows (%d regions): %s",
	      delay * 1e3, rc, n, NREGIONS, err);
	*cut += rc == 3;
	free(out);
	free(err);
}

static void test_live(void)
{
	char pid[16], *out = NULL;
	pid_t t = unit_spawn(many_regions, NULL);
	double t0 = now(), full;
	int rc, cut = 0;

	snprintf(pid, sizeof(pid), "%d", (int)t);
	rc = unit_run(&out, NULL, (uid_t)-1, unit_cli(),
		      (const char *const[]){ "show", pid, "--all", "-o", "RANGE", "--raw", "-n", NULL });
	full = now() - t0;
	CHECK(rc == 0 && lines(out) >= NREGIONS, "show of a live target: exit %d, %d rows", rc, lines(out));
	free(out);
	unit_kill(t);
	for (int i = 0; i < 6; i++)
		show_killed(full * (0.15 + 0.15 * i), &cut);
	printf("show of a target killed during the read: %d of 6 cut short (exit 3), a full read %.0f ms\n", cut,
	       full * 1e3);
}

int main(void)
{
	if (access(unit_cli(), X_OK)) {
		fprintf(stderr, "%s: not built (run from the repository root after make)\n", unit_cli());
		return 1;
	}
	test_canned();
	test_live();
	return unit_exit("show_exit");
}
