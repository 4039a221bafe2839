// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_pool.c - `pinned-pool serve 0 16` (examples/pinned-pool) moved from outside: its pool of
 * io_uring fixed buffers is pinned, and only its own handler, run by its agent, can unpin it.
 *
 * One server, doing fixed-buffer writes and verified read-backs all along, goes through:
 *  (2) `pagemig move PID 0 2 --agent=off` (its first 1 MiB, the server stopped meanwhile): the
 *      pool's pages are refused (exit 5) and stay on node 0;
 *  (1) `pagemig move PID 0 2`: exit 0, every page of the pool on node 2;
 *  (4a) a mover that prepared a move is SIGKILLed: the agent undoes it by itself
 *       (finish(-ECONNABORTED)), and the pool keeps working;
 *  (4b) a mover that prepared is SIGSTOPped past its lease: the agent undoes it (-ETIMEDOUT);
 *  (6) while one mover holds the agent, `pagemig move` exits 7 naming that mover;
 *  then `pagemig move PID 2 0` brings the pool back: exit 0, every page on node 0.
 * At SIGTERM the server reports its I/O: some, and no bad byte; and its handler: as many finishes
 * as migrates, the buffers registered.  Placement comes from move_pages(2) queries of the server.
 */
#include "labtest.h"

#include <pagemig.h>

#include "agent.h"

#define MIB 16
#define ERR_PATH "/tmp/agent_pool.err"

struct server {
	pid_t pid;
	FILE *out;
	uint64_t pool;
	size_t len;
};

static size_t pagesz;

static void server_start(struct server *s, int node)
{
	char line[128], n[16], m[16];
	int p[2], fd;

	if (pipe2(p, O_CLOEXEC))
		FAIL("pipe: %s", strerror(errno));
	snprintf(n, sizeof(n), "%d", node);
	snprintf(m, sizeof(m), "%d", MIB);
	fflush(NULL);
	s->pid = fork();
	if (s->pid == 0) {
		fd = open(ERR_PATH, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
		dup2(p[1], STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execlp("pinned-pool", "pinned-pool", "serve", n, m, "/tmp/agent_pool.dat", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	s->out = fdopen(p[0], "r");
	if (!s->out || !fgets(line, sizeof(line), s->out) || strncmp(line, "PID ", 4) ||
	    !fgets(line, sizeof(line), s->out) || strcmp(line, "READY\n")) {
		char buf[1024] = "";

		lab_read_file(ERR_PATH, buf, sizeof(buf));
		FAIL("pinned-pool serve did not start: %s", buf);
	}
	lab_log("server %d ready", (int)s->pid);
}

/* The pool's range, as the server's agent lists it: the real LIST of a real agent. */
static void server_pool(struct server *s)
{
	struct pagemig_agent_handler h;
	struct pagemig_agent_conn *c;
	struct pagemig *pm;
	char err[256];
	struct pagemig_agent_connect_opts o = { .sz = sizeof(o), .errbuf = err, .errlen = sizeof(err) };
	int ret = pagemig_open(s->pid, NULL, &pm);

	if (!ret)
		ret = pagemig_agent_connect(pm, &o, &c);
	if (ret)
		FAIL("connect to the server's agent: %s (%s)", strerror(-ret), err);
	if (pagemig_agent_handler_get(c, 0, &h) || strcmp(h.name, "pinned-pool") || h.len != MIB << 20)
		FAIL("the agent lists '%s' of %" PRIu64 " bytes", h.name, h.len);
	s->pool = h.start;
	s->len = h.len;
	pagemig_agent_disconnect(c);
	pagemig_close(pm);
}

static void expect_pool_on(struct server *s, int node, const char *when)
{
	lab_expect_on(s->pid, (void *)(uintptr_t)s->pool, s->len, pagesz, node, when);
}

/* Whether the server's stderr has @needle, waiting up to @ms for it. */
static bool server_said(const char *needle, int ms)
{
	static char buf[1 << 16];

	for (; ms >= 0; ms -= 50) {
		if (lab_read_file(ERR_PATH, buf, sizeof(buf)) > 0 && strstr(buf, needle))
			return true;
		usleep(50000);
	}
	return false;
}

static int server_count(const char *needle)
{
	static char buf[1 << 16];
	const char *p = buf;
	int n = 0;

	if (lab_read_file(ERR_PATH, buf, sizeof(buf)) <= 0)
		return 0;
	while ((p = strstr(p, needle)))
		n++, p++;
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* A mover that prepares the move and then holds: killed, stopped, or told to finish            */
/* ------------------------------------------------------------------------------------------ */

struct holder {
	pid_t pid;
	int cmd;	/* write 'f' to finish */
};

static void hold(struct holder *h, pid_t target, unsigned int timeout_ms)
{
	int ready[2], cmd[2];
	char c;

	if (pipe2(ready, O_CLOEXEC) || pipe2(cmd, O_CLOEXEC))
		FAIL("pipe: %s", strerror(errno));
	fflush(NULL);
	h->pid = fork();
	if (h->pid == 0) {
		struct pagemig_agent_connect_opts o = { .sz = sizeof(o), .timeout_ms = timeout_ms };
		struct pagemig_nodemask from = { 0 }, to = { 0 };
		struct pagemig_agent_conn *conn;
		struct agent_result *res;
		struct pagemig_plan plan;
		struct pagemig *pm;
		size_t n;

		pagemig_nodemask_set(&from, 0);
		pagemig_nodemask_set(&to, 2);
		pagemig_plan(&from, &to, &plan);
		if (pagemig_open(target, NULL, &pm) || pagemig_agent_connect(pm, &o, &conn) ||
		    agent_prepare(conn, &plan, 0, "", &res, &n, NULL))
			_exit(1);
		agent_keep(conn, true);		/* the lease is renewed until it is killed or stopped */
		if (write(ready[1], "p", 1) != 1)
			_exit(1);
		if (read(cmd[0], &c, 1) == 1 && c == 'f')
			_exit(agent_finish(conn, 0) ? 2 : 0);
		_exit(3);
	}
	close(ready[1]);
	close(cmd[0]);
	h->cmd = cmd[1];
	if (read(ready[0], &c, 1) != 1)
		FAIL("the holding mover could not prepare");
	close(ready[0]);
	lab_log("mover %d holds the agent", (int)h->pid);
}

static int pagemig_move_rc(pid_t pid, const char *args, char *err, size_t errsize)
{
	char out[8192];
	double t0 = lab_now();
	int rc = lab_pagemig(out, sizeof(out), err, errsize, "move %d %s --no-progress", (int)pid, args);

	lab_log("exit %d after %.2f s", rc, lab_now() - t0);
	return rc;
}

static void scenario_killed(struct server *s)
{
	struct holder h;
	int before = server_count("Software caused connection abort");

	hold(&h, s->pid, 0);
	kill(h.pid, SIGKILL);
	waitpid(h.pid, NULL, 0);
	close(h.cmd);
	if (!server_said("finished: Software caused connection abort", 5000) ||
	    server_count("Software caused connection abort") != before + 1)
		FAIL("(4a) the agent did not finish the killed mover's move itself");
	lab_log("(4a) killed mover: the agent finished the move itself");
}

static void scenario_stopped(struct server *s)
{
	struct holder h;

	hold(&h, s->pid, 1000);		/* a lease of 1 s */
	kill(h.pid, SIGSTOP);
	if (!server_said("finished: Connection timed out", 8000))
		FAIL("(4b) the agent did not end the stopped mover's lease");
	kill(h.pid, SIGKILL);
	waitpid(h.pid, NULL, 0);
	close(h.cmd);
	lab_log("(4b) stopped mover: the lease ran out and the agent finished the move itself");
}

static void scenario_busy(struct server *s)
{
	char err[2048], want[64];
	struct holder h;
	int rc, st;

	hold(&h, s->pid, 0);
	rc = pagemig_move_rc(s->pid, "0 2", err, sizeof(err));
	snprintf(want, sizeof(want), "being moved by process %d", (int)h.pid);
	if (rc != 7 || !strstr(err, want))
		FAIL("(6) a second mover: exit %d, '%s'", rc, err);
	expect_pool_on(s, 2, "(6) the pool while another mover holds the agent");
	if (write(h.cmd, "f", 1) != 1 || waitpid(h.pid, &st, 0) != h.pid || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("(6) the holding mover's FINISH failed (%d)", st);
	close(h.cmd);
	lab_log("(6) two movers: the second exits 7 naming the first");
}

static void server_stop(struct server *s)
{
	unsigned long ok = 0, bad = 0;
	unsigned int mig = 0, fin = 0, unreg = 0;
	int last = 0, reg = 0, st;
	char line[256];

	kill(s->pid, SIGTERM);
	while (fgets(line, sizeof(line), s->out)) {
		sscanf(line, "io ok=%lu bad=%lu", &ok, &bad);
		sscanf(line, "handler migrate=%u finish=%u last=%d unregistrations=%u registered=%d", &mig, &fin, &last,
		       &unreg, &reg);
	}
	fclose(s->out);
	waitpid(s->pid, &st, 0);
	lab_log("server: io ok=%lu bad=%lu, handler migrate=%u finish=%u unregistrations=%u registered=%d", ok, bad,
		mig, fin, unreg, reg);
	if (!ok || bad || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("fixed-buffer I/O: ok=%lu bad=%lu, exit %d", ok, bad, st);
	if (mig != fin || mig < 5 || !reg)
		FAIL("the pool's handler: migrate %u, finish %u, registered %d", mig, fin, reg);
}

int main(void)
{
	struct server s;
	char err[4096], args[128];
	int rc;

	lab_require_nodes(3);
	lab_require_root();
	lab_require_cmd("pagemig");
	lab_require_cmd("pinned-pool");
	pagesz = lab_page_size();
	server_start(&s, 0);
	server_pool(&s);
	expect_pool_on(&s, 0, "the pool at start");

	/*
	 * The kernel tries a pinned page several times before it gives up, unmapping and mapping it
	 * again each time: with the server's I/O on the pages that took 85 s for the whole pool in
	 * TCG, and stalled the guest for minutes when the host was loaded.  So (2) refuses the first
	 * 1 MiB of the pool with the server stopped (SIGSTOP): the pages stay pinned all the same,
	 * and the server's I/O goes on afterwards, checked at the end.
	 */
	snprintf(args, sizeof(args), "0 2 --agent=off --regions %" PRIx64 "-%" PRIx64, s.pool, s.pool + (1 << 20));
	kill(s.pid, SIGSTOP);
	rc = pagemig_move_rc(s.pid, args, err, sizeof(err));
	kill(s.pid, SIGCONT);
	if (rc != 5)
		FAIL("(2) --agent=off: exit %d, want 5 (the pool's pages refused): %s", rc, err);
	expect_pool_on(&s, 0, "(2) the pool after a move without its agent");
	lab_log("(2) --agent=off: exit 5, the pool stayed on node 0");

	rc = pagemig_move_rc(s.pid, "0 2", err, sizeof(err));
	if (rc != 0)
		FAIL("(1) the move with the server's agent: exit %d: %s", rc, err);
	expect_pool_on(&s, 2, "(1) the pool after the move");
	lab_log("(1) moved from outside through the agent: exit 0, the pool on node 2");

	scenario_killed(&s);
	scenario_stopped(&s);
	scenario_busy(&s);
	rc = pagemig_move_rc(s.pid, "2 0 --agent=require", err, sizeof(err));
	if (rc != 0)
		FAIL("the move back after all that: exit %d: %s", rc, err);
	expect_pool_on(&s, 0, "the pool moved back");
	server_stop(&s);
	return 0;
}
