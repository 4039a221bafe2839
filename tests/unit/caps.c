// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * caps.c - a caller whose only privilege is CAP_SYS_PTRACE (uid 65534 holding it as an ambient
 * capability, so that it survives the exec of pagemig), moving a root process.
 *
 * move_pages(2) allows it (ptrace read access), but a move also reads the target's
 * /proc/PID/pagemap, which is mode 0400 and owned by the target's uid: the file permission check
 * comes first and CAP_SYS_PTRACE does not pass it.  pagemig must say so before it prints or moves
 * anything, as it does for the ptrace rule (unit/ptrace.c):
 *  - pagemig_open() with PAGEMIG_OPEN_MOVE is -EACCES, naming the pagemap;
 *  - `pagemig move` and `pagemig move --dry-run` exit 4 with one line on stderr and nothing on
 *    stdout (before, the move printed a table of "ok" rows and "moved 0B of 0B" and then exited
 *    4 with "move stopped: Permission denied", the dry run exited 0);
 *  - with CAP_DAC_READ_SEARCH as well, `pagemig move` exits 0.
 * Needs root (to start a root process and hand out capabilities).
 */
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "unit.h"

#define NOBODY 65534

/* Become uid 65534 holding only the capabilities in @caps (a mask), kept across exec. */
static int drop_to(uint64_t caps)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	gid_t g = NOBODY;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(1, &g) || setresgid(g, g, g) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	d[0].effective = d[0].permitted = d[0].inheritable = (uint32_t)caps;
	if (syscall(SYS_capset, &h, d) || prctl(PR_SET_DUMPABLE, 1))
		return -1;
	for (int c = 0; c < 32; c++)
		if (caps >> c & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			return -1;
	return 0;
}

static void test_ptrace_only(pid_t t)
{
	char pid[16], err[512] = "", *out, *serr;
	PAGEMIG_OPTS(pagemig_open_opts, o, .errbuf = err, .errlen = sizeof(err), .flags = PAGEMIG_OPEN_MOVE);
	struct pagemig *pm = NULL;
	int ret, rc;

	ret = pagemig_open(t, &o, &pm);
	CHECK(ret == -EACCES && strstr(err, "pagemap"), "open for a move: %d (%s)", ret, err);
	pagemig_close(pm);
	snprintf(pid, sizeof(pid), "%d", (int)t);
	for (int dry = 0; dry < 2; dry++) {
		rc = unit_run(&out, &serr, (uid_t)-1, unit_cli(),
			      (const char *const[]){ "move", pid, "0", "0", dry ? "--dry-run" : "--no-progress", NULL });
		CHECK(rc == 4 && !*out && strstr(serr, "pagemap") && strchr(serr, '\n') == serr + strlen(serr) - 1,
		      "%s: exit %d, stdout '%s', stderr '%s'", dry ? "move --dry-run" : "move", rc, out, serr);
		free(out);
		free(serr);
	}
}

static void test_with_dac_read_search(pid_t t)
{
	char pid[16], *out, *serr;
	int rc;

	snprintf(pid, sizeof(pid), "%d", (int)t);
	rc = unit_run(&out, &serr, (uid_t)-1, unit_cli(),
		      (const char *const[]){ "move", pid, "0", "0", "--no-progress", NULL });
	CHECK(rc == 0, "with CAP_DAC_READ_SEARCH too: exit %d, stderr '%s'", rc, serr);
	free(out);
	free(serr);
}

static void idle(void *arg)
{
}

/* Run @fn in a child that holds only @caps; returns whether its checks passed. */
static bool as_nobody(uint64_t caps, void (*fn)(pid_t), pid_t t)
{
	pid_t child = fork();
	int st;

	if (child == 0) {
		if (drop_to(caps)) {
			perror("dropping to uid 65534 with capabilities");
			_exit(1);
		}
		fn(t);
		_exit(unit_failed("caps") ? 1 : 0);
	}
	waitpid(child, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	pid_t t;

	if (geteuid() != 0) {
		unit_skip("not root: cannot start a root process and hand out capabilities");
		return unit_exit("caps");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_PTRACE, 0, 0) < 0) {
		unit_skip("no ambient capabilities (Linux 4.3+)");
		return unit_exit("caps");
	}
	if (access(unit_cli(), X_OK)) {
		fprintf(stderr, "%s: not built\n", unit_cli());
		return 1;
	}
	t = unit_spawn(idle, NULL);
	CHECK(as_nobody(1ULL << CAP_SYS_PTRACE, test_ptrace_only, t), "the checks with CAP_SYS_PTRACE only failed");
	CHECK(as_nobody(1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH, test_with_dac_read_search, t),
	      "the move with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH failed");
	unit_kill(t);
	return unit_exit("caps");
}
