// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pump.c - a /proc file read on a helper thread into a pipe.
 *
 * numa_maps and maps (or smaps) are two walks of the target's vmas that the kernel writes as
 * text, one read(2) at a time.  Read in turn, their times add up; read side by side on two CPUs,
 * the longer one is what is left (10,000 regions: 16 ms in turn, 12 ms side by side, measured
 * with two cats).  The region iterator reads one of them through a pump and merges line by line
 * as before: the pipe holds at most its capacity (64 KiB), so nothing grows with the target.
 *
 * The helper runs with every signal blocked: none of the caller's handlers runs on it, and a write
 * to a pipe the reader closed early fails with EPIPE instead of killing the process.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#define PUMP_CHUNK 65536

struct pump {
	pthread_t thread;
	int src;		/* the file */
	int wfd;		/* the pipe's write end, the helper's to close */
	int err;		/* the helper's read error, -errno; read after the join */
	bool joined;
};

static void *pump_run(void *arg)
{
	struct pump *p = arg;
	char *buf = malloc(PUMP_CHUNK);
	long n, off, w;

	if (!buf)
		p->err = -ENOMEM;
	while (buf) {
		n = sys_read(p->src, buf, PUMP_CHUNK);
		if (n == -EINTR)
			continue;
		if (n <= 0) {
			p->err = (int)n;
			break;
		}
		for (off = 0; off < n; off += w) {
			w = sys_write(p->wfd, buf + off, (size_t)(n - off));
			if (w == -EINTR) {
				w = 0;
				continue;
			}
			if (w < 0)	/* EPIPE: the reader stopped early and wants no more */
				goto out;
		}
	}
out:
	free(buf);
	sys_close(p->wfd);	/* the reader's EOF */
	sys_close(p->src);
	return NULL;
}

FILE *pump_open(int fd, struct pump **out, int *err)
{
	struct pump *p = calloc(1, sizeof(*p));
	int fds[2] = { -1, -1 }, e;
	FILE *f = NULL;

	e = p ? sys_pipe(fds) : -ENOMEM;
	if (!e) {
		f = fdopen(fds[0], "r");
		e = f ? 0 : -errno;
	}
	if (e)
		goto err_close;
	p->src = fd;
	p->wfd = fds[1];
	e = thread_start(&p->thread, pump_run, p);
	if (e)
		goto err_close;
	*out = p;
	*err = 0;
	return f;
err_close:
	if (f)
		fclose(f);
	else if (fds[0] >= 0)
		sys_close(fds[0]);
	if (fds[1] >= 0)
		sys_close(fds[1]);
	free(p);
	*err = e;
	return NULL;
}

int pump_result(struct pump *p)
{
	if (!p->joined)
		pthread_join(p->thread, NULL);
	p->joined = true;
	return p->err;
}

void pump_close(struct pump *p, FILE *f)
{
	fclose(f);	/* first: a helper blocked on a full pipe gets EPIPE and ends */
	pump_result(p);
	free(p);
}
