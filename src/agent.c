// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent.c - the target's side: a thread that runs the owner's region handlers for movers in other
 * processes (the seed's vma->vm_ops->migrate, called by whoever migrates the process).
 *
 * One thread polls the listening socket, the connections (at most AGENT_MAX_CONNS) and a stop
 * pipe.  One transaction at a time: PREPARE runs the migrate hooks of the regions the mover's
 * filter selects, in address order, holding the registry's lock until the transaction ends, so
 * that the hooks' registrations cannot vanish under them.  The transaction ends with the mover's
 * FINISH or ABORT, when its connection drops (-ECONNABORTED), when its lease runs out (-ETIMEDOUT)
 * or when the agent stops (-ESHUTDOWN): every prepared region gets finish() exactly once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

#define AGENT_MAX_CONNS		16
#define DEFAULT_MAX_LEASE_MS	60000
#define DEFAULT_IDLE_MS		10000
#define CAP_SYS_NICE_BIT	23

struct conn {
	int fd;			/* -1: free slot */
	pid_t pid;
	uid_t uid;
	bool hello;
	uint64_t idle_at;	/* dropped at this time unless it holds the transaction */
};

/* A region whose migrate hook ran, kept whole for its finish hook. */
struct prepared {
	struct pagemig_region r;
	char *path;
	uint64_t *node_pages;
	const struct pagemig_region_ops *ops;
	void *ctx;
};

struct txn {
	int holder;		/* conns[] index, -1 when there is no transaction */
	uint64_t txid;
	pid_t mover;
	uint64_t lease_at;
	struct prepared *v;
	size_t n;
};

/* What exit() needs to remove the socket: never freed (the C library keeps a pointer to it). */
struct exit_guard {
	pid_t pid;
	bool active;
	ino_t ino;
	char path[AGENT_DIR_MAX + 32];
};

struct pagemig_agent {
	struct pagemig *pm;	/* the owner's handle: the registry, and the hooks' argument */
	struct pagemig *self;	/* a handle of our own to read /proc/self with */
	pid_t pid;
	int listen_fd;
	int dir_fd;
	int stop_pipe[2];
	pthread_t thread;
	char name[32];		/* "PID.sock" */
	char path[AGENT_DIR_MAX + 32];
	ino_t ino;
	struct exit_guard *guard;
	unsigned int max_lease_ms;
	unsigned int idle_ms;
	void (*event)(const struct pagemig_agent_event *ev, void *ctx);
	void *event_ctx;
	struct conn conns[AGENT_MAX_CONNS];
	struct txn tx;
	uint64_t last_txid;	/* the last transaction its mover ended, for an idempotent FINISH */
};

static void emit(struct pagemig_agent *a, enum pagemig_agent_event_type type, const struct conn *c, int err,
		 uint64_t txid, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emit(struct pagemig_agent *a, enum pagemig_agent_event_type type, const struct conn *c, int err,
		 uint64_t txid, const char *fmt, ...)
{
	struct pagemig_agent_event ev = { .type = type, .err = err, .txid = txid };
	char text[AGENT_TEXT_MAX];
	va_list ap;

	if (!a->event)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ev.text = text;
	if (c) {
		ev.pid = c->pid;
		ev.uid = c->uid;
	}
	a->event(&ev, a->event_ctx);
}

static void send_error(int fd, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void send_error(int fd, int err, const char *fmt, ...)
{
	union agent_msg m;
	va_list ap;

	am_init(&m, AM_ERROR, 0);
	m.error.err = err;
	va_start(ap, fmt);
	vsnprintf(m.error.text, sizeof(m.error.text), fmt, ap);
	va_end(ap);
	am_send(fd, &m, 1000);
}

/* ------------------------------------------------------------------------------------------ */
/* Transactions                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void prepared_free(struct prepared *p)
{
	free(p->path);
	free(p->node_pages);
}

/* Keep @r (and its strings and counts) for the finish hook. */
static int keep(struct txn *tx, const struct pagemig_region *r, const struct handler_reg *h)
{
	struct prepared *p;
	void *v = realloc(tx->v, (tx->n + 1) * sizeof(*tx->v));

	if (!v)
		return -ENOMEM;
	tx->v = v;
	p = &tx->v[tx->n];
	memset(p, 0, sizeof(*p));
	p->r = *r;
	p->path = strdup(r->path ? r->path : "");
	p->node_pages = calloc((size_t)MAX(r->nr_nodes, 1), sizeof(uint64_t));
	if (!p->path || !p->node_pages) {
		prepared_free(p);
		return -ENOMEM;
	}
	if (r->nr_nodes && r->node_pages)
		memcpy(p->node_pages, r->node_pages, (size_t)r->nr_nodes * sizeof(uint64_t));
	p->r.path = p->path;
	p->r.node_pages = p->node_pages;
	p->r.vmflags_str = "";
	p->r.policy = "";
	p->ops = h->ops;
	p->ctx = h->ctx;
	tx->n++;
	return 0;
}

/* End the transaction: finish(@err) for every prepared region, in address order. */
static void tx_end(struct pagemig_agent *a, int err)
{
	struct txn *tx = &a->tx;
	size_t i;

	for (i = 0; i < tx->n; i++) {
		if (tx->v[i].ops->finish)
			tx->v[i].ops->finish(a->pm, &tx->v[i].r, err, tx->v[i].ctx);
		prepared_free(&tx->v[i]);
	}
	free(tx->v);
	tx->v = NULL;
	tx->n = 0;
	ops_unlock(a->pm);
	emit(a, PAGEMIG_AGENT_EV_FINISHED, tx->holder >= 0 ? &a->conns[tx->holder] : NULL, err, tx->txid,
	     "move %llu by process %d finished: %s", (unsigned long long)tx->txid, (int)tx->mover,
	     err ? strerror(-err) : "ok");
	a->last_txid = 0;
	if (tx->holder >= 0)	/* a mover whose lease ran out may still come back to hear so */
		a->conns[tx->holder].idle_at = am_now_ms() + a->idle_ms;
	tx->holder = -1;
	tx->txid = 0;
}

static int send_calling(int fd, uint64_t txid, const struct pagemig_region *r, const char *name)
{
	union agent_msg m;

	am_init(&m, AM_CALLING, txid);
	m.calling.start = r->start;
	m.calling.end = r->end;
	am_strcpy(m.calling.name, sizeof(m.calling.name), name);
	return am_send(fd, &m, 5000);
}

static int send_region(int fd, uint64_t txid, const struct pagemig_region *r, const char *name, int result,
		       const char *detail)
{
	union agent_msg m;

	am_init(&m, AM_REGION, txid);
	m.region.start = r->start;
	m.region.end = r->end;
	m.region.result = result;
	am_strcpy(m.region.name, sizeof(m.region.name), name);
	am_strcpy(m.region.detail, sizeof(m.region.detail), detail);
	return am_send(fd, &m, 5000);
}

/* One claimed region: tell the mover, run the hook, keep the region, tell the result. */
static int prepare_region(struct pagemig_agent *a, struct conn *c, const struct am_prepare *p,
			  const struct pagemig_region *r, const struct handler_reg *h, unsigned int *done)
{
	const char *name = h->ops->name ? h->ops->name : "?";
	struct pagemig_nodemask from, to;
	int ret = 0, err;

	memcpy(from.bits, p->from, sizeof(from.bits));
	memcpy(to.bits, p->to, sizeof(to.bits));
	if (send_calling(c->fd, p->h.txid, r, name))
		return -ECONNABORTED;
	a->pm->explain[0] = '\0';
	err = keep(&a->tx, r, h);
	if (err)
		return err;
	if (h->ops->migrate)
		ret = h->ops->migrate(a->pm, r, &from, &to, p->flags & PAGEMIG_MOVE_ALL, h->ctx);
	if (ret > PAGEMIG_REGION_DONE)
		ret = 0;
	*done += ret == PAGEMIG_REGION_DONE;
	err = send_region(c->fd, p->h.txid, r, name, ret, a->pm->explain);
	if (ret < 0)
		return ret;
	return err ? -ECONNABORTED : 0;		/* the mover went away (it gave up) */
}

/*
 * How to read our regions for a PREPARE: range handlers claim by address, so without a class
 * handler (whose match may look at anything) or a filter (which may look at smaps' fields),
 * numa_maps and maps say enough: one page-table walk instead of two (smaps'), and none of pagemap
 * over the shared libraries (their private/shared split is nothing a hook asks).
 */
static unsigned int walk_flags(const struct pagemig *pm, const struct pagemig_filter *f)
{
	int i;

	for (i = 0; i < pm->nr_handlers && !f; i++)
		if (!pm->handlers[i].range)
			return 0;
	return f ? 0 : PAGEMIG_REGIONS_LIGHT | REGIONS_NO_SPLIT;
}

/* Walk our own regions and run the migrate hook of each claimed one that @f selects. */
static int prepare_walk(struct pagemig_agent *a, struct conn *c, const struct am_prepare *p,
			const struct pagemig_filter *f, unsigned int *done)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	int ret, err = regions_open(a->self, walk_flags(a->pm, f), &it);

	if (err)
		return err;
	while (!err && (ret = pagemig_region_next(it, &r)) > 0) {
		const struct handler_reg *h;

		if (!pagemig_filter_match(f, &r) || !(h = ops_claim(a->pm, &r)))
			continue;
		err = prepare_region(a, c, p, &r, h, done);
	}
	pagemig_regions_close(it);
	return err ? err : ret < 0 ? ret : 0;
}

static void on_prepare(struct pagemig_agent *a, int ci, const struct am_prepare *p)
{
	struct conn *c = &a->conns[ci];
	struct pagemig_filter *f = NULL;
	unsigned int done = 0;
	union agent_msg m;
	char why[200];
	int err;

	if (a->tx.holder >= 0) {
		am_init(&m, AM_BUSY, p->h.txid);
		m.busy.holder = a->tx.mover;
		am_send(c->fd, &m, 1000);
		emit(a, PAGEMIG_AGENT_EV_BUSY, c, -EBUSY, p->h.txid, "process %d asked to move while process %d does",
		     (int)c->pid, (int)a->tx.mover);
		return;
	}
	if (p->filter[0] && (err = pagemig_filter_parse(p->filter, &f, why, sizeof(why)))) {
		send_error(c->fd, err, "bad region filter: %s", why);
		return;
	}
	ops_lock(a->pm);
	a->tx = (struct txn){ .holder = ci, .txid = p->h.txid, .mover = c->pid };
	err = prepare_walk(a, c, p, f, &done);
	pagemig_filter_free(f);
	am_init(&m, AM_PREPARED, p->h.txid);
	m.prepared.status = err;
	m.prepared.lease_ms = MIN(MAX(p->lease_ms, 1000U), a->max_lease_ms);
	m.prepared.nr_regions = (uint32_t)a->tx.n;
	m.prepared.nr_done = done;
	a->tx.lease_at = am_now_ms() + m.prepared.lease_ms;
	emit(a, PAGEMIG_AGENT_EV_PREPARED, c, err, p->h.txid, "move %llu by process %d: %zu regions prepared%s%s",
	     (unsigned long long)p->h.txid, (int)c->pid, a->tx.n, err ? ": " : "", err ? strerror(-err) : "");
	if (am_send(c->fd, &m, 5000) && !err)
		err = -ECONNABORTED;
	if (err)
		tx_end(a, err);
}

/* FINISH and ABORT: end our transaction, or answer as the last one ended (FINISH is idempotent). */
static void on_finish(struct pagemig_agent *a, int ci, const union agent_msg *in)
{
	union agent_msg m;

	am_init(&m, AM_FINISHED, in->h.txid);
	if (a->tx.holder == ci && in->h.txid == a->tx.txid) {
		tx_end(a, in->h.type == AM_ABORT ? -ECANCELED : in->finish.outcome);
		a->last_txid = in->h.txid;
	} else if (!in->h.txid || in->h.txid != a->last_txid) {
		m.finished.status = -ESTALE;	/* its lease ran out, its mover vanished, or never ours */
	}
	am_send(a->conns[ci].fd, &m, 1000);
}

/* ------------------------------------------------------------------------------------------ */
/* LIST                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static int list_handlers(struct pagemig_agent *a, int fd, uint32_t *n)
{
	union agent_msg m;
	int i, err = 0;

	for (i = 0; i < a->pm->nr_handlers && !err; i++) {
		const struct handler_reg *h = &a->pm->handlers[i];

		am_init(&m, AM_HANDLER, 0);
		m.handler.id = (uint32_t)h->id;
		m.handler.range = h->range;
		m.handler.start = h->start;
		m.handler.len = h->len;
		am_strcpy(m.handler.name, sizeof(m.handler.name), h->ops->name);
		am_strcpy(m.handler.description, sizeof(m.handler.description), h->ops->description);
		err = am_send(fd, &m, 5000);
		(*n)++;
	}
	return err;
}

static int send_claim(int fd, uint64_t start, uint64_t end, const struct handler_reg *h, uint32_t *n)
{
	union agent_msg m;

	am_init(&m, AM_CLAIM, 0);
	m.claim.start = start;
	m.claim.end = end;
	m.claim.id = (uint32_t)h->id;
	am_strcpy(m.claim.name, sizeof(m.claim.name), h->ops->name);
	(*n)++;
	return am_send(fd, &m, 5000);
}

/*
 * What the handlers claim now.  A range handler claims its range (what a mover asks: does it
 * overlap this region?), so only class handlers need our regions read, and matched.
 */
static int list_claims(struct pagemig_agent *a, int fd, uint32_t *n)
{
	struct pagemig_region_iter *it;
	struct pagemig_region r = { .sz = sizeof(r) };
	bool classes = false;
	int i, ret = 0, err = 0;

	for (i = 0; i < a->pm->nr_handlers && !err; i++) {
		const struct handler_reg *h = &a->pm->handlers[i];

		classes |= !h->range;
		if (h->range)
			err = send_claim(fd, h->start, h->start + h->len, h, n);
	}
	if (err || !classes)
		return err;
	err = pagemig_regions_open(a->self, 0, &it);
	if (err)
		return err;
	while (!err && (ret = pagemig_region_next(it, &r)) > 0) {
		const struct handler_reg *h = ops_claim(a->pm, &r);

		if (h && !h->range)
			err = send_claim(fd, r.start, r.end, h, n);
	}
	pagemig_regions_close(it);
	return err ? err : ret < 0 ? ret : 0;
}

static int on_list(struct pagemig_agent *a, int fd)
{
	union agent_msg m;
	int err;

	am_init(&m, AM_LIST_END, 0);
	ops_lock(a->pm);
	err = list_handlers(a, fd, &m.list_end.nr_handlers);
	if (!err)
		err = list_claims(a, fd, &m.list_end.nr_claims);
	ops_unlock(a->pm);
	if (err && err != -EPIPE && err != -ETIMEDOUT) {
		send_error(fd, err, "cannot list the handlers: %s", strerror(-err));
		return 0;
	}
	return err ? err : am_send(fd, &m, 5000);
}

/* ------------------------------------------------------------------------------------------ */
/* Connections                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void drop(struct pagemig_agent *a, int ci)
{
	struct conn *c = &a->conns[ci];

	if (a->tx.holder == ci)
		tx_end(a, -ECONNABORTED);
	sys_close(c->fd);
	c->fd = -1;
}

static bool has_cap_sys_nice(pid_t pid)
{
	struct pm_proc p = { .root = "/proc", .pid = pid };
	char buf[64];

	return !proc_status_get(&p, "CapEff", buf, sizeof(buf)) &&
	       (strtoull(buf, NULL, 16) >> CAP_SYS_NICE_BIT) & 1;
}

/* Whether the peer could move our pages anyway: our euid, root, or CAP_SYS_NICE. */
static bool peer_allowed(const struct ucred *cr)
{
	return cr->uid == geteuid() || cr->uid == 0 || has_cap_sys_nice(cr->pid);
}

static void accept_one(struct pagemig_agent *a, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		sys_close(fd);
		return;
	}
	if (!peer_allowed(&cr)) {
		struct conn tmp = { .pid = cr.pid, .uid = cr.uid };

		send_error(fd, -EACCES, "uid %u may not move process %d (its euid %u, root or CAP_SYS_NICE may)",
			   (unsigned int)cr.uid, (int)a->pid, (unsigned int)geteuid());
		emit(a, PAGEMIG_AGENT_EV_REFUSED, &tmp, -EACCES, 0, "refused process %d (uid %u)", (int)cr.pid,
		     (unsigned int)cr.uid);
		sys_close(fd);
		return;
	}
	for (i = 0; i < AGENT_MAX_CONNS && a->conns[i].fd >= 0; i++)
		;
	if (i == AGENT_MAX_CONNS) {
		send_error(fd, -EBUSY, "too many connections");
		sys_close(fd);
		return;
	}
	a->conns[i] = (struct conn){ .fd = fd, .pid = cr.pid, .uid = cr.uid, .idle_at = am_now_ms() + a->idle_ms };
}

static void accept_all(struct pagemig_agent *a)
{
	int fd;

	while ((fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0)
		accept_one(a, fd);
}

static int on_hello(struct pagemig_agent *a, struct conn *c, const struct am_hello *in)
{
	union agent_msg m;

	if (in->major != PAGEMIG_AGENT_PROTO_MAJOR) {
		send_error(c->fd, -EPROTO, "protocol %u.%u not supported (this agent speaks %u.%u)", in->major, in->minor,
			   PAGEMIG_AGENT_PROTO_MAJOR, PAGEMIG_AGENT_PROTO_MINOR);
		return -EPROTO;
	}
	am_init(&m, AM_HELLO, 0);
	m.hello.major = PAGEMIG_AGENT_PROTO_MAJOR;
	m.hello.minor = PAGEMIG_AGENT_PROTO_MINOR;
	m.hello.pid = (int32_t)a->pid;
	c->hello = true;
	return am_send(c->fd, &m, 5000);
}

/* One message from connection @ci; an error drops the connection. */
static int on_message(struct pagemig_agent *a, int ci, const union agent_msg *m, int type)
{
	struct conn *c = &a->conns[ci];

	if (type == AM_HELLO)
		return c->hello ? -EPROTO : on_hello(a, c, &m->hello);
	if (!c->hello)
		return -EPROTO;
	switch (type) {
	case AM_LIST:
		return on_list(a, c->fd);
	case AM_PREPARE:
		on_prepare(a, ci, &m->prepare);
		return 0;
	case AM_KEEPALIVE:
		if (a->tx.holder == ci && m->h.txid == a->tx.txid)
			a->tx.lease_at = am_now_ms() + MIN(MAX(m->keepalive.extend_ms, 1000U), a->max_lease_ms);
		return 0;
	case AM_FINISH:
	case AM_ABORT:
		on_finish(a, ci, m);
		return 0;
	default:
		return -EPROTO;
	}
}

static void serve_conn(struct pagemig_agent *a, int ci)
{
	struct conn *c = &a->conns[ci];
	union agent_msg m;
	int type = am_recv(c->fd, &m, 0, -1), err;

	if (type == -ETIMEDOUT)
		return;		/* a wakeup without a message */
	err = type < 0 ? type : on_message(a, ci, &m, type);
	if (!err) {
		c->idle_at = am_now_ms() + a->idle_ms;
		return;
	}
	if (err != -EPIPE) {
		if (err == -EPROTO || err == -EMSGSIZE)
			send_error(c->fd, -EPROTO, "%s message", err == -EMSGSIZE ? "oversized" : "malformed or unexpected");
		emit(a, PAGEMIG_AGENT_EV_PROTOCOL, c, err, 0, "process %d: %s; connection dropped", (int)c->pid,
		     err == -EMSGSIZE ? "oversized message" : err == -EPROTO ? "malformed or unexpected message"
										: strerror(-err));
	}
	drop(a, ci);
}

/* Leases and idle connections: what time ends, and how long poll may wait for the next. */
static int expire(struct pagemig_agent *a)
{
	uint64_t now = am_now_ms(), next = now + 60000;
	int i;

	if (a->tx.holder >= 0 && now >= a->tx.lease_at)
		tx_end(a, -ETIMEDOUT);
	if (a->tx.holder >= 0)
		next = MIN(next, a->tx.lease_at);
	for (i = 0; i < AGENT_MAX_CONNS; i++) {
		struct conn *c = &a->conns[i];

		if (c->fd < 0 || a->tx.holder == i)
			continue;
		if (now >= c->idle_at) {
			emit(a, PAGEMIG_AGENT_EV_PROTOCOL, c, -ETIMEDOUT, 0, "process %d sent nothing for %u ms; dropped",
			     (int)c->pid, a->idle_ms);
			drop(a, i);
			continue;
		}
		next = MIN(next, c->idle_at);
	}
	return (int)(next - now);
}

static void *serve(void *arg)
{
	struct pagemig_agent *a = arg;
	struct pollfd p[2 + AGENT_MAX_CONNS];
	int idx[AGENT_MAX_CONNS];

	for (;;) {
		int i, n = 2, timeout = expire(a);

		p[0] = (struct pollfd){ .fd = a->stop_pipe[0], .events = POLLIN };
		p[1] = (struct pollfd){ .fd = a->listen_fd, .events = POLLIN };
		for (i = 0; i < AGENT_MAX_CONNS; i++) {
			if (a->conns[i].fd < 0)
				continue;
			idx[n - 2] = i;
			p[n++] = (struct pollfd){ .fd = a->conns[i].fd, .events = POLLIN };
		}
		if (sys_poll(p, (unsigned long)n, timeout) < 0)
			continue;
		if (p[0].revents)
			break;
		for (i = 2; i < n; i++)
			if (p[i].revents && a->conns[idx[i - 2]].fd >= 0)
				serve_conn(a, idx[i - 2]);
		if (p[1].revents & POLLIN)
			accept_all(a);
	}
	if (a->tx.holder >= 0)
		tx_end(a, -ESHUTDOWN);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Publishing the socket                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* The C library's atexit() with an argument, bound to this object (run at dlclose() too). */
extern void *__dso_handle __attribute__((visibility("hidden")));
int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

/* At exit(): remove the socket, unless the agent stopped, a fork()ed child exits, or it was replaced. */
static void at_exit(void *arg)
{
	struct exit_guard *g = arg;
	struct stat st;

	if (g->active && g->pid == getpid() && !lstat(g->path, &st) && st.st_ino == g->ino)
		unlink(g->path);
}

/* Remove the sockets (and half-published temporaries) of processes that no longer exist. */
static void sweep(int dir_fd)
{
	int fd = sys_openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	if (!d) {
		if (fd >= 0)
			sys_close(fd);
		return;
	}
	while ((de = readdir(d))) {
		const char *s = de->d_name + (de->d_name[0] == '.');
		struct stat st;
		char *end;
		long pid = strtol(s, &end, 10);

		if (pid <= 0 || strncmp(end, ".sock", 5) || fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (kill((pid_t)pid, 0) && errno == ESRCH)
			unlinkat(dir_fd, de->d_name, 0);
	}
	closedir(d);
}

/* bind() a name under the directory's descriptor: the path stays short whatever the directory. */
static int bind_at(int sock, int dir_fd, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dir_fd, name);
	return bind(sock, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

static int publish(struct pagemig_agent *a)
{
	char tmp[64];
	struct stat st;
	int err;

	a->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->listen_fd < 0)
		return -errno;
	snprintf(tmp, sizeof(tmp), ".%d.sock.%llx", (int)a->pid, (unsigned long long)am_now_ms());
	unlinkat(a->dir_fd, tmp, 0);
	err = bind_at(a->listen_fd, a->dir_fd, tmp);
	if (!err && fchmodat(a->dir_fd, tmp, 0600, 0))
		err = -errno;
	if (!err && fstatat(a->dir_fd, tmp, &st, AT_SYMLINK_NOFOLLOW))
		err = -errno;
	if (!err && listen(a->listen_fd, AGENT_MAX_CONNS))
		err = -errno;
	if (!err && renameat(a->dir_fd, tmp, a->dir_fd, a->name))
		err = -errno;
	if (err) {
		unlinkat(a->dir_fd, tmp, 0);
		return err;
	}
	a->ino = st.st_ino;
	return 0;
}

static int agent_opts(struct pagemig_agent *a, const struct pagemig_agent_opts *o)
{
	if (!OPTS_VALID(o, pagemig_agent_opts))
		return -EINVAL;
	a->max_lease_ms = OPTS_GET(o, max_lease_ms, 0) ? OPTS_GET(o, max_lease_ms, 0) : DEFAULT_MAX_LEASE_MS;
	a->idle_ms = OPTS_GET(o, idle_ms, 0) ? OPTS_GET(o, idle_ms, 0) : DEFAULT_IDLE_MS;
	a->event = OPTS_GET(o, event, NULL);
	a->event_ctx = OPTS_GET(o, event_ctx, NULL);
	return 0;
}

static int start(struct pagemig_agent *a, const struct pagemig_agent_opts *opts)
{
	char dir[AGENT_DIR_MAX], why[200];
	int err, i;

	for (i = 0; i < AGENT_MAX_CONNS; i++)
		a->conns[i].fd = -1;
	a->tx.holder = -1;
	a->listen_fd = a->dir_fd = a->stop_pipe[0] = a->stop_pipe[1] = -1;
	err = agent_opts(a, opts);
	if (err)
		return err;
	why[0] = '\0';
	a->dir_fd = agent_dir_make(geteuid(), OPTS_GET(opts, socket_dir, NULL), dir, sizeof(dir), why, sizeof(why));
	if (a->dir_fd < 0) {
		if (OPTS_GET(opts, errbuf, NULL) && OPTS_GET(opts, errlen, 0))
			snprintf(opts->errbuf, opts->errlen, "%s", why);
		return a->dir_fd;
	}
	snprintf(a->name, sizeof(a->name), "%d.sock", (int)a->pid);
	snprintf(a->path, sizeof(a->path), "%s/%s", dir, a->name);
	sweep(a->dir_fd);
	err = pagemig_open(0, NULL, &a->self);
	if (!err && pipe2(a->stop_pipe, O_CLOEXEC))
		err = -errno;
	if (!err)
		err = publish(a);
	if (err && OPTS_GET(opts, errbuf, NULL) && OPTS_GET(opts, errlen, 0))
		snprintf(opts->errbuf, opts->errlen, "cannot publish the agent's socket in '%s': %s", dir, strerror(-err));
	return err;
}

static void release(struct pagemig_agent *a)
{
	sys_close(a->listen_fd);
	sys_close(a->stop_pipe[0]);
	sys_close(a->stop_pipe[1]);
	sys_close(a->dir_fd);
	pagemig_close(a->self);
	free(a);
}

PAGEMIG_API int pagemig_agent_start(struct pagemig *pm, const struct pagemig_agent_opts *opts,
				    struct pagemig_agent **out)
{
	struct pagemig_agent *a;
	int err;

	if (!pm || !out || pagemig_pid(pm) != getpid())
		return -EINVAL;
	if (pm->agent)
		return -EBUSY;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->pm = pm;
	a->pid = getpid();
	a->guard = calloc(1, sizeof(*a->guard));
	err = a->guard ? start(a, opts) : -ENOMEM;
	if (!err)
		err = thread_start(&a->thread, serve, a);
	if (err) {
		if (a->ino)
			unlinkat(a->dir_fd, a->name, 0);
		free(a->guard);
		release(a);
		return err;
	}
	*a->guard = (struct exit_guard){ .pid = a->pid, .active = true, .ino = a->ino };
	snprintf(a->guard->path, sizeof(a->guard->path), "%s", a->path);
	if (__cxa_atexit(at_exit, a->guard, &__dso_handle))
		a->guard->active = false;	/* then only stop() removes it */
	pm->agent = a;
	*out = a;
	return 0;
}

PAGEMIG_API void pagemig_agent_stop(struct pagemig_agent *a)
{
	struct stat st;
	int i;

	if (!a)
		return;
	if (a->pid == getpid()) {	/* in a fork()ed child there is no thread and no socket of ours */
		if (write(a->stop_pipe[1], "x", 1) != 1)
			pthread_cancel(a->thread);
		pthread_join(a->thread, NULL);
		if (!fstatat(a->dir_fd, a->name, &st, AT_SYMLINK_NOFOLLOW) && st.st_ino == a->ino)
			unlinkat(a->dir_fd, a->name, 0);
	}
	a->guard->active = false;
	for (i = 0; i < AGENT_MAX_CONNS; i++)
		if (a->conns[i].fd >= 0)
			sys_close(a->conns[i].fd);
	a->pm->agent = NULL;
	release(a);
}

PAGEMIG_API const char *pagemig_agent_path(const struct pagemig_agent *a)
{
	return a ? a->path : "";
}
