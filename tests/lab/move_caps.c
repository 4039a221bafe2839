// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_caps.c - callers with few capabilities (LTP move_pages03/11, migrate_pages01/02): an
 * unprivileged user (uid 65534) holding only CAP_SYS_NICE, or only CAP_SYS_PTRACE, or
 * CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (as ambient capabilities, so that they survive the exec
 * of the shell and of pagemig).
 *
 * The kernel's rules: moving another user's pages needs ptrace read access with the real
 * credentials (CAP_SYS_PTRACE does it, CAP_SYS_NICE does not); MOVE_ALL needs CAP_SYS_NICE; and
 * the target's /proc/PID/pagemap, which a move reads, is mode 0400 and owned by the target's
 * uid (CAP_DAC_READ_SEARCH passes that, CAP_SYS_PTRACE does not).  Each case first asks the kernel
 * itself, as the same caller: move_pages(nodes = NULL) with the flags of the move (it checks the
 * same permissions and moves nothing) and an open of the pagemap.  pagemig must then agree: exit 4
 * with nothing on stdout and nothing moved where the kernel refused, exit 0 and the pages where
 * they belong where it did not.  The targets hold 2 MiB of private pages (MADV_DONTFORK) and 2 MiB
 * of MAP_SHARED pages that a child of theirs maps too, all on node 0:
 *  - root's target, CAP_SYS_NICE only: no ptrace access: exit 4, nothing moved;
 *  - root's target, CAP_SYS_PTRACE only: move_pages(2) allowed, the pagemap not: exit 4 before
 *    anything is printed (it printed an "ok" table, then failed);
 *  - root's target, CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: MOVE moves the private pages and
 *    leaves the shared ones (exit 0); --all is EPERM (no CAP_SYS_NICE): exit 4, nothing moved;
 *  - uid 65534's own target, CAP_SYS_NICE only: --all moves the shared pages too (exit 0).
 * Placement: move_pages(nodes = NULL) from root.
 */
#include "labtest.h"
#include <linux/capability.h>

#define MIB (1UL << 20)
#define SZ (2 * MIB)
#define NOBODY 65534

struct layout {
	char *priv, *shared;
	pid_t child;
	uint64_t sum;
};

static struct layout *L;

static void touch_shared(void *arg)
{
	volatile char sink = 0;

	for (size_t off = 0; off < SZ; off += 4096)
		sink += L->shared[off];
	(void)sink;
}

static void setup(void *arg)
{
	uid_t uid = (uid_t)(uintptr_t)arg;

	if (uid && lab_become(uid))
		FAIL("become uid %d: %s", (int)uid, strerror(errno));
	L->priv = lab_alloc_on_node(SZ, 0, 0);
	if (madvise(L->priv, SZ, MADV_DONTFORK))
		FAIL("madvise(MADV_DONTFORK): %s", strerror(errno));
	L->shared = lab_alloc_on_node(SZ, 0, MAP_SHARED);
	lab_fill(L->shared, SZ, 6);
	L->sum = lab_checksum(L->shared, SZ);
	L->child = lab_spawn(touch_shared, NULL);
}

#define NICE (1U << CAP_SYS_NICE)
#define PTRACE (1U << CAP_SYS_PTRACE)
#define DAC_READ (1U << CAP_DAC_READ_SEARCH)

static const char *caps_name(uint32_t caps)
{
	return caps == NICE ? "CAP_SYS_NICE" : caps == PTRACE ? "CAP_SYS_PTRACE" : "CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH";
}

/* In a fork()ed child: become uid 65534 holding only the capabilities @caps, kept across exec. */
static int drop_to(uint32_t caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || lab_become(NOBODY))
		return -errno;
	d[0].effective = d[0].permitted = d[0].inheritable = caps;
	if (syscall(SYS_capset, &hdr, d) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	for (int c = 0; c < 32; c++)
		if (caps >> c & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0))
			return -errno;
	return 0;
}

/*
 * The kernel's answer to this caller: move_pages(nodes = NULL) on @pid with @flags, then an open
 * of its pagemap.  Return: 0, or the first -errno.
 */
static int kernel_says(pid_t pid, uint32_t caps, int flags)
{
	int fds[2], res = -EIO, status;
	pid_t child;

	if (pipe(fds))
		FAIL("pipe: %s", strerror(errno));
	child = fork();
	if (child == 0) {
		int st, r = drop_to(caps);
		char path[64];

		if (!r)
			r = (int)lab_move_pages(pid, L->priv, 1, lab_page_size(), -1, &st, flags);
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
		if (r >= 0 && (st = open(path, O_RDONLY)) < 0)
			r = -errno;
		_exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &res, sizeof(res)) != sizeof(res))
		FAIL("the probe child wrote nothing");
	close(fds[0]);
	waitpid(child, &status, 0);
	return res > 0 ? 0 : res;
}

/* `pagemig move PID 0 2 ARGS` run as uid 65534 holding only @caps; @out gets its stdout. */
static int pagemig_with(uint32_t caps, const char *args, pid_t pid, char *out, size_t size)
{
	char cmd[256];
	int p[2], status;
	ssize_t n, len = 0;
	pid_t child;

	snprintf(cmd, sizeof(cmd), "pagemig move %d 0 2 --no-progress %s", (int)pid, args);
	lab_log("+ (uid %d, %s only) %s", NOBODY, caps_name(caps), cmd);
	fflush(NULL);
	if (pipe(p))
		FAIL("pipe: %s", strerror(errno));
	child = fork();
	if (child == 0) {
		close(p[0]);
		dup2(p[1], STDOUT_FILENO);
		if (drop_to(caps))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], out + len, size - 1 - (size_t)len)) > 0)
		len += n;
	out[len] = '\0';
	close(p[0]);
	if (waitpid(child, &status, 0) != child)
		FAIL("waitpid: %s", strerror(errno));
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lab_log("%sexit %d", out, status);
	return status;
}

static void expect(pid_t pid, int priv_node, int shared_node, const char *what)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s: private pages", what);
	lab_expect_on(pid, L->priv, SZ, lab_page_size(), priv_node, buf);
	snprintf(buf, sizeof(buf), "%s: shared pages", what);
	lab_expect_on(pid, L->shared, SZ, lab_page_size(), shared_node, buf);
}

/* One case: the kernel's verdict for @caps and @flags, then pagemig's, which must agree. */
static void check(pid_t pid, uint32_t caps, int flags, const char *args, int priv_node, int shared_node,
		  const char *what)
{
	static char out[65536];
	int k = kernel_says(pid, caps, flags), rc;

	lab_log("%s: the kernel says %s", what, k ? strerror(-k) : "allowed");
	rc = pagemig_with(caps, args, pid, out, sizeof(out));
	if (k == -EPERM || k == -EACCES) {
		if (rc != 4)
			FAIL("%s: the kernel refuses (%s), pagemig exited %d, expected 4", what, strerror(-k), rc);
		if (out[0])
			FAIL("%s: pagemig refused, yet printed on stdout first", what);
		expect(pid, 0, 0, what);
		return;
	}
	if (k)
		FAIL("%s: the probe failed: %s", what, strerror(-k));
	if (rc != 0)
		FAIL("%s: the kernel allows it, pagemig exited %d, expected 0", what, rc);
	expect(pid, priv_node, shared_node, what);
}

int main(void)
{
	pid_t pid;

	L = lab_require_cli(3, sizeof(*L));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_NICE, 0, 0) < 0 && errno == EINVAL)
		SKIP("no ambient capabilities (Linux 4.3+)");

	pid = lab_spawn(setup, (void *)(uintptr_t)0);
	expect(pid, 0, 0, "root's target before the moves");
	check(pid, NICE, MPOL_MF_MOVE, "", 0, 0, "root's target, CAP_SYS_NICE only, MOVE");
	check(pid, NICE, MPOL_MF_MOVE_ALL, "--all", 0, 0, "root's target, CAP_SYS_NICE only, MOVE_ALL");
	check(pid, PTRACE, MPOL_MF_MOVE, "", 0, 0, "root's target, CAP_SYS_PTRACE only, MOVE");
	check(pid, PTRACE | DAC_READ, MPOL_MF_MOVE_ALL, "--all", 0, 0,
	      "root's target, CAP_SYS_PTRACE + DAC_READ_SEARCH, MOVE_ALL");
	check(pid, PTRACE | DAC_READ, MPOL_MF_MOVE, "", 2, 0, "root's target, CAP_SYS_PTRACE + DAC_READ_SEARCH, MOVE");
	if (lab_mem_checksum(pid, L->shared, SZ) != L->sum)
		FAIL("the shared pages' contents changed");
	lab_kill(L->child);
	lab_kill(pid);

	pid = lab_spawn(setup, (void *)(uintptr_t)NOBODY);
	check(pid, NICE, MPOL_MF_MOVE_ALL, "--all", 2, 2, "uid 65534's target, CAP_SYS_NICE only, MOVE_ALL");
	if (lab_mem_checksum(pid, L->shared, SZ) != L->sum)
		FAIL("the shared pages' contents changed");
	lab_kill(L->child);
	lab_kill(pid);
	return 0;
}
