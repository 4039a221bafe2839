// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kthread.c - a kernel thread has no user memory: pagemig_open() says so (-ENOEXEC and "process
 * N is a kernel thread: it has no user memory"), decided from PF_KTHREAD in /proc/PID/stat
 * (parsed after the last ')': a command name may hold one), on a canned tree and on this host's
 * kthreadd; and every CLI command that opens it exits 2 with that one line: show, move, move
 * --threads 1, move --dry-run, and show as an unprivileged user.  Run from the repository root.
 */
#include "unit.h"

#define PF_KTHREAD 0x00200000UL
#define NOBODY 65534

static int open_in(const char *tree, pid_t pid, char *err, size_t len)
{
	char root[PATH_MAX + 64];
	PAGEMIG_OPTS(pagemig_open_opts, o, .errbuf = err, .errlen = len);
	struct pagemig *pm = NULL;
	int rc;

	if (tree) {
		snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), tree);
		o.proc_root = root;
	}
	rc = pagemig_open(pid, &o, &pm);
	pagemig_close(pm);
	return rc;
}

static void test_canned(void)
{
	char err[256];
	int rc;

	rc = open_in("proc-kthread", 2, err, sizeof(err));
	CHECK(rc == -ENOEXEC && !strcmp(err, "process 2 is a kernel thread: it has no user memory"),
	      "canned kthreadd: %d (%s)", rc, err);
	/* a command name with ") S ... 2129984 (" in it: the flags are after the last ')' */
	rc = open_in("proc-edge", 4242, err, sizeof(err));
	CHECK(rc == 0, "canned process with a ')' in its name: %d (%s)", rc, err);
}

/* Whether /proc/@pid/stat has PF_KTHREAD: the explicit probe for the live tests. */
static bool is_kthread(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & PF_KTHREAD);
}

static void expect_cli(uid_t uid, const char *const *args, const char *what)
{
	char *out = NULL, *err = NULL;
	int rc = unit_run(&out, &err, uid, unit_cli(), args);

	CHECK(rc == 2 && !strcmp(err, "pagemig: process 2 is a kernel thread: it has no user memory\n") && !*out,
	      "%s: exit %d, stdout '%s', stderr '%s'", what, rc, out, err);
	free(out);
	free(err);
}

/*
 * --cgroup lists every process of a cgroup, and the root cgroup holds the kernel threads: they
 * have no user memory and are left out, not reported.  A canned cgroup with kthreadd and us.
 */
static void test_cgroup(void)
{
	char dir[] = "/tmp/pagemig-kthread-XXXXXX", path[64], self[16], *out = NULL, *err = NULL;
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		exit(1);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		exit(1);
	fprintf(f, "2\n%d\n", (int)getpid());
	fclose(f);
	snprintf(self, sizeof(self), "%d", (int)getpid());
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(), (const char *const[]){ "show", "--cgroup", dir, "--summary", NULL });
	CHECK(rc == 0 && !*err && strstr(out, self), "show --cgroup with kthreadd in it: exit %d, stderr '%s'", rc, err);
	free(out);
	free(err);
	unlink(path);
	rmdir(dir);
}

static void test_live(void)
{
	char err[256];
	int rc;

	if (!is_kthread(2)) {
		unit_skip("pid 2 is not a kernel thread here (a pid namespace?): live cases not run");
		return;
	}
	rc = open_in(NULL, 2, err, sizeof(err));
	CHECK(rc == -ENOEXEC && strstr(err, "kernel thread"), "open(2): %d (%s)", rc, err);
	expect_cli((uid_t)-1, (const char *const[]){ "show", "2", NULL }, "show 2");
	expect_cli((uid_t)-1, (const char *const[]){ "show", "2", "--json", NULL }, "show 2 --json");
	expect_cli((uid_t)-1, (const char *const[]){ "move", "2", "0", "0", NULL }, "move 2 0 0");
	expect_cli((uid_t)-1, (const char *const[]){ "move", "2", "0", "0", "--threads", "1", NULL },
		   "move 2 0 0 --threads 1");
	expect_cli((uid_t)-1, (const char *const[]){ "move", "2", "0", "0", "--dry-run", NULL }, "move --dry-run");
	test_cgroup();
	if (geteuid() == 0)
		expect_cli(NOBODY, (const char *const[]){ "show", "2", NULL }, "show 2 as nobody");
	else
		unit_skip("not root: show 2 as another user not run");
}

int main(void)
{
	if (access(unit_cli(), X_OK)) {
		fprintf(stderr, "%s: not built (run from the repository root after make)\n", unit_cli());
		return 1;
	}
	test_canned();
	test_live();
	return unit_exit("kthread");
}
