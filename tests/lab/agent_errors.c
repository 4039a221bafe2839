// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_errors.c - what goes wrong around a target's agent, with `pagemig move` from outside.
 *
 *  (3) the owner's handler fails (the pinned pool's quiesce timeout: a READ_FIXED from an empty
 *      pipe stays in flight): exit 6 naming the process, the handler and its explanation, and no
 *      page of any region moved;
 *  (5) the owner's handler hangs: the mover gives up at --agent-timeout with exit 6, nothing moved,
 *      and the agent undoes the preparation once the hook returns;
 *  (11) the target exits inside its handler: exit 3, promptly;
 *  (10) the target forks while its agent runs, and a child execs: neither child has an agent (or a
 *      descriptor of it); --agent=require refuses them (exit 6), a plain move moves them;
 *  (7) uid 65534 cannot move a root target with an agent (exit 4, its handler never called), and
 *      moves its own process through that process's agent (/tmp/pagemig-65534);
 *  (8) a socket squatted at a root target's path (another owner, mode 0666, a symlink): the mover
 *      never connects to it; it warns and moves without an agent, or exits 6 with --agent=require;
 *  (12) a target in its own pid and mount namespaces, with its own /run: found and moved through
 *      its agent (/proc/PID/root, NSpid).
 * Placement from move_pages(2) queries of the targets.
 */
#include "labtest.h"

#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "../../examples/pinned-pool/pinned_pool.c"

#define EXTRA (4UL << 20)

enum hook { H_OK, H_HANG, H_EXIT };

struct shared {
	int hook;
	int migrate;
	int finish;
	int last_err;
	uint64_t extra;
	uint64_t pool;
	pid_t child;
	pid_t execd;
};

static struct shared *S;
static size_t pagesz;

static int h_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		     const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	__atomic_add_fetch(&S->migrate, 1, __ATOMIC_SEQ_CST);
	if (S->hook == H_HANG)
		sleep(4);
	if (S->hook == H_EXIT)
		_exit(0);
	return 0;
}

static void h_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	S->last_err = err;
	__atomic_add_fetch(&S->finish, 1, __ATOMIC_SEQ_CST);
}

static const struct pagemig_region_ops h_ops = {
	.sz = sizeof(h_ops), .name = "lab-owner", .migrate = h_migrate, .finish = h_finish,
};

static void start_agent(struct pagemig *pm)
{
	char why[256] = "";
	struct pagemig_agent_opts ao = { .sz = sizeof(ao), .errbuf = why, .errlen = sizeof(why) };
	struct pagemig_agent *a;
	int err = pagemig_agent_start(pm, &ao, &a);

	if (err)
		FAIL("pagemig_agent_start: %s (%s)", strerror(-err), why);
}

/* A target: EXTRA bytes on node 0 with the test's handler on them, and an agent. */
static void owner_setup(void *arg)
{
	struct pagemig *pm;
	void *p;

	if (arg && lab_become(65534))
		FAIL("become uid 65534");
	p = lab_alloc_on_node(EXTRA, 0, 0);
	S->extra = (uintptr_t)p;
	if (pagemig_open(0, NULL, &pm) || pagemig_region_register(pm, S->extra, EXTRA, &h_ops, NULL) <= 0)
		FAIL("register the handler");
	start_agent(pm);
}

static void expect_extra_on(pid_t pid, int node, const char *what)
{
	lab_expect_on(pid, (void *)(uintptr_t)S->extra, EXTRA, pagesz, node, what);
}

static int move_rc(uid_t uid, pid_t pid, const char *args, char *err, size_t errsize, double *secs)
{
	char out[8192];
	double t0 = lab_now();
	int rc = lab_pagemig_as(uid, out, sizeof(out), err, errsize, "move %d %s --no-progress", (int)pid, args);

	if (secs)
		*secs = lab_now() - t0;
	return rc;
}

/* (3): a pool whose buffer 5 has a READ_FIXED from an empty pipe in flight, quiesce 500 ms. */
static void stuck_pool_setup(void *arg)
{
	struct pinned_pool_opts po = { .sz = sizeof(po), .nr_bufs = 16, .buf_size = 64 << 10, .node = 0,
				       .quiesce_ms = 500 };
	struct pinned_pool *pp;
	struct pagemig *pm;
	int pfd[2], err;

	S->extra = (uintptr_t)lab_alloc_on_node(EXTRA, 0, 0);
	err = pinned_pool_create(&po, &pp);
	if (err || pipe(pfd) || pinned_pool_submit(pp, PINNED_POOL_READ, 5, pfd[0], 0, 16, 5))
		FAIL("the stuck pool: %s", strerror(-err));
	S->pool = (uintptr_t)pinned_pool_base(pp);
	if (pagemig_open(0, NULL, &pm) || pinned_pool_attach(pp, pm) <= 0)
		FAIL("attach the pool");
	start_agent(pm);
}

static void scenario_failing(void)
{
	char err[2048], want[64];
	int rc;
	pid_t t = lab_spawn(stuck_pool_setup, NULL);

	rc = move_rc((uid_t)-1, t, "0 2", err, sizeof(err), NULL);
	snprintf(want, sizeof(want), "process %d's handler 'pinned-pool' failed", (int)t);
	if (rc != 6 || !strstr(err, want) || !strstr(err, "in flight"))
		FAIL("(3) a failing owner handler: exit %d, '%s'", rc, err);
	expect_extra_on(t, 0, "(3) another region of the target");
	lab_expect_on(t, (void *)(uintptr_t)S->pool, 16 << 16, pagesz, 0, "(3) the pool");
	lab_kill(t);
	lab_log("(3) failing owner handler: exit 6, '%s', nothing moved", want);
}

static void scenario_hang_and_exit(void)
{
	char err[2048];
	double secs;
	int rc;
	pid_t t;

	S->hook = H_HANG;
	S->finish = S->migrate = 0;
	t = lab_spawn(owner_setup, NULL);
	rc = move_rc((uid_t)-1, t, "0 2 --agent-timeout 1", err, sizeof(err), &secs);
	if (rc != 6 || !strstr(err, "'lab-owner' gave no answer") || secs > 3.5)
		FAIL("(5) a hanging owner handler: exit %d after %.1f s, '%s'", rc, secs, err);
	expect_extra_on(t, 0, "(5) the hanging handler's region");
	for (int i = 0; i < 100 && !S->finish; i++)
		usleep(100000);
	if (S->finish != 1 || S->last_err >= 0)
		FAIL("(5) the agent did not undo the abandoned move: finish %d with %d", S->finish, S->last_err);
	lab_kill(t);
	lab_log("(5) hanging handler: exit 6 after %.1f s, nothing moved, finish(%d) once the hook returned", secs,
		S->last_err);

	S->hook = H_EXIT;
	t = lab_spawn(owner_setup, NULL);
	rc = move_rc((uid_t)-1, t, "0 2", err, sizeof(err), &secs);
	waitpid(t, NULL, 0);
	if (rc != 3 || secs > 10)
		FAIL("(11) the target exited in its handler: exit %d after %.1f s, '%s'", rc, secs, err);
	lab_log("(11) target exited during PREPARE: exit 3 after %.1f s", secs);
	S->hook = H_OK;
}

/* (10): the target's children, forked while its agent runs. */
static void forking_setup(void *arg)
{
	int ready[2];
	pid_t c, e;
	char b;

	owner_setup(NULL);
	if (pipe2(ready, O_CLOEXEC))
		FAIL("pipe: %s", strerror(errno));
	fflush(NULL);
	c = fork();		/* into a local first: the child's fork() returns 0, S is shared */
	if (c == 0) {
		/* write its copy: after fork() the pages are shared, which MOVE leaves (lab-notes) */
		memset((void *)(uintptr_t)S->extra, 2, EXTRA);
		if (write(ready[1], "w", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	S->child = c;
	if (read(ready[0], &b, 1) != 1)
		FAIL("the forked child died");
	e = fork();
	if (e == 0) {
		execl("/bin/sleep", "sleep", "600", (char *)NULL);
		_exit(127);
	}
	S->execd = e;
}

static int socket_fds(pid_t pid)
{
	char path[64], link[128];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		FAIL("opendir %s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		ssize_t len = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);

		if (len > 0 && (link[len] = '\0', !strncmp(link, "socket:", 7)))
			n++;
	}
	closedir(d);
	return n;
}

static void scenario_fork(void)
{
	char err[2048];
	int rc, m0;
	pid_t t = lab_spawn(forking_setup, NULL);

	usleep(200000);		/* the exec */
	m0 = S->migrate;
	rc = move_rc((uid_t)-1, S->child, "0 2 --agent=require", err, sizeof(err), NULL);
	if (rc != 6 || !strstr(err, "has no pagemig agent"))
		FAIL("(10) the forked child with --agent=require: exit %d, '%s'", rc, err);
	rc = move_rc((uid_t)-1, S->child, "0 2", err, sizeof(err), NULL);
	if (rc != 0 || S->migrate != m0)
		FAIL("(10) the forked child: exit %d, handler calls %d, '%s'", rc, S->migrate - m0, err);
	expect_extra_on(S->child, 2, "(10) the forked child's copy of the region");
	expect_extra_on(t, 0, "(10) the parent's region, not moved");
	if (socket_fds(S->execd))
		FAIL("(10) the exec'd child holds %d sockets: a descriptor was not close-on-exec", socket_fds(S->execd));
	rc = move_rc((uid_t)-1, S->execd, "0 2 --agent=require", err, sizeof(err), NULL);
	if (rc != 6)
		FAIL("(10) the exec'd child with --agent=require: exit %d, '%s'", rc, err);
	rc = move_rc((uid_t)-1, t, "0 2 --agent=require", err, sizeof(err), NULL);
	if (rc != 0 || S->migrate != m0 + 1)
		FAIL("(10) the parent through its agent: exit %d, handler calls %d, '%s'", rc, S->migrate - m0, err);
	expect_extra_on(t, 2, "(10) the parent's region");
	lab_kill(S->child);
	lab_kill(S->execd);
	lab_kill(t);
	lab_log("(10) forked and exec'd children: no agent, no socket; moved without one");
}

static void scenario_users(void)
{
	char err[2048];
	int rc, m0 = S->migrate;
	pid_t root_t = lab_spawn(owner_setup, NULL), user_t;

	rc = move_rc(65534, root_t, "0 2", err, sizeof(err), NULL);
	if (rc != 4 || S->migrate != m0)
		FAIL("(7) uid 65534 moving a root target: exit %d, handler calls %d, '%s'", rc, S->migrate - m0, err);
	expect_extra_on(root_t, 0, "(7) the root target's region");
	lab_kill(root_t);
	user_t = lab_spawn(owner_setup, (void *)1);
	rc = move_rc(65534, user_t, "0 2 --agent=require", err, sizeof(err), NULL);
	if (rc != 0 || S->migrate != m0 + 1)
		FAIL("(7) uid 65534 moving its own process: exit %d, handler calls %d, '%s'", rc, S->migrate - m0, err);
	expect_extra_on(user_t, 2, "(7) its own process's region");
	lab_kill(user_t);
	lab_log("(7) uid 65534: refused (exit 4) on root's process, moved its own through its agent");
}

static int squat(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4))
		FAIL("squat %s: %s", path, strerror(errno));
	return fd;
}

static void expect_untouched(pid_t t, int fd, const char *what)
{
	char err[2048];
	int rc = move_rc((uid_t)-1, t, "0 0", err, sizeof(err), NULL);

	if (rc != 0 || !strstr(err, "refusing the agent socket"))
		FAIL("(8) %s: exit %d, '%s'", what, rc, err);
	rc = move_rc((uid_t)-1, t, "0 0 --agent=require", err, sizeof(err), NULL);
	if (rc != 6 || !strstr(err, "refusing the agent socket"))
		FAIL("(8) %s with --agent=require: exit %d, '%s'", what, rc, err);
	if (accept(fd, NULL, NULL) >= 0 || errno != EAGAIN)
		FAIL("(8) %s: the mover connected to it", what);
}

static void scenario_squat(void)
{
	char path[64], real[64];
	pid_t t = lab_spawn(NULL, NULL);
	int fd;

	mkdir("/run/pagemig", 0755);
	snprintf(path, sizeof(path), "/run/pagemig/%d.sock", (int)t);
	fd = squat(path);
	if (chown(path, 65534, 65534) || chmod(path, 0600))
		FAIL("chown: %s", strerror(errno));
	expect_untouched(t, fd, "a socket of uid 65534");
	if (chown(path, 0, 0) || chmod(path, 0666))
		FAIL("chmod: %s", strerror(errno));
	expect_untouched(t, fd, "a socket of mode 0666");
	close(fd);
	snprintf(real, sizeof(real), "/run/pagemig/real.sock");
	fd = squat(real);
	chmod(real, 0600);
	unlink(path);
	if (symlink(real, path))
		FAIL("symlink: %s", strerror(errno));
	expect_untouched(t, fd, "a symlink");
	close(fd);
	unlink(path);
	unlink(real);
	lab_kill(t);
	lab_log("(8) squatted sockets: never connected to; a warning, or exit 6 with --agent=require");
}

/*
 * (12) a target in its own pid and mount namespaces (a container): its /run is its own tmpfs, it is
 * pid 1 there.  The mover finds its socket through /proc/PID/root under its own pid there (NSpid).
 */
static void container_setup(void *arg)
{
	int ready[2];
	pid_t c;
	char b;

	if (pipe2(ready, O_CLOEXEC) || unshare(CLONE_NEWPID | CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		FAIL("unshare: %s", strerror(errno));
	fflush(NULL);
	c = fork();
	if (c == 0) {
		if (mount("proc", "/proc", "proc", 0, NULL) || mount("tmpfs", "/run", "tmpfs", 0, "mode=755"))
			_exit(1);
		owner_setup(NULL);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	if (c < 0 || read(ready[0], &b, 1) != 1)
		FAIL("the container's process did not start");
	S->child = c;
}

static void scenario_container(void)
{
	char err[2048], path[64];
	struct stat st;
	int rc, m0 = S->migrate;
	pid_t t = lab_spawn(container_setup, NULL);

	snprintf(path, sizeof(path), "/run/pagemig/%d.sock", (int)S->child);
	if (!lstat(path, &st) || !lstat("/run/pagemig/1.sock", &st))
		FAIL("(12) the container's socket is in the host's /run");
	rc = move_rc((uid_t)-1, S->child, "0 2 --agent=require", err, sizeof(err), NULL);
	if (rc != 0 || S->migrate != m0 + 1)
		FAIL("(12) a target in its own namespaces: exit %d, handler calls %d, '%s'", rc, S->migrate - m0, err);
	expect_extra_on(S->child, 2, "(12) the container's region");
	lab_kill(S->child);
	lab_kill(t);
	lab_log("(12) a target in its own pid and mount namespaces: its agent found through /proc/PID/root");
}

int main(void)
{
	struct io_uring ring;
	int err;

	S = lab_require_cli(3, sizeof(*S));
	pagesz = lab_page_size();
	err = io_uring_queue_init(1, &ring, 0);
	if (err == -ENOSYS || err == -EPERM)
		SKIP("io_uring unavailable: io_uring_queue_init: %s", strerror(-err));
	if (!err)
		io_uring_queue_exit(&ring);
	scenario_failing();
	scenario_hang_and_exit();
	scenario_fork();
	scenario_users();
	scenario_squat();
	scenario_container();
	return 0;
}
