// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pinned_pool.c - io_uring fixed buffers, and a pagemig region handler that moves them.
 *
 * Fixed buffers are pinned long-term (FOLL_LONGTERM): move_pages(2) and migrate_pages(2) leave
 * such pages where they are.  The handler follows the seed's vm_ops->migrate model: it prepares
 * the region (no I/O in flight, buffers unregistered, so nothing pins the pages) and lets regular
 * migration move it, then finish() undoes the preparation (registers the buffers again, now on the
 * new pages) whether or not the move succeeded.
 *
 * One mutex guards the ring and the counters.  A move sets @quiesced: submitters wait on @resume
 * until finish() clears it.  Completions that the migrate hook takes from the ring while it waits
 * for in-flight I/O are parked and handed out by pinned_pool_reap() like any other.
 */
#include <errno.h>
#include <inttypes.h>
#include <liburing.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "pinned_pool.h"

#define MPOL_BIND_	2
#define MAX_BUFS	1024		/* the kernel's limit is higher; an example needs no more */
#define WAIT_SLICE_NS	10000000	/* 10 ms: the lock is dropped between slices of a wait */
#define MIN_U(a, b)	((a) < (b) ? (a) : (b))

struct pinned_pool {
	char *base;
	size_t len;
	size_t buf_size;
	unsigned int nr_bufs;
	unsigned int cap;		/* I/Os in flight plus completions parked, at most */
	unsigned int quiesce_ms;
	struct iovec *iov;
	struct io_uring ring;
	pthread_mutex_t lock;
	pthread_cond_t resume;		/* broadcast when a move is over */
	unsigned int inflight;		/* submitted, completion still in the ring */
	struct pinned_pool_cqe *parked;	/* taken from the ring, not yet reaped */
	unsigned int nparked;
	bool quiesced;			/* a move is under way: submissions wait */
	bool unregistered;		/* the migrate hook unregistered the buffers */
	unsigned int holders;		/* migrate calls whose finish has not come yet */
	struct pinned_pool_stats st;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int bind_node(void *addr, size_t len, int node)
{
	unsigned long mask[PAGEMIG_MAX_NODES / (8 * sizeof(unsigned long))] = { 0 };

	if (node < 0 || node >= PAGEMIG_MAX_NODES)
		return -EINVAL;
	mask[node / (8 * sizeof(unsigned long))] |= 1UL << (node % (8 * sizeof(unsigned long)));
	if (syscall(SYS_mbind, addr, len, MPOL_BIND_, mask, PAGEMIG_MAX_NODES + 1, 0))
		return -errno;
	return 0;
}

/* Register every buffer; the caller holds the lock (or owns the pool alone). */
static int register_bufs(struct pinned_pool *pp)
{
	int err = io_uring_register_buffers(&pp->ring, pp->iov, pp->nr_bufs);

	pp->st.reg_err = err;
	pp->st.registered = !err;
	if (!err)
		pp->st.registrations++;
	return err;
}

static int check_opts(const struct pinned_pool_opts *o, struct pinned_pool_opts *out)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);

	*out = (struct pinned_pool_opts){ .nr_bufs = 64, .buf_size = 64 << 10, .node = -1,
					  .ring_entries = 64, .quiesce_ms = 10000 };
	if (!o)
		return 0;
	if (o->sz < offsetof(struct pinned_pool_opts, quiesce_ms) + sizeof(o->quiesce_ms))
		return -EINVAL;
	out->nr_bufs = o->nr_bufs ? o->nr_bufs : out->nr_bufs;
	out->buf_size = o->buf_size ? o->buf_size : out->buf_size;
	out->node = o->node;
	out->ring_entries = o->ring_entries ? o->ring_entries : out->ring_entries;
	out->quiesce_ms = o->quiesce_ms ? o->quiesce_ms : out->quiesce_ms;
	if (out->nr_bufs > MAX_BUFS || out->buf_size % ps || out->buf_size > (1UL << 30) ||
	    out->ring_entries > 4096)
		return -EINVAL;
	return 0;
}

int pinned_pool_create(const struct pinned_pool_opts *opts, struct pinned_pool **out)
{
	struct pinned_pool_opts o;
	struct pinned_pool *pp;
	unsigned int i;
	int err;

	if (!out)
		return -EINVAL;
	err = check_opts(opts, &o);
	if (err)
		return err;
	pp = calloc(1, sizeof(*pp));
	if (!pp)
		return -ENOMEM;
	pp->nr_bufs = o.nr_bufs;
	pp->buf_size = o.buf_size;
	pp->len = (size_t)o.nr_bufs * o.buf_size;
	pp->cap = o.ring_entries;
	pp->quiesce_ms = o.quiesce_ms;
	pp->st.sz = sizeof(pp->st);
	pp->iov = calloc(pp->nr_bufs, sizeof(*pp->iov));
	pp->parked = calloc(pp->cap, sizeof(*pp->parked));
	if (!pp->iov || !pp->parked) {
		err = -ENOMEM;
		goto err_free;
	}
	pp->base = mmap(NULL, pp->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pp->base == MAP_FAILED) {
		err = -errno;
		goto err_free;
	}
	if (o.node >= 0) {
		err = bind_node(pp->base, pp->len, o.node);
		if (err)
			goto err_unmap;
	}
	memset(pp->base, 0, pp->len);	/* allocate every page now, under the policy */
	for (i = 0; i < pp->nr_bufs; i++) {
		pp->iov[i].iov_base = pp->base + (size_t)i * pp->buf_size;
		pp->iov[i].iov_len = pp->buf_size;
	}
	err = io_uring_queue_init(pp->cap, &pp->ring, 0);
	if (err)
		goto err_unmap;
	err = register_bufs(pp);
	if (err)
		goto err_exit_ring;
	pthread_mutex_init(&pp->lock, NULL);
	pthread_cond_init(&pp->resume, NULL);
	*out = pp;
	return 0;

err_exit_ring:
	io_uring_queue_exit(&pp->ring);
err_unmap:
	munmap(pp->base, pp->len);
err_free:
	free(pp->parked);
	free(pp->iov);
	free(pp);
	return err;
}

void pinned_pool_free(struct pinned_pool *pp)
{
	if (!pp)
		return;
	io_uring_queue_exit(&pp->ring);
	munmap(pp->base, pp->len);
	pthread_cond_destroy(&pp->resume);
	pthread_mutex_destroy(&pp->lock);
	free(pp->parked);
	free(pp->iov);
	free(pp);
}

void *pinned_pool_buf(const struct pinned_pool *pp, unsigned int idx)
{
	return pp && idx < pp->nr_bufs ? pp->base + (size_t)idx * pp->buf_size : NULL;
}

unsigned int pinned_pool_nr_bufs(const struct pinned_pool *pp)
{
	return pp ? pp->nr_bufs : 0;
}

size_t pinned_pool_buf_size(const struct pinned_pool *pp)
{
	return pp ? pp->buf_size : 0;
}

void *pinned_pool_base(const struct pinned_pool *pp)
{
	return pp ? pp->base : NULL;
}

size_t pinned_pool_len(const struct pinned_pool *pp)
{
	return pp ? pp->len : 0;
}

int pinned_pool_submit(struct pinned_pool *pp, enum pinned_pool_op op, unsigned int idx, int fd, uint64_t off,
		       size_t len, uint64_t tag)
{
	struct io_uring_sqe *sqe;
	int err = 0;

	if (!pp || idx >= pp->nr_bufs || !len || len > pp->buf_size ||
	    (op != PINNED_POOL_READ && op != PINNED_POOL_WRITE))
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	while (pp->quiesced)
		pthread_cond_wait(&pp->resume, &pp->lock);
	if (!pp->st.registered)
		err = pp->st.reg_err ? pp->st.reg_err : -ENXIO;
	else if (pp->inflight + pp->nparked >= pp->cap)
		err = -EBUSY;
	else if (!(sqe = io_uring_get_sqe(&pp->ring)))
		err = -EBUSY;
	if (err)
		goto out;
	if (op == PINNED_POOL_READ)
		io_uring_prep_read_fixed(sqe, fd, pinned_pool_buf(pp, idx), (unsigned int)len, off, (int)idx);
	else
		io_uring_prep_write_fixed(sqe, fd, pinned_pool_buf(pp, idx), (unsigned int)len, off, (int)idx);
	io_uring_sqe_set_data64(sqe, tag);
	/* The ring never holds more than @cap CQEs, so the kernel takes the SQE (no -EBUSY). */
	err = io_uring_submit(&pp->ring);
	if (err >= 0) {
		pp->inflight += err;
		err = err == 1 ? 0 : -EAGAIN;
	}
out:
	pthread_mutex_unlock(&pp->lock);
	return err;
}

/* Move every completion the ring holds to the parked list.  Locked. */
static void collect(struct pinned_pool *pp)
{
	struct io_uring_cqe *cqe;

	while (pp->inflight && !io_uring_peek_cqe(&pp->ring, &cqe)) {
		pp->parked[pp->nparked++] = (struct pinned_pool_cqe){ .tag = io_uring_cqe_get_data64(cqe),
								      .res = cqe->res };
		io_uring_cqe_seen(&pp->ring, cqe);
		pp->inflight--;
	}
}

/* Wait up to one slice for a completion to reach the ring.  Locked. */
static int wait_slice(struct pinned_pool *pp)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = WAIT_SLICE_NS };
	struct io_uring_cqe *cqe;
	int err = io_uring_wait_cqe_timeout(&pp->ring, &cqe, &ts);

	return err == -ETIME || err == -EINTR ? 0 : err;
}

int pinned_pool_reap(struct pinned_pool *pp, struct pinned_pool_cqe *out, unsigned int max, unsigned int min)
{
	unsigned int n;
	int err = 0;

	if (!pp || (max && !out))
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	for (;;) {
		collect(pp);
		if (pp->nparked >= MIN_U(min, max) || !pp->inflight)
			break;
		err = wait_slice(pp);
		if (err)
			goto out;
		/* Let submitters and a move's migrate hook in between slices. */
		pthread_mutex_unlock(&pp->lock);
		pthread_mutex_lock(&pp->lock);
	}
	n = MIN_U(max, pp->nparked);
	memcpy(out, pp->parked, n * sizeof(*out));
	memmove(pp->parked, pp->parked + n, (pp->nparked - n) * sizeof(*out));
	pp->nparked -= n;
	err = (int)n;
out:
	pthread_mutex_unlock(&pp->lock);
	return err;
}

int pinned_pool_status(struct pinned_pool *pp)
{
	int err;

	if (!pp)
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	err = pp->st.registered ? 0 : pp->unregistered ? -EBUSY : pp->st.reg_err ? pp->st.reg_err : -ENXIO;
	pthread_mutex_unlock(&pp->lock);
	return err;
}

int pinned_pool_register(struct pinned_pool *pp)
{
	int err = 0;

	if (!pp)
		return -EINVAL;
	pthread_mutex_lock(&pp->lock);
	if (pp->quiesced)
		err = -EBUSY;
	else if (!pp->st.registered)
		err = register_bufs(pp);
	pthread_mutex_unlock(&pp->lock);
	return err;
}

int pinned_pool_stats(struct pinned_pool *pp, struct pinned_pool_stats *st)
{
	size_t sz;

	if (!pp || !st || !st->sz)
		return -EINVAL;
	sz = MIN_U(st->sz, sizeof(*st));
	pthread_mutex_lock(&pp->lock);
	memcpy(st, &pp->st, sz);
	pthread_mutex_unlock(&pp->lock);
	st->sz = sz;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The region handler                                                                          */
/* ------------------------------------------------------------------------------------------ */

/* Whether @r has pages on a node the move takes pages from. */
static bool has_source_pages(const struct pagemig_region *r, const struct pagemig_nodemask *from)
{
	int n;

	for (n = 0; n < r->nr_nodes; n++)
		if (r->node_pages[n] && pagemig_nodemask_is_set(from, n))
			return true;
	return false;
}

/* Wait until no I/O is in flight, up to quiesce_ms.  Locked. */
static int drain(struct pinned_pool *pp)
{
	uint64_t deadline = now_ns() + (uint64_t)pp->quiesce_ms * 1000000ULL;
	unsigned int before = pp->inflight;
	int err;

	collect(pp);
	while (pp->inflight) {
		if (now_ns() >= deadline)
			return -EBUSY;
		err = wait_slice(pp);
		if (err)
			return err;
		collect(pp);
	}
	pp->st.drained += before;
	return 0;
}

static int pool_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
			const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct pinned_pool *pp = ctx;
	int err = 0;

	pthread_mutex_lock(&pp->lock);
	pp->st.migrate_calls++;
	pp->holders++;
	/* One preparation per move, even when the pool spans several regions. */
	if (pp->quiesced || !has_source_pages(r, from))
		goto out;
	pp->quiesced = true;
	err = drain(pp);
	if (err == -EBUSY)
		pagemig_handler_explain(pm, "%u I/Os on the fixed buffers still in flight after %u ms",
					pp->inflight, pp->quiesce_ms);
	else if (err)
		pagemig_handler_explain(pm, "waiting for completions: %s", strerror(-err));
	if (err)
		goto out;
	if (pp->st.registered) {
		err = io_uring_unregister_buffers(&pp->ring);
		if (err) {
			pagemig_handler_explain(pm, "cannot unregister the fixed buffers: %s", strerror(-err));
			goto out;
		}
		pp->st.registered = false;
		pp->st.unregistrations++;
		pp->unregistered = true;
	}
out:
	pthread_mutex_unlock(&pp->lock);
	return err;
}

static void pool_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct pinned_pool *pp = ctx;

	pthread_mutex_lock(&pp->lock);
	pp->st.finish_calls++;
	pp->st.last_finish_err = err;
	if (pp->holders && --pp->holders == 0) {
		/* Also after a failed move: the pool must be usable whatever happened. */
		if (pp->unregistered)
			register_bufs(pp);
		pp->unregistered = false;
		pp->quiesced = false;
		pthread_cond_broadcast(&pp->resume);
	}
	pthread_mutex_unlock(&pp->lock);
}

static const struct pagemig_region_ops pool_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "pinned-pool",
	.migrate = pool_migrate,
	.finish = pool_finish,
	.description = "io_uring fixed buffers: drain I/O, unregister, move, register again",
};

int pinned_pool_attach(struct pinned_pool *pp, struct pagemig *pm)
{
	if (!pp)
		return -EINVAL;
	return pagemig_region_register(pm, (uint64_t)(uintptr_t)pp->base, pp->len, &pool_ops, pp);
}
