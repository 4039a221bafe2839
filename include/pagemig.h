/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pagemig.h - move a running process's memory between NUMA nodes, region by region.
 *
 * The only public header of libpagemig.  Conventions (see STYLE.md):
 *  - functions that act return 0 or a negative errno; they never print, exit or set errno;
 *  - counts go into structs, never into a return value shared with errors;
 *  - option structs start with `size_t sz` (set it to sizeof the struct you were compiled with):
 *    declare them with PAGEMIG_OPTS(), which also zeroes the bytes past the fields you set;
 *  - every allocating function has a NULL-safe destructor of the same prefix.
 *
 * Thread safety: a struct pagemig handle, its iterators and its registry may be used by one thread
 * at a time.  Node-mask functions and pagemig_plan() are pure and thread-safe.
 */
#ifndef PAGEMIG_H
#define PAGEMIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PAGEMIG_API __attribute__((visibility("default")))

/**
 * PAGEMIG_OPTS() - declare option struct @NAME of type struct @TYPE with its @sz set and every
 * other byte zero, padding included, then the designated initializers given (libbpf's
 * LIBBPF_OPTS): `PAGEMIG_OPTS(pagemig_move_opts, opts, .flags = PAGEMIG_MOVE_ALL);`.
 *
 * The library rejects (-EINVAL) an option struct whose bytes past the fields it knows are not
 * zero (a caller built against a newer header asked for something this library cannot do), and
 * one whose @sz is smaller than a size_t.  A struct initialized field by field may hold garbage
 * in its padding: use this macro, or memset() the struct first.  Needs GCC or Clang (a statement
 * expression).
 */
#define PAGEMIG_OPTS(TYPE, NAME, ...)                                         \
	struct TYPE NAME = ({                                                 \
		__builtin_memset(&NAME, 0, sizeof(struct TYPE));              \
		(struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ };      \
	})

/**
 * pagemig_version() - the library's version string, "MAJOR.MINOR.PATCH".
 *
 * Return: a static string.
 */
PAGEMIG_API const char *pagemig_version(void);

/* ------------------------------------------------------------------------------------------ */
/* Node masks                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/** PAGEMIG_MAX_NODES - the largest node count a mask holds (nodes 0 .. 1023). */
#define PAGEMIG_MAX_NODES 1024

/**
 * struct pagemig_nodemask - a set of NUMA nodes.
 * @bits: node n is bit (n % 64) of bits[n / 64].  Zero-initialize, or use pagemig_nodemask_zero().
 */
struct pagemig_nodemask {
	uint64_t bits[PAGEMIG_MAX_NODES / 64];
};

/** pagemig_nodemask_zero() - empty @m. */
PAGEMIG_API void pagemig_nodemask_zero(struct pagemig_nodemask *m);
/** pagemig_nodemask_set() - add @node to @m; out-of-range nodes are ignored. */
PAGEMIG_API void pagemig_nodemask_set(struct pagemig_nodemask *m, int node);
/** pagemig_nodemask_clear() - remove @node from @m; out-of-range nodes are ignored. */
PAGEMIG_API void pagemig_nodemask_clear(struct pagemig_nodemask *m, int node);
/** pagemig_nodemask_is_set() - whether @node is in @m (false when out of range). */
PAGEMIG_API bool pagemig_nodemask_is_set(const struct pagemig_nodemask *m, int node);
/** pagemig_nodemask_is_empty() - whether @m has no node. */
PAGEMIG_API bool pagemig_nodemask_is_empty(const struct pagemig_nodemask *m);
/** pagemig_nodemask_is_equal() - whether @a and @b hold the same nodes. */
PAGEMIG_API bool pagemig_nodemask_is_equal(const struct pagemig_nodemask *a, const struct pagemig_nodemask *b);
/** pagemig_nodemask_is_subset() - whether every node of @a is in @b. */
PAGEMIG_API bool pagemig_nodemask_is_subset(const struct pagemig_nodemask *a, const struct pagemig_nodemask *b);
/** pagemig_nodemask_weight() - the number of nodes in @m. */
PAGEMIG_API int pagemig_nodemask_weight(const struct pagemig_nodemask *m);
/**
 * pagemig_nodemask_next() - the lowest node in @m above @prev.
 * @m: the mask.
 * @prev: -1 to start.
 *
 * Iterate with `for (n = pagemig_nodemask_next(m, -1); n >= 0; n = pagemig_nodemask_next(m, n))`.
 * Return: a node, or -1 when there is none.
 */
PAGEMIG_API int pagemig_nodemask_next(const struct pagemig_nodemask *m, int prev);
/** pagemig_nodemask_and() - @dst = @a & @b (@dst may alias either). */
PAGEMIG_API void pagemig_nodemask_and(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
				      const struct pagemig_nodemask *b);
/** pagemig_nodemask_or() - @dst = @a | @b (@dst may alias either). */
PAGEMIG_API void pagemig_nodemask_or(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
				     const struct pagemig_nodemask *b);
/** pagemig_nodemask_andnot() - @dst = @a & ~@b (@dst may alias either). */
PAGEMIG_API void pagemig_nodemask_andnot(struct pagemig_nodemask *dst, const struct pagemig_nodemask *a,
					 const struct pagemig_nodemask *b);
/**
 * pagemig_nodemask_nth() - the @n-th node of @m, counting from 0 in ascending order.
 *
 * Return: a node, or -1 when @m has @n or fewer nodes.
 */
PAGEMIG_API int pagemig_nodemask_nth(const struct pagemig_nodemask *m, int n);
/**
 * pagemig_nodemask_remap() - the kernel's node_remap(): where @node of @from goes in @to.
 * @from: the source mask.
 * @to: the destination mask.
 * @node: a node.
 *
 * The n-th node of @from maps to the (n mod weight(@to))-th node of @to.  A node that is not in
 * @from, or an empty @to, maps to itself.
 * Return: the mapped node.
 */
PAGEMIG_API int pagemig_nodemask_remap(const struct pagemig_nodemask *from, const struct pagemig_nodemask *to,
				       int node);
/**
 * pagemig_nodemask_format() - write @m in numactl's syntax ("0-3,6", "" when empty).
 * @m: the mask.
 * @buf: the output buffer, always NUL-terminated when @len > 0.
 * @len: its size.
 *
 * Return: 0, or -ENOSPC when @buf was too small (it then holds a truncated prefix).
 */
PAGEMIG_API int pagemig_nodemask_format(const struct pagemig_nodemask *m, char *buf, size_t len);

/**
 * struct pagemig_nodectx - what a node string is parsed and checked against.
 * @sz: sizeof(struct pagemig_nodectx).
 * @online: nodes that exist; NULL means "do not check".
 * @allowed: the target process's allowed nodes (its Mems_allowed): the meaning of "all", the
 *	universe of "!" and the base of "+" relative nodes; NULL means @online (or every node).
 * @memory: nodes with memory; nodes outside it are rejected when @need_memory is set.
 * @need_memory: reject nodes without memory (for migration targets).  Memory-only nodes (no CPUs)
 *	are always valid.
 */
struct pagemig_nodectx {
	size_t sz;
	const struct pagemig_nodemask *online;
	const struct pagemig_nodemask *allowed;
	const struct pagemig_nodemask *memory;
	bool need_memory;
};

/**
 * pagemig_nodemask_parse() - parse a numactl node string.
 * @str: "N", "N-M", comma lists of those, "all", a leading "!" (all allowed nodes except the
 *	list), a leading "+" (the list is relative to the allowed nodes: "+0" is the first one).
 * @ctx: the context to check against; NULL checks nothing (then "all", "!" and "+" are errors).
 * @out: the parsed mask (set only on success).
 * @err: where a one-line reason is written on failure, naming the bad token
 *	("node 9 does not exist (online: 0-3)"); may be NULL.
 * @errlen: its size.
 *
 * Every node named, each node inside a range included, is checked; nodes named after "!" are only
 * excluded, so they need no memory.  With @ctx->need_memory, "all" and "!" yield only nodes with
 * memory.  Numbers are decimal; spaces, empty entries and numbers of PAGEMIG_MAX_NODES or more are
 * syntax errors.
 * Return: 0; -EINVAL for bad syntax (including an empty result) or a bad @ctx (see
 * PAGEMIG_OPTS()); -ENODEV for a node that is not
 * online or outside the allowed nodes; -ENXIO for a node without memory when @ctx->need_memory.
 */
PAGEMIG_API int pagemig_nodemask_parse(const char *str, const struct pagemig_nodectx *ctx,
				       struct pagemig_nodemask *out, char *err, size_t errlen);

/* ------------------------------------------------------------------------------------------ */
/* Migration plans: the from -> to mapping of migrate_pages(2)                                 */
/* ------------------------------------------------------------------------------------------ */

/**
 * struct pagemig_plan - which node each node's pages go to, and in which order.
 * @target: target[n] is the node that pages now on node n move to, or -1 when they stay.
 * @nr_steps: the number of entries of @steps.
 * @steps: the source -> destination pairs in execution order: the order of the kernel's
 *	do_migrate_pages(), so that a node that is both a source and a destination is emptied
 *	before it is filled whenever the mapping allows it.
 * @from: the source mask it was made from.
 * @to: the destination mask it was made from.
 */
struct pagemig_plan {
	int16_t target[PAGEMIG_MAX_NODES];
	int nr_steps;
	struct {
		int16_t from;
		int16_t to;
	} steps[PAGEMIG_MAX_NODES];
	struct pagemig_nodemask from;
	struct pagemig_nodemask to;
};

/**
 * pagemig_plan() - compute the migrate_pages(2) mapping of @from onto @to.
 * @from: source nodes.
 * @to: destination nodes.
 * @plan: the result.
 *
 * The n-th node of @from goes to the (n mod weight(@to))-th node of @to.  When the masks differ in
 * weight, a source node that is also in @to stays where it is.  The kernel migrates node by node
 * in the order of @steps; pagemig decides every page's target from the node it was on before the
 * move began.  Both place every page the same way: masks are sets, so "0,1 -> 1,0" is the identity
 * (nothing moves; a swap cannot be expressed to migrate_pages(2)), no pair of masks maps with a
 * cycle, and the kernel's order never moves a page twice.
 * Return: 0, or -EINVAL when @from or @to is empty.
 */
PAGEMIG_API int pagemig_plan(const struct pagemig_nodemask *from, const struct pagemig_nodemask *to,
			     struct pagemig_plan *plan);

/* ------------------------------------------------------------------------------------------ */
/* Topology                                                                                    */
/* ------------------------------------------------------------------------------------------ */

struct pagemig_topology;

/**
 * struct pagemig_node_info - one node as sysfs describes it.
 * @sz: sizeof(struct pagemig_node_info), set by the caller.
 * @node: the node number.
 * @nr_cpus: its CPU count (0 for memory-only nodes, such as CXL memory expanders).
 * @cpulist: its CPUs in list syntax ("0-3"), "" when none; valid while the topology lives.
 * @mem_total: bytes of memory (MemTotal of its meminfo).
 * @mem_free: bytes free (MemFree).
 * @hugepages_total: huge pages of the default huge page size in its pool.
 * @hugepages_free: free ones.
 * @tier: its memory tier, the N of /sys/devices/virtual/memory_tiering/memory_tierN (a lower
 *	tier is faster memory; Linux 6.1 puts every node in tier 4, later kernels build tiers from
 *	the firmware's HMAT); -1 when the kernel has no memory tiers or the node is in none (a node
 *	without memory).
 * @read_latency: the firmware's (ACPI HMAT) read latency to this node from its best initiators
 *	(@initiators), in nanoseconds (nodeN/access0/initiators/read_latency); 0 when the kernel
 *	shows none.
 * @write_latency: likewise for writes, in nanoseconds; 0 when unknown.
 * @read_bandwidth: the HMAT read bandwidth from @initiators, in MB/s; 0 when unknown.
 * @write_bandwidth: likewise for writes, in MB/s; 0 when unknown.
 * @initiators: the nodes whose CPUs have the best access to this one (the nodeK links of
 *	access0/initiators), the nodes the four figures above are measured from; empty when the
 *	kernel shows none.
 *
 * New fields are added at the end: a caller built against an older, smaller struct (its @sz)
 * gets only the fields it knows.
 */
struct pagemig_node_info {
	size_t sz;
	int node;
	int nr_cpus;
	const char *cpulist;
	uint64_t mem_total;
	uint64_t mem_free;
	uint64_t hugepages_total;
	uint64_t hugepages_free;
	int tier;
	unsigned int read_latency;
	unsigned int write_latency;
	unsigned int read_bandwidth;
	unsigned int write_bandwidth;
	struct pagemig_nodemask initiators;
};

/**
 * pagemig_topology_load() - read the machine's NUMA nodes.
 * @sys_root: the sysfs mount ("/sys" when NULL); tests pass a canned tree.
 * @out: the new topology; free it with pagemig_topology_free().
 *
 * A kernel without NUMA support (no node directory) reads as one node 0 holding all memory.
 * Memory tiers come from @sys_root/devices/virtual/memory_tiering, HMAT figures from each node's
 * access0 directory; a kernel without them leaves those fields unset (see pagemig_node_info).
 * Return: 0 or -errno.
 */
PAGEMIG_API int pagemig_topology_load(const char *sys_root, struct pagemig_topology **out);
/** pagemig_topology_free() - free @t; NULL is fine. */
PAGEMIG_API void pagemig_topology_free(struct pagemig_topology *t);
/** pagemig_topology_online() - the online nodes. */
PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_online(const struct pagemig_topology *t);
/** pagemig_topology_memory() - the nodes with memory (N_MEMORY). */
PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_memory(const struct pagemig_topology *t);
/** pagemig_topology_cpus() - the nodes with CPUs. */
PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_cpus(const struct pagemig_topology *t);
/**
 * pagemig_topology_node() - describe one node.
 * Return: 0, or -ENODEV when @node is not online.
 */
PAGEMIG_API int pagemig_topology_node(const struct pagemig_topology *t, int node, struct pagemig_node_info *info);
/**
 * pagemig_topology_distance() - the SLIT distance from node @from to node @to.
 * @t: the topology.
 * @from: a node.
 * @to: a node.
 * @dist: where the distance is stored (10 for local).
 * Return: 0, or -ENODEV when either node is not online.
 */
PAGEMIG_API int pagemig_topology_distance(const struct pagemig_topology *t, int from, int to, int *dist);

/* ------------------------------------------------------------------------------------------ */
/* A target process                                                                            */
/* ------------------------------------------------------------------------------------------ */

struct pagemig;

/**
 * struct pagemig_open_opts - options of pagemig_open().
 * @sz: sizeof(struct pagemig_open_opts).
 * @proc_root: the procfs mount ("/proc" when NULL); unit tests pass a canned tree.
 * @sys_root: the sysfs mount ("/sys" when NULL).
 * @errbuf: when not NULL, a one-line reason for a failure is written here (for -EACCES, the
 *	rule that denied access).
 * @errlen: its size.
 * @flags: PAGEMIG_OPEN_* bits.
 */
struct pagemig_open_opts {
	size_t sz;
	const char *proc_root;
	const char *sys_root;
	char *errbuf;
	size_t errlen;
	unsigned int flags;
};

/**
 * PAGEMIG_OPEN_MOVE - the handle is for moving pages: also check move_pages(2)'s own access rule,
 * ptrace read access with the caller's real credentials (PTRACE_MODE_READ_REALCREDS), which may
 * deny what reading /proc allowed (that uses the filesystem credentials).
 */
#define PAGEMIG_OPEN_MOVE (1U << 0)

/**
 * pagemig_open() - open a target process.
 * @pid: the target; 0 means the calling process.
 * @opts: options, or NULL.
 * @out: the new handle; close it with pagemig_close().
 *
 * Checks that the caller may read the target's memory map: the kernel's ptrace read-access rule
 * with real credentials (the same process, or the same uid and not undumpable, or CAP_SYS_PTRACE).
 * A kernel thread (PF_KTHREAD in /proc/PID/stat) has no user memory to read or move: -ENOEXEC.
 * Return: 0; -ESRCH when there is no such process (or it is a zombie); -ENOEXEC when it is a kernel
 * thread; -EACCES when the caller may not read it; -EINVAL for a negative pid or bad @opts (see
 * PAGEMIG_OPTS()); other -errno.
 */
PAGEMIG_API int pagemig_open(pid_t pid, const struct pagemig_open_opts *opts, struct pagemig **out);
/** pagemig_close() - release @pm; NULL is fine. */
PAGEMIG_API void pagemig_close(struct pagemig *pm);
/** pagemig_pid() - the target's pid (the real one, also when opened with 0). */
PAGEMIG_API pid_t pagemig_pid(const struct pagemig *pm);
/** pagemig_topology() - the machine's topology as read by pagemig_open(). */
PAGEMIG_API const struct pagemig_topology *pagemig_topology(const struct pagemig *pm);
/**
 * pagemig_mems_allowed() - the nodes the target may allocate on (Mems_allowed_list of its status).
 * Return: 0 or -errno (-ESRCH once the target has exited).
 */
PAGEMIG_API int pagemig_mems_allowed(const struct pagemig *pm, struct pagemig_nodemask *out);

/* ------------------------------------------------------------------------------------------ */
/* Regions                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/**
 * enum pagemig_kind - what backs a region.
 * @PAGEMIG_KIND_HEAP: [heap].
 * @PAGEMIG_KIND_STACK: [stack] (and [stack:TID] on old kernels).
 * @PAGEMIG_KIND_ANON: private anonymous memory (also [anon:NAME]).
 * @PAGEMIG_KIND_FILE: a file mapping; private or shared as region->shared says.
 * @PAGEMIG_KIND_SHM: shared memory: MAP_SHARED anonymous (/dev/zero), memfd, SysV shm, tmpfs.
 * @PAGEMIG_KIND_HUGETLB: hugetlbfs-backed memory (VmFlags ht).
 * @PAGEMIG_KIND_SPECIAL: [vdso], [vvar], [vsyscall], [uprobes], and kernel buffers mapped into
 *	the process (anon_inode: mappings with VM_MIXEDMAP, such as io_uring's rings): not movable.
 * @PAGEMIG_KIND_NOPAGES: io or pfnmap regions (VmFlags io/pf): no struct pages behind them.
 * @PAGEMIG_KIND_OTHER: anything else.
 */
enum pagemig_kind {
	PAGEMIG_KIND_HEAP = 1,
	PAGEMIG_KIND_STACK,
	PAGEMIG_KIND_ANON,
	PAGEMIG_KIND_FILE,
	PAGEMIG_KIND_SHM,
	PAGEMIG_KIND_HUGETLB,
	PAGEMIG_KIND_SPECIAL,
	PAGEMIG_KIND_NOPAGES,
	PAGEMIG_KIND_OTHER,
};

/**
 * pagemig_kind_name() - a kind's short name: heap, stack, anon, file, shm, huge, special, nopages,
 * other (the names the region filter language uses).
 * Return: a static string ("?" for an unknown kind).
 */
PAGEMIG_API const char *pagemig_kind_name(enum pagemig_kind kind);
/**
 * pagemig_kind_is_movable() - whether regions of @kind have pages a move can move.
 * @kind: a region kind.
 *
 * Special regions and io/pfnmap regions (no struct pages behind them) are not: their resident
 * bytes count as PAGEMIG_STAT_UNMOVABLE.  Every other kind is, page by page.
 * Return: true or false.
 */
PAGEMIG_API bool pagemig_kind_is_movable(enum pagemig_kind kind);

/* VmFlags of smaps, as bits of pagemig_region.vmflags (unknown flags are kept in vmflags_str). */
#define PAGEMIG_VM_READ		(1ULL << 0)	/* rd */
#define PAGEMIG_VM_WRITE	(1ULL << 1)	/* wr */
#define PAGEMIG_VM_EXEC		(1ULL << 2)	/* ex */
#define PAGEMIG_VM_SHARED	(1ULL << 3)	/* sh */
#define PAGEMIG_VM_IO		(1ULL << 4)	/* io */
#define PAGEMIG_VM_PFNMAP	(1ULL << 5)	/* pf */
#define PAGEMIG_VM_LOCKED	(1ULL << 6)	/* lo */
#define PAGEMIG_VM_HUGETLB	(1ULL << 7)	/* ht */
#define PAGEMIG_VM_HUGEPAGE	(1ULL << 8)	/* hg: MADV_HUGEPAGE */
#define PAGEMIG_VM_NOHUGEPAGE	(1ULL << 9)	/* nh */
#define PAGEMIG_VM_DONTCOPY	(1ULL << 10)	/* dc: MADV_DONTFORK */
#define PAGEMIG_VM_DONTEXPAND	(1ULL << 11)	/* de */
#define PAGEMIG_VM_MIXEDMAP	(1ULL << 12)	/* mm */
#define PAGEMIG_VM_GROWSDOWN	(1ULL << 13)	/* gd */
#define PAGEMIG_VM_SOFTDIRTY	(1ULL << 14)	/* sd */
#define PAGEMIG_VM_MERGEABLE	(1ULL << 15)	/* mg: KSM */
#define PAGEMIG_VM_ACCOUNT	(1ULL << 16)	/* ac */
#define PAGEMIG_VM_NORESERVE	(1ULL << 17)	/* nr */
#define PAGEMIG_VM_LOCKONFAULT	(1ULL << 18)	/* lf */
#define PAGEMIG_VM_WIPEONFORK	(1ULL << 19)	/* wf */
#define PAGEMIG_VM_DONTDUMP	(1ULL << 20)	/* dd */
#define PAGEMIG_VM_UFFD_MISSING	(1ULL << 21)	/* um */
#define PAGEMIG_VM_UFFD_WP	(1ULL << 22)	/* uw */
#define PAGEMIG_VM_SEALED	(1ULL << 23)	/* sl */

/**
 * struct pagemig_region - one region (vma) of a target and where its memory lives.
 * @sz: sizeof(struct pagemig_region), set by the caller.
 * @start: first address.
 * @end: one past the last address.
 * @offset: file offset (maps' third field).
 * @perms: "rwxp" / "rw-s" as in maps, NUL-terminated.
 * @kind: see enum pagemig_kind.
 * @shared: the mapping is MAP_SHARED (perms[3] == 's').
 * @path: the path or pseudo-name ("[heap]", "[anon:name]", "/lib/x (deleted)"), "" for none;
 *	valid until the next pagemig_region_next() or close.
 * @vmflags: PAGEMIG_VM_* bits from smaps.
 * @vmflags_str: the raw VmFlags line (so flags this library does not know are not lost).
 * @page_size: bytes per page (KernelPageSize; 2 MiB or 1 GiB for hugetlb).
 * @policy: the memory policy from numa_maps ("default", "bind:0-1", "interleave:0-3", ...); ""
 *	when numa_maps has no line for the region ([vsyscall]) or does not exist (no CONFIG_NUMA),
 *	and then every node count is 0.
 * @rss: resident bytes (smaps Rss).
 * @anon: anonymous resident bytes (smaps Anonymous).
 * @anon_huge: bytes in transparent huge pages (AnonHugePages + ShmemPmdMapped + FilePmdMapped).
 * @hugetlb: bytes in hugetlb pages (Shared_Hugetlb + Private_Hugetlb).
 * @swap: bytes swapped out (smaps Swap).
 * @locked: bytes locked (smaps Locked).
 * @nr_nodes: the length of @node_pages (highest node with pages + 1, at least 1).
 * @node_pages: pages of @page_size resident per node, as numa_maps counts them; valid like @path.
 * @mapmax: the most processes any page of the region is mapped into (numa_maps mapmax, 1 if absent).
 * @has_pagemap: whether the following four counts were read from pagemap (PAGEMIG_REGIONS_PAGEMAP;
 *	false for io/pfnmap regions, which have no pages to count).  Counts are in base pages, also
 *	for hugetlb regions (a 2 MiB huge page counts 512).
 * @present: base pages present in RAM.
 * @swapped: base pages swapped out.
 * @exclusive: present base pages mapped by this process only (what MOVE may move).
 * @shared_pages: present base pages also mapped elsewhere (only MOVE_ALL moves them); the shared
 *	zero page (read but never written memory) counts here too.
 * @private_rss: resident bytes mapped by this process only, as smaps counts them (Private_Clean,
 *	Private_Dirty, Private_Hugetlb): always there, without pagemap's per-page walk.
 * @shared_rss: resident bytes also mapped by other processes (Shared_Clean, Shared_Dirty,
 *	Shared_Hugetlb).
 */
struct pagemig_region {
	size_t sz;
	uint64_t start;
	uint64_t end;
	uint64_t offset;
	char perms[5];
	enum pagemig_kind kind;
	bool shared;
	const char *path;
	uint64_t vmflags;
	const char *vmflags_str;
	uint64_t page_size;
	const char *policy;
	uint64_t rss;
	uint64_t anon;
	uint64_t anon_huge;
	uint64_t hugetlb;
	uint64_t swap;
	uint64_t locked;
	int nr_nodes;
	const uint64_t *node_pages;
	uint64_t mapmax;
	bool has_pagemap;
	uint64_t present;
	uint64_t swapped;
	uint64_t exclusive;
	uint64_t shared_pages;
	uint64_t private_rss;
	uint64_t shared_rss;
};

/** PAGEMIG_REGIONS_PAGEMAP - also read pagemap for exact present/swapped/exclusive/shared counts. */
#define PAGEMIG_REGIONS_PAGEMAP (1U << 0)
/**
 * PAGEMIG_REGIONS_LIGHT - read /proc/PID/maps instead of smaps: one page-table walk (numa_maps')
 * instead of two.  Then a region has what numa_maps and maps give: path, perms, policy, page size,
 * per-node pages, mapmax, and from them @rss (or @hugetlb for hugetlb regions) and the
 * @private_rss/@shared_rss split (all private when mapmax is 1, else split with pagemap for that
 * region alone).  @anon, @anon_huge, @swap, @locked and @vmflags stay 0, so io/pfnmap regions read
 * as the kind of their path (they have no resident pages).
 */
#define PAGEMIG_REGIONS_LIGHT (1U << 1)

struct pagemig_region_iter;

/**
 * pagemig_regions_open() - start reading the target's regions, in address order.
 * @pm: the target.
 * @flags: PAGEMIG_REGIONS_* bits.
 * @out: the iterator; close it with pagemig_regions_close().
 *
 * The /proc files are read as streams, in the caller's thread: memory use does not grow with the
 * target's size.  Regions that vanish while they are read are dropped.
 * Return: 0; -ESRCH when the target has exited; -EACCES; other -errno.
 */
PAGEMIG_API int pagemig_regions_open(struct pagemig *pm, unsigned int flags, struct pagemig_region_iter **out);
/**
 * pagemig_region_next() - read the next region.
 * @it: the iterator.
 * @r: filled in; set @r->sz first.
 *
 * Return: 1 with @r filled, 0 after the last region, -ESRCH when the target exited while it was
 * read, other -errno.  An exiting target's /proc files end early (at exit_mm(), before its pidfd
 * turns readable): at the end of the files the target's PF_EXITING is checked, so a list cut
 * short ends with -ESRCH, never with 0.
 */
PAGEMIG_API int pagemig_region_next(struct pagemig_region_iter *it, struct pagemig_region *r);
/**
 * pagemig_regions_select() - from the next pagemig_region_next() on, only the regions @filter
 * selects, and a region selected by address ranges alone cut to them.
 * @it: the iterator (of a target, not of bare streams).
 * @filter: a filter (pagemig_filter_parse()), or NULL for every region, whole; it must outlive
 *	its use by @it.
 *
 * A region that a kind or path term of @filter selects comes whole.  A region that only address
 * ranges select comes as its part inside them, one region per piece (ranges that overlap or
 * touch make one piece), each widened outward to whole pages of the region (a range that starts
 * or ends inside a page takes that page).  The kernel merges adjacent mappings whose flags and
 * policy match into one region, so a range is how one of them is picked.  A piece's @rss (or
 * @hugetlb) and @node_pages are its own, from pagemap and a placement query (move_pages(2) with
 * no nodes: the caller needs the access that reading the target's placement needs); smaps' sums
 * that cannot be split by address (@anon, @anon_huge, @swap, @locked, @private_rss) are the
 * whole region's, capped at what the piece holds.
 * Return: 0, -EINVAL (no @it, or bare streams with a filter), -ENOMEM.
 */
struct pagemig_filter;
PAGEMIG_API int pagemig_regions_select(struct pagemig_region_iter *it, const struct pagemig_filter *filter);
/**
 * pagemig_regions_dropped() - how many regions were left out so far because they changed while
 * they were read (in smaps but not in numa_maps, split, or cut short).
 * Return: the count (0 for a NULL @it).
 */
PAGEMIG_API unsigned int pagemig_regions_dropped(const struct pagemig_region_iter *it);
/** pagemig_regions_close() - free @it; NULL is fine. */
PAGEMIG_API void pagemig_regions_close(struct pagemig_region_iter *it);

/* ------------------------------------------------------------------------------------------ */
/* Region filters: one small language for every subcommand                                     */
/* ------------------------------------------------------------------------------------------ */

struct pagemig_filter;

/**
 * pagemig_filter_parse() - compile a region filter.
 * @str: comma-separated terms: kind names (heap, stack, anon, file, shm, huge, thp, special,
 *	nopages, other; thp: regions with transparent huge pages or MADV_HUGEPAGE), "ADDR-ADDR" hex
 *	ranges (0x optional, end exclusive; a region matches when it overlaps), path globs (anything
 *	with a '/', '*', '?' or '['; fnmatch(3) where '*' also matches '/', tried on the path with and
 *	without its " (deleted)", and a literal path such as "[anon:buf]" matches itself), each
 *	optionally negated with a leading '!'.  Spaces around terms are ignored.  A region matches
 *	when it matches any positive term (or there is none) and no negative term.
 * @out: the filter; free it with pagemig_filter_free().
 * @err: a one-line reason naming the bad token; may be NULL.
 * @errlen: its size.
 * Return: 0, -EINVAL for a bad filter, -ENOMEM.
 */
PAGEMIG_API int pagemig_filter_parse(const char *str, struct pagemig_filter **out, char *err, size_t errlen);
/** pagemig_filter_match() - whether @r passes @f; a NULL filter passes everything. */
PAGEMIG_API bool pagemig_filter_match(const struct pagemig_filter *f, const struct pagemig_region *r);
/** pagemig_filter_free() - free @f; NULL is fine. */
PAGEMIG_API void pagemig_filter_free(struct pagemig_filter *f);


/* ------------------------------------------------------------------------------------------ */
/* Moving pages                                                                                */
/* ------------------------------------------------------------------------------------------ */

/** PAGEMIG_MOVE_ALL - also move pages shared with other processes (needs CAP_SYS_NICE). */
#define PAGEMIG_MOVE_ALL (1U << 0)
/** PAGEMIG_MOVE_NO_FALLBACK - never use migrate_pages(2) for pages move_pages(2) cannot see. */
#define PAGEMIG_MOVE_NO_FALLBACK (1U << 1)
/** PAGEMIG_MOVE_DRY_RUN - plan and count, move nothing. */
#define PAGEMIG_MOVE_DRY_RUN (1U << 2)
/**
 * PAGEMIG_MOVE_OBJECTS - with PAGEMIG_MOVE_ALL: also move the pages of each selected shared
 * mapping's object (shm, memfd, shared anonymous memory, a MAP_SHARED file) that are in memory but
 * not mapped by the target (touched by other processes, perhaps exited since), within the range
 * the target maps.  The library maps the object itself through /proc/PID/map_files (which needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), moves those pages with move_pages(2) on its own
 * mapping (MPOL_MF_MOVE_ALL: the pages may be other processes' too), and unmaps it.  Counted as
 * PAGEMIG_STAT_OBJECT (part of PAGEMIG_STAT_MOVED).  Needs Linux 5.14 (MADV_POPULATE_READ).
 */
#define PAGEMIG_MOVE_OBJECTS (1U << 3)
/**
 * PAGEMIG_MOVE_PER_PAGE - move every page with move_pages(2), never the whole process with one
 * migrate_pages(2) call per plan step (see pagemig_move()): per-page progress, a stop within a
 * batch, @threads, for more CPU time per page.
 */
#define PAGEMIG_MOVE_PER_PAGE (1U << 4)

/**
 * enum pagemig_stat - what happened to a page; struct pagemig_stats counts bytes of each.
 * @PAGEMIG_STAT_PLANNED: resident on a source node with a different target when the move began.
 * @PAGEMIG_STAT_MOVED: such a page, now on its target (placement checked after the move).
 * @PAGEMIG_STAT_FALLBACK: the part of MOVED that migrate_pages(2) moved, because move_pages(2)
 *	could not see the pages (Linux 6.1 with NUMA balancing on reports such pages -ENOENT).
 * @PAGEMIG_STAT_OBJECT: the part of MOVED (and PLANNED) that PAGEMIG_MOVE_OBJECTS moved through the
 *	library's own mapping of a shared object: in memory, not mapped by the target (in a dry run:
 *	would move so).  Like the other pages of the object found that way, they are not counted as
 *	NOT_PRESENT.
 * @PAGEMIG_STAT_STAYED: resident on a source node that is also a destination and keeps its pages
 *	(the masks differ in weight, as in migrate_pages(2)): already where it belongs.
 * @PAGEMIG_STAT_ELSEWHERE: resident on a node that is not a source: not part of the move.
 * @PAGEMIG_STAT_SHARED: mapped by other processes too; MOVE leaves it (status -EACCES).
 * @PAGEMIG_STAT_BUSY: still busy after bounded retries (-EBUSY, -EAGAIN).
 * @PAGEMIG_STAT_NOMEM: the target node had no free memory (-ENOMEM).
 * @PAGEMIG_STAT_HIDDEN: resident on a source node, but the kernel would neither move nor show it
 *	(NUMA-hinting protection on 6.1) and no fallback was allowed or it failed.
 * @PAGEMIG_STAT_REFUSED: the kernel refused without a per-page reason (status entry left unwritten,
 *	as for long-term pinned pages such as io_uring fixed buffers).
 * @PAGEMIG_STAT_FAILED: any other per-page error; struct pagemig_stats.errors says which.
 * @PAGEMIG_STAT_NOT_PRESENT: not resident: never touched, the zero page, swapped out, or gone
 *	(unmapped during the move).
 * @PAGEMIG_STAT_UNMOVABLE: in a region with no movable pages (special or io/pfnmap regions).
 * @PAGEMIG_STAT_HANDLED: in a region whose handler returned PAGEMIG_REGION_DONE (resident bytes).
 * @PAGEMIG_STAT_MAX: the number of counters.
 */
enum pagemig_stat {
	PAGEMIG_STAT_PLANNED,
	PAGEMIG_STAT_MOVED,
	PAGEMIG_STAT_FALLBACK,
	PAGEMIG_STAT_STAYED,
	PAGEMIG_STAT_ELSEWHERE,
	PAGEMIG_STAT_SHARED,
	PAGEMIG_STAT_BUSY,
	PAGEMIG_STAT_NOMEM,
	PAGEMIG_STAT_HIDDEN,
	PAGEMIG_STAT_REFUSED,
	PAGEMIG_STAT_FAILED,
	PAGEMIG_STAT_NOT_PRESENT,
	PAGEMIG_STAT_UNMOVABLE,
	PAGEMIG_STAT_HANDLED,
	PAGEMIG_STAT_OBJECT,
	PAGEMIG_STAT_MAX,
};

/**
 * pagemig_stat_name() - a counter's short name ("moved", "shared", "not-present", ...).
 * Return: a static string.
 */
PAGEMIG_API const char *pagemig_stat_name(enum pagemig_stat stat);

/** PAGEMIG_STATS_ERRORS - how many distinct errnos struct pagemig_stats keeps apart. */
#define PAGEMIG_STATS_ERRORS 8

/**
 * PAGEMIG_STAT_SLOTS - the room for counters in struct pagemig_stats.bytes: enum pagemig_stat may
 * grow up to it without moving any field.
 */
#define PAGEMIG_STAT_SLOTS 32

/**
 * struct pagemig_stats - what a move did, in bytes.
 * @sz: sizeof(struct pagemig_stats), set by the caller.
 * @regions: regions visited.
 * @syscalls: move_pages(2) and migrate_pages(2) calls made (placement queries included).
 * @elapsed_ns: wall time.
 * @numa_balancing: the kernel's NUMA balancing was on: it may move pages back later.
 * @errors: for PAGEMIG_STAT_FAILED, bytes per errno (@errors[i].err is a positive errno; 0 ends).
 * @bytes: bytes per enum pagemig_stat; slots from PAGEMIG_STAT_MAX on are 0.
 *
 * The struct grows without breaking callers: every array in it has a fixed size (a new counter
 * takes a free slot of @bytes, its offset unchanged), and new fields go at its end.  The library
 * writes nothing past the caller's @sz (a caller built against an older header has a smaller one).
 */
struct pagemig_stats {
	size_t sz;
	uint64_t regions;
	uint64_t syscalls;
	uint64_t elapsed_ns;
	bool numa_balancing;
	struct {
		int err;
		uint64_t bytes;
	} errors[PAGEMIG_STATS_ERRORS];
	uint64_t bytes[PAGEMIG_STAT_SLOTS];
};

/**
 * pagemig_stats_add() - add the counts of @src to @dst (for totals over regions); only the fields
 * that both hold (by their @sz; a zero @sz means this header's size) are added.
 */
PAGEMIG_API void pagemig_stats_add(struct pagemig_stats *dst, const struct pagemig_stats *src);

/**
 * pagemig_stats_is_complete() - whether every page that should have moved is on its target.
 *
 * Shared pages under MOVE, pages not present and pages of unmovable regions do not make a move
 * incomplete; busy, no-memory, hidden, refused and failed pages do.
 */
PAGEMIG_API bool pagemig_stats_is_complete(const struct pagemig_stats *st);

/**
 * struct pagemig_progress - how far a move is, for the progress callback.
 * @done: bytes dealt with so far (moved or given up on).
 * @total: bytes planned (PAGEMIG_STAT_PLANNED over all selected regions).
 * @moved: bytes moved so far.
 * @elapsed_ns: time since the move began.
 */
struct pagemig_progress {
	uint64_t done;
	uint64_t total;
	uint64_t moved;
	uint64_t elapsed_ns;
};

/**
 * struct pagemig_move_opts - options of pagemig_move().
 * @sz: sizeof(struct pagemig_move_opts).
 * @flags: PAGEMIG_MOVE_* bits.
 * @filter: only regions this filter matches, a region selected by address ranges alone cut to
 *	them (pagemig_regions_select()): the handlers, the move and @region_done see the part; NULL
 *	for all.
 * @batch: pages per move_pages(2) call (default 32768, a chunk: each call has a fixed cost).
 * @retries: extra rounds for busy pages (default 3).
 * @progress: called after each batch (and while @rate holds one back, or about every 100 ms while
 *	a whole-process migrate_pages(2) call runs), from the calling thread; return non-zero to
 *	stop the move early, at the next batch or when that call returns (pagemig_move() then returns
 *	-ECANCELED with the counts so far, after every handler's finish()).
 * @progress_ctx: its context.
 * @region_done: called once per selected region, in address order, with the region and its
 *	counts when the region is finished; may be NULL.
 * @region_ctx: its context.
 * @handler_error: when not NULL, filled with the handler and region that stopped the move.
 * @threads: threads that move pages, each taking chunks of 32768 pages (128 MiB of 4 KiB pages)
 *	in address order (0: two, or one on a single-CPU machine; 1: only the calling thread; at
 *	most 8); a whole-process move (see pagemig_move()) makes one call at a time whatever this says.  Pages of one chunk go in
 *	one thread's batches, in plan order, so the counts and the order guarantees do not depend on
 *	it.  More than PAGEMIG_MAX_THREADS is -EINVAL.  More threads buy wall time with CPU time
 *	(bench/ has the figures).
 * @rate: the most bytes per second the move may move, 0 for no limit.  Batches wait their turn
 *	on one schedule that every thread shares, paced so that the batches started in any one
 *	second add up to no more than @rate: a batch is then at most @rate / 16 bytes (a huge page
 *	larger than that goes alone, whole), and the pace is @rate less one such batch.  While a
 *	batch waits, @progress is called about every 50 ms, so that it can stop the move.  The
 *	migrate_pages(2) fallback cannot be paced and is not used: pages it would have moved are
 *	reported as hidden.  The measured rate is @total's moved bytes over its elapsed time.
 * @agent: a connection to the target's agent (pagemig_agent_connect()), or NULL: the owner's own
 *	handlers then run first, in the target (see pagemig_agent_start()).
 */
struct pagemig_agent_conn;

struct pagemig_move_opts {
	size_t sz;
	unsigned int flags;
	const struct pagemig_filter *filter;
	unsigned int batch;
	unsigned int retries;
	int (*progress)(const struct pagemig_progress *p, void *ctx);
	void *progress_ctx;
	void (*region_done)(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx);
	void *region_ctx;
	struct pagemig_handler_error *handler_error;
	unsigned int threads;
	uint64_t rate;
	struct pagemig_agent_conn *agent;
};

/** PAGEMIG_MOVE_FLAGS - every PAGEMIG_MOVE_* flag this header knows; others are -EINVAL. */
#define PAGEMIG_MOVE_FLAGS \
	(PAGEMIG_MOVE_ALL | PAGEMIG_MOVE_NO_FALLBACK | PAGEMIG_MOVE_DRY_RUN | PAGEMIG_MOVE_OBJECTS | \
	 PAGEMIG_MOVE_PER_PAGE)
/** PAGEMIG_MAX_THREADS - the most threads pagemig_move_opts.threads may ask for. */
#define PAGEMIG_MAX_THREADS 8

/** PAGEMIG_PARTIAL - pagemig_move() finished, but some pages that should have moved did not. */
#define PAGEMIG_PARTIAL 1

/**
 * pagemig_move() - move the target's pages from one set of nodes to another.
 * @pm: the target.
 * @plan: the from -> to mapping (pagemig_plan()).
 * @opts: options, or NULL.
 * @total: the counts over every selected region (set @total->sz first); filled also on failure.
 *
 * First, the migrate hook of every region's handler runs (struct pagemig_region_ops), in address
 * order; an error from any of them stops the move before any page moves.  Then only resident
 * pages on a source node move, one plan step after another (the kernel's order).  When the move
 * takes every region (no filter, no rate, no region a handler kept or moved itself), the
 * destinations are nodes the target may use, and neither PAGEMIG_MOVE_PER_PAGE nor
 * PAGEMIG_MOVE_NO_FALLBACK is given, each step is one migrate_pages(2) call (the kernel walks the
 * page tables once; MOVE kept by dropping CAP_SYS_NICE for the call), on a thread of its own while
 * the calling thread reports progress (the pages mapped on the destination nodes since the call
 * began, from their vmstat: an estimate; a stop takes effect when the call returns), and each
 * region is counted from numa_maps before and after: what left its source nodes and reached the
 * destinations moved.  A region with pages still on a source
 * node then goes page by page as below, which tells why each stayed.  Otherwise pages move with
 * move_pages(2) in batches grouped by target node, on @threads threads, with
 * status arrays pre-filled with a sentinel and a placement query after each batch: the counts come
 * from what the kernel reports, not from what was asked.  Resident pages that move_pages(2) cannot
 * see (NUMA-hinting protection on Linux 6.1) are moved with migrate_pages(2) afterwards, keeping
 * MOVE semantics by dropping CAP_SYS_NICE for the call, unless a filter is set (migrate_pages(2)
 * moves the whole process), a handler kept a region to itself, or PAGEMIG_MOVE_NO_FALLBACK is
 * given.  A verify pass rereads numa_maps after the move.  With PAGEMIG_MOVE_OBJECTS, the shared
 * objects' pages that the target does not map move next (regions a handler moved itself are left
 * to it).  Last, every handler that ran gets finish() with the outcome.  Regions mapped after the
 * move began are not moved.
 *
 * Return: 0 when every page that should have moved is on its target; PAGEMIG_PARTIAL when some
 * did not (see @total); -EINVAL for a bad argument: @opts with a flag outside PAGEMIG_MOVE_FLAGS,
 * more than PAGEMIG_MAX_THREADS threads, or non-zero bytes past the fields this library knows
 * (PAGEMIG_OPTS()), or PAGEMIG_MOVE_OBJECTS without PAGEMIG_MOVE_ALL; -EACCES when move_pages(2)'s
 * access rule denies the caller (ptrace read access with real credentials: another uid's process
 * needs CAP_SYS_PTRACE; checked before anything, for a dry run too); -EPERM for PAGEMIG_MOVE_ALL
 * without CAP_SYS_NICE, or PAGEMIG_MOVE_OBJECTS without CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 * (checked before anything: nothing moved); -EOPNOTSUPP for PAGEMIG_MOVE_OBJECTS before Linux 5.14;
 * -ESRCH when the target exited (@total says what moved before); -ECANCELED when the progress
 * callback stopped it; a handler's -errno (@opts->handler_error says which; nothing moved);
 * other -errno.
 */
PAGEMIG_API int pagemig_move(struct pagemig *pm, const struct pagemig_plan *plan,
			     const struct pagemig_move_opts *opts, struct pagemig_stats *total);

/**
 * pagemig_move_region() - move the pages of one region (as read by pagemig_region_next()).
 * @pm: the target.
 * @r: the region, as pagemig_region_next() filled it; a handler may pass a trimmed copy.  Used:
 *	@r->start, @r->end, @r->kind and @r->page_size (which pages, and how they move),
 *	@r->anon_huge (non-zero: look for transparent huge pages, moved whole), @r->rss (the bytes
 *	counted as PAGEMIG_STAT_UNMOVABLE for special and io/pfnmap regions), and for
 *	PAGEMIG_MOVE_DRY_RUN @r->nr_nodes and @r->node_pages (the plan is counted from them, as
 *	pagemig_move() counts a dry run).
 * @plan: the mapping.
 * @opts: options, or NULL: @flags, @batch, @retries and @progress as for pagemig_move(); pages
 *	move on the calling thread (@threads is not used); @filter, @region_done and @handler_error
 *	are not used: no region handler runs, and there is no migrate_pages(2) fallback.  With
 *	PAGEMIG_MOVE_OBJECTS (@r->offset and @r->shared used too), the object's pages that the
 *	target does not map move after the region's, as for pagemig_move(); for a dry run they are
 *	counted alone when @r->node_pages is NULL.
 * @st: the region's counts (set @st->sz first), with @st->regions 1, @st->syscalls,
 *	@st->elapsed_ns and @st->numa_balancing as pagemig_move() fills them.
 *
 * Return: as pagemig_move().
 */
PAGEMIG_API int pagemig_move_region(struct pagemig *pm, const struct pagemig_region *r,
				    const struct pagemig_plan *plan, const struct pagemig_move_opts *opts,
				    struct pagemig_stats *st);


/* ------------------------------------------------------------------------------------------ */
/* Region migration functions: the seed's vm_ops->migrate, in user space                       */
/* ------------------------------------------------------------------------------------------ */

/** PAGEMIG_REGION_DONE - a migrate hook's "I moved this region myself: skip its regular migration". */
#define PAGEMIG_REGION_DONE 1

/**
 * struct pagemig_region_ops - a region's own migration function, and how it binds to regions.
 * @sz: sizeof(struct pagemig_region_ops).
 * @name: a short name for reports ("hugetlb", "pinned-pool").
 * @match: for class handlers: whether this handler claims region @r (its kind, path, flags).
 *	Must not block or fail.  Unused for range handlers (pagemig_region_register()).
 * @migrate: called for every claimed region before any regular page migration of the move (the
 *	seed's migrate_vmas()), in address order, with the move's source and destination nodes and
 *	flags (PAGEMIG_MOVE_ALL set for MOVE_ALL, else it is MOVE).  May block (it may take locks,
 *	unregister buffers, grow pools).  Returns 0 when regular migration should then move the
 *	region's pages as usual, PAGEMIG_REGION_DONE when the handler moved (or deliberately kept) the
 *	region itself and regular migration must skip it, or a negative errno: then no regular page
 *	migration happens anywhere in this move.  NULL means "return 0".
 * @finish: called exactly once for every region whose @migrate was called, after the move:
 *	with 0 when the move ran, or with the error that stopped it (a handler's, or the move's own)
 *	so that the handler can undo its preparation.  The handler whose @migrate failed gets its own
 *	error.  Must not fail.  NULL means nothing to undo.
 * @description: one line for listings (`pagemig handlers`); may be NULL.
 */
struct pagemig_region_ops {
	size_t sz;
	const char *name;
	bool (*match)(const struct pagemig_region *r, void *ctx);
	int (*migrate)(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		       const struct pagemig_nodemask *to, unsigned int flags, void *ctx);
	void (*finish)(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx);
	const char *description;
};

/**
 * pagemig_handler_register() - bind a handler to a class of regions (by its @ops->match).
 * @pm: the target.
 * @ops: the hooks; must stay valid while registered.
 * @ctx: passed to every hook.
 *
 * Each region gets at most one handler: a range handler (pagemig_region_register()) before any
 * class handler, and among class handlers the one registered first.
 * Return: a registration id (> 0), or -EINVAL (no @ops, no @ops->match, an @ops->sz that does not
 * reach @finish, or non-zero bytes past the fields this library knows), -ENOMEM.
 */
PAGEMIG_API int pagemig_handler_register(struct pagemig *pm, const struct pagemig_region_ops *ops, void *ctx);

/**
 * pagemig_region_register() - give the range [@addr, @addr + @len) of the calling process its own
 * migration function: the user-space counterpart of setting vma->vm_ops.
 * @pm: a handle on the calling process (pagemig_open(0, ...)).
 * @addr: start of the range.
 * @len: its length.
 * @ops: the hooks (@ops->match is not used); must stay valid while registered.
 * @ctx: passed to every hook.
 *
 * The handler claims every region that overlaps the range.
 * Return: a registration id (> 0); -EINVAL when @pm is not the calling process, @len is 0 or the
 * range overlaps another registered range; -ENOMEM.
 */
PAGEMIG_API int pagemig_region_register(struct pagemig *pm, uint64_t addr, uint64_t len,
					const struct pagemig_region_ops *ops, void *ctx);

/**
 * pagemig_handler_unregister() - undo a registration (a class or a range one).
 * Return: 0, or -ENOENT for an unknown id.
 */
PAGEMIG_API int pagemig_handler_unregister(struct pagemig *pm, int id);

/**
 * pagemig_handler_claim() - the handler that would claim region @r.
 * Return: its ops, or NULL when no handler claims it (regular migration only).
 */
PAGEMIG_API const struct pagemig_region_ops *pagemig_handler_claim(const struct pagemig *pm,
								    const struct pagemig_region *r);

/**
 * struct pagemig_handler_error - which handler stopped a move, filled by pagemig_move().
 * @err: its negative errno (0 when no handler failed).
 * @handler: its name.
 * @start: the region it failed on.
 * @end: the region's end.
 * @detail: the handler's explanation (pagemig_handler_explain()), "" when it gave none.
 * @owner: for a handler that ran in the target's agent, the target's pid; 0 for a handler of the
 *	mover's own handle.
 * @mover: when the target's agent was serving another move (@err -EBUSY): that mover's pid; 0
 *	otherwise (a handler's own -EBUSY).
 * @finish_err: the agent's answer to the move's outcome: 0, or -ESTALE when the agent had already
 *	ended the transaction itself (the mover outlived its lease): its handlers were then told the
 *	move failed (finish(-ETIMEDOUT)) while pages may still have moved.
 */
struct pagemig_handler_error {
	int err;
	char handler[32];
	uint64_t start;
	uint64_t end;
	char detail[200];
	pid_t owner;
	pid_t mover;
	int finish_err;
};

/**
 * pagemig_handler_explain() - from a @migrate hook that is about to fail: say why, in one line
 * ("node 2 has 0 free 2048 kB huge pages, 4 needed"); it reaches struct pagemig_handler_error.
 */
PAGEMIG_API void pagemig_handler_explain(struct pagemig *pm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Built-in handlers (src/handlers/): register the ones a move should use. */

/** PAGEMIG_BUILTIN_STRICT - the nopages handler fails the move on io/pfnmap regions. */
#define PAGEMIG_BUILTIN_STRICT (1U << 0)

/**
 * enum pagemig_hugetlb_pool - what the hugetlb handler may do to per-node huge page pools.
 * @PAGEMIG_HUGETLB_POOL_NO: never change them: fail up front when a target node lacks free pages.
 * @PAGEMIG_HUGETLB_POOL_GROW: grow a target node's pool to fit (root).
 * @PAGEMIG_HUGETLB_POOL_GROW_SHRINK: also give the freed pages back on the source nodes after.
 */
enum pagemig_hugetlb_pool {
	PAGEMIG_HUGETLB_POOL_NO,
	PAGEMIG_HUGETLB_POOL_GROW,
	PAGEMIG_HUGETLB_POOL_GROW_SHRINK,
};

/**
 * struct pagemig_builtin_opts - options of pagemig_builtins_register().
 * @sz: sizeof(struct pagemig_builtin_opts).
 * @flags: PAGEMIG_BUILTIN_* bits.
 * @hugetlb_pool: the hugetlb handler's pool policy.
 */
struct pagemig_builtin_opts {
	size_t sz;
	unsigned int flags;
	enum pagemig_hugetlb_pool hugetlb_pool;
};

/**
 * pagemig_builtins_register() - register the built-in class handlers: special (vdso, vvar,
 * vsyscall, uprobes: nothing to move), nopages (io/pfnmap: no struct pages; an error with
 * PAGEMIG_BUILTIN_STRICT) and hugetlb (makes room in target nodes' huge page pools first).
 * Their state lives in @pm; pagemig_close() releases it.
 * Return: 0; -EINVAL for bad @opts (an unknown flag or pool policy, see PAGEMIG_OPTS()); -EEXIST
 * when they are registered already; -ENOMEM.
 */
PAGEMIG_API int pagemig_builtins_register(struct pagemig *pm, const struct pagemig_builtin_opts *opts);

/**
 * pagemig_handler_next() - iterate over registered handlers, for listings.
 * @pm: the target.
 * @prev: 0 to start, then the previous id.
 * @ops: receives the handler's ops.
 * @range_start: receives the range start, or 0 for a class handler (may be NULL).
 * @range_len: receives the range length, or 0 for a class handler (may be NULL).
 * Return: the next id (> 0), or 0 after the last.
 */
PAGEMIG_API int pagemig_handler_next(const struct pagemig *pm, int prev, const struct pagemig_region_ops **ops,
				     uint64_t *range_start, uint64_t *range_len);

/** PAGEMIG_PLUGIN_ABI - the plugin ABI version this header describes. */
#define PAGEMIG_PLUGIN_ABI 1

/**
 * pagemig_plugin_init_fn - the one function a plugin exports, as "pagemig_plugin_init".
 * @pm: the handle to register handlers on (pagemig_handler_register()).
 * @abi: the loader's PAGEMIG_PLUGIN_ABI; a plugin built for another ABI returns -ENOTSUP.
 *
 * A plugin also exports `const unsigned int pagemig_plugin_abi = PAGEMIG_PLUGIN_ABI;`, which the
 * loader checks before it calls anything.
 * Return: 0 or -errno.
 */
typedef int (*pagemig_plugin_init_fn)(struct pagemig *pm, unsigned int abi);

/**
 * pagemig_plugin_load() - load a handler plugin (dlopen) and let it register its handlers.
 * @pm: the target.
 * @path: the shared object: a path with a '/' (a relative one is resolved against the current
 *	directory); a bare name is not searched for.
 * @err: a one-line reason on failure; may be NULL.
 * @errlen: its size.
 *
 * A plugin runs with the caller's privileges: the file and every directory above its real path
 * must be owned by root or the caller and not writable by group or others (a directory with the
 * sticky bit, such as /tmp, is fine).  The plugin stays loaded until pagemig_close().
 * Return: 0; -EINVAL (@path has no '/'); -EPERM (someone else could change the plugin: @err says
 * which file and why); -ENOENT (cannot be loaded), -ENOEXEC (no pagemig_plugin_abi or
 * pagemig_plugin_init), -ENOTSUP (another ABI version), or the init function's error.
 */
PAGEMIG_API int pagemig_plugin_load(struct pagemig *pm, const char *path, char *err, size_t errlen);

/* ------------------------------------------------------------------------------------------ */
/* The agent: a process's own region handlers, run when another process moves it               */
/* ------------------------------------------------------------------------------------------ */

/*
 * In the seed, a region's migrate function belongs to the region's owner and runs whenever anyone
 * migrates the process.  A process that registered handlers on a handle of itself starts an agent
 * on that handle: a thread serving a Unix socket.  A mover (pagemig move, or pagemig_move() with
 * struct pagemig_move_opts.agent) connects to it, and the owner's migrate hooks run in the owner,
 * before any page moves; their finish hooks run after the move, or when the mover disconnects or
 * its lease runs out.  The protocol, the socket's place and every check are in pagemig-agent(7).
 */

/** PAGEMIG_AGENT_PROTO_MAJOR - the agent protocol's major version: peers of another major refuse. */
#define PAGEMIG_AGENT_PROTO_MAJOR 1
/** PAGEMIG_AGENT_PROTO_MINOR - its minor version: additions a peer of the same major may ignore. */
#define PAGEMIG_AGENT_PROTO_MINOR 1

/**
 * enum pagemig_agent_event_type - what an agent reports to its owner.
 * @PAGEMIG_AGENT_EV_REFUSED: a peer that may not move this process was turned away (@pid, @uid).
 * @PAGEMIG_AGENT_EV_PROTOCOL: a peer sent something malformed, oversized, out of turn, of another
 *	major version, or nothing in time: its connection was dropped (@text says which).
 * @PAGEMIG_AGENT_EV_PREPARED: a mover's PREPARE ran the migrate hooks (@err: 0 or the failure).
 * @PAGEMIG_AGENT_EV_FINISHED: the finish hooks ran with @err: the move's outcome, -ECONNABORTED
 *	(the mover disconnected first), -ETIMEDOUT (its lease ran out), -ECANCELED (it aborted),
 *	-ESHUTDOWN (pagemig_agent_stop() during a move).
 * @PAGEMIG_AGENT_EV_BUSY: a second mover was answered BUSY.
 */
enum pagemig_agent_event_type {
	PAGEMIG_AGENT_EV_REFUSED = 1,
	PAGEMIG_AGENT_EV_PROTOCOL,
	PAGEMIG_AGENT_EV_PREPARED,
	PAGEMIG_AGENT_EV_FINISHED,
	PAGEMIG_AGENT_EV_BUSY,
};

/**
 * struct pagemig_agent_event - one event, for struct pagemig_agent_opts.event.
 * @type: see enum pagemig_agent_event_type.
 * @pid: the peer's pid (as this process sees it), 0 when unknown.
 * @uid: the peer's uid.
 * @err: the event's error or outcome (0 or a negative errno).
 * @txid: the transaction, 0 outside one.
 * @text: one line for logs; valid during the call.
 */
struct pagemig_agent_event {
	enum pagemig_agent_event_type type;
	pid_t pid;
	uid_t uid;
	int err;
	uint64_t txid;
	const char *text;
};

/**
 * struct pagemig_agent_opts - options of pagemig_agent_start().
 * @sz: sizeof(struct pagemig_agent_opts).
 * @socket_dir: the directory of the socket instead of the default (pagemig-agent(7)); movers must
 *	be given the same one.  It is created (0755) when missing and must be owned by this
 *	process's euid or root and writable by no one else.
 * @max_lease_ms: the longest a mover may hold prepared regions without a word (default 60000); the
 *	mover's asked lease is cut to it.
 * @idle_ms: a connection that sends nothing for this long outside a transaction is dropped
 *	(default 10000).
 * @event: called from the agent's thread for each event; must not block long; may be NULL.
 * @event_ctx: its context.
 * @errbuf: when not NULL, a one-line reason for a failure of pagemig_agent_start() ("cannot create
 *	'/run/pagemig': ...", "directory writable by others ...").
 * @errlen: its size.
 */
struct pagemig_agent_opts {
	size_t sz;
	const char *socket_dir;
	unsigned int max_lease_ms;
	unsigned int idle_ms;
	void (*event)(const struct pagemig_agent_event *ev, void *ctx);
	void *event_ctx;
	char *errbuf;
	size_t errlen;
};

struct pagemig_agent;

/**
 * pagemig_agent_start() - serve the handlers registered on @pm to movers in other processes.
 * @pm: a handle on the calling process (pagemig_open(0, ...)).
 * @opts: options, or NULL.
 * @out: the agent; stop it with pagemig_agent_stop() (pagemig_close() stops it too).
 *
 * Publishes the socket (bound under a temporary name, made 0600, renamed into place; sockets of
 * dead processes in the directory are removed) and starts one thread, every signal blocked, that
 * answers movers one transaction at a time.  A peer may connect when it runs as this process's
 * euid, as root, or with CAP_SYS_NICE.  Hooks run on that thread with @pm, on the regions the
 * agent reads for each move: from numa_maps and maps (as with PAGEMIG_REGIONS_LIGHT, with every
 * page counted private) when every handler of @pm is a range handler and the move has no region
 * filter, else from smaps too (the page-table walks of smaps and pagemap saved in the common case).  While they hold a
 * transaction, registering or unregistering handlers on @pm from another thread waits for its end
 * (a mutex in the handle); hooks may register and unregister on @pm themselves.  Every descriptor
 * is close-on-exec; the child of a fork() has no agent (its own pid has no socket).  The socket is
 * removed by pagemig_agent_stop() and at exit() (not when the process is killed: then the next
 * agent of that user removes it, and movers find nobody listening).
 * Return: 0; -EINVAL (@pm is not the calling process, bad @opts); -EBUSY (@pm has an agent);
 * -EPERM (the socket directory is not safe); -ENAMETOOLONG; other -errno.
 */
PAGEMIG_API int pagemig_agent_start(struct pagemig *pm, const struct pagemig_agent_opts *opts,
				    struct pagemig_agent **out);

/**
 * pagemig_agent_stop() - stop serving, remove the socket, free @agent; NULL is fine.
 *
 * A transaction still held gets finish(-ESHUTDOWN) first; a hook that is running is waited for,
 * so a hook must not call this.  In the child of a fork() it only closes the inherited
 * descriptors.
 */
PAGEMIG_API void pagemig_agent_stop(struct pagemig_agent *agent);

/** pagemig_agent_path() - the path of @agent's socket. */
PAGEMIG_API const char *pagemig_agent_path(const struct pagemig_agent *agent);

/**
 * struct pagemig_agent_connect_opts - options of pagemig_agent_connect().
 * @sz: sizeof(struct pagemig_agent_connect_opts).
 * @socket_dir: look only in this directory (the agent's struct pagemig_agent_opts.socket_dir).
 * @timeout_ms: how long to wait for each answer (default 10000).  While the owner's migrate hooks
 *	run, each hook's start and result extends the wait by this much again, up to six times it in
 *	all; the lease asked for the move is this long and is renewed every third of it.
 * @errbuf: a one-line reason for a failure of pagemig_agent_connect(); may be NULL.  Written only
 *	by pagemig_agent_connect() itself (the connection keeps no pointer to it).
 * @errlen: its size.
 */
struct pagemig_agent_connect_opts {
	size_t sz;
	const char *socket_dir;
	unsigned int timeout_ms;
	char *errbuf;
	size_t errlen;
};

/**
 * pagemig_agent_connect() - connect to the agent of @pm's target, if it has one.
 * @pm: the target.
 * @opts: options, or NULL.
 * @out: the connection; close it with pagemig_agent_disconnect().
 *
 * The socket is looked up through /proc/PID/root, named by the pid the target has in its own pid
 * namespace (NSpid).  A socket that is a symlink, is not the target's euid's, or is open to group
 * or others, in a directory that others may write, is refused without connecting.  After connecting,
 * the peer's credentials (SO_PEERCRED, and SO_PEERPIDFD where the kernel has it) must be the
 * target's, whose pidfd the handle holds.  Then HELLO, sent and not waited for: the agent's answer
 * is read with the answer to the first request (protocol 1.1: one round trip less per move), so
 * that request reports what the agent said of us: -EACCES (it refused us), -EPROTO (another major
 * version, a malformed answer), -ETIMEDOUT.  The first request is the move's PREPARE
 * (pagemig_move(), which tells -EPROTO and -ETIMEDOUT in its handler_error as the agent's), or
 * LIST: the owner's handlers and the regions they claim are asked for when first needed
 * (pagemig_agent_handler_get(), pagemig_agent_claim()).
 * Return: 0; -ENOENT when the target has no agent (no socket, or nobody listening); -EPERM when a
 * socket is there but fails the checks, or its peer is not the target; -EACCES when the socket
 * may not be connected to; -ESRCH when the target exited; other -errno.
 */
PAGEMIG_API int pagemig_agent_connect(struct pagemig *pm, const struct pagemig_agent_connect_opts *opts,
				      struct pagemig_agent_conn **out);

/** pagemig_agent_disconnect() - close @c; a prepared move is finished with -ECONNABORTED; NULL is fine. */
PAGEMIG_API void pagemig_agent_disconnect(struct pagemig_agent_conn *c);

/**
 * struct pagemig_agent_handler - one of the owner's handlers, as its agent listed it.
 * @start: a range handler's start, 0 for a class handler.
 * @len: its length, 0 for a class handler.
 * @name: the handler's name.
 * @description: its description, "" when none.
 */
struct pagemig_agent_handler {
	uint64_t start;
	uint64_t len;
	char name[32];
	char description[128];
};

/**
 * pagemig_agent_handler_get() - the @i-th of the owner's handlers.  The first call of this or of
 * pagemig_agent_claim() asks the agent for its list (LIST), kept in @c.
 * Return: 0; -ENOENT past the last; the error of LIST.
 */
PAGEMIG_API int pagemig_agent_handler_get(struct pagemig_agent_conn *c, unsigned int i,
					  struct pagemig_agent_handler *h);

/**
 * pagemig_agent_claim() - the name of the owner's handler that claims a region overlapping
 * [@start, @end), or NULL: after a pagemig_move() with @c, the regions its handlers prepared for
 * that move; before, those of the agent's list (asked for once, as pagemig_agent_handler_get()).
 */
PAGEMIG_API const char *pagemig_agent_claim(struct pagemig_agent_conn *c, uint64_t start, uint64_t end);

/** pagemig_agent_socket() - the socket @c is connected to. */
PAGEMIG_API const char *pagemig_agent_socket(const struct pagemig_agent_conn *c);

#ifdef __cplusplus
}
#endif
#endif /* PAGEMIG_H */
