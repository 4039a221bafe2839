/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pinned_pool.h - a pool of I/O buffers registered with io_uring as fixed buffers, and the pagemig
 * region handler that lets pagemig move them.
 *
 * The pool is one anonymous mapping of @nr_bufs buffers of @buf_size bytes, registered with its own
 * io_uring ring (io_uring_register_buffers()).  Registration pins the pages long-term: regular
 * migration cannot move them (move_pages(2) leaves them and their status entries untouched, see
 * README.md).  pinned_pool_attach() gives the pool's range its own migration function, the
 * user-space counterpart of a vma's vm_ops->migrate: before pages move, it waits until no I/O on
 * the buffers is in flight, holds back new submissions and unregisters the buffers; after the move
 * it registers them again, also when the move failed, so the pool stays usable whatever happened.
 *
 * Conventions are pagemig's: functions return 0 or a negative errno (counts go into structs),
 * option and stats structs start with `size_t sz`, pinned_pool_free() takes NULL.
 *
 * Thread safety: every function may be called from any thread at any time, except
 * pinned_pool_free() (no other call may be running).  Submissions made while a move is under way
 * wait until it is over.
 */
#ifndef PINNED_POOL_H
#define PINNED_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pagemig.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pinned_pool;

/**
 * struct pinned_pool_opts - options of pinned_pool_create().
 * @sz: sizeof(struct pinned_pool_opts).
 * @nr_bufs: number of buffers (default 64, at most 1024).
 * @buf_size: bytes per buffer, a multiple of the page size (default 64 KiB, at most 1 GiB).
 * @node: bind the pool's memory to this NUMA node (mbind(2) MPOL_BIND) before it is touched;
 *	-1 for the calling thread's policy.
 * @ring_entries: submission queue entries of the pool's ring, also the most I/Os in flight plus
 *	completions not yet reaped (default 64).
 * @quiesce_ms: how long a move waits for in-flight I/O before it gives up with -EBUSY
 *	(default 10000).
 */
struct pinned_pool_opts {
	size_t sz;
	unsigned int nr_bufs;
	size_t buf_size;
	int node;
	unsigned int ring_entries;
	unsigned int quiesce_ms;
};

/**
 * pinned_pool_create() - map the buffers, touch them, create the ring and register the buffers.
 * @opts: options, or NULL for the defaults (then no node binding).
 * @out: the new pool; free it with pinned_pool_free().
 *
 * Return: 0; -EINVAL for bad options; the error of mbind(2) (-EINVAL for a node without memory),
 * io_uring_queue_init() (-ENOSYS: no io_uring, -EPERM: io_uring disabled) or
 * io_uring_register_buffers() (-ENOMEM: over RLIMIT_MEMLOCK); -ENOMEM.
 */
int pinned_pool_create(const struct pinned_pool_opts *opts, struct pinned_pool **out);

/** pinned_pool_free() - exit the ring (which unregisters the buffers) and unmap them; NULL is fine. */
void pinned_pool_free(struct pinned_pool *pp);

/** pinned_pool_buf() - buffer @idx's address, or NULL when @idx is out of range. */
void *pinned_pool_buf(const struct pinned_pool *pp, unsigned int idx);
/** pinned_pool_nr_bufs() - the number of buffers. */
unsigned int pinned_pool_nr_bufs(const struct pinned_pool *pp);
/** pinned_pool_buf_size() - bytes per buffer. */
size_t pinned_pool_buf_size(const struct pinned_pool *pp);
/** pinned_pool_base() - the start of the pool's mapping (buffer 0). */
void *pinned_pool_base(const struct pinned_pool *pp);
/** pinned_pool_len() - the length of the pool's mapping. */
size_t pinned_pool_len(const struct pinned_pool *pp);

/** enum pinned_pool_op - what a submission does with its buffer. */
enum pinned_pool_op {
	PINNED_POOL_READ,	/* IORING_OP_READ_FIXED: file -> buffer */
	PINNED_POOL_WRITE,	/* IORING_OP_WRITE_FIXED: buffer -> file */
};

/**
 * pinned_pool_submit() - start one fixed-buffer read or write.
 * @pp: the pool.
 * @op: PINNED_POOL_READ or PINNED_POOL_WRITE.
 * @idx: the buffer.
 * @fd: the file.
 * @off: the file offset.
 * @len: bytes, at most the buffer size.
 * @tag: returned with the completion (struct pinned_pool_cqe).
 *
 * Waits while a move is under way.  The buffer must not be touched until the completion is reaped.
 * Return: 0; -EINVAL for a bad @idx or @len; -EBUSY when @ring_entries I/Os are in flight or
 * unreaped (reap first); the error of the last failed re-registration (pinned_pool_status());
 * the error of io_uring_submit().
 */
int pinned_pool_submit(struct pinned_pool *pp, enum pinned_pool_op op, unsigned int idx, int fd, uint64_t off,
		       size_t len, uint64_t tag);

/**
 * struct pinned_pool_cqe - one finished I/O.
 * @tag: the submission's tag.
 * @res: bytes transferred, or a negative errno.
 */
struct pinned_pool_cqe {
	uint64_t tag;
	int res;
};

/**
 * pinned_pool_reap() - collect finished I/Os, oldest first.
 * @pp: the pool.
 * @out: where they go.
 * @max: room in @out.
 * @min: wait until at least this many are there (fewer when fewer are outstanding); 0: do not wait.
 *
 * Completions that a move collected while it waited for in-flight I/O are returned here too.
 * Return: the number stored (0 .. @max), or a negative errno from the ring.
 */
int pinned_pool_reap(struct pinned_pool *pp, struct pinned_pool_cqe *out, unsigned int max, unsigned int min);

/**
 * pinned_pool_status() - whether the buffers are registered.
 * Return: 0 when they are; the error of the last failed registration (a move's re-registration
 * in the finish hook cannot report it otherwise); -EBUSY while a move holds them unregistered.
 */
int pinned_pool_status(struct pinned_pool *pp);

/**
 * pinned_pool_register() - register the buffers again after a failure (pinned_pool_status()).
 * Return: 0 (also when they already were); -EBUSY while a move is under way; the error of
 * io_uring_register_buffers().
 */
int pinned_pool_register(struct pinned_pool *pp);

/**
 * struct pinned_pool_stats - what the pool's region handler did, for reports and tests.
 * @sz: sizeof(struct pinned_pool_stats), set by the caller.
 * @migrate_calls: times the migrate hook ran (once per region of the pool per move).
 * @finish_calls: times the finish hook ran.
 * @last_finish_err: the error the last finish hook got (0: the move ran).
 * @drained: I/Os the migrate hook waited for, over all moves.
 * @unregistrations: times the migrate hook unregistered the buffers.
 * @registrations: successful registrations, the first one included.
 * @registered: the buffers are registered now.
 * @reg_err: the last registration failure, 0 once a registration succeeded again.
 */
struct pinned_pool_stats {
	size_t sz;
	unsigned int migrate_calls;
	unsigned int finish_calls;
	int last_finish_err;
	unsigned int drained;
	unsigned int unregistrations;
	unsigned int registrations;
	bool registered;
	int reg_err;
};

/**
 * pinned_pool_stats() - copy the handler's counters.
 * Return: 0, or -EINVAL without @pp or @st->sz.
 */
int pinned_pool_stats(struct pinned_pool *pp, struct pinned_pool_stats *st);

/**
 * pinned_pool_attach() - register the pool's range as a region with its own migration function.
 * @pp: the pool.
 * @pm: a pagemig handle on the calling process (pagemig_open(0, ...)).
 *
 * The handler's migrate hook, called by pagemig_move() before any page moves: when the region has
 * pages on a source node, it holds back new submissions, waits up to @quiesce_ms for in-flight I/O
 * (-EBUSY, with pagemig_handler_explain(), when some is still running), unregisters the buffers
 * and returns 0, so that regular migration moves the now unpinned pages.  Its finish hook registers
 * them again and lets submissions go on, whatever the move's outcome; a failure there is kept for
 * pinned_pool_status().  The pool must outlive the registration: unregister it with
 * pagemig_handler_unregister() or close @pm before pinned_pool_free().
 * Return: the registration id (> 0), or pagemig_region_register()'s error.
 */
int pinned_pool_attach(struct pinned_pool *pp, struct pagemig *pm);

#ifdef __cplusplus
}
#endif
#endif /* PINNED_POOL_H */
