// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * space.c - a target process: opening it, checking access the kernel's way, keeping its pid stable.
 *
 * Reading another process's smaps, numa_maps or pagemap, and moving its pages, needs ptrace read
 * access: the same process, or the same uid (real, effective and saved) and gid and a dumpable
 * process, or CAP_SYS_PTRACE.  move_pages(2) checks it with the caller's real credentials
 * (PTRACE_MODE_READ_REALCREDS, since CVE-2017-14140).  pagemig_open() probes by opening smaps and,
 * when that is denied, reads the target's status to say which part of the rule failed.
 *
 * A pid may be reused once its process is reaped, so the handle holds a pidfd: it becomes readable
 * when the process exits, which tells a reader that what it just read may be cut short.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define explain(buf, len, ...) ((void)errbuf_fail(buf, len, 0, __VA_ARGS__))

static bool has_cap_sys_ptrace(void)
{
	uint64_t caps = 0;

	return !sys_capget_effective(&caps) && (caps & (1ULL << CAP_SYS_PTRACE));
}

/* Read "Uid:" or "Gid:" of the target's status: real, effective, saved. */
static int status_ids(const struct pm_proc *p, const char *key, unsigned int ids[3])
{
	char buf[128];
	int err = proc_status_get(p, key, buf, sizeof(buf));

	if (err)
		return err;
	return sscanf(buf, "%u %u %u", &ids[0], &ids[1], &ids[2]) == 3 ? 0 : -EINVAL;
}

/* The first of @ids that is not @me, or -1 when all three are @me. */
static long other_id(const unsigned int ids[3], unsigned int me)
{
	int i;

	for (i = 0; i < 3; i++)
		if (ids[i] != me)
			return ids[i];
	return -1;
}

/*
 * Denied although uids, gids and CAP_SYS_PTRACE allow it: the target holds capabilities we lack
 * and lives in a user namespace where our CAP_SYS_PTRACE does not count, or an LSM said no.
 */
static void explain_other(const struct pm_proc *p, char *eb, size_t el)
{
	unsigned long long theirs = 0;
	uint64_t ours = 0;
	char buf[64];

	if (!proc_status_get(p, "CapPrm", buf, sizeof(buf)) && sscanf(buf, "%llx", &theirs) == 1 &&
	    !sys_capget_effective(&ours) && (theirs & ~ours)) {
		explain(eb, el, "process %d holds capabilities we lack (CapPrm %llx, ours %llx) and our "
			"CAP_SYS_PTRACE does not cover it (another user namespace or a security module)",
			(int)p->pid, theirs, (unsigned long long)ours);
		return;
	}
	explain(eb, el, "access to process %d denied by a security module despite CAP_SYS_PTRACE", (int)p->pid);
}

/*
 * Access was denied (or would be, with real credentials): say which part of the rule failed.
 * Returns -EACCES, or 0 when the real-credential rule allows access.
 */
static int explain_denied(const struct pm_proc *p, bool denied, char *eb, size_t el)
{
	unsigned int uids[3], gids[3];
	bool cap = has_cap_sys_ptrace();
	long uid = -1, gid = -1;
	int pid = (int)p->pid;

	if (!status_ids(p, "Uid", uids))
		uid = other_id(uids, (unsigned int)getuid());
	if (!status_ids(p, "Gid", gids))
		gid = other_id(gids, (unsigned int)getgid());
	if (!cap && uid >= 0) {
		explain(eb, el, "process %d belongs to uid %ld and we are uid %u without CAP_SYS_PTRACE", pid, uid,
			(unsigned int)getuid());
	} else if (!cap && gid >= 0) {
		explain(eb, el, "process %d belongs to gid %ld and we are gid %u without CAP_SYS_PTRACE", pid, gid,
			(unsigned int)getgid());
	} else if (!denied) {
		return 0;
	} else if (!cap) {
		explain(eb, el, "process %d is not dumpable (setuid or prctl(PR_SET_DUMPABLE, 0)) and we lack "
			"CAP_SYS_PTRACE", pid);
	} else {
		explain_other(p, eb, el);
	}
	return -EACCES;
}

static int no_such_process(const struct pm_proc *p, const char *why, char *eb, size_t el)
{
	explain(eb, el, "no such process %d%s", (int)p->pid, why);
	return -ESRCH;
}

/* The kernel's task flags, field 9 of /proc/PID/stat. */
#define PF_EXITING 0x00000004UL
#define PF_KTHREAD 0x00200000UL

/*
 * The target's task flags, read after the last ')' of stat (the command name may hold one).
 * Return: 0; -ENOENT or -ESRCH when it is gone; -EINVAL when stat does not parse (or, in a canned
 * tree, is missing: -ENOENT then too).
 */
static int stat_flags(const struct pm_proc *p, unsigned long *flags)
{
	char buf[1024], *paren;
	size_t n;
	int err;
	FILE *f = proc_fopen(p, "stat", &err);

	if (!f)
		return err;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && sscanf(paren + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) == 1 ? 0 : -EINVAL;
}

/*
 * A kernel thread has no mm: its maps are empty and move_pages(2) says -EINVAL.  A stat that cannot
 * be read or parsed (a canned tree without one) says "not a kernel thread": the other checks run.
 */
static bool is_kernel_thread(const struct pm_proc *p)
{
	unsigned long flags;

	return !stat_flags(p, &flags) && (flags & PF_KTHREAD);
}

/*
 * After a /proc file of the target ended: 0 when it ended because it was whole.  An exiting
 * target's files end early at exit_mm(), before its pidfd turns readable (exit_notify()), but its
 * PF_EXITING is set before exit_mm(): that says the end may be a cut.
 */
int space_check_complete(const struct pagemig *pm)
{
	unsigned long flags;
	int err = space_check_alive(pm);

	if (err)
		return err;
	err = stat_flags(&pm->proc, &flags);
	if (err == -ESRCH || (err == -ENOENT && pm->pidfd >= 0) || (!err && (flags & PF_EXITING)))
		return -ESRCH;
	return 0;
}

/*
 * A move reads the target's pagemap, which is mode 0400 and owned by the target's uid: the file's
 * permission is checked before ptrace access, so CAP_SYS_PTRACE, enough for move_pages(2), is not
 * enough for it (CAP_DAC_READ_SEARCH is).  Other errors are left to the move (a target that exits).
 */
static int check_pagemap(const struct pm_proc *p, char *eb, size_t el)
{
	char path[PATH_MAX];
	int fd = proc_path(p, "pagemap", path, sizeof(path));

	if (fd)
		return fd;
	fd = sys_open(path, O_RDONLY);
	if (fd >= 0)
		return sys_close(fd), 0;
	if (fd != -EACCES && fd != -EPERM)
		return 0;
	explain(eb, el, "cannot open /proc/%d/pagemap, which only its owner may read (mode 0400): reading it "
		"takes the process's uid or CAP_DAC_READ_SEARCH, besides CAP_SYS_PTRACE", (int)p->pid);
	return -EACCES;
}

/*
 * move_pages(2) and migrate_pages(2) check ptrace read access with the caller's real credentials
 * (PTRACE_MODE_READ_REALCREDS): the same real uid and gid as all of the target's, or
 * CAP_SYS_PTRACE.  Reading /proc uses the filesystem credentials, which may allow what this denies.
 */
int space_check_move(const struct pagemig *pm, char *eb, size_t el)
{
	int err;

	if (pm->proc.pid == getpid())
		return 0;
	err = explain_denied(&pm->proc, false, eb, el);
	return err ? err : check_pagemap(&pm->proc, eb, el);
}

/* Does the target exist, is it alive, does it have user memory, may we read (and move) it? */
static int check_access(struct pagemig *pm, unsigned int flags, char *eb, size_t el)
{
	const struct pm_proc *p = &pm->proc;
	char state[64];
	FILE *f;
	int err = proc_status_get(p, "State", state, sizeof(state));

	if (err == -ENOENT || err == -ESRCH)
		return no_such_process(p, "", eb, el);
	if (err) {
		explain(eb, el, "cannot read the status of process %d: %s", (int)p->pid, strerror(-err));
		return err;
	}
	if (state[0] == 'Z' || state[0] == 'X')
		return no_such_process(p, " (it is a zombie)", eb, el);
	if (is_kernel_thread(p)) {
		explain(eb, el, "process %d is a kernel thread: it has no user memory", (int)p->pid);
		return -ENOEXEC;
	}
	f = proc_fopen(p, "smaps", &err);
	if (f) {
		fclose(f);
		/* a setuid caller may pass the open (fs credentials) and fail move_pages(2) (real ones) */
		if ((flags & PAGEMIG_OPEN_MOVE) || getuid() != geteuid())
			return space_check_move(pm, eb, el);
		return 0;
	}
	if (err == -ENOENT || err == -ESRCH)
		return no_such_process(p, "", eb, el);
	if (err == -EACCES || err == -EPERM)
		return explain_denied(p, true, eb, el);
	explain(eb, el, "cannot open the smaps of process %d: %s", (int)p->pid, strerror(-err));
	return err;
}

static int set_root(char *dst, size_t len, const char *src, const char *fallback)
{
	if (!src)
		src = fallback;
	if (strlen(src) >= len)
		return -ENAMETOOLONG;
	strcpy(dst, src);
	return 0;
}

/* A pidfd only makes sense for the real procfs: canned trees hold made-up pids. */
static int hold_pid(struct pagemig *pm, const char *proc_root, char *eb, size_t el)
{
	int fd;

	if (proc_root && strcmp(proc_root, "/proc"))
		return 0;
	fd = sys_pidfd_open(pm->proc.pid, 0);
	if (fd == -ESRCH)
		return no_such_process(&pm->proc, "", eb, el);
	/* ENOSYS (before 5.3), EINVAL (a thread id before 6.9): go on without */
	pm->pidfd = fd >= 0 ? fd : -1;
	return 0;
}

/* The size of a PMD-mapped transparent huge page, 0 when the kernel has none (or says nonsense). */
static uint64_t thp_size(const char *sys_root, uint64_t base)
{
	char path[PATH_MAX];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/kernel/mm/transparent_hugepage/hpage_pmd_size", sys_root);
	if (read_file_u64(path, &v) || v <= base || (v & (v - 1)))
		return 0;
	return v;
}

PAGEMIG_API int pagemig_open(pid_t pid, const struct pagemig_open_opts *opts, struct pagemig **out)
{
	const char *proc_root = OPTS_GET(opts, proc_root, NULL), *sys_root = OPTS_GET(opts, sys_root, NULL);
	char *eb = OPTS_GET(opts, errbuf, NULL);
	size_t el = OPTS_GET(opts, errlen, 0);
	struct pagemig *pm;
	int err;

	if (!OPTS_VALID(opts, pagemig_open_opts) || (OPTS_GET(opts, flags, 0) & ~PAGEMIG_OPEN_MOVE))
		return -EINVAL;		/* its errbuf may be no errbuf */
	if (eb && el)
		eb[0] = '\0';
	if (!out || pid < 0)
		return -EINVAL;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return -ENOMEM;
	pm->pagemap_fd = -1;
	pm->pidfd = -1;
	pm->proc.pid = pid ? pid : getpid();
	ops_init(pm);
	pm->base_page = (uint64_t)sysconf(_SC_PAGESIZE);
	err = set_root(pm->proc.root, sizeof(pm->proc.root), proc_root, "/proc");
	if (!err)
		err = set_root(pm->sys_root, sizeof(pm->sys_root), sys_root, "/sys");
	if (err) {
		explain(eb, el, "procfs or sysfs path too long");
		goto err_close;
	}
	err = hold_pid(pm, proc_root, eb, el);
	if (!err)
		err = check_access(pm, OPTS_GET(opts, flags, 0), eb, el);
	if (err)
		goto err_close;
	pm->thp_size = thp_size(pm->sys_root, pm->base_page);
	err = pagemig_topology_load(pm->sys_root, &pm->topo);
	if (err) {
		explain(eb, el, "cannot read the NUMA topology under '%s': %s", pm->sys_root, strerror(-err));
		goto err_close;
	}
	*out = pm;
	return 0;
err_close:
	pagemig_close(pm);
	return err;
}

PAGEMIG_API void pagemig_close(struct pagemig *pm)
{
	if (!pm)
		return;
	pagemig_agent_stop(pm->agent);
	ops_release(pm);
	builtins_release(pm);
	plugins_release(pm);
	residency_release(pm);
	if (pm->pidfd >= 0)
		sys_close(pm->pidfd);
	pagemig_topology_free(pm->topo);
	free(pm);
}

PAGEMIG_API pid_t pagemig_pid(const struct pagemig *pm)
{
	return pm->proc.pid;
}

PAGEMIG_API const struct pagemig_topology *pagemig_topology(const struct pagemig *pm)
{
	return pm->topo;
}

int space_check_alive(const struct pagemig *pm)
{
	struct pollfd pfd = { .fd = pm->pidfd, .events = POLLIN };
	char state[64];
	int err;

	if (pm->pidfd >= 0)
		return sys_poll(&pfd, 1, 0) > 0 ? -ESRCH : 0;
	err = proc_status_get(&pm->proc, "State", state, sizeof(state));
	if (err == -ENOENT || err == -ESRCH || (!err && (state[0] == 'Z' || state[0] == 'X')))
		return -ESRCH;
	return 0;
}

PAGEMIG_API int pagemig_mems_allowed(const struct pagemig *pm, struct pagemig_nodemask *out)
{
	char buf[4096];
	int err = space_check_alive(pm);

	if (err)
		return err;
	err = proc_status_get(&pm->proc, "Mems_allowed_list", buf, sizeof(buf));
	if (err == -ENOENT && !space_check_alive(pm)) {
		/* a kernel without cpusets has no Mems_allowed: every node with memory */
		*out = *pagemig_topology_memory(pm->topo);
		return 0;
	}
	if (err == -ENOENT)
		return -ESRCH;
	if (err)
		return err;
	return nodemask_parse_list(buf, out);
}
