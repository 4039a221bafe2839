// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * serve.c - `pinned-pool serve NODE MIB [FILE]`: a long-running process whose fixed buffers a
 * mover in another process moves (`pagemig move PID --from NODE --to N`).
 *
 * It creates a pool of MIB MiB of 64 KiB fixed buffers bound to NODE, gives the pool's range its
 * handler (pinned_pool_attach()) and starts a pagemig agent, so that the handler runs in this
 * process whenever anyone moves it.  It prints "PID <pid>" and "READY", then writes and reads back
 * its buffers through io_uring fixed-buffer I/O without pause, checking every byte.  On SIGTERM or
 * SIGINT it prints "io ok=<N> bad=<M>" and what the handler did, and exits 0 only when M is 0 and
 * N > 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pagemig.h>

#include "pinned_pool.h"

#define MIN_LEN(a, b) ((a) < (b) ? (a) : (b))

int serve_main(int argc, char **argv);

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	stopping = sig;
}

/* The byte pattern of buffer @i in round @round. */
static void pattern(unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 7;
	size_t i;

	for (i = 0; i < len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, MIN_LEN(8, len - i));
	}
}

/* One fixed-buffer I/O, waited for: 0 when it moved @len bytes. */
static int io_one(struct pinned_pool *pp, enum pinned_pool_op op, unsigned int idx, int fd, size_t len)
{
	struct pinned_pool_cqe cqe;
	int err = pinned_pool_submit(pp, op, idx, fd, (uint64_t)idx * len, len, idx);

	if (err)
		return err;
	err = pinned_pool_reap(pp, &cqe, 1, 1);
	if (err < 0)
		return err;
	return err == 1 && cqe.res == (int)len ? 0 : cqe.res < 0 ? cqe.res : -EIO;
}

/* Write buffer @i's pattern through the ring, clear it, read it back, compare. */
static int round_trip(struct pinned_pool *pp, unsigned int i, int fd, uint64_t seed, unsigned char *want)
{
	size_t bsz = pinned_pool_buf_size(pp);
	unsigned char *buf = pinned_pool_buf(pp, i);
	int err;

	pattern(want, bsz, seed);
	memcpy(buf, want, bsz);
	err = io_one(pp, PINNED_POOL_WRITE, i, fd, bsz);
	if (err)
		return err;
	memset(buf, 0, bsz);
	err = io_one(pp, PINNED_POOL_READ, i, fd, bsz);
	if (err)
		return err;
	return memcmp(buf, want, bsz) ? -EILSEQ : 0;
}

static void on_event(const struct pagemig_agent_event *ev, void *ctx)
{
	fprintf(stderr, "pinned-pool: agent: %s\n", ev->text);
}

static int parse(int argc, char **argv, int *node, unsigned int *mib)
{
	char *end;

	if (argc < 3 || argc > 4)
		return -1;
	*node = (int)strtol(argv[1], &end, 10);
	if (*end || end == argv[1] || *node < 0 || *node >= PAGEMIG_MAX_NODES)
		return -1;
	*mib = (unsigned int)strtoul(argv[2], &end, 10);
	return *end || end == argv[2] || !*mib || *mib > 64 ? -1 : 0;
}

static int serve(struct pinned_pool *pp, int fd)
{
	unsigned long ok = 0, bad = 0;
	unsigned char *want = malloc(pinned_pool_buf_size(pp));
	struct pinned_pool_stats st = { .sz = sizeof(st) };
	uint64_t round;
	int err = 0;

	if (!want)
		return 1;
	for (round = 0; !stopping; round++) {
		unsigned int i = (unsigned int)(round % pinned_pool_nr_bufs(pp));

		err = round_trip(pp, i, fd, round, want);
		if (err == -EILSEQ || err == -EIO)
			bad++;
		else if (err)
			break;
		else
			ok++;
	}
	free(want);
	pinned_pool_stats(pp, &st);
	printf("io ok=%lu bad=%lu\n", ok, bad);
	printf("handler migrate=%u finish=%u last=%d unregistrations=%u registered=%d\n", st.migrate_calls,
	       st.finish_calls, st.last_finish_err, st.unregistrations, st.registered);
	if (err && err != -EILSEQ && err != -EIO && !stopping)
		fprintf(stderr, "pinned-pool: fixed-buffer I/O failed: %s\n", strerror(-err));
	return !bad && ok && (!err || stopping) ? 0 : 1;
}

int serve_main(int argc, char **argv)
{
	struct pinned_pool_opts po = { .sz = sizeof(po), .buf_size = 64 << 10 };
	char why[256] = "";
	struct pagemig_agent_opts ao = { .sz = sizeof(ao), .event = on_event, .errbuf = why, .errlen = sizeof(why) };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *path = argc > 3 ? argv[3] : "/tmp/pinned-pool-serve.dat";
	struct pagemig_agent *agent = NULL;
	struct pinned_pool *pp = NULL;
	struct pagemig *pm = NULL;
	unsigned int mib;
	int node, fd, err, ret = 1;

	if (parse(argc, argv, &node, &mib)) {
		fprintf(stderr, "usage: pinned-pool serve NODE MIB [FILE]   (MIB 1-64)\n");
		return 2;
	}
	po.nr_bufs = mib * 16;
	po.node = node;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	err = pinned_pool_create(&po, &pp);
	if (!err)
		err = pagemig_open(0, NULL, &pm);
	if (!err && (err = pinned_pool_attach(pp, pm)) > 0)
		err = pagemig_agent_start(pm, &ao, &agent);
	fd = err ? -1 : open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (err || fd < 0) {
		fprintf(stderr, "pinned-pool: cannot serve: %s\n", why[0] ? why : strerror(err ? -err : errno));
		goto out;
	}
	printf("PID %d\nREADY\n", (int)getpid());
	fflush(stdout);
	ret = serve(pp, fd);
	close(fd);
	unlink(path);
out:
	pagemig_agent_stop(agent);
	pagemig_close(pm);
	pinned_pool_free(pp);
	return ret;
}
