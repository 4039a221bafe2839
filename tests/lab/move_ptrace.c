// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_ptrace.c - move_pages(2) checks ptrace read access with the caller's real credentials
 * (PTRACE_MODE_READ_REALCREDS); /proc/PID/smaps with the filesystem ones.  Root without
 * CAP_SYS_PTRACE whose fsuid is the target's (uid 65534) can read smaps but not move pages.
 * libpagemig must decide as the kernel does, before it moves or reports anything:
 *  - pagemig_open() for reading succeeds (the kernel allows it);
 *  - pagemig_move(), dry run and real, is -EACCES with no region reported, and no page moved;
 *  - pagemig_open() with PAGEMIG_OPEN_MOVE is -EACCES, naming CAP_SYS_PTRACE;
 * and `pagemig move` of that process from a root shell without CAP_SYS_PTRACE exits 4 with
 * nothing on stdout, the dry run too.  Placement is the kernel's word (move_pages, nodes = NULL).
 */
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "labtest.h"
#include "pagemig.h"

#define MIB (1UL << 20)
#define NOBODY 65534

struct layout {
	char *buf;		/* 1 MiB on node 0 */
};

static struct layout *L;

static void setup(void *arg)
{
	int err = lab_become(NOBODY);

	if (err)
		FAIL("become uid %d: %s", NOBODY, strerror(-err));
	L->buf = lab_alloc_on_node(MIB, 0, 0);
}

static void drop_ptrace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) || syscall(SYS_capget, &h, d))
		FAIL("capget/PR_CAPBSET_DROP: %s", strerror(errno));
	d[0].effective &= ~(1U << CAP_SYS_PTRACE);
	d[0].permitted &= ~(1U << CAP_SYS_PTRACE);
	d[0].inheritable &= ~(1U << CAP_SYS_PTRACE);
	if (syscall(SYS_capset, &h, d))
		FAIL("capset: %s", strerror(errno));
}

static int regions_seen;

static void on_region(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	regions_seen++;
}

/* In a child: root without CAP_SYS_PTRACE, fsuid and fsgid 65534. */
static void library(pid_t t)
{
	char err[256] = "";
	PAGEMIG_OPTS(pagemig_open_opts, o, .errbuf = err, .errlen = sizeof(err));
	struct pagemig_stats st = { .sz = sizeof(st) };
	struct pagemig_nodemask f = { 0 }, to = { 0 };
	struct pagemig_plan plan;
	struct pagemig *pm;
	int ret;

	drop_ptrace();
	setfsgid(NOBODY);
	setfsuid(NOBODY);
	pagemig_nodemask_set(&f, 0);
	pagemig_nodemask_set(&to, 2);
	pagemig_plan(&f, &to, &plan);
	ret = pagemig_open(t, &o, &pm);
	if (ret)
		FAIL("open for reading with fsuid %d: %d (%s): the kernel lets smaps be read", NOBODY, ret, err);
	for (int dry = 1; dry >= 0; dry--) {
		PAGEMIG_OPTS(pagemig_move_opts, mo, .flags = dry ? PAGEMIG_MOVE_DRY_RUN : 0, .region_done = on_region);

		regions_seen = 0;
		ret = pagemig_move(pm, &plan, &mo, &st);
		if (ret != -EACCES || regions_seen)
			FAIL("%s without CAP_SYS_PTRACE: %d (want -EACCES), %d regions reported", dry ? "dry run" : "move",
			     ret, regions_seen);
	}
	pagemig_close(pm);
	o.flags = PAGEMIG_OPEN_MOVE;
	ret = pagemig_open(t, &o, &pm);
	if (ret != -EACCES || !strstr(err, "CAP_SYS_PTRACE"))
		FAIL("open for a move: %d (%s), want -EACCES naming CAP_SYS_PTRACE", ret, err);
	_exit(0);
}

int main(void)
{
	char out[65536], err[4096], cmd[128];
	pid_t t, c;
	int st, rc;

	lab_require_nodes(3);
	lab_require_root();
	lab_require_cmd("pagemig");
	L = lab_map_shared(sizeof(*L));
	t = lab_spawn(setup, NULL);
	c = fork();
	if (c == 0)
		library(t);
	waitpid(c, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("the library checks without CAP_SYS_PTRACE failed (status %d)", st);
	lab_expect_on(t, L->buf, MIB, lab_page_size(), 0, "after the refused moves");

	/* the CLI from a root shell without CAP_SYS_PTRACE (capsh-free: a child drops it, then execs) */
	for (int dry = 0; dry < 2; dry++) {
		int po[2], pe[2];

		snprintf(cmd, sizeof(cmd), "%d", (int)t);
		if (pipe(po) || pipe(pe))
			FAIL("pipe");
		c = fork();
		if (c == 0) {
			dup2(po[1], 1);
			dup2(pe[1], 2);
			drop_ptrace();
			execlp("pagemig", "pagemig", "move", cmd, "0", "2", dry ? "--dry-run" : "--no-progress", NULL);
			_exit(127);
		}
		close(po[1]);
		close(pe[1]);
		ssize_t no = read(po[0], out, sizeof(out) - 1), ne = read(pe[0], err, sizeof(err) - 1);

		out[no > 0 ? no : 0] = '\0';
		err[ne > 0 ? ne : 0] = '\0';
		close(po[0]);
		close(pe[0]);
		waitpid(c, &st, 0);
		rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		if (rc != 4 || *out || strncmp(err, "pagemig: ", 9))
			FAIL("%s without CAP_SYS_PTRACE: exit %d (want 4), stdout '%s', stderr '%s'",
			     dry ? "pagemig move --dry-run" : "pagemig move", rc, out, err);
	}
	lab_expect_on(t, L->buf, MIB, lab_page_size(), 0, "after the refused CLI moves");
	lab_kill(t);
	return 0;
}
