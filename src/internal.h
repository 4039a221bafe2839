/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* internal.h - declarations shared by the library's files; not installed. */
#ifndef PAGEMIG_INTERNAL_H
#define PAGEMIG_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include "pagemig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PAGEMIG_XSTR(x) #x
#define PAGEMIG_STR(x) PAGEMIG_XSTR(x)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * OPTS_VALID / OPTS_GET (libbpf): an option struct is valid when its sz holds at least sz and
 * every byte past the last field this library knows (TYPE__last_field below) is zero: a caller
 * built against a newer header that set a newer field gets -EINVAL, never a silent no.  A field
 * is read only when the caller's struct is big enough to hold it.  A field added to a struct
 * goes after its last one here, and this list names it.
 */
#define offsetofend(TYPE, FIELD) (offsetof(TYPE, FIELD) + sizeof(((TYPE *)0)->FIELD))
#define pagemig_nodectx__last_field need_memory
#define pagemig_open_opts__last_field flags
#define pagemig_move_opts__last_field agent
#define pagemig_region_ops__last_field description
#define pagemig_builtin_opts__last_field hugetlb_pool
#define pagemig_agent_opts__last_field errlen
#define pagemig_agent_connect_opts__last_field errlen

static inline bool opts_valid(const void *opts, size_t known, size_t sz)
{
	const unsigned char *p = opts;
	size_t i;

	if (sz < sizeof(size_t))
		return false;
	for (i = known; i < sz; i++)
		if (p[i])
			return false;
	return true;
}
#define OPTS_VALID(opts, TYPE) \
	(!(opts) || opts_valid((opts), offsetofend(struct TYPE, TYPE##__last_field), (opts)->sz))
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(typeof(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/*
 * sys.c: fault injection for host tests.  A test that defines sys_fault() sees every call of
 * @call's kind first, with its arguments as longs: it returns SYS_FAULT_PASS to let the kernel
 * answer, or the answer itself (-errno, a count; it may fill the call's output, or make a shorter
 * call itself for a short read).
 */
enum sys_fault_call { SYS_FAULT_MOVE_PAGES, SYS_FAULT_MIGRATE_PAGES, SYS_FAULT_PREAD };
#define SYS_FAULT_PASS LONG_MIN
long sys_fault(enum sys_fault_call call, const long *args) __attribute__((weak, visibility("hidden")));

/* sys.c: every raw syscall, wrapped once; each returns 0 (or a count) or -errno. */
long sys_move_pages(pid_t pid, unsigned long count, void **pages, const int *nodes, int *status, int flags);
long sys_migrate_pages(pid_t pid, unsigned long maxnode, const unsigned long *old_nodes,
		       const unsigned long *new_nodes);
int sys_pidfd_open(pid_t pid, unsigned int flags);
long sys_pread(int fd, void *buf, size_t len, off_t off);
long sys_read(int fd, void *buf, size_t len);
long sys_write(int fd, const void *buf, size_t len);
int sys_pipe(int fds[2]);
int sys_open(const char *path, int flags);
int sys_openat(int dirfd, const char *path, int flags);
int sys_close(int fd);
long sys_ioctl(int fd, unsigned long req, void *arg);
struct pollfd;
int sys_poll(struct pollfd *fds, unsigned long n, int timeout);
int sys_capget_effective(uint64_t *caps);
int sys_cap_drop_effective(int cap, uint64_t *saved);
int sys_cap_restore_effective(uint64_t saved);
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/*
 * errbuf.c: write a one-line reason into the caller's @buf (when it has one: @buf and @len) and
 * return @ret; control characters become '?'.
 */
int errbuf_fail(char *buf, size_t len, int ret, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* procfs helpers (proc.c) */
struct pm_proc {
	char root[PATH_MAX / 4];	/* "/proc" */
	pid_t pid;
};
int proc_path(const struct pm_proc *p, const char *file, char *buf, size_t len);
FILE *proc_fopen(const struct pm_proc *p, const char *file, int *err);
/* The value of "@key:" in /proc/PID/status, trimmed; -ENOENT when the key is absent. */
int proc_status_get(const struct pm_proc *p, const char *key, char *buf, size_t len);
/* The file's text without trailing newlines; -EOVERFLOW when it does not fit (@buf has a prefix). */
int read_file_str(const char *path, char *buf, size_t len);
int read_file_u64(const char *path, uint64_t *val);
int write_file_str(const char *path, const char *s);

/* the handle (space.c) */
struct pagemig {
	struct pm_proc proc;
	char sys_root[PATH_MAX / 4];
	struct pagemig_topology *topo;
	int pagemap_fd;		/* -1 until first needed */
	int pidfd;		/* -1 for canned trees and kernels without pidfd_open */
	uint64_t base_page;	/* the base page size */
	uint64_t thp_size;	/* a PMD-mapped THP (hpage_pmd_size under sys_root), 0 without THP */
	int pagemap_scan;	/* PAGEMAP_SCAN ioctl: 0 untried, 1 works, -1 unsupported */
	void *residency_buf;	/* residency.c's scratch, allocated on first use */
	pthread_mutex_t reg_lock;	/* ops.c: the registry's, recursive: the agent's thread holds it
					   through a transaction, and its hooks may register */
	struct pagemig_agent *agent;	/* agent.c: the agent serving this handle, or NULL */
	struct handler_reg *handlers;	/* ops.c: the registry, in registration order */
	int nr_handlers;
	int cap_handlers;
	int next_handler_id;
	void **plugins;		/* plugin.c: dlopen handles, closed by pagemig_close() */
	int nr_plugins;
	struct builtins *builtins;	/* handlers/: the built-ins' state */
	char explain[200];	/* pagemig_handler_explain() */
};

/* ops.c: the handler registry. */
struct handler_reg {
	int id;
	const struct pagemig_region_ops *ops;
	void *ctx;
	bool range;
	uint64_t start;
	uint64_t len;
};
const struct handler_reg *ops_claim(const struct pagemig *pm, const struct pagemig_region *r);
void ops_init(struct pagemig *pm);
void ops_lock(const struct pagemig *pm);
void ops_unlock(const struct pagemig *pm);
void ops_release(struct pagemig *pm);
void plugins_release(struct pagemig *pm);
void builtins_release(struct pagemig *pm);
/*
 * handlers/builtins.c: whether every registered handler is a built-in one and --strict is off:
 * then no handler looks at more of a region than its kind, numa_maps' counts and page size.
 */
bool builtins_only(const struct pagemig *pm);
/* space.c: 0 while the target lives, -ESRCH once it has exited (or is a zombie). */
int space_check_alive(const struct pagemig *pm);
/* space.c: after a /proc file of the target ended: 0 when it was whole, -ESRCH when the target is
 * exiting (its files end at exit_mm(), before its pidfd turns readable) or gone. */
int space_check_complete(const struct pagemig *pm);
/* space.c: 0 when move_pages(2) will let us move the target's pages (real credentials), -EACCES. */
int space_check_move(const struct pagemig *pm, char *eb, size_t el);

/* regions.c: pagemig_regions_open(), and the flags only the library passes (REGIONS_NO_SPLIT). */
int regions_open(struct pagemig *pm, unsigned int flags, struct pagemig_region_iter **out);
/*
 * regions_open() only, with PAGEMIG_REGIONS_LIGHT: numa_maps' counts alone, all counted private,
 * without reading pagemap to split regions mapped more than once (the shared libraries' text) into
 * private and shared.  For the agent, whose hooks need the owner's regions' per-node counts only.
 */
#define REGIONS_NO_SPLIT (1U << 31)
/* regions.c: an iterator over given streams (it owns them); @pm NULL or @numa_maps NULL allowed. */
int regions_open_streams(struct pagemig *pm, FILE *smaps, FILE *numa_maps, unsigned int flags,
			 struct pagemig_region_iter **out);
/*
 * filter.c: the first piece of @r at or after @at that @f selects: the whole region (once), or,
 * when @f selects @r by address ranges alone, its part inside them, widened outward to whole pages
 * of @r (a range that starts or ends inside a page takes the page).  False when none is left.
 */
bool filter_piece(const struct pagemig_filter *f, const struct pagemig_region *r, uint64_t at, uint64_t *lo,
		  uint64_t *hi);
/* filter.c: the text a filter was compiled from ("" for NULL). */
const char *filter_source(const struct pagemig_filter *f);
/* kind.c */
enum pagemig_kind region_kind(const struct pagemig_region *r);
/*
 * kind.c: whether VmFlags (smaps alone shows them) could give a region with this path another
 * kind than the path and numa_maps do; true where unsure.
 */
bool kind_needs_vmflags(const char *path);
/* residency.c: fill @r's pagemap counts; residency_release() frees what the handle holds. */
int residency_count(struct pagemig *pm, struct pagemig_region *r);
void residency_release(struct pagemig *pm);
/*
 * residency.c: the pages of [@r->start, @r->end) per node (@nodes: PAGEMIG_MAX_NODES entries, in
 * pages of @r->page_size) from pagemap and a placement query, and the bytes resident there; 0 or
 * -errno (-ESRCH: the target exited).  A page the placement query cannot see (NUMA-hinting
 * protection on 6.1) is resident but on no node.
 */
int residency_nodes(struct pagemig *pm, struct pagemig_region *r, uint64_t *nodes, uint64_t *resident);


/* pagemap (residency.c): entry bits of /proc/PID/pagemap, see the kernel's pagemap.rst. */
#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_SOFT_DIRTY	(1ULL << 55)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_FILE		(1ULL << 61)
#define PM_SWAPPED	(1ULL << 62)
#define PM_PRESENT	(1ULL << 63)
/* Read @n pagemap entries of the target from @addr; returns how many were read, or -errno. */
long pagemap_read(struct pagemig *pm, uint64_t addr, size_t n, uint64_t *entries);
/*
 * The first address in [@start, @end) that holds a present page, @end when none does, or @start
 * when the kernel cannot say (PAGEMAP_SCAN is 6.7+): one page-table walk that skips holes at every
 * level, where reading pagemap costs 8 bytes per page of a hole (2 GiB for a 1 TiB reservation).
 * Thread-safe once pagemap is open.
 */
uint64_t pagemap_next_present(struct pagemig *pm, uint64_t start, uint64_t end);
/* Whether the kernel has PAGEMAP_SCAN (6.7+): holes cost nothing to skip. */
bool pagemap_can_scan(struct pagemig *pm);

/* stats.c */
void stats_add_error(struct pagemig_stats *st, int err, uint64_t bytes);
void stats_copy_out(struct pagemig_stats *dst, const struct pagemig_stats *src);

/*
 * The move path, one step per file (move.c has the whole picture): records.c reads and selects
 * the regions into records, plan.c counts them, hooks.c runs the region handlers, batches.c moves
 * the records' pages in chunks on worker threads, each with an engine (engine.c: batches of
 * move_pages(2)), verify.c checks numa_maps and falls back to migrate_pages(2), move.c reports.
 */

/*
 * intern.c: one copy of each distinct byte string (8-byte aligned, NUL after it), stable until
 * intern_free(); NULL without memory.  Not thread-safe: a move interns while it reads regions.
 */
struct intern {
	struct intern_chunk *chunk;	/* the newest; each points to the one before */
	const void **slots;		/* open addressing over the copies, at most 3/4 full */
	size_t nslots;
	size_t n;
};
const void *intern(struct intern *t, const void *p, size_t len);
void intern_free(struct intern *t);

/*
 * records.c: one selected region of a move, and what happened to it, kept small: a move of
 * 100,000 regions keeps 100,000 records.  The region is encoded once in the move's table (its
 * strings interned, equal encodings shared); its counters are a few inline slots, all of them and
 * the per-errno bytes out of line (struct rec_more) only when needed.
 */
#define REC_SLOTS 4
struct rec_more;
struct rec {
	uint64_t start;			/* the region's range */
	uint64_t end;
	const unsigned char *blob;	/* the rest of the region, encoded: rec_region() */
	uint64_t unseen;		/* resident bytes move_pages(2) could not see (verify.c) */
	uint64_t src_left;		/* bytes left on source nodes at the last verify */
	uint64_t cnt[REC_SLOTS];	/* counters: rec_stats(), rec_count() */
	uint8_t cnt_stat[REC_SLOTS];	/* which enum pagemig_stat each slot counts, or 0xff */
	bool ran;		/* the claiming handler's migrate was called */
	bool done;		/* the region needs no page moved by us (PAGEMIG_REGION_DONE) */
	bool empty;		/* nothing resident when the regions were read (a reservation) */
	bool settled;		/* counted by the whole-process move (whole.c): no page to move here */
	uint64_t whole_moved;	/* bytes the whole-process move moved (whole.c) */
	struct rec_more *more;	/* the claiming handler, all counters: NULL until needed */
};

/* What few records need: the handler that claims it, and every counter once the slots are full. */
struct rec_more {
	const struct pagemig_region_ops *ops;	/* the claiming handler of ours, or NULL (hooks.c) */
	const char *owner;	/* the owner's handler (in the target's agent) that claims it, or NULL */
	void *ctx;
	struct pagemig_stats *wide;	/* all of the record's counters and errors, or NULL: the slots */
};

struct recs {
	struct rec *v;
	size_t n;
	size_t cap;
	struct intern tab;	/* the records' regions, encoded, and their strings */
};
/* A copy of @r as a new record (@rs owns it); NULL without memory. */
struct rec *records_add(struct recs *rs, const struct pagemig_region *r);
void records_free(struct recs *rs);
/*
 * The region a record stands for, decoded into @buf (returned): the one place a record turns back
 * into a region.  Its strings and node counts are the record set's, valid until records_free().
 * Thread-safe: records do not change their region.
 */
const struct pagemig_region *rec_region(const struct rec *x, struct pagemig_region *buf);
/* The record's claiming handler's state (hooks.c), allocated on first use; NULL without memory. */
struct rec_more *rec_more(struct rec *x);
/*
 * The record's counters as a whole struct (@st: its bytes and errors; the rest 0), and back:
 * rec_stats_set() keeps @st's bytes and errors; -ENOMEM (the record unchanged) when they need
 * room out of line and there is none.  rec_stats_add() adds @d's (pagemig_stats_add()),
 * rec_count() @bytes to one counter, rec_stat() reads one.  Callers serialize access to a record.
 */
void rec_stats(const struct rec *x, struct pagemig_stats *st);
int rec_stats_set(struct rec *x, const struct pagemig_stats *st);
int rec_stats_add(struct rec *x, const struct pagemig_stats *d);
int rec_count(struct rec *x, enum pagemig_stat stat, uint64_t bytes);
uint64_t rec_stat(const struct rec *x, enum pagemig_stat stat);
/*
 * Read the target's regions that @filter selects into @rs, calling @fn (if any) for each new
 * record; @flags: regions_open()'s (0: smaps and numa_maps).
 */
int records_read(struct pagemig *pm, const struct pagemig_filter *filter, unsigned int flags, struct recs *rs,
		 int (*fn)(struct rec *x, void *ctx), void *ctx);
/*
 * Read the regions again and call @fn for each record with its region as it is now, or with NULL
 * when its region is gone (regions mapped since the first read have no record: not ours).
 */
int records_reread(struct pagemig *pm, struct recs *rs,
		   int (*fn)(const struct pagemig_region *now, struct rec *x, void *ctx), void *ctx);

/* plan.c: bytes of @r (numa_maps' counts) on nodes whose pages should move. */
uint64_t plan_source_bytes(const struct pagemig_plan *p, const struct pagemig_region *r);
/* plan.c: bytes of @r on the plan's destination nodes that are no source of it (whole.c's gains). */
uint64_t plan_dest_bytes(const struct pagemig_plan *p, const struct pagemig_region *r);
/* plan.c: @r's numa_maps counts by what the plan does with them (a dry run's counts). */
void plan_count_region(const struct pagemig_plan *p, const struct pagemig_region *r, struct pagemig_stats *st);

/*
 * engine.c: the rate limit of a move (pagemig_move_opts.rate), one schedule that every thread of
 * the move shares: a batch of B bytes starts no earlier than @next_ns, which then moves on by
 * B / @pace.  The batches started in any one second then add up to at most one batch
 * (@max_batch) plus @pace bytes, and @pace is the asked rate less @max_batch.
 */
struct ratelimit {
	pthread_mutex_t lock;
	uint64_t pace;			/* bytes per second */
	uint64_t max_batch;		/* bytes */
	uint64_t next_ns;
};

/* engine.c: moving one chunk of a region's pages with move_pages(2).  Its fields are engine.c's. */
struct engine {
	struct pagemig *pm;
	pid_t pid;
	const struct pagemig_plan *plan;
	int mpol_flags;			/* MPOL_MF_MOVE or MPOL_MF_MOVE_ALL */
	unsigned int batch;
	unsigned int retries;
	uint64_t base;			/* base page size */
	uint64_t thp_size;
	int kpf_fd;			/* /proc/kpageflags, or -1 */
	uint64_t unseen;		/* resident bytes of the current chunk move_pages(2) could not see */
	uint64_t syscalls;
	uint64_t t0;
	int (*progress)(const struct pagemig_progress *p, void *ctx);
	void *progress_ctx;
	struct pagemig_progress prog;	/* alone: the totals; with @sh: what is not yet added there */
	struct engine_shared *sh;	/* workers of one move share progress and a stop flag */
	bool main;			/* the calling thread's engine: the one that calls @progress */
	bool thp_probe;			/* records read without smaps: look for THPs in every region */
	struct ratelimit *rl;		/* NULL: no rate limit; workers share the calling thread's */
	struct ratelimit own_rl;
	/* scratch: candidates of one chunk, and one batch, carved from one mapping (@scratch) */
	void *scratch;
	size_t scratch_len;
	uint64_t *ents;
	void **addr;
	uint64_t *size;
	int *target;
	int *reason;
	void **baddr;
	size_t *bidx;
	int *bnodes;
	int *bstatus;
	int *qstatus;
};

struct engine_shared {
	pthread_mutex_t lock;
	struct pagemig_progress prog;
	int stop;			/* non-zero: every worker stops with this error */
	uint64_t syscalls;		/* the workers', added when they are released */
};
int engine_init(struct engine *e, struct pagemig *pm, const struct pagemig_plan *plan,
		const struct pagemig_move_opts *opts);
/* A worker's engine: @main's settings and rate limit, progress and stop flag shared in @sh. */
int engine_init_worker(struct engine *w, const struct engine *main, struct engine_shared *sh);
void engine_release(struct engine *e);
/*
 * The calling thread's engine shares its progress in @sh while workers run (the pagemap descriptor
 * they share is opened first: 0 or -errno), and takes it back, with the workers' syscall counts.
 */
int engine_share(struct engine *e, struct engine_shared *sh);
void engine_unshare(struct engine *e, struct engine_shared *sh);
/* The move's progress callback (hooks.c puts the agent's lease under it). */
void engine_set_progress(struct engine *e, int (*fn)(const struct pagemig_progress *p, void *ctx), void *ctx);
/* Bytes the move plans to move, for the progress total. */
void engine_add_total(struct engine *e, uint64_t bytes);
uint64_t engine_syscalls(const struct engine *e);
uint64_t engine_elapsed_ns(const struct engine *e);
/*
 * Move the pages of one chunk [@start, @end) of @r (@end at most engine_chunk_end(@start): batches.c cuts them)
 * that are on a node of @phase; @first: the first phase, which also counts what stays.  @unseen
 * gets the resident bytes move_pages(2) could not see (verify.c tells hidden from gone).
 */
int engine_move_chunk(struct engine *e, const struct pagemig_region *r, uint64_t start, uint64_t end,
		      const struct pagemig_nodemask *phase, bool first, struct pagemig_stats *st, uint64_t *unseen);
uint64_t engine_chunk_end(const struct engine *e, const struct pagemig_region *r, uint64_t addr);
/*
 * Past the pages of [@addr, @end) of @r that are not present (pagemap_next_present(); THP-aligned),
 * counted as not present on the first phase: where the next chunk starts, @end when nothing is
 * left.  Unmovable and hugetlb regions are not skipped into (every page is counted there): @addr.
 */
uint64_t engine_skip_holes(struct engine *e, const struct pagemig_region *r, uint64_t addr, uint64_t end, bool first,
			   struct pagemig_stats *st);
uint64_t engine_now_ns(void);
/* A CLOCK_REALTIME deadline @ns from now, for pthread_cond_timedwait() (batches.c, whole.c). */
struct timespec;
void engine_deadline(struct timespec *ts, long ns);
/* After each batch, and once at the end: the shared counts, the stop flag, the callback. */
int engine_report(struct engine *e);
/*
 * object.c: @c base pages of our own address space (mapped; at most a chunk's worth), moved as a
 * chunk's candidates are (not with @dry_run): those on a source node are planned and go to their
 * targets, in batches with retries, the rest count as stayed or elsewhere, and those not mapped
 * after all are not counted; @unseen gets the planned bytes that vanished during the move.
 */
int engine_move_own(struct engine *e, void *const *addr, size_t c, bool dry_run, struct pagemig_stats *st,
		    uint64_t *unseen);

/*
 * object.c (PAGEMIG_MOVE_OBJECTS): whether @r is a shared mapping of an object (shm or a file);
 * 0 when we may open /proc/PID/map_files (CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else -EPERM;
 * move (or with @dry_run count) the pages of @r's object that are in memory but not mapped by the
 * target, through a mapping of our own, folding their counts into the region's @st.
 */
bool object_is_candidate(const struct pagemig_region *r);
int object_check_privilege(void);
int object_move(struct pagemig *pm, struct engine *e, const struct pagemig_region *r, bool dry_run,
		struct pagemig_stats *st);

/*
 * batches.c: one phase of a move: the pages of @rs's records that are on a node of @phase move,
 * chunk by chunk in address order, on up to @threads threads (the calling thread with @e is one).
 */
int batches_move(struct engine *e, struct recs *rs, unsigned int threads, const struct pagemig_nodemask *phase,
		 bool first);

/* hooks.c: the region handlers of one move, ours and the owner's (in the target's agent). */
struct hooks {
	struct pagemig *pm;
	const struct pagemig_plan *plan;
	unsigned int flags;		/* the move's PAGEMIG_MOVE_* */
	struct pagemig_handler_error *he;	/* the caller's, or NULL */
	struct pagemig_agent_conn *agent;	/* the target's agent, once its handlers ran */
	struct agent_result *owner;		/* what they did, per region they claimed */
	size_t nowner;
	int (*user_progress)(const struct pagemig_progress *p, void *ctx);	/* under hooks_progress() */
	void *user_ctx;
};
/* The owner's migrate hooks, in the target's agent, for the regions @filter selects. */
int hooks_owner_migrate(struct hooks *h, struct pagemig_agent_conn *agent, const struct pagemig_filter *filter);
/* The claiming handler's migrate hook for @x (none in a dry run); a region it kept is done. */
int hooks_migrate(struct hooks *h, struct rec *x);
/* Every handler that ran gets its finish hook with the move's outcome @err; the agent, FINISH. */
void hooks_finish(struct hooks *h, struct recs *rs, int err);
/* The agent's lease: kept from this thread (@now false), or by a thread until the next call. */
void hooks_keep_lease(struct hooks *h, bool now);
/* A progress callback that keeps the lease, then calls the caller's (engine_set_progress()). */
int hooks_progress(const struct pagemig_progress *p, void *ctx);
void hooks_release(struct hooks *h);

/*
 * verify.c: after the batches, numa_maps says what move_pages(2) could not see: hidden pages
 * (on 6.1, NUMA-hinting protection), moved with migrate_pages(2) when the move allows it.
 * @syscalls counts the migrate_pages(2) calls.
 */
int verify_move(struct pagemig *pm, const struct pagemig_plan *plan, const struct pagemig_move_opts *opts,
		struct recs *rs, struct hooks *h, uint64_t *syscalls);
/* Verify @rs against numa_maps without a fallback (pagemig_move_region()). */
int verify_only(struct pagemig *pm, const struct pagemig_plan *plan, struct recs *rs);
bool has_cap(int cap);

/*
 * whole.c: the whole process moved with migrate_pages(2), when nothing needs the per-page engine
 * (no filter, no rate, no region a handler kept, destinations the target may use); each region
 * counted from numa_maps before (its record) and after.  @left gets how many records still have
 * pages on a source node: the per-page engine moves those (take() skips settled records) and
 * whole_fixup() adds what migrate_pages(2) moved there (@paged false: it did not run).
 * whole_migrate() makes the calls alone, progress reported with @e (verify.c's fallback: NULL).
 */
bool whole_allowed(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts,
		   const struct recs *rs);
/* whole_allowed() before any record is read: the options and the plan allow it. */
bool whole_may(struct pagemig *pm, const struct pagemig_plan *p, const struct pagemig_move_opts *opts);
/* whole_allowed()'s other half: a movable region a handler moved itself, or kept (it would move). */
bool whole_kept(const struct recs *rs);
int whole_migrate(struct pagemig *pm, const struct pagemig_plan *p, bool move_all, struct engine *e,
		  uint64_t *syscalls);
int whole_move(struct engine *e, struct recs *rs, bool move_all, size_t *left, uint64_t *syscalls);
int whole_fixup(const struct pagemig_plan *p, struct recs *rs, bool paged);

int nodemask_parse_list(const char *str, struct pagemig_nodemask *out);

#endif
