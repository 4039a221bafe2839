// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ptrace.c - move_pages(2) checks ptrace read access with the caller's real credentials
 * (PTRACE_MODE_READ_REALCREDS): another uid's process needs CAP_SYS_PTRACE.  pagemig decides
 * the same way before it moves or prints anything, a dry run too: as root without CAP_SYS_PTRACE
 * (dropped from every set and the bounding set in a child), against a process of uid 65534,
 *  - pagemig_open() with PAGEMIG_OPEN_MOVE is -EACCES, naming CAP_SYS_PTRACE;
 *  - pagemig_move(), dry run or not, on a handle opened for reading (some kernels let smaps be
 *    read then) is -EACCES before any region_done callback;
 *  - `pagemig move` and `pagemig move --dry-run` exit 4 with one line on stderr, nothing on stdout.
 * Needs root (to drop the capability and to start the other uid's process).
 */
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "unit.h"

#define NOBODY 65534

static void setup_nobody(void *arg)
{
	gid_t g = NOBODY;

	if (setgroups(1, &g) || setresgid(g, g, g) || setresuid(NOBODY, NOBODY, NOBODY) ||
	    prctl(PR_SET_DUMPABLE, 1))
		_exit(1);
}

static int drop_ptrace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) || syscall(SYS_capget, &h, d))
		return -1;
	d[0].effective &= ~(1U << CAP_SYS_PTRACE);
	d[0].permitted &= ~(1U << CAP_SYS_PTRACE);
	d[0].inheritable &= ~(1U << CAP_SYS_PTRACE);
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

static int regions_seen;

static void on_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	regions_seen++;
}

static void test_library(pid_t t)
{
	char err[256] = "";
	PAGEMIG_OPTS(pagemig_open_opts, o, .errbuf = err, .errlen = sizeof(err), .flags = PAGEMIG_OPEN_MOVE);
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_nodemask n0 = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm = NULL;
	int ret;

	pagemig_nodemask_set(&n0, 0);
	pagemig_plan(&n0, &n0, &plan);
	ret = pagemig_open(t, &o, &pm);
	CHECK(ret == -EACCES && strstr(err, "CAP_SYS_PTRACE"), "open for a move: %d (%s)", ret, err);
	pagemig_close(pm);
	pm = NULL;
	o.flags = 0;
	ret = pagemig_open(t, &o, &pm);
	if (ret) {
		CHECK(ret == -EACCES, "open for reading: %d (%s)", ret, err);
		return;		/* this kernel keeps smaps closed too: nothing more to ask */
	}
	for (int dry = 0; dry < 2; dry++) {
		PAGEMIG_OPTS(pagemig_move_opts, mo, .flags = dry ? PAGEMIG_MOVE_DRY_RUN : 0, .region_done = on_region);

		regions_seen = 0;
		ret = pagemig_move(pm, &plan, &mo, &st);
		CHECK(ret == -EACCES && !regions_seen, "%s: %d, %d regions reported", dry ? "dry run" : "move", ret,
		      regions_seen);
	}
	pagemig_close(pm);
}

static void test_cli(pid_t t)
{
	char pid[16], *out, *err;
	int rc;

	snprintf(pid, sizeof(pid), "%d", (int)t);
	for (int dry = 0; dry < 2; dry++) {
		rc = unit_run(&out, &err, (uid_t)-1, unit_cli(),
			      (const char *const[]){ "move", pid, "0", "0", dry ? "--dry-run" : "--no-progress", NULL });
		CHECK(rc == 4 && !*out && !strncmp(err, "pagemig: ", 9) && strchr(err, '\n') == err + strlen(err) - 1,
		      "%s: exit %d, stdout '%s', stderr '%s'", dry ? "move --dry-run" : "move", rc, out, err);
		free(out);
		free(err);
	}
}

int main(void)
{
	pid_t t, child;
	int st;

	if (geteuid() != 0) {
		printf("not root: cannot start another uid's process or drop CAP_SYS_PTRACE\n");
		return 77;
	}
	if (access(unit_cli(), X_OK)) {
		fprintf(stderr, "%s: not built\n", unit_cli());
		return 1;
	}
	t = unit_spawn(setup_nobody, NULL);
	child = fork();
	if (child == 0) {
		if (drop_ptrace()) {
			perror("dropping CAP_SYS_PTRACE");
			_exit(1);
		}
		test_library(t);
		test_cli(t);
		_exit(unit_failed("ptrace") ? 1 : 0);
	}
	waitpid(child, &st, 0);
	unit_kill(t);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the checks without CAP_SYS_PTRACE failed (status %d)", st);
	return unit_exit("ptrace");
}
