// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent.c - the owner's region handlers, run by its agent when another process moves it.
 *
 * A forked target maps a region, gives it a range handler whose behaviour the test picks (return
 * 0, PAGEMIG_REGION_DONE, an error with an explanation, hang, exit), and starts an agent in a
 * private socket directory; the handler and the agent's events count into shared memory.  This
 * process is the mover: through the library (pagemig_agent_connect(), pagemig_move()), through
 * raw protocol messages (leases, stale FINISH, garbage) and through the CLI.  The host has one
 * node, so moves go 0 -> 0 and move nothing; the handshake, the hooks and every undo run all the
 * same.  tests/lab/agent_pool.c moves real pages.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "agent.h"

#define CLI "build/pagemig"
#define LEN (64UL << 10)

enum mode { M_OK, M_DONE, M_FAIL, M_HANG, M_EXIT };

/* Shared between the target and the test. */
struct tlog {
	int mode;
	int hang_ms;
	int migrate;
	int finish;
	int last_err;
	int from_weight;
	int to_weight;
	int events[8];
	int last_event_err;
	pid_t grandchild;
	uint64_t region;
	int fake_request;	/* what a stand-in agent read after HELLO, before it answered */
};

static struct tlog *L;
static char dir[64];
#define region (L->region)

static void wait_until(int *what, int want, int ms)
{
	while (__atomic_load_n(what, __ATOMIC_SEQ_CST) < want && ms-- > 0)
		usleep(1000);
}

/* ------------------------------------------------------------------------------------------ */
/* The target                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static int t_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		     const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	__atomic_add_fetch(&L->migrate, 1, __ATOMIC_SEQ_CST);
	L->from_weight = pagemig_nodemask_weight(from);
	L->to_weight = pagemig_nodemask_weight(to);
	switch (L->mode) {
	case M_DONE:
		return PAGEMIG_REGION_DONE;
	case M_FAIL:
		pagemig_handler_explain(pm, "quiesce timeout: 3 I/Os in flight");
		return -EBUSY;
	case M_HANG:
		usleep((useconds_t)L->hang_ms * 1000);
		return 0;
	case M_EXIT:
		_exit(0);
	default:
		return 0;
	}
}

static void t_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	L->last_err = err;
	__atomic_add_fetch(&L->finish, 1, __ATOMIC_SEQ_CST);
}

static const struct pagemig_region_ops t_ops = {
	.sz = sizeof(t_ops), .name = "unit-range", .migrate = t_migrate, .finish = t_finish,
	.description = "the test's handler",
};

static void t_event(const struct pagemig_agent_event *ev, void *ctx)
{
	if (ev->type < 8)
		__atomic_add_fetch(&L->events[ev->type], 1, __ATOMIC_SEQ_CST);
	L->last_event_err = ev->err;
}

static void target_setup(void *arg)
{
	struct pagemig_agent_opts ao = { .sz = sizeof(ao), .socket_dir = dir, .idle_ms = 300, .event = t_event };
	struct pagemig_agent *a;
	struct pagemig *pm;
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, LEN + 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	/* PROT_NONE guards: the region is one vma of its own, whatever is mapped beside it (ASan) */
	if (p == MAP_FAILED || mprotect(p += pg, LEN, PROT_READ | PROT_WRITE) || pagemig_open(0, NULL, &pm))
		_exit(1);
	memset(p, 7, LEN);
	region = (uintptr_t)p;
	if (pagemig_region_register(pm, region, LEN, &t_ops, NULL) <= 0 || pagemig_agent_start(pm, &ao, &a))
		_exit(1);
	if (arg) {	/* a child of the target, forked while the agent runs */
		pid_t c = fork();

		if (c == 0)
			for (;;)
				pause();
		L->grandchild = c;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* The mover                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static int connect_to(pid_t pid, struct pagemig **pm, struct pagemig_agent_conn **c, unsigned int timeout_ms,
		      char *err, size_t len)
{
	struct pagemig_agent_connect_opts o = {
		.sz = sizeof(o), .socket_dir = dir, .timeout_ms = timeout_ms, .errbuf = err, .errlen = len,
	};
	int ret = pagemig_open(pid, NULL, pm);

	*c = NULL;
	return ret ? ret : pagemig_agent_connect(*pm, &o, c);
}

static int move(struct pagemig *pm, struct pagemig_agent_conn *c, struct pagemig_handler_error *he,
		struct pagemig_stats *st)
{
	struct pagemig_nodemask n0 = unit_mask_of("0");
	struct pagemig_move_opts mo = { .sz = sizeof(mo), .agent = c, .handler_error = he, .threads = 1 };
	struct pagemig_plan plan;

	pagemig_plan(&n0, &n0, &plan);
	st->sz = sizeof(*st);
	return pagemig_move(pm, &plan, &mo, st);
}

static void test_list_and_move(pid_t t)
{
	struct pagemig_agent_handler h;
	struct pagemig_handler_error he;
	struct pagemig_agent_conn *c;
	struct pagemig_stats st;
	struct pagemig *pm;
	char err[256], want[128];
	int ret = connect_to(t, &pm, &c, 0, err, sizeof(err));

	CHECK(!ret, "connect: %d %s", ret, err);
	if (ret)
		exit(1);
	CHECK(!pagemig_agent_handler_get(c, 0, &h) && !strcmp(h.name, "unit-range") && h.start == region &&
		      h.len == LEN && !strcmp(h.description, "the test's handler"),
	      "LIST gave '%s' %" PRIx64 "+%" PRIu64, h.name, h.start, h.len);
	CHECK(pagemig_agent_handler_get(c, 1, &h) == -ENOENT, "one handler only");
	CHECK(pagemig_agent_claim(c, region + 4096, region + 8192) &&
		      !strcmp(pagemig_agent_claim(c, region + 4096, region + 8192), "unit-range"),
	      "the region is claimed");
	CHECK(!pagemig_agent_claim(c, 0, 4096), "page 0 is not claimed");
	snprintf(want, sizeof(want), "%s/%d.sock", dir, (int)t);
	CHECK(!strcmp(pagemig_agent_socket(c), want), "socket '%s'", pagemig_agent_socket(c));

	L->mode = M_OK;
	ret = move(pm, c, &he, &st);
	CHECK(ret == 0 && !he.err, "move with the owner's handler: %d (%d)", ret, he.err);
	wait_until(&L->finish, 1, 2000);
	CHECK(L->migrate == 1 && L->finish == 1 && L->last_err == 0, "migrate %d finish %d (%d)", L->migrate,
	      L->finish, L->last_err);
	CHECK(L->from_weight == 1 && L->to_weight == 1, "the hook got the masks");

	L->mode = M_DONE;
	ret = move(pm, c, &he, &st);
	CHECK(ret == 0 && st.bytes[PAGEMIG_STAT_HANDLED] == LEN, "DONE: %d, handled %" PRIu64, ret,
	      st.bytes[PAGEMIG_STAT_HANDLED]);

	L->mode = M_FAIL;
	ret = move(pm, c, &he, &st);
	CHECK(ret == -EBUSY && he.err == -EBUSY && he.owner == t && !strcmp(he.handler, "unit-range") &&
		      he.start == region && strstr(he.detail, "quiesce timeout"),
	      "a failing owner handler: %d, he %d owner %d '%s' '%s'", ret, he.err, (int)he.owner, he.handler,
	      he.detail);
	wait_until(&L->finish, 3, 2000);
	CHECK(L->finish == 3 && L->last_err == -EBUSY, "the failed handler's finish got its error: %d", L->last_err);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

/* Two movers: the second is told BUSY and who holds the agent; after the first, it goes. */
static void test_busy_and_disconnect(pid_t t)
{
	struct pagemig_agent_conn *a, *b;
	struct pagemig_handler_error he;
	struct agent_result *res;
	struct pagemig_stats st;
	struct pagemig *pa, *pb;
	struct pagemig_plan plan;
	struct pagemig_nodemask n0 = unit_mask_of("0");
	size_t nres;
	int ret, f0;

	pagemig_plan(&n0, &n0, &plan);
	L->mode = M_OK;
	if (connect_to(t, &pa, &a, 0, NULL, 0) || connect_to(t, &pb, &b, 0, NULL, 0))
		exit(1);
	ret = agent_prepare(a, &plan, 0, "", &res, &nres, NULL);
	CHECK(!ret && nres == 1 && res[0].start == region && res[0].result == 0, "prepare: %d, %zu regions", ret, nres);
	agent_keep(a, true);
	free(res);
	ret = move(pb, b, &he, &st);
	CHECK(ret == -EBUSY && he.err == -EBUSY && he.mover == getpid(), "second mover: %d, mover %d", ret,
	      (int)he.mover);
	f0 = L->finish;
	CHECK(agent_finish(a, 0) == 0, "FINISH");
	CHECK(agent_finish(a, 0) == 0, "a second FINISH is not sent twice");
	CHECK(L->finish == f0 + 1 && L->last_err == 0, "finish once");
	ret = move(pb, b, &he, &st);
	CHECK(ret == 0, "the second mover after the first: %d", ret);

	/* a mover that disconnects between PREPARE and FINISH */
	f0 = L->finish;
	ret = agent_prepare(a, &plan, 0, "", &res, &nres, NULL);
	CHECK(!ret, "prepare again: %d", ret);
	free(res);
	pagemig_agent_disconnect(a);
	wait_until(&L->finish, f0 + 1, 3000);
	CHECK(L->finish == f0 + 1 && L->last_err == -ECONNABORTED, "disconnect: finish %d with %d", L->finish - f0,
	      L->last_err);
	pagemig_agent_disconnect(b);
	pagemig_close(pa);
	pagemig_close(pb);
}

/* ------------------------------------------------------------------------------------------ */
/* Raw protocol                                                                                */
/* ------------------------------------------------------------------------------------------ */

static int raw_connect(const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, name);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "connect %s: %s\n", sa.sun_path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int raw_hello(pid_t t, int major)
{
	char name[32];
	union agent_msg m;
	int fd;

	snprintf(name, sizeof(name), "%d.sock", (int)t);
	fd = raw_connect(name);
	am_init(&m, AM_HELLO, 0);
	m.hello.major = (uint16_t)major;
	am_send(fd, &m, 1000);
	return fd;
}

static int raw_prepare(int fd, uint64_t txid, unsigned int lease_ms)
{
	union agent_msg m;
	int type;

	am_init(&m, AM_PREPARE, txid);
	m.prepare.lease_ms = lease_ms;
	m.prepare.from[0] = m.prepare.to[0] = 1;
	am_send(fd, &m, 1000);
	while ((type = am_recv(fd, &m, 3000, -1)) == AM_CALLING || type == AM_REGION)
		;
	return type == AM_PREPARED ? m.prepared.status : -EPROTO;
}

static int raw_finish(int fd, uint64_t txid)
{
	union agent_msg m;

	am_init(&m, AM_FINISH, txid);
	am_send(fd, &m, 1000);
	return am_recv(fd, &m, 3000, -1) == AM_FINISHED ? m.finished.status : -EPROTO;
}

/* A lease that runs out ends the transaction in the agent; a late FINISH is stale, a repeated one is not. */
static void test_lease(pid_t t)
{
	union agent_msg m;
	int fd = raw_hello(t, PAGEMIG_AGENT_PROTO_MAJOR), f0;

	CHECK(am_recv(fd, &m, 3000, -1) == AM_HELLO && m.hello.pid == t, "HELLO answered with the target's pid");
	L->mode = M_OK;
	f0 = L->finish;
	CHECK(raw_prepare(fd, 42, 1000) == 0, "PREPARE");
	wait_until(&L->finish, f0 + 1, 4000);
	CHECK(L->finish == f0 + 1 && L->last_err == -ETIMEDOUT, "lease ran out: finish %d with %d", L->finish - f0,
	      L->last_err);
	CHECK(raw_finish(fd, 42) == -ESTALE, "a late FINISH is stale");
	CHECK(raw_prepare(fd, 43, 5000) == 0, "PREPARE again");
	CHECK(raw_finish(fd, 43) == 0 && raw_finish(fd, 43) == 0, "FINISH is idempotent");
	CHECK(L->finish == f0 + 2, "finish ran once for the second transaction");
	CHECK(raw_finish(fd, 44) == -ESTALE, "an unknown transaction is stale");
	close(fd);
}

/* Whatever a peer sends, the agent answers or drops that peer and keeps serving the others. */
static void test_garbage(pid_t t)
{
	char big[AGENT_MSG_MAX + 100], name[32];
	union agent_msg m;
	int fd, p0 = L->events[PAGEMIG_AGENT_EV_PROTOCOL];

	snprintf(name, sizeof(name), "%d.sock", (int)t);
	memset(big, 'x', sizeof(big));
	fd = raw_connect(name);
	CHECK(send(fd, big, 10, 0) == 10, "send junk");
	CHECK(am_recv(fd, &m, 3000, -1) == AM_ERROR && m.error.err == -EPROTO, "junk: ERROR");
	CHECK(am_recv(fd, &m, 3000, -1) == -EPIPE, "junk: dropped");
	close(fd);
	fd = raw_connect(name);
	CHECK(send(fd, big, sizeof(big), 0) == (ssize_t)sizeof(big), "send oversized");
	CHECK(am_recv(fd, &m, 3000, -1) == AM_ERROR, "oversized: ERROR");
	close(fd);
	fd = raw_connect(name);
	am_init(&m, AM_HELLO, 0);
	m.hello.major = PAGEMIG_AGENT_PROTO_MAJOR;
	CHECK(send(fd, &m, sizeof(m.hello) - 4, 0) > 0, "send truncated");
	CHECK(am_recv(fd, &m, 3000, -1) == AM_ERROR, "truncated: ERROR");
	close(fd);
	fd = raw_connect(name);
	am_init(&m, AM_LIST, 0);
	am_send(fd, &m, 1000);
	CHECK(am_recv(fd, &m, 3000, -1) == AM_ERROR, "LIST before HELLO: ERROR");
	close(fd);
	fd = raw_hello(t, PAGEMIG_AGENT_PROTO_MAJOR + 1);
	CHECK(am_recv(fd, &m, 3000, -1) == AM_ERROR && m.error.err == -EPROTO && strstr(m.error.text, "protocol"),
	      "another major version: ERROR '%s'", m.error.text);
	close(fd);
	fd = raw_connect(name);		/* says nothing: dropped after idle_ms (300) */
	CHECK(am_recv(fd, &m, 5000, -1) == -EPIPE, "a silent peer is dropped");
	close(fd);
	CHECK(L->events[PAGEMIG_AGENT_EV_PROTOCOL] - p0 >= 6, "protocol events: %d",
	      L->events[PAGEMIG_AGENT_EV_PROTOCOL] - p0);
}

/* ------------------------------------------------------------------------------------------ */
/* Sockets a mover must not trust                                                              */
/* ------------------------------------------------------------------------------------------ */

static int listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) || chmod(path, 0600)) {
		fprintf(stderr, "listener %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void expect_refused(pid_t victim, int lfd, int want, const char *what, const char *needle)
{
	struct pagemig_agent_conn *c;
	struct pagemig *pm;
	char err[256] = "";
	int ret = connect_to(victim, &pm, &c, 1000, err, sizeof(err));

	CHECK(ret == want && (!needle || strstr(err, needle)), "%s: %d '%s'", what, ret, err);
	if (needle && !strcmp(needle, "served by"))
		close(accept(lfd, NULL, NULL));		/* connected, then refused: take it off the backlog */
	else if (lfd >= 0)
		CHECK(accept(lfd, NULL, NULL) < 0 && errno == EAGAIN, "%s: the squatter saw a connection", what);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

static void sleeper(void *arg)
{
}

/* ------------------------------------------------------------------------------------------ */
/* HELLO goes out with the first request (protocol 1.1)                                        */
/* ------------------------------------------------------------------------------------------ */

static int fake_answer;		/* in a stand-in agent: 2, a HELLO of major 2; -EACCES, a refusal */

/*
 * A stand-in for an agent, in the target's own process and socket: it refuses at once (as the
 * agent refuses a peer), or reads HELLO and the request after it before it answers anything (a
 * mover that waited for the answer to HELLO would time out instead), then answers major 2.
 */
static void *fake_serve(void *arg)
{
	struct pollfd p = { .fd = (int)(intptr_t)arg, .events = POLLIN };
	union agent_msg m, in;
	int fd;

	while (poll(&p, 1, -1) == 1) {
		fd = accept(p.fd, NULL, NULL);
		if (fd < 0)
			continue;
		if (fake_answer == -EACCES) {
			am_init(&m, AM_ERROR, 0);
			m.error.err = -EACCES;
			am_strcpy(m.error.text, sizeof(m.error.text), "uid 1 may not move this process");
			am_send(fd, &m, 1000);
			close(fd);
			continue;
		}
		L->fake_request = am_recv(fd, &in, 3000, -1) == AM_HELLO ? am_recv(fd, &in, 3000, -1) : -1;
		am_init(&m, AM_HELLO, 0);
		m.hello.major = 2;
		m.hello.pid = (int32_t)getpid();
		am_send(fd, &m, 1000);
		am_recv(fd, &in, 3000, -1);	/* until the mover hangs up */
		close(fd);
	}
	return NULL;
}

static void fake_setup(void *arg)
{
	char path[128];
	pthread_t th;

	fake_answer = (int)(intptr_t)arg;
	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)getpid());
	if (pthread_create(&th, NULL, fake_serve, (void *)(intptr_t)listener(path)))
		_exit(1);
}

/* Another major version, and a refusal: told by the first request, with the agent's words. */
static void test_pipelined(void)
{
	pid_t v2 = unit_spawn(fake_setup, (void *)2), vr = unit_spawn(fake_setup, (void *)(intptr_t)-EACCES);
	struct pagemig_handler_error he;
	struct pagemig_agent_handler h;
	struct pagemig_agent_conn *c;
	struct pagemig_stats st;
	struct pagemig *pm;
	char err[256] = "";
	int ret;

	ret = connect_to(v2, &pm, &c, 2000, err, sizeof(err));
	CHECK(!ret, "connect to an agent of major 2 (its answer comes with the first request's): %d '%s'", ret, err);
	ret = ret ? ret : move(pm, c, &he, &st);
	CHECK(ret == -EPROTO && he.err == -EPROTO && he.owner == v2 && strstr(he.detail, "speaks protocol 2.0"),
	      "a move through an agent of major 2: %d, %d '%s'", ret, he.err, he.detail);
	CHECK(L->fake_request == AM_PREPARE, "HELLO and PREPARE went out together: the agent read %d", L->fake_request);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
	L->fake_request = 0;
	ret = connect_to(v2, &pm, &c, 2000, NULL, 0);
	ret = ret ? ret : pagemig_agent_handler_get(c, 0, &h);
	CHECK(ret == -EPROTO && L->fake_request == AM_LIST, "LIST through an agent of major 2: %d (it read %d)", ret,
	      L->fake_request);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
	ret = connect_to(vr, &pm, &c, 2000, NULL, 0);
	ret = ret ? ret : pagemig_agent_handler_get(c, 0, &h);
	CHECK(ret == -EACCES, "LIST through an agent that refused us: %d", ret);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
	ret = connect_to(vr, &pm, &c, 2000, NULL, 0);
	ret = ret ? ret : move(pm, c, &he, &st);
	CHECK(ret == -EACCES && !he.err, "a move through an agent that refused us: %d (handler error %d)", ret, he.err);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
	unit_kill(v2);
	unit_kill(vr);
}

static void test_untrusted(void)
{
	pid_t v = unit_spawn(sleeper, NULL);
	char path[128], link[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)v);
	expect_refused(v, -1, -ENOENT, "no socket", "no pagemig agent");
	fd = listener(path);
	chmod(path, 0666);
	expect_refused(v, fd, -EPERM, "a socket open to others", "mode");
	chmod(path, 0600);
	expect_refused(v, fd, -EPERM, "a socket served by another process", "served by");
	if (geteuid() == 0) {
		CHECK(!chown(path, 65534, 65534), "chown");
		expect_refused(v, fd, -EPERM, "a socket of another uid", "owned by uid 65534");
		CHECK(!chown(path, 0, 0), "chown back");
	}
	chmod(dir, 0777);
	expect_refused(v, fd, -EPERM, "a directory others may write", "directory writable");
	chmod(dir, 0700);
	close(fd);
	snprintf(link, sizeof(link), "%s/real.sock", dir);
	fd = listener(link);
	unlink(path);
	CHECK(!symlink(link, path), "symlink");
	expect_refused(v, fd, -EPERM, "a symlink", "symbolic link");
	close(fd);
	unlink(path);
	unlink(link);
	unit_kill(v);
}

/* The agent's own check: a peer of another uid without CAP_SYS_NICE is refused (root only). */
static void test_peer_refused(pid_t t)
{
	char path[128];
	union agent_msg m;
	int st, r0 = L->events[PAGEMIG_AGENT_EV_REFUSED];
	pid_t c;

	if (geteuid() != 0)
		return;
	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)t);
	chmod(dir, 0755);
	chmod(path, 0666);	/* a loose socket: the agent's check is the last line */
	fflush(NULL);
	c = fork();
	if (c == 0) {
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = raw_hello(t, PAGEMIG_AGENT_PROTO_MAJOR);
		_exit(am_recv(fd, &m, 3000, -1) == AM_ERROR && m.error.err == -EACCES ? 0 : 1);
	}
	waitpid(c, &st, 0);
	chmod(path, 0600);
	chmod(dir, 0700);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "uid 65534 was not refused (%d)", st);
	CHECK(L->events[PAGEMIG_AGENT_EV_REFUSED] == r0 + 1, "refusal event");
}

/* ------------------------------------------------------------------------------------------ */
/* Hangs, exits, forks                                                                         */
/* ------------------------------------------------------------------------------------------ */

static void test_hang(pid_t t)
{
	struct pagemig_handler_error he;
	struct pagemig_agent_conn *c;
	struct pagemig_stats st;
	struct pagemig *pm;
	uint64_t t0;
	int ret, f0 = L->finish;

	if (connect_to(t, &pm, &c, 500, NULL, 0))
		exit(1);
	L->mode = M_HANG;
	L->hang_ms = 1500;
	t0 = am_now_ms();
	ret = move(pm, c, &he, &st);
	CHECK(ret == -ETIMEDOUT && he.err == -ETIMEDOUT && !strcmp(he.handler, "unit-range") && he.start == region,
	      "a hanging handler: %d '%s'", ret, he.handler);
	CHECK(am_now_ms() - t0 < 1400, "the mover gave up at its deadline (%" PRIu64 " ms)", am_now_ms() - t0);
	wait_until(&L->finish, f0 + 1, 4000);
	CHECK(L->finish == f0 + 1 && L->last_err < 0, "the agent undid it: finish %d with %d", L->finish - f0,
	      L->last_err);
	L->mode = M_OK;
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

/* A slow handler of the mover's own, on the target's file regions: 300 ms each. */
static bool slow_match(const struct pagemig_region *r, void *ctx)
{
	return r->kind == PAGEMIG_KIND_FILE;
}

static int slow_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
			const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	usleep(300000);
	return 0;
}

static const struct pagemig_region_ops slow_ops = {
	.sz = sizeof(slow_ops), .name = "slow", .match = slow_match, .migrate = slow_migrate,
};

/* A move that outlasts its lease (1 s) keeps it from its own thread: FINISH is not stale. */
static void test_long_move(pid_t t)
{
	struct pagemig_handler_error he;
	struct pagemig_agent_conn *c;
	struct pagemig_stats st;
	struct pagemig *pm;
	uint64_t t0;
	int ret, f0 = L->finish;

	if (connect_to(t, &pm, &c, 1000, NULL, 0) || pagemig_handler_register(pm, &slow_ops, NULL) <= 0)
		exit(1);
	L->mode = M_OK;
	t0 = am_now_ms();
	ret = move(pm, c, &he, &st);
	CHECK(am_now_ms() - t0 > 1500, "the move lasted %" PRIu64 " ms, not more than its lease", am_now_ms() - t0);
	CHECK(ret == 0 && !he.err && !he.finish_err, "a long move: %d, finish_err %d", ret, he.finish_err);
	wait_until(&L->finish, f0 + 1, 2000);
	CHECK(L->finish == f0 + 1 && L->last_err == 0, "the owner's finish got %d, not the lease's end", L->last_err);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

static void test_fork_and_exit(pid_t t)
{
	struct pagemig_agent_conn *c;
	struct pagemig_handler_error he;
	struct pagemig_stats st;
	struct pagemig *pm;
	char path[128];
	struct stat sb;
	uint64_t t0;
	int ret;

	ret = connect_to(L->grandchild, &pm, &c, 1000, NULL, 0);
	CHECK(ret == -ENOENT, "the target's forked child has no agent: %d", ret);
	pagemig_close(pm);

	/* exit() removes the socket */
	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)t);
	CHECK(!lstat(path, &sb), "the socket is there while the target lives");
	if (connect_to(t, &pm, &c, 2000, NULL, 0))
		exit(1);
	L->mode = M_EXIT;
	t0 = am_now_ms();
	ret = move(pm, c, &he, &st);
	CHECK(ret == -ESRCH && !he.err, "the target exited during PREPARE: %d (he %d)", ret, he.err);
	CHECK(am_now_ms() - t0 < 1500, "reported promptly (%" PRIu64 " ms)", am_now_ms() - t0);
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

static void exiter(void *arg)
{
	target_setup(NULL);
	exit(0);
}

static void test_socket_lifetime(void)
{
	char path[128];
	struct stat sb;
	pid_t p;
	int st;

	fflush(NULL);
	p = fork();
	if (p == 0)
		exiter(NULL);
	waitpid(p, &st, 0);
	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)p);
	CHECK(WIFEXITED(st) && lstat(path, &sb) && errno == ENOENT, "exit() removed %s", path);

	/* a killed agent leaves its socket; the next agent's start removes it */
	p = unit_spawn(target_setup, NULL);
	unit_kill(p);
	snprintf(path, sizeof(path), "%s/%d.sock", dir, (int)p);
	CHECK(!lstat(path, &sb), "a killed agent's socket %s stays (nothing runs at SIGKILL)", path);
	p = unit_spawn(target_setup, NULL);
	CHECK(lstat(path, &sb) && errno == ENOENT, "the next agent removed the dead process's socket %s", path);
	unit_kill(p);
}

/* ------------------------------------------------------------------------------------------ */
/* The CLI                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static int cli(char **out, char **err, const char *const *args)
{
	return unit_run(out, err, (uid_t)-1, CLI, args);
}

static void test_cli(pid_t t, pid_t plain)
{
	char ps[16], pp[16], *out, *err;
	int rc, m0;

	snprintf(ps, sizeof(ps), "%d", (int)t);
	snprintf(pp, sizeof(pp), "%d", (int)plain);
	L->mode = M_OK;
	m0 = L->migrate;
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent-dir", dir, "--dry-run", NULL });
	CHECK(rc == 0 && strstr(out, "agent:unit-range") && L->migrate == m0, "dry run: %d\n%s%s", rc, out, err);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent-dir", dir, "--agent=require", NULL });
	CHECK(rc == 0 && L->migrate == m0 + 1, "move --agent=require: %d\n%s", rc, err);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent-dir", dir, "--agent=off", NULL });
	CHECK(rc == 0 && L->migrate == m0 + 1, "--agent=off calls nothing: %d", rc);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "move", pp, "0", "0", "--agent-dir", dir, "--agent=require", NULL });
	CHECK(rc == 6 && strstr(err, "has no pagemig agent") && !strchr(strchr(err, '\n') + 1, '\n'),
	      "--agent=require without an agent: %d '%s'", rc, err);
	free(out), free(err);
	L->mode = M_FAIL;
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent-dir", dir, NULL });
	CHECK(rc == 6 && strstr(err, ps) && strstr(err, "'unit-range'") && strstr(err, "quiesce timeout"),
	      "a failing owner handler: %d '%s'", rc, err);
	free(out), free(err);
	L->mode = M_OK;
	rc = cli(&out, &err, (const char *const[]){ "agents", "--agent-dir", dir, "--json", NULL });
	CHECK(rc == 0 && strstr(out, "\"handler\": \"unit-range\"") && strstr(out, ps), "agents --json: %d\n%s%s", rc,
	      out, err);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "show", ps, "--agent-dir", dir, "--json", NULL });
	CHECK(rc == 0 && strstr(out, "\"handler\": \"unit-range\""), "show marks the claimed region: %d\n%s", rc, err);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "show", ps, "--agent-dir", dir, "--agent=off", NULL });
	CHECK(rc == 0 && !strstr(out, "unit-range") && !strstr(out, "HANDLER"), "show --agent=off: %d", rc);
	free(out), free(err);
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent=maybe", NULL });
	CHECK(rc == 2 && strstr(err, "invalid --agent 'maybe'"), "bad --agent: %d '%s'", rc, err);
	free(out), free(err);
}

static void test_busy_cli(pid_t t)
{
	struct pagemig_agent_conn *a;
	struct agent_result *res;
	struct pagemig_nodemask n0 = unit_mask_of("0");
	struct pagemig_plan plan;
	struct pagemig *pm;
	char ps[16], *out, *err;
	size_t nres;
	int rc;

	pagemig_plan(&n0, &n0, &plan);
	if (connect_to(t, &pm, &a, 0, NULL, 0) || agent_prepare(a, &plan, 0, "", &res, &nres, NULL))
		exit(1);
	free(res);
	snprintf(ps, sizeof(ps), "%d", (int)t);
	rc = cli(&out, &err, (const char *const[]){ "move", ps, "0", "0", "--agent-dir", dir, NULL });
	CHECK(rc == 7 && strstr(err, "is being moved by process"), "BUSY: %d '%s'", rc, err);
	free(out), free(err);
	agent_finish(a, 0);
	pagemig_agent_disconnect(a);
	pagemig_close(pm);
}

/* A target killed (or _exit()ed) leaves its socket: the test's directory goes all the same. */
static void clean_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

int main(void)
{
	pid_t t, t2, plain;

	L = mmap(NULL, sizeof(*L), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	snprintf(dir, sizeof(dir), "/tmp/pagemig-unit-agent.XXXXXX");
	if (L == MAP_FAILED || !mkdtemp(dir)) {
		perror("setup");
		return 1;
	}
	t = unit_spawn(target_setup, (void *)1);
	plain = unit_spawn(sleeper, NULL);
	test_list_and_move(t);
	test_busy_and_disconnect(t);
	test_lease(t);
	test_garbage(t);
	test_untrusted();
	test_pipelined();
	test_peer_refused(t);
	test_hang(t);
	test_long_move(t);
	if (access(CLI, X_OK) == 0) {
		test_cli(t, plain);
		test_busy_cli(t);
	} else {
		CHECK(0, "%s not built", CLI);
	}
	test_socket_lifetime();
	t2 = L->grandchild;
	test_fork_and_exit(t);
	waitpid(t, NULL, 0);
	unit_kill(t2);
	unit_kill(plain);
	clean_dir();
	return unit_failed("agent") ? 1 : 0;
}
