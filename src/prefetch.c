// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * prefetch.c - read a /proc file on a second thread, ahead of its reader.
 *
 * smaps and numa_maps each make the kernel walk the target's page tables; read one after the
 * other they cost two walks end to end.  One thread per file makes the two walks overlap: the
 * kernel fills a read greedily (seq_file makes the next record, here the next region's walk, to
 * fill the reader's buffer), so a reader that consumes both files in step would wait for one
 * walk before it starts the other; two free-running readers do not.  A thread hands its bytes over
 * through a socket pair: the socket buffer bounds the memory in flight (the target's size does
 * not matter), a reader that stops early makes the thread's next send fail (MSG_NOSIGNAL: no
 * SIGPIPE), and the caller still reads lines with stdio.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"

struct prefetch {
	pthread_t thread;
	FILE *src;
	int fd;			/* the thread's end of the socket pair */
	int err;		/* the read error that ended the thread, written before it exits */
	bool joinable;
};

static void *pump(void *arg)
{
	struct prefetch *p = arg;
	char buf[4096];

	for (;;) {
		ssize_t n = read(fileno(p->src), buf, sizeof(buf)), off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			p->err = -errno;
		if (n <= 0)
			break;
		while (off < n) {
			ssize_t w = send(p->fd, buf + off, (size_t)(n - off), MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto out;	/* the reader is gone */
			off += w;
		}
	}
out:
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

FILE *prefetch_start(FILE *src, struct prefetch **out)
{
	struct prefetch *p = calloc(1, sizeof(*p));
	int sv[2];
	FILE *f;

	*out = NULL;
	if (!p)
		return src;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		goto err_free;
	f = fdopen(sv[0], "r");
	if (!f)
		goto err_close;
	p->src = src;
	p->fd = sv[1];
	if (pthread_create(&p->thread, NULL, pump, p)) {
		fclose(f);
		close(sv[1]);
		goto err_free;
	}
	p->joinable = true;
	*out = p;
	return f;
err_close:
	close(sv[0]);
	close(sv[1]);
err_free:
	free(p);
	return src;	/* no thread: the caller reads the file itself */
}

/* After the reader saw the end: the read error that ended the stream early, or 0. */
int prefetch_error(struct prefetch *p)
{
	if (p->joinable) {
		pthread_join(p->thread, NULL);
		p->joinable = false;
	}
	return p->err;
}

/* After the caller closed the FILE prefetch_start() returned. */
void prefetch_stop(struct prefetch *p)
{
	if (!p)
		return;
	if (p->joinable)
		pthread_join(p->thread, NULL);
	close(p->fd);
	fclose(p->src);
	free(p);
}
