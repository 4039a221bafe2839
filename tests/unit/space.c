// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * space.c - opening a target: the calling process, canned trees, a process that is gone, a zombie,
 * access denied the kernel's way (as root: a child that drops to uid 65534), Mems_allowed.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#define NOBODY 65534

/* pagemig_open() with an error buffer; a canned tree when @tree is not NULL. */
static int try_open(pid_t pid, const char *tree, char *err, size_t errlen, struct pagemig **pm)
{
	char root[PATH_MAX + 64];
	struct pagemig_open_opts o = { .sz = sizeof(o), .errbuf = err, .errlen = errlen };

	if (tree) {
		snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), tree);
		o.proc_root = root;
	}
	*pm = NULL;
	return pagemig_open(pid, &o, pm);
}

static void test_self(void)
{
	struct pagemig_nodemask m, online;
	struct pagemig *pm;
	char err[256];
	int rc = try_open(0, NULL, err, sizeof(err), &pm);

	CHECK(rc == 0, "open(0): %d (%s)", rc, err);
	if (rc)
		return;
	CHECK(pagemig_pid(pm) == getpid(), "pid %d, want %d", (int)pagemig_pid(pm), (int)getpid());
	CHECK(pagemig_topology(pm) != NULL, "no topology");
	CHECK(pm->pidfd >= 0, "no pidfd held for a live target");
	rc = pagemig_mems_allowed(pm, &m);
	online = *pagemig_topology_online(pagemig_topology(pm));
	CHECK(rc == 0 && !pagemig_nodemask_is_empty(&m) && pagemig_nodemask_is_subset(&m, &online),
	      "mems_allowed(self): %d", rc);
	pagemig_close(pm);
	pagemig_close(NULL);
	CHECK(pagemig_open(-1, NULL, &pm) == -EINVAL, "a negative pid is not -EINVAL");
	CHECK(pagemig_open(0, NULL, NULL) == -EINVAL, "a NULL out is not -EINVAL");
}

static void test_canned(void)
{
	struct pagemig_nodemask m, want = { { 0x7 } };
	struct pagemig *pm;
	char err[256];
	int rc = try_open(4242, "proc-edge", err, sizeof(err), &pm);

	CHECK(rc == 0 && pagemig_pid(pm) == 4242, "canned open: %d (%s)", rc, err);
	if (rc)
		return;
	CHECK(pm->pidfd == -1, "a pidfd for a made-up pid");
	rc = pagemig_mems_allowed(pm, &m);
	CHECK(rc == 0 && pagemig_nodemask_is_equal(&m, &want), "mems_allowed: %d, %lx", rc, (unsigned long)m.bits[0]);
	pagemig_close(pm);
	rc = try_open(4245, "proc-zombie", err, sizeof(err), &pm);
	CHECK(rc == -ESRCH && strstr(err, "zombie"), "canned zombie: %d (%s)", rc, err);
	rc = try_open(999999, "proc-edge", err, sizeof(err), &pm);
	CHECK(rc == -ESRCH && strstr(err, "no such process"), "canned missing pid: %d (%s)", rc, err);
}

/* A pid that was just reaped: free, and pids are handed out cyclically. */
static void test_gone(void)
{
	struct pagemig *pm;
	char err[256];
	pid_t child = fork();
	int rc;

	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	rc = try_open(child, NULL, err, sizeof(err), &pm);
	CHECK(rc == -ESRCH && strstr(err, "no such process"), "reaped pid: %d (%s)", rc, err);
	if (!rc)
		pagemig_close(pm);
}

static void test_zombie(void)
{
	struct pagemig *pm;
	siginfo_t si;
	char err[256];
	pid_t child = fork();
	int rc;

	if (child == 0)
		_exit(0);
	waitid(P_PID, child, &si, WEXITED | WNOWAIT);	/* a zombie now, not reaped */
	rc = try_open(child, NULL, err, sizeof(err), &pm);
	CHECK(rc == -ESRCH && strstr(err, "zombie"), "zombie: %d (%s)", rc, err);
	if (!rc)
		pagemig_close(pm);
	waitpid(child, NULL, 0);
}

static int become(uid_t uid)
{
	gid_t gid = (gid_t)uid;

	return setgroups(1, &gid) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid) ? -1 : 0;
}

/* In a child: become @as, open @target, expect -EACCES and an errbuf holding @needle (or 0). */
static int denied_child(uid_t as, pid_t target, const char *needle)
{
	struct pagemig *pm;
	char err[256] = "";
	int rc;

	if (become(as)) {
		perror("setresuid");
		return 77;
	}
	rc = try_open(target, NULL, err, sizeof(err), &pm);
	if (!needle) {
		pagemig_close(pm);
		if (rc)
			fprintf(stderr, "as uid %u, open %d: %d (%s), want 0\n", (unsigned int)as, (int)target, rc, err);
		return rc ? 1 : 0;
	}
	if (rc != -EACCES || !strstr(err, needle)) {
		fprintf(stderr, "as uid %u, open %d: %d (%s), want -EACCES mentioning '%s'\n", (unsigned int)as,
			(int)target, rc, err, needle);
		return 1;
	}
	printf("as uid %u: %s\n", (unsigned int)as, err);
	fflush(stdout);
	return 0;
}

static int run_denied(uid_t as, pid_t target, const char *needle)
{
	int status = 0;
	pid_t child = fork();

	if (child == 0)
		_exit(denied_child(as, target, needle));
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* What a target of test_denied() is: its uid (0: stay root), and whether it is dumpable. */
struct target {
	uid_t uid;
	bool undumpable;
};

/* A target that stays until killed, as @arg says. */
static void setup_target(void *arg)
{
	const struct target *t = arg;

	/* changing uid makes a process undumpable (suid_dumpable): say what we want */
	if ((t->uid && become(t->uid)) || prctl(PR_SET_DUMPABLE, t->undumpable ? 0 : 1))
		_exit(1);
}

static pid_t spawn_target(uid_t uid, bool undumpable)
{
	struct target t = { uid, undumpable };

	return unit_spawn(setup_target, &t);
}

static void test_denied(void)
{
	pid_t t;
	int rc;

	if (geteuid() != 0) {
		unit_skip("access denied: skipped, needs root to drop to uid %d", NOBODY);
		return;
	}
	t = spawn_target(0, false);
	rc = run_denied(NOBODY, t, "belongs to uid 0 and we are uid 65534 without CAP_SYS_PTRACE");
	unit_kill(t);
	if (rc == 77) {
		unit_skip("access denied: skipped, cannot become uid %d here", NOBODY);
		return;
	}
	CHECK(rc == 0, "another uid's process is not -EACCES with the uid rule");
	CHECK(run_denied(NOBODY, 1, "belongs to uid") == 0, "pid 1 is not -EACCES with the uid rule");
	t = spawn_target(NOBODY, true);
	rc = run_denied(NOBODY, t, "is not dumpable");
	unit_kill(t);
	CHECK(rc == 0, "an undumpable process of our uid is not -EACCES with the dumpable rule");
	t = spawn_target(NOBODY, false);
	rc = run_denied(NOBODY, t, NULL);
	unit_kill(t);
	CHECK(rc == 0, "a dumpable process of our own uid was refused");
}

int main(void)
{
	test_self();
	test_canned();
	test_gone();
	test_zombie();
	test_denied();
	return unit_exit("space");
}
