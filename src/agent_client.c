// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_client.c - the mover's side: find a target's agent, make sure it is the target, ask it to
 * run the owner's handlers around a move.
 *
 * Trust runs in one direction: the socket and its directory are checked before connecting (a
 * squatter must not even see our HELLO), the peer after (SO_PEERCRED, SO_PEERPIDFD where the
 * kernel has it, and the pidfd the handle holds on the target, so a reused pid is never taken for
 * the target).  While a move holds prepared regions, its lease is renewed every third of it: from
 * the move's own thread at each region and batch (agent_keep()), and by a thread of ours during
 * the steps that call nothing back (the verify walks, migrate_pages(2)).  A thread for every
 * move cost more than the rest of the round trip, measured in the lab with bench/agent.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#define DEFAULT_TIMEOUT_MS	10000
#define PREPARE_CAP		6	/* a PREPARE may last this many timeouts while hooks report */

struct claim {
	uint64_t start;
	uint64_t end;
	char name[AGENT_NAME_MAX];
};

struct pagemig_agent_conn {
	struct pagemig *pm;
	int fd;
	pid_t pid;
	unsigned int timeout_ms;
	const char *socket_dir;		/* NULL, or dir_buf */
	char dir_buf[AGENT_DIR_MAX];
	char path[PATH_MAX];
	struct pagemig_agent_handler *handlers;
	size_t nr_handlers;
	struct claim *claims;
	size_t nr_claims;
	int listed;		/* LIST: 0 not asked yet (lazily, by the first that needs it), 1 done, -errno */
	bool claims_known;	/* the claims are those a PREPARE reported: no LIST needed for them */
	bool hello_pending;	/* HELLO sent, its answer not read yet: it comes before the first request's */
	/* the transaction */
	uint64_t txid;
	bool prepared;
	uint64_t prepared_at;	/* when the lease was granted or last renewed (ms) */
	unsigned int lease_ms;
	pthread_mutex_t send_lock;
	pthread_t keeper;
	bool keeper_running;
	int keeper_pipe[2];
	char msg[512];		/* the last failure, in words (the caller's errbuf gets it on connect) */
};

#define fail(c, err, ...) errbuf_fail((c)->msg, sizeof((c)->msg), err, __VA_ARGS__)

static int send_locked(struct pagemig_agent_conn *c, const union agent_msg *m)
{
	int err;

	pthread_mutex_lock(&c->send_lock);
	err = am_send(c->fd, m, (int)c->timeout_ms);
	pthread_mutex_unlock(&c->send_lock);
	return err;
}

/* ------------------------------------------------------------------------------------------ */
/* Finding and checking the socket                                                             */
/* ------------------------------------------------------------------------------------------ */

/* The target's effective uid and its pid in its own pid namespace (the last NSpid field). */
static int target_ids(struct pagemig *pm, uid_t *euid, pid_t *nspid)
{
	char line[256], *last;
	unsigned int u[2];
	bool uid = false;
	int err;
	FILE *f = proc_fopen(&pm->proc, "status", &err);

	if (!f)
		return err;
	*nspid = pm->proc.pid;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Uid:", 4) && sscanf(line + 4, "%u %u", &u[0], &u[1]) == 2) {
			*euid = u[1];
			uid = true;
		} else if (!strncmp(line, "NSpid:", 6)) {
			last = strrchr(line, '\t');
			*nspid = (pid_t)strtol(last ? last + 1 : line + 6, NULL, 10);
		}
	}
	fclose(f);
	return uid ? 0 : -ESRCH;	/* a status cut short: the process is gone */
}

/* @dir inside the target's root: resolved there, symlinks included, never escaping it. */
static int open_in_root(struct pagemig *pm, const char *dir)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char root[PATH_MAX];
	int rfd, fd;

	if (proc_path(&pm->proc, "root", root, sizeof(root)))
		return -ENAMETOOLONG;
	rfd = sys_open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return rfd;
	fd = (int)syscall(SYS_openat2, rfd, dir + 1, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(rfd, dir + 1, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = fd < 0 ? -errno : fd;
	sys_close(rfd);
	return fd;
}

/*
 * The directory that holds the target's socket, checked, and the socket's name in it: 0 with
 * @dfd set, -ENOENT when no candidate has one, -EPERM when the one found is not to be trusted.
 */
static int find_socket(struct pagemig_agent_conn *c, const char *override, uid_t euid, const char *name,
		       int *dfd)
{
	char dirs[AGENT_MAX_DIRS][AGENT_DIR_MAX], why[160];
	int i, n = agent_dirs(euid, override, dirs), fd, err;
	struct stat st;

	if (n < 0)
		return fail(c, n, "the agent's socket directory must be an absolute path");
	for (i = 0; i < n; i++) {
		fd = open_in_root(c->pm, dirs[i]);
		if (fd < 0)
			continue;
		snprintf(c->path, sizeof(c->path), "%s/%s", dirs[i], name);
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW)) {
			sys_close(fd);
			continue;
		}
		err = agent_sock_check(&st, euid, why, sizeof(why));
		if (!err) {
			err = fstat(fd, &st) ? -errno : agent_dir_check(&st, euid, why, sizeof(why));
		}
		if (err) {
			sys_close(fd);
			return fail(c, err, "refusing the agent socket '%s' of process %d: %s", c->path, (int)c->pid, why);
		}
		*dfd = fd;
		return 0;
	}
	return fail(c, -ENOENT, "process %d has no pagemig agent (no socket in %s%s%s)", (int)c->pid, dirs[0],
		    n > 1 ? " or " : "", n > 1 ? dirs[1] : "");
}

/* The pid a pidfd stands for, from its fdinfo ("Pid:"). */
static pid_t pidfd_pid(int pidfd)
{
	struct pm_proc self = { .root = "/proc", .pid = getpid() };
	char file[64], buf[64];
	FILE *f;
	pid_t pid = -1;
	int err;

	snprintf(file, sizeof(file), "fdinfo/%d", pidfd);
	f = proc_fopen(&self, file, &err);
	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Pid:", 4))
			pid = (pid_t)strtol(buf + 4, NULL, 10);
	if (f)
		fclose(f);
	return pid;
}

/* The peer must be the target: its pid and euid, checked against the handle's pidfd. */
static int check_peer(struct pagemig_agent_conn *c, uid_t euid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int pfd = -1;

	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return -errno;
	if (cr.pid != c->pid || cr.uid != euid)
		return fail(c, -EPERM, "the agent socket '%s' is served by process %d (uid %u), not process %d (euid %u)",
			    c->path, (int)cr.pid, (unsigned int)cr.uid, (int)c->pid, (unsigned int)euid);
	len = sizeof(pfd);
	if (!getsockopt(c->fd, SOL_SOCKET, SO_PEERPIDFD, &pfd, &len)) {
		pid_t p = pidfd_pid(pfd);

		sys_close(pfd);
		if (p != c->pid)
			return fail(c, -EPERM, "the agent socket '%s' is served by an exited process, not process %d",
				    c->path, (int)c->pid);
	}
	if (space_check_alive(c->pm))
		return fail(c, -ESRCH, "process %d exited", (int)c->pid);
	return 0;
}

static int connect_at(struct pagemig_agent_conn *c, int dfd, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dfd, name);
	if (!connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	if (errno == ECONNREFUSED || errno == ENOENT)
		return fail(c, -ENOENT, "process %d has no pagemig agent (nobody listens on '%s')", (int)c->pid, c->path);
	return fail(c, -errno, "cannot connect to '%s': %s", c->path, strerror(errno));
}

/* ------------------------------------------------------------------------------------------ */
/* HELLO and LIST                                                                              */
/* ------------------------------------------------------------------------------------------ */

/*
 * A closed connection: did the target exit?  Its descriptors close in exit_files(), before its
 * pidfd turns readable (exit_notify()), so give it a moment to finish dying.
 */
static bool target_exiting(struct pagemig_agent_conn *c)
{
	struct pollfd p = { .fd = c->pm->pidfd, .events = POLLIN };

	if (c->pm->pidfd < 0)
		return space_check_alive(c->pm) == -ESRCH;
	return sys_poll(&p, 1, 1000) == 1;
}

/* The next message, with the target's pidfd watched; ERROR becomes its errno (and the text). */
static int recv_msg(struct pagemig_agent_conn *c, union agent_msg *m, int timeout_ms)
{
	int type = am_recv(c->fd, m, timeout_ms, c->pm->pidfd);

	if (type == AM_ERROR)
		return fail(c, m->error.err, "process %d's agent: %s", (int)c->pid, m->error.text);
	if (type == -ESRCH || (type == -EPIPE && target_exiting(c)))
		return fail(c, -ESRCH, "process %d exited", (int)c->pid);
	if (type == -ETIMEDOUT)
		return fail(c, type, "process %d's agent did not answer within %u ms", (int)c->pid, c->timeout_ms);
	if (type == -EPIPE)
		return fail(c, -EPROTO, "process %d's agent closed the connection", (int)c->pid);
	if (type < 0)
		return fail(c, type == -EMSGSIZE ? -EPROTO : type, "process %d's agent: %s", (int)c->pid,
			    type == -EPROTO || type == -EMSGSIZE ? "malformed message" : strerror(-type));
	return type;
}

/*
 * HELLO goes out with the first request (pipelined, protocol 1.1): its answer is read just before
 * that request's, which saves a round trip (two thread wakeups on each side) per connection.
 */
static int hello(struct pagemig_agent_conn *c)
{
	union agent_msg m;
	int err;

	am_init(&m, AM_HELLO, 0);
	m.hello.major = PAGEMIG_AGENT_PROTO_MAJOR;
	m.hello.minor = PAGEMIG_AGENT_PROTO_MINOR;
	m.hello.pid = (int32_t)getpid();
	err = send_locked(c, &m);
	c->hello_pending = !err || err == -EPIPE;	/* closed on us: its ERROR may be waiting */
	return c->hello_pending ? 0 : err;
}

/* The agent's answer to our HELLO, when it has not been read yet: an ERROR, or its version. */
static int hello_answer(struct pagemig_agent_conn *c)
{
	union agent_msg m;
	int type;

	if (!c->hello_pending)
		return 0;
	c->hello_pending = false;
	type = recv_msg(c, &m, (int)c->timeout_ms);
	if (type < 0)
		return type;
	if (type != AM_HELLO)
		return fail(c, -EPROTO, "process %d's agent answered HELLO out of turn", (int)c->pid);
	if (m.hello.major != PAGEMIG_AGENT_PROTO_MAJOR)
		return fail(c, -EPROTO, "process %d's agent speaks protocol %u.%u, this pagemig %u.%u", (int)c->pid,
			    m.hello.major, m.hello.minor, PAGEMIG_AGENT_PROTO_MAJOR, PAGEMIG_AGENT_PROTO_MINOR);
	return 0;
}

static int grow(void **v, size_t n, size_t size)
{
	void *p;

	if (n & (n - 1))	/* room is doubled at powers of two */
		return 0;
	p = realloc(*v, (n ? n * 2 : 1) * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	return 0;
}

static int add_handler(struct pagemig_agent_conn *c, const struct am_handler *in)
{
	struct pagemig_agent_handler *h;

	if (grow((void **)&c->handlers, c->nr_handlers, sizeof(*h)))
		return -ENOMEM;
	h = &c->handlers[c->nr_handlers++];
	h->start = in->start;
	h->len = in->len;
	snprintf(h->name, sizeof(h->name), "%s", in->name);
	snprintf(h->description, sizeof(h->description), "%s", in->description);
	return 0;
}

static int add_claim(struct pagemig_agent_conn *c, const struct am_claim *in)
{
	struct claim *x;

	if (grow((void **)&c->claims, c->nr_claims, sizeof(*x)))
		return -ENOMEM;
	x = &c->claims[c->nr_claims++];
	x->start = in->start;
	x->end = in->end;
	snprintf(x->name, sizeof(x->name), "%s", in->name);
	return 0;
}

static int list(struct pagemig_agent_conn *c)
{
	union agent_msg m;
	int type, err = 0;

	c->nr_handlers = c->nr_claims = 0;
	am_init(&m, AM_LIST, 0);
	type = send_locked(c, &m);
	if (!type || c->hello_pending)
		type = hello_answer(c) ?: type;	/* the agent's refusal explains a LIST it never read */
	while (!err && !type) {
		type = recv_msg(c, &m, (int)c->timeout_ms);
		if (type == AM_HANDLER)
			err = add_handler(c, &m.handler), type = 0;
		else if (type == AM_CLAIM)
			err = add_claim(c, &m.claim), type = 0;
	}
	if (err || type < 0)
		return err ? err : type;
	if (type != AM_LIST_END || m.list_end.nr_handlers != c->nr_handlers || m.list_end.nr_claims != c->nr_claims)
		return fail(c, -EPROTO, "process %d's agent answered LIST out of turn", (int)c->pid);
	return 0;
}

/* Find, check, connect, check the peer, send HELLO: a connection to the target's agent in c->fd. */
static int open_conn(struct pagemig_agent_conn *c)
{
	char name[32];
	uid_t euid = 0;
	pid_t nspid = 0;
	int err, dfd = -1;

	err = target_ids(c->pm, &euid, &nspid);
	if (err == -ENOENT || err == -ESRCH)
		err = fail(c, -ESRCH, "process %d exited", (int)c->pid);
	if (!err) {
		snprintf(name, sizeof(name), "%d.sock", (int)nspid);
		err = find_socket(c, c->socket_dir, euid, name, &dfd);
	}
	if (!err)
		err = connect_at(c, dfd, name);
	if (dfd >= 0)
		sys_close(dfd);
	if (!err)
		err = check_peer(c, euid);
	if (!err)
		err = hello(c);
	return err;
}

PAGEMIG_API int pagemig_agent_connect(struct pagemig *pm, const struct pagemig_agent_connect_opts *opts,
				      struct pagemig_agent_conn **out)
{
	struct pagemig_agent_conn *c;
	const char *dir = OPTS_GET(opts, socket_dir, NULL);
	int err;

	if (!pm || !out || !OPTS_VALID(opts, pagemig_agent_connect_opts) || (dir && strlen(dir) >= AGENT_DIR_MAX))
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pm = pm;
	c->fd = c->keeper_pipe[0] = c->keeper_pipe[1] = -1;
	c->pid = pagemig_pid(pm);
	c->timeout_ms = OPTS_GET(opts, timeout_ms, 0) ? OPTS_GET(opts, timeout_ms, 0) : DEFAULT_TIMEOUT_MS;
	if (dir)
		c->socket_dir = strcpy(c->dir_buf, dir);
	pthread_mutex_init(&c->send_lock, NULL);
	err = open_conn(c);
	if (OPTS_GET(opts, errbuf, NULL) && OPTS_GET(opts, errlen, 0))
		snprintf(opts->errbuf, opts->errlen, "%s", err ? c->msg : "");
	if (err) {
		pagemig_agent_disconnect(c);
		return err;
	}
	*out = c;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* A move's transaction                                                                        */
/* ------------------------------------------------------------------------------------------ */

static void *keeper(void *arg)
{
	struct pagemig_agent_conn *c = arg;
	struct pollfd p = { .fd = c->keeper_pipe[0], .events = POLLIN };
	union agent_msg m;

	while (sys_poll(&p, 1, (int)(c->lease_ms / 3)) == 0) {
		am_init(&m, AM_KEEPALIVE, c->txid);
		m.keepalive.extend_ms = c->lease_ms;
		if (send_locked(c, &m))
			break;
	}
	return NULL;
}

static void keeper_start(struct pagemig_agent_conn *c)
{
	if (pipe2(c->keeper_pipe, O_CLOEXEC))
		return;		/* then the lease is all there is */
	c->keeper_running = !thread_start(&c->keeper, keeper, c);
}

void agent_keep(struct pagemig_agent_conn *c, bool now)
{
	union agent_msg m;
	uint64_t t = am_now_ms();

	if (!c->prepared || c->keeper_running)
		return;
	if (now) {
		keeper_start(c);
		return;
	}
	if (t - c->prepared_at < c->lease_ms / 3)
		return;
	/* renew it here, from the move's own thread: no thread for a move of a few batches */
	am_init(&m, AM_KEEPALIVE, c->txid);
	m.keepalive.extend_ms = c->lease_ms;
	if (!send_locked(c, &m))
		c->prepared_at = t;
}

static void keeper_stop(struct pagemig_agent_conn *c)
{
	if (c->keeper_running) {
		if (write(c->keeper_pipe[1], "x", 1) == 1)
			pthread_join(c->keeper, NULL);
		else
			pthread_detach(c->keeper);
	}
	c->keeper_running = false;
	sys_close(c->keeper_pipe[0]);
	sys_close(c->keeper_pipe[1]);
	c->keeper_pipe[0] = c->keeper_pipe[1] = -1;
}

static void set_error(struct pagemig_agent_conn *c, struct pagemig_handler_error *he, int err, const char *name,
		      uint64_t start, uint64_t end, const char *detail)
{
	if (!he)
		return;
	he->err = err;
	snprintf(he->handler, sizeof(he->handler), "%s", name);
	he->start = start;
	he->end = end;
	snprintf(he->detail, sizeof(he->detail), "%.*s", (int)sizeof(he->detail) - 1, detail);	/* cut to fit */
	he->owner = c->pid;
}

static int add_result(struct agent_result **res, size_t *n, const struct am_region *in)
{
	struct agent_result *x;

	if (grow((void **)res, *n, sizeof(**res)))
		return -ENOMEM;
	x = &(*res)[(*n)++];
	x->start = in->start;
	x->end = in->end;
	x->result = in->result;
	snprintf(x->name, sizeof(x->name), "%s", in->name);
	return 0;
}

static int send_prepare(struct pagemig_agent_conn *c, const struct pagemig_plan *plan, unsigned int flags,
			const char *filter_src)
{
	union agent_msg m;

	if (strlen(filter_src) >= AGENT_FILTER_MAX)
		return fail(c, -E2BIG, "the region filter is too long for the agent (%d bytes at most)",
			    AGENT_FILTER_MAX - 1);
	if (getrandom(&c->txid, sizeof(c->txid), 0) != sizeof(c->txid) || !c->txid)
		c->txid = am_now_ms() ^ ((uint64_t)getpid() << 32) ^ 1;
	am_init(&m, AM_PREPARE, c->txid);
	m.prepare.flags = flags & PAGEMIG_MOVE_ALL;
	m.prepare.lease_ms = c->timeout_ms;
	memcpy(m.prepare.from, plan->from.bits, sizeof(m.prepare.from));
	memcpy(m.prepare.to, plan->to.bits, sizeof(m.prepare.to));
	am_strcpy(m.prepare.filter, sizeof(m.prepare.filter), filter_src);
	return send_locked(c, &m);
}

/* The answers to PREPARE; a timeout names the hook that was running. */
static int prepare_answers(struct pagemig_agent_conn *c, struct agent_result **res, size_t *nres,
			   struct pagemig_handler_error *he)
{
	uint64_t t0 = am_now_ms(), now, cap = t0 + (uint64_t)PREPARE_CAP * c->timeout_ms;
	uint64_t deadline = t0 + c->timeout_ms;
	struct am_calling cur = { .name = "agent" };
	char detail[64];
	union agent_msg m;
	int type, err;

	for (;;) {
		now = am_now_ms();
		type = now >= deadline ? -ETIMEDOUT : recv_msg(c, &m, (int)(deadline - now));
		if (type == -ETIMEDOUT) {
			snprintf(detail, sizeof(detail), "no answer for %.1f s", (double)(am_now_ms() - t0) / 1000);
			set_error(c, he, -ETIMEDOUT, cur.name, cur.start, cur.end, detail);
			return -ETIMEDOUT;
		}
		if (type < 0) {
			if (type == -EPROTO)
				set_error(c, he, type, "agent", 0, 0, c->msg[0] ? c->msg : "protocol error");
			return type;
		}
		if (m.h.txid != c->txid)
			return fail(c, -EPROTO, "process %d's agent answered another transaction", (int)c->pid);
		deadline = MIN(am_now_ms() + c->timeout_ms, cap);
		switch (type) {
		case AM_CALLING:
			cur = m.calling;
			continue;
		case AM_REGION:
			err = add_result(res, nres, &m.region);
			if (err)
				return err;
			if (m.region.result < 0)
				set_error(c, he, m.region.result, m.region.name, m.region.start, m.region.end,
					  m.region.detail);
			continue;
		case AM_BUSY:
			set_error(c, he, -EBUSY, "agent", 0, 0, "");
			if (he)
				he->mover = m.busy.holder;
			return fail(c, -EBUSY, "process %d is being moved by process %d", (int)c->pid, (int)m.busy.holder);
		case AM_PREPARED:
			c->lease_ms = m.prepared.lease_ms;
			if (m.prepared.status < 0 && he && !he->err)
				set_error(c, he, m.prepared.status, "agent", 0, 0, "the agent could not run the handlers");
			return m.prepared.status;
		default:
			return fail(c, -EPROTO, "process %d's agent answered PREPARE out of turn", (int)c->pid);
		}
	}
}

/*
 * A failed answer to the HELLO sent with PREPARE: a protocol error or no answer in time is the
 * agent's failure, told like a handler's (the move stops, exit 6 in pagemig(1)); its refusal
 * (-EACCES) and the target's exit (-ESRCH) are returned as they are.
 */
static int hello_setup_error(struct pagemig_agent_conn *c, struct pagemig_handler_error *he, int err)
{
	if (err == -EPROTO || err == -ETIMEDOUT)
		set_error(c, he, err, "agent", 0, 0, c->msg);
	return err;
}

/* What a PREPARE reported claimed: the claims of this move, without a LIST. */
static void claims_from(struct pagemig_agent_conn *c, const struct agent_result *res, size_t n)
{
	struct am_claim in = { .start = 0 };
	size_t i;

	c->nr_claims = 0;
	for (i = 0; i < n; i++) {
		in.start = res[i].start;
		in.end = res[i].end;
		snprintf(in.name, sizeof(in.name), "%s", res[i].name);
		if (add_claim(c, &in))
			return;
	}
	c->claims_known = true;
}

int agent_prepare(struct pagemig_agent_conn *c, const struct pagemig_plan *plan, unsigned int flags,
		  const char *filter_src, struct agent_result **res, size_t *nres, struct pagemig_handler_error *he)
{
	union agent_msg m;
	int err;

	*res = NULL;
	*nres = 0;
	err = send_prepare(c, plan, flags, filter_src);
	if (err == -EPIPE && !c->hello_pending) {
		/* the agent drops connections idle for long (idle_ms): connect again, once */
		sys_close(c->fd);
		c->fd = -1;
		err = open_conn(c);
		if (!err)
			err = send_prepare(c, plan, flags, filter_src);
	}
	if (c->hello_pending)
		err = hello_setup_error(c, he, hello_answer(c)) ?: err;
	if (!err)
		err = prepare_answers(c, res, nres, he);
	if (err == -ETIMEDOUT) {
		/* give up: the agent undoes what it prepared on ABORT, or when we close */
		am_init(&m, AM_ABORT, c->txid);
		send_locked(c, &m);
	}
	if (err)
		return err;
	c->prepared = true;
	c->prepared_at = am_now_ms();
	if (!c->claims_known)
		claims_from(c, *res, *nres);
	return 0;
}

int agent_finish(struct pagemig_agent_conn *c, int outcome)
{
	union agent_msg m;
	int type;

	if (!c->prepared)
		return 0;
	keeper_stop(c);
	c->prepared = false;
	am_init(&m, AM_FINISH, c->txid);
	m.finish.outcome = outcome > 0 ? 0 : outcome;
	type = send_locked(c, &m);
	if (!type)
		type = am_recv(c->fd, &m, (int)c->timeout_ms, c->pm->pidfd);
	if (type == -EPIPE && !target_exiting(c))
		return -ESTALE;		/* it dropped us: it had ended the transaction (lease, idle) */
	if (type < 0)
		return type == -EPIPE ? -ESRCH : type;
	if (type != AM_FINISHED || m.h.txid != c->txid)
		return fail(c, -EPROTO, "process %d's agent answered FINISH out of turn", (int)c->pid);
	return m.finished.status;
}

PAGEMIG_API void pagemig_agent_disconnect(struct pagemig_agent_conn *c)
{
	if (!c)
		return;
	keeper_stop(c);
	sys_close(c->fd);	/* a prepared move ends with -ECONNABORTED in the agent */
	pthread_mutex_destroy(&c->send_lock);
	free(c->handlers);
	free(c->claims);
	free(c);
}

/* LIST once, when first needed: a move does not need it (PREPARE says what was claimed). */
static int listed(struct pagemig_agent_conn *c)
{
	if (!c->listed) {
		c->listed = list(c);
		c->listed = c->listed ? c->listed : 1;
		c->claims_known = c->listed == 1;
	}
	return c->listed < 0 ? c->listed : 0;
}

PAGEMIG_API int pagemig_agent_handler_get(struct pagemig_agent_conn *c, unsigned int i,
					  struct pagemig_agent_handler *h)
{
	int err = c && h ? listed(c) : -ENOENT;

	if (err)
		return err;
	if (i >= c->nr_handlers)
		return -ENOENT;
	*h = c->handlers[i];
	return 0;
}

PAGEMIG_API const char *pagemig_agent_claim(struct pagemig_agent_conn *c, uint64_t start, uint64_t end)
{
	size_t i;

	if (!c || (!c->claims_known && listed(c)))
		return NULL;
	for (i = 0; i < c->nr_claims; i++)
		if (c->claims[i].start < end && start < c->claims[i].end)
			return c->claims[i].name;
	return NULL;
}

PAGEMIG_API const char *pagemig_agent_socket(const struct pagemig_agent_conn *c)
{
	return c ? c->path : "";
}
