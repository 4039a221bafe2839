/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * labtest.h - helpers for the tests that run in the NUMA lab guest (lab/lab.sh).
 *
 * A lab test is a plain C program: exit 0 pass, 1 fail, 77 skip with the reason as the last line it
 * prints (see STYLE.md).  It runs as root in /tmp, alone in a guest whose memory-management knobs
 * were reset just before it (lab/init.sh): numa_balancing 0, THP madvise, KSM off, no hugetlb pages.
 * The pagemig CLI, numactl and migratepages are on PATH when the host has them.
 *
 * Independent of pagemig.h and of libnuma: raw syscalls only, so a test checks the library against
 * the kernel's own answers.  Helpers for the test's own setup FAIL() on unexpected errors; helpers
 * that perform the operation under test (lab_move_pages(), lab_migrate_pages(), lab_run(),
 * lab_pagemig()) return the outcome for the test to judge.
 *
 * Node masks here are one uint64_t: the lab has at most 64 nodes.
 */
#ifndef LABTEST_H
#define LABTEST_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/mempolicy.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LAB_EXIT_PASS 0
#define LAB_EXIT_FAIL 1
#define LAB_EXIT_SKIP 77
#define LAB_MAX_NODES 64

/* ------------------------------------------------------------------------------------------ */
/* Outcomes                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static inline __attribute__((noreturn, format(printf, 2, 0)))
void lab_vexit(int code, const char *fmt, va_list ap)
{
	fflush(stdout);
	fflush(stderr);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	exit(code);
}

static inline __attribute__((noreturn, format(printf, 1, 2)))
void lab_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lab_vexit(LAB_EXIT_SKIP, fmt, ap);
}

static inline __attribute__((noreturn, format(printf, 3, 4)))
void lab_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	lab_vexit(LAB_EXIT_FAIL, fmt, ap);
}

/** SKIP() - print the reason (printf-style) as the last line and exit 77. */
#define SKIP(...) lab_skip(__VA_ARGS__)
/** FAIL() - print "FAIL file:line: message" and exit 1. */
#define FAIL(...) lab_fail(__FILE__, __LINE__, __VA_ARGS__)
/** CHECK() - FAIL() with the condition's text unless @cond holds. */
#define CHECK(cond) \
	do { \
		if (!(cond)) \
			FAIL("check failed: %s", #cond); \
	} while (0)

/** lab_log() - a progress line on stdout, flushed (the console interleaves stdout and stderr). */
static inline __attribute__((format(printf, 1, 2)))
void lab_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ------------------------------------------------------------------------------------------ */
/* Files and knobs                                                                             */
/* ------------------------------------------------------------------------------------------ */

/**
 * lab_read_file() - read a small file into @buf as a NUL-terminated string.
 *
 * Return: the length read, or -errno.
 */
static inline ssize_t lab_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n = 0, len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((size_t)len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	n = n < 0 ? -errno : len;
	close(fd);
	buf[len] = '\0';
	return n;
}

/**
 * lab_set_sysctl() - write @value to a /proc/sys or /sys file (e.g. "/proc/sys/kernel/numa_balancing").
 *
 * The guest resets the usual knobs before each test; no need to restore them.
 * Return: 0, or -errno.
 */
static inline int lab_set_sysctl(const char *path, const char *value)
{
	size_t len = strlen(value);
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	if (n != (ssize_t)len)
		err = n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

/** lab_page_size() - the base page size. */
static inline size_t lab_page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/** lab_now() - CLOCK_MONOTONIC in seconds, for timing and time budgets. */
static inline double lab_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------ */
/* Topology                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * lab_parse_list() - parse a kernel list ("0-3", "0,2-3", "" or "\n") into a mask.
 *
 * Return: the mask; bits beyond LAB_MAX_NODES are dropped.
 */
static inline uint64_t lab_parse_list(const char *s)
{
	uint64_t mask = 0;

	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			break;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		for (unsigned long i = lo; i <= hi && i < LAB_MAX_NODES; i++)
			mask |= 1ULL << i;
		s = end;
		if (*s == ',')
			s++;
	}
	return mask;
}

/** lab_mask_count() - the number of nodes in @mask. */
static inline int lab_mask_count(uint64_t mask)
{
	return __builtin_popcountll(mask);
}

/**
 * lab_nodes_online() - the online nodes, from /sys/devices/system/node/online.
 * @count: if not NULL, receives the number of online nodes.
 *
 * Return: the mask of online nodes (FAILs if the file is unreadable).
 */
static inline uint64_t lab_nodes_online(int *count)
{
	char buf[256];
	uint64_t mask;
	ssize_t n = lab_read_file("/sys/devices/system/node/online", buf, sizeof(buf));

	if (n < 0)
		FAIL("cannot read /sys/devices/system/node/online: %s", strerror((int)-n));
	mask = lab_parse_list(buf);
	if (count)
		*count = lab_mask_count(mask);
	return mask;
}

/** lab_require_nodes() - SKIP unless at least @n nodes are online; returns the online mask. */
static inline uint64_t lab_require_nodes(int n)
{
	int count;
	uint64_t mask = lab_nodes_online(&count);

	if (count < n)
		SKIP("needs %d NUMA nodes, %d online", n, count);
	return mask;
}

/** lab_require_root() - SKIP unless running as root. */
static inline void lab_require_root(void)
{
	if (geteuid() != 0)
		SKIP("needs root");
}

/** lab_require_thp() - SKIP without transparent huge pages; set them to madvise (or FAIL). */
static inline void lab_require_thp(void)
{
	const char *knob = "/sys/kernel/mm/transparent_hugepage/enabled";

	if (access(knob, F_OK))
		SKIP("the kernel has no transparent huge pages (no /sys/kernel/mm/transparent_hugepage)");
	if (lab_set_sysctl(knob, "madvise"))
		FAIL("cannot set transparent_hugepage/enabled to madvise");
}

/**
 * lab_node_cpus() - the CPUs of @node, from its cpulist (0 for a memory-only node).
 *
 * Return: a CPU mask (CPUs 0..63); FAILs if the node does not exist.
 */
static inline uint64_t lab_node_cpus(int node)
{
	char path[96], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", node);
	n = lab_read_file(path, buf, sizeof(buf));
	if (n < 0)
		FAIL("cannot read %s: %s", path, strerror((int)-n));
	return lab_parse_list(buf);
}

/**
 * lab_node_meminfo() - one field of a node's meminfo ("MemTotal", "MemFree", "FilePages", ...).
 *
 * Return: the value in KiB, or -1 if the field is absent; FAILs if the file is unreadable.
 */
static inline long long lab_node_meminfo(int node, const char *field)
{
	char path[96], buf[4096], key[64];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	n = lab_read_file(path, buf, sizeof(buf));
	if (n < 0)
		FAIL("cannot read %s: %s", path, strerror((int)-n));
	snprintf(key, sizeof(key), " %s:", field);
	p = strstr(buf, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* Raw NUMA syscalls                                                                           */
/* ------------------------------------------------------------------------------------------ */

/* The kernel reads maxnode - 1 bits: one unsigned long's worth. */
#define LAB_MAXNODE (8 * sizeof(unsigned long) + 1)

/** lab_mbind() - mbind(2) with a node mask.  Return: 0 or -errno. */
static inline int lab_mbind(void *addr, size_t len, int mode, uint64_t nodes, unsigned int flags)
{
	unsigned long mask = (unsigned long)nodes;

	return syscall(SYS_mbind, addr, len, mode, nodes ? &mask : NULL, LAB_MAXNODE, flags) ? -errno : 0;
}

/** lab_set_mempolicy() - set_mempolicy(2) for the calling thread.  Return: 0 or -errno. */
static inline int lab_set_mempolicy(int mode, uint64_t nodes)
{
	unsigned long mask = (unsigned long)nodes;

	return syscall(SYS_set_mempolicy, mode, nodes ? &mask : NULL, LAB_MAXNODE) ? -errno : 0;
}

/**
 * lab_node_of() - the node of the page at @addr, as get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) says.
 *
 * Return: the node, or -errno.
 */
static inline int lab_node_of(void *addr)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0, addr, MPOL_F_NODE | MPOL_F_ADDR))
		return -errno;
	return node;
}

/**
 * lab_move_pages() - move_pages(2) on @npages pages of @pid from @addr, @pagesize apart.
 * @node:   the target node for every page, or -1 to only query placement (nodes = NULL)
 * @status: receives per page the node or a negative errno (may be NULL when querying is not wanted)
 * @flags:  0, MPOL_MF_MOVE or MPOL_MF_MOVE_ALL
 *
 * Return: the syscall's result as is (0, a positive count of pages not moved), or -errno.
 */
static inline long lab_move_pages(pid_t pid, void *addr, size_t npages, size_t pagesize, int node,
				  int *status, int flags)
{
	void **pages = calloc(npages ? npages : 1, sizeof(*pages));
	int *nodes = node >= 0 ? calloc(npages ? npages : 1, sizeof(*nodes)) : NULL;
	int *st = status ? status : calloc(npages ? npages : 1, sizeof(*st));
	long ret;

	if (!pages || !st || (node >= 0 && !nodes))
		FAIL("out of memory");
	for (size_t i = 0; i < npages; i++) {
		pages[i] = (char *)addr + i * pagesize;
		if (nodes)
			nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, pid, npages, pages, nodes, st, flags);
	if (ret < 0)
		ret = -errno;
	free(pages);
	free(nodes);
	if (st != status)
		free(st);
	return ret;
}

/**
 * lab_query_nodes_pid() - where @npages pages of @pid live: move_pages(2) with nodes = NULL.
 * @nodes_out: per page, the node or a negative errno (-ENOENT: not present, -EFAULT: no page, ...)
 *
 * Return: 0, or -errno if the call failed.
 */
static inline int lab_query_nodes_pid(pid_t pid, void *addr, size_t npages, size_t pagesize, int *nodes_out)
{
	long ret = lab_move_pages(pid, addr, npages, pagesize, -1, nodes_out, 0);

	return ret < 0 ? (int)ret : 0;
}

/** lab_query_nodes() - lab_query_nodes_pid() on the calling process. */
static inline int lab_query_nodes(void *addr, size_t npages, size_t pagesize, int *nodes_out)
{
	return lab_query_nodes_pid(0, addr, npages, pagesize, nodes_out);
}

/**
 * lab_count_on_node() - how many of @npages pages of @pid (0: self) are on @node.
 *
 * Return: the count; FAILs if the query fails.
 */
static inline size_t lab_count_on_node(pid_t pid, void *addr, size_t npages, size_t pagesize, int node)
{
	int *st = calloc(npages ? npages : 1, sizeof(*st));
	size_t n = 0;
	int err;

	if (!st)
		FAIL("out of memory");
	err = lab_query_nodes_pid(pid, addr, npages, pagesize, st);
	if (err)
		FAIL("move_pages query of %zu pages: %s", npages, strerror(-err));
	for (size_t i = 0; i < npages; i++)
		n += st[i] == node;
	free(st);
	return n;
}

/**
 * lab_expect_on() - FAIL unless every page of [@addr, @addr + @len) of @pid (0: self) is on @node.
 * @pagesize: the pages' size (the base page size, or a huge page size for hugetlb)
 * @what:     names the pages in the message: "WHAT: N of M pages on node X"
 */
static inline void lab_expect_on(pid_t pid, void *addr, size_t len, size_t pagesize, int node, const char *what)
{
	size_t n = len / pagesize, on = lab_count_on_node(pid, addr, n, pagesize, node);

	if (on != n)
		FAIL("%s: %zu of %zu pages on node %d", what, on, n, node);
}

/**
 * lab_count_all_on_node() - how many pages of all of @pid's regions are on @node, by a placement
 * query of each of their base pages (what /proc/PID/maps lists, [vsyscall] aside).
 *
 * Return: the count; FAILs if the maps or a query fail.
 */
static inline size_t lab_count_all_on_node(pid_t pid, int node)
{
	char path[64], *line = NULL;
	size_t ps = lab_page_size(), sum = 0, cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) != 2 || strstr(line, "[vsyscall]"))
			continue;
		sum += lab_count_on_node(pid, (void *)a, (b - a) / ps, ps, node);
	}
	free(line);
	fclose(f);
	return sum;
}

/**
 * lab_numa_maps_pages() - pages on @node as @pid's /proc/PID/numa_maps counts them ("N<node>=").
 * @start: the region that starts at @start, or NULL for the sum over all regions
 *
 * numa_maps counts pages where they are even when move_pages(2) cannot see them (NUMA-hinting
 * protection on 6.1): a second count from the kernel, independent of placement queries.
 * Return: the count (0 where the node is not named), or -1 when no region starts at @start;
 * FAILs if numa_maps cannot be read.
 */
static inline long lab_numa_maps_pages(pid_t pid, const void *start, int node)
{
	char path[64], key[40], nk[16], *line = NULL;
	size_t cap = 0;
	bool found = !start;
	long sum = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	snprintf(key, sizeof(key), "%lx ", (unsigned long)(uintptr_t)start);
	snprintf(nk, sizeof(nk), " N%d=", node);
	f = fopen(path, "re");
	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		const char *p;

		if (start && strncmp(line, key, strlen(key)))
			continue;
		found = true;
		p = strstr(line, nk);
		if (p)
			sum += strtol(p + strlen(nk), NULL, 10);
		if (start)
			break;
	}
	free(line);
	fclose(f);
	return found ? sum : -1;
}

/**
 * lab_smaps_field() - the text after "@field:" in the smaps entry of @pid's region at @start.
 * @out: receives the text as the kernel wrote it (leading blanks and newline included)
 *
 * Return: true when the region has the field; FAILs if smaps cannot be read.
 */
static inline bool lab_smaps_field(pid_t pid, const void *start, const char *field, char *out, size_t size)
{
	char path[64], key[40], *line = NULL;
	size_t cap = 0, flen = strlen(field);
	bool in = false, found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	snprintf(key, sizeof(key), "%lx-", (unsigned long)(uintptr_t)start);
	f = fopen(path, "re");
	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)	/* a region's first line */
			in = !strncmp(line, key, strlen(key));
		else if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			snprintf(out, size, "%s", line + flen + 1);
			found = true;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/** lab_smaps_kb() - a "kB" field of the smaps entry of @pid's region at @start; -1 if absent. */
static inline long lab_smaps_kb(pid_t pid, const void *start, const char *field)
{
	char v[64];

	return lab_smaps_field(pid, start, field, v, sizeof(v)) ? strtol(v, NULL, 10) : -1;
}

/** lab_json_num() - the number after the first `"@name": ` in @p (JSON text), or -1 (also for NULL @p). */
static inline int64_t lab_json_num(const char *p, const char *name)
{
	char key[64];
	const char *v;

	snprintf(key, sizeof(key), "\"%s\": ", name);
	v = p ? strstr(p, key) : NULL;
	return v ? strtoll(v + strlen(key), NULL, 10) : -1;
}

/**
 * lab_migrate_pages() - migrate_pages(2): move @pid's pages on @from to @to.
 *
 * Return: the syscall's result as is (0, or the count of pages not moved), or -errno.
 */
static inline long lab_migrate_pages(pid_t pid, uint64_t from, uint64_t to)
{
	unsigned long f = (unsigned long)from, t = (unsigned long)to;
	long ret = syscall(SYS_migrate_pages, pid, LAB_MAXNODE, &f, &t);

	return ret < 0 ? -errno : ret;
}

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/**
 * lab_alloc_on_node() - map @size bytes bound to @node (MPOL_BIND) and touch every page.
 * @flags: extra mmap flags: 0 for private anonymous memory, MAP_SHARED for shared anonymous,
 *         MAP_HUGETLB (with a reserved pool) for hugetlb
 *
 * Return: the mapping (munmap() it with @size); FAILs on any error.
 */
static inline void *lab_alloc_on_node(size_t size, int node, int flags)
{
	int share = flags & MAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
	size_t step = lab_page_size();
	char *p;
	int err;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, (flags & ~MAP_SHARED) | share | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap of %zu bytes: %s", size, strerror(errno));
	err = lab_mbind(p, size, MPOL_BIND, 1ULL << node, 0);
	if (err)
		FAIL("mbind to node %d: %s", node, strerror(-err));
	for (size_t off = 0; off < size; off += step)
		p[off] = 1;
	return p;
}

/**
 * lab_map_shared() - @size bytes of zeroed MAP_SHARED anonymous memory: mapped before lab_spawn(),
 * a layout that the test and its target processes all see (the target writes addresses there).
 *
 * Return: the mapping; FAILs on any error.
 */
static inline void *lab_map_shared(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap of %zu shared bytes: %s", size, strerror(errno));
	return p;
}

/**
 * lab_map_aligned() - @size bytes of private anonymous memory that start at a multiple of @align
 * (a power of two), e.g. where transparent huge pages can form.  Nothing is touched.
 *
 * Return: the aligned start (the mapping has @align bytes more around it); FAILs on any error.
 */
static inline void *lab_map_aligned(size_t size, size_t align)
{
	char *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap of %zu bytes: %s", size + align, strerror(errno));
	return (void *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
}

/** lab_hugetlb_path() - the path of @node's 2 MiB hugetlb @knob, into @buf; returns @buf. */
static inline const char *lab_hugetlb_path(char *buf, size_t size, int node, const char *knob)
{
	snprintf(buf, size, "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/%s", node, knob);
	return buf;
}

/**
 * lab_hugetlb_pool() - @node's 2 MiB hugetlb @knob ("nr_hugepages", "free_hugepages",
 * "surplus_hugepages"): writes @value first unless it is negative, then reads the knob back.
 *
 * The kernel may make less of a write than asked (no memory for more huge pages): the value read
 * back is what it did.  The guest empties the pools before each test; probe with
 * access(lab_hugetlb_path(...), W_OK) whether the kernel has per-node pools at all.
 * Return: the knob's value; FAILs if it cannot be written or read.
 */
static inline long lab_hugetlb_pool(int node, const char *knob, long value)
{
	char path[128], buf[64];
	ssize_t n;
	int err;

	lab_hugetlb_path(path, sizeof(path), node, knob);
	if (value >= 0) {
		snprintf(buf, sizeof(buf), "%ld", value);
		err = lab_set_sysctl(path, buf);
		if (err)
			FAIL("write %s to %s: %s", buf, path, strerror(-err));
	}
	n = lab_read_file(path, buf, sizeof(buf));
	if (n < 0)
		FAIL("cannot read %s: %s", path, strerror((int)-n));
	return strtol(buf, NULL, 10);
}

/** lab_require_hugetlb() - SKIP unless each node of @nodes has a 2 MiB pool of @count pages (set here). */
static inline void lab_require_hugetlb(uint64_t nodes, long count)
{
	char path[128];

	for (int node = 0; node < LAB_MAX_NODES; node++) {
		if (!(nodes >> node & 1))
			continue;
		if (access(lab_hugetlb_path(path, sizeof(path), node, "nr_hugepages"), W_OK))
			SKIP("no per-node 2 MiB hugetlb pool (%s)", path);
		if (lab_hugetlb_pool(node, "nr_hugepages", count) != count)
			SKIP("cannot reserve %ld huge pages on node %d", count, node);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Contents                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** lab_fill() - fill @buf with a pattern that differs per byte, per page and per @seed. */
static inline void lab_fill(void *buf, size_t len, uint64_t seed)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
	unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

/** lab_checksum() - FNV-1a (64-bit) over @len bytes. */
static inline uint64_t lab_checksum(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/**
 * lab_read_mem() - read @len bytes at @addr of @pid's memory (/proc/PID/mem) into @buf: the
 * target's contents as they are, wherever its pages now live.
 *
 * FAILs unless all of it could be read.
 */
static inline void lab_read_mem(pid_t pid, const void *addr, void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	n = pread(fd, buf, len, (off_t)(uintptr_t)addr);
	if (n != (ssize_t)len)
		FAIL("read %zu bytes at %p of %s: %s", len, addr, path, n < 0 ? strerror(errno) : "short read");
	close(fd);
}

/** lab_mem_checksum() - lab_checksum() of @len bytes at @addr of @pid's memory (lab_read_mem()). */
static inline uint64_t lab_mem_checksum(pid_t pid, const void *addr, size_t len)
{
	void *buf = malloc(len ? len : 1);
	uint64_t sum;

	if (!buf)
		FAIL("out of memory");
	lab_read_mem(pid, addr, buf, len);
	sum = lab_checksum(buf, len);
	free(buf);
	return sum;
}

/* ------------------------------------------------------------------------------------------ */
/* Processes                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * A thread's body that spins without touching memory: CPU time on which NUMA balancing's scanner
 * runs (task_numa_work() comes with the task's ticks), for pthread_create().
 */
static inline void *lab_spinner(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("pause");
	return NULL;
}

/**
 * lab_spawn() - fork a target process: it runs @setup(@arg), then sleeps until killed.
 *
 * Returns once @setup has returned in the child, so the target's memory is in place.  To learn
 * addresses from the child, let @arg point into a MAP_SHARED page mapped before the call.
 * A NULL @setup gives a bare sleeper.
 *
 * Return: the child's pid; FAILs if it cannot be started or dies during @setup.
 */
static inline pid_t lab_spawn(void (*setup)(void *arg), void *arg)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		FAIL("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		if (setup)
			setup(arg);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		close(fds[1]);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		FAIL("target process %d died during setup", (int)pid);
	close(fds[0]);
	return pid;
}

/** lab_kill() - SIGKILL a process from lab_spawn() and reap it. */
static inline void lab_kill(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/**
 * lab_become() - drop to @uid (and gid @uid, no supplementary groups) for good, and stay dumpable.
 *
 * Without PR_SET_DUMPABLE a process that changed credentials keeps /proc/PID root's, and the user
 * could not read its own process's maps.
 * Return: 0, or -errno.
 */
static inline int lab_become(uid_t uid)
{
	if (setgroups(0, NULL) || setgid((gid_t)uid) || setuid(uid) || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -errno;
	return 0;
}

/* One output stream of lab_run_cmd(): up to @size - 1 bytes kept in @buf, the rest read and dropped. */
struct lab_stream {
	int fd;
	char *buf;
	size_t size, len;
};

/* Read what is in @s's pipe now.  Return: false at its end (EOF, or an error other than EINTR). */
static inline bool lab_stream_read(struct lab_stream *s)
{
	char sink[512];
	bool keep = s->buf && s->len + 1 < s->size;
	ssize_t n = keep ? read(s->fd, s->buf + s->len, s->size - 1 - s->len) : read(s->fd, sink, sizeof(sink));

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if (keep)
		s->len += (size_t)n;
	return true;
}

/*
 * Read @nr streams to their ends, all at once (a command that fills one pipe while the test waits
 * on another would hang), then close them and NUL-terminate what was kept.
 */
static inline void lab_streams_drain(struct lab_stream *s, int nr)
{
	struct pollfd pfd[2];
	bool live = true;
	int i;

	while (live) {
		for (i = 0, live = false; i < nr; i++) {
			pfd[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
			live |= s[i].fd >= 0;
		}
		if (!live || (poll(pfd, (nfds_t)nr, -1) < 0 && errno != EINTR))
			break;
		for (i = 0; i < nr; i++) {
			if (s[i].fd >= 0 && pfd[i].revents && !lab_stream_read(&s[i])) {
				close(s[i].fd);
				s[i].fd = -1;
			}
		}
	}
	for (i = 0; i < nr; i++) {
		if (s[i].fd >= 0)
			close(s[i].fd);
		if (s[i].buf && s[i].size)
			s[i].buf[s[i].len] = '\0';
	}
}

/**
 * lab_run_cmd() - run @cmd with /bin/sh, capturing its stdout and, apart, its stderr.
 * @uid: (uid_t)-1 to run as this process, or the uid to lab_become() first (exit 126 if it cannot)
 * @out: receives stdout, NUL-terminated and truncated to @outsize - 1 bytes (NULL: read and dropped)
 * @err: receives stderr likewise (NULL: stderr passes through to the console)
 *
 * The command is echoed as "+ command" first, so a failing test's log shows what ran.
 * Return: the exit status, 128 + the signal if it was killed, or -errno if it could not run.
 */
static inline int lab_run_cmd(uid_t uid, const char *cmd, char *out, size_t outsize, char *err, size_t errsize)
{
	struct lab_stream s[2] = { { -1, out, outsize, 0 }, { -1, err, errsize, 0 } };
	int pipes[2][2], nr = err ? 2 : 1, status, i, ret;
	pid_t pid;

	if (uid == (uid_t)-1)
		lab_log("+ %s", cmd);
	else
		lab_log("+ (uid %d) %s", (int)uid, cmd);
	for (i = 0; i < nr; i++) {
		if (pipe2(pipes[i], O_CLOEXEC)) {
			ret = -errno;
			goto err_close_pipes;
		}
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto err_close_pipes;
	}
	if (pid == 0) {
		dup2(pipes[0][1], STDOUT_FILENO);
		if (err)
			dup2(pipes[1][1], STDERR_FILENO);
		if (uid != (uid_t)-1 && lab_become(uid))
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < nr; i++) {
		close(pipes[i][1]);
		s[i].fd = pipes[i][0];
	}
	lab_streams_drain(s, nr);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

err_close_pipes:
	while (i-- > 0) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	return ret;
}

/**
 * lab_run() - run a shell command (printf-style), capturing its stdout; stderr passes through.
 * @out:  receives stdout, NUL-terminated and truncated to @size - 1 bytes (may be NULL)
 *
 * Return: as lab_run_cmd().
 */
static inline __attribute__((format(printf, 3, 4)))
int lab_run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return lab_run_cmd((uid_t)-1, cmd, out, size, NULL, 0);
}

/* lab_pagemig_as() with a va_list; NULL @out or @err: captured here, for the log only. */
static inline __attribute__((format(printf, 6, 0)))
int lab_vpagemig(uid_t uid, char *out, size_t outsize, char *err, size_t errsize, const char *fmt, va_list ap)
{
	static char own_out[65536], own_err[8192];
	char cmd[4096];
	size_t len;
	int rc;

	if (!out) {
		out = own_out;
		outsize = sizeof(own_out);
	}
	if (!err) {
		err = own_err;
		errsize = sizeof(own_err);
	}
	len = (size_t)snprintf(cmd, sizeof(cmd), "pagemig ");
	vsnprintf(cmd + len, sizeof(cmd) - len, fmt, ap);
	rc = lab_run_cmd(uid, cmd, out, outsize, err, errsize);
	len = strlen(out);
	lab_log("%s%sexit %d, stderr: %s", out, len && out[len - 1] != '\n' ? "\n" : "", rc, err);
	return rc;
}

/**
 * lab_pagemig() - run `pagemig ARGS` (@fmt: printf-style ARGS) with its stdout and stderr apart.
 * @out: receives stdout as lab_run_cmd() says (NULL when the test does not look at it)
 * @err: receives stderr likewise (NULL when the test does not look at it)
 *
 * Both are logged after it ends, with the exit status.
 * Return: as lab_run_cmd().
 */
static inline __attribute__((format(printf, 5, 6)))
int lab_pagemig(char *out, size_t outsize, char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vpagemig((uid_t)-1, out, outsize, err, errsize, fmt, ap);
	va_end(ap);
	return rc;
}

/** lab_pagemig_as() - lab_pagemig() as user @uid (lab_become()): the unprivileged user's view. */
static inline __attribute__((format(printf, 6, 7)))
int lab_pagemig_as(uid_t uid, char *out, size_t outsize, char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = lab_vpagemig(uid, out, outsize, err, errsize, fmt, ap);
	va_end(ap);
	return rc;
}

/**
 * lab_start() - start a shell command (printf-style) in the background, logged first; the test
 * redirects its output in the command and reaps it (waitpid()).
 *
 * Return: its pid; FAILs if it cannot fork.
 */
static inline __attribute__((format(printf, 1, 2)))
pid_t lab_start(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	lab_log("+ %s &", cmd);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		FAIL("fork: %s", strerror(errno));
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/** lab_have_cmd() - whether a command is on PATH. */
static inline bool lab_have_cmd(const char *name)
{
	const char *path = getenv("PATH");
	char buf[512];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/** lab_require_cmd() - SKIP unless @name is on PATH (e.g. "pagemig"). */
static inline void lab_require_cmd(const char *name)
{
	if (!lab_have_cmd(name))
		SKIP("%s not found on PATH", name);
}

/**
 * lab_require_cli() - the prologue of a test that drives the pagemig CLI: @nodes nodes, root and
 * pagemig on PATH (each skips, naming what is missing).
 *
 * Return: a zeroed MAP_SHARED mapping of @size bytes, for the layout the test shares with the
 * targets it forks.
 */
static inline void *lab_require_cli(int nodes, size_t size)
{
	lab_require_nodes(nodes);
	lab_require_root();
	lab_require_cmd("pagemig");
	return lab_map_shared(size);
}

/* ------------------------------------------------------------------------------------------ */
/* What `pagemig move` reports                                                                 */
/* ------------------------------------------------------------------------------------------ */

/**
 * lab_move_row() - the counts of the row for the region that starts at @start, in the table of
 * `pagemig move ... -o RANGE,PLANNED,MOVED,SHARED,LEFT[,...] --bytes` (@out: its stdout).
 * @v: receives PLANNED, MOVED, SHARED and LEFT, in bytes
 *
 * Return: whether such a row was found.
 */
static inline bool lab_move_row(const char *out, const void *start, uint64_t v[4])
{
	char key[40];
	const char *p = out;

	snprintf(key, sizeof(key), "%lx-", (unsigned long)(uintptr_t)start);
	while ((p = strstr(p, key))) {
		if (p == out || p[-1] == '\n') {
			const char *sp = strchr(p, ' ');

			return sp && sscanf(sp, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &v[0], &v[1], &v[2],
					    &v[3]) == 4;
		}
		p++;
	}
	return false;
}

/**
 * lab_move_summary() - the page counts of the summary line of `pagemig move` (@out: its stdout),
 * "moved 8M of 8M planned (2048 of 2048 4K pages) ...".
 *
 * Return: whether a line starts with "moved " and has the counts.
 */
static inline bool lab_move_summary(const char *out, unsigned long *moved, unsigned long *planned)
{
	const char *p = strstr(out, "moved ");

	while (p && (p != out && p[-1] != '\n'))
		p = strstr(p + 1, "moved ");
	p = p ? strchr(p, '(') : NULL;
	return p && sscanf(p, "(%lu of %lu 4K pages)", moved, planned) == 2;
}

/**
 * lab_print_environment() - what a benchmark's result file records of the guest: the kernel, the
 * nodes (memory, CPUs), the NUMA-balancing and THP knobs, the CPUs online.
 */
static inline void lab_print_environment(void)
{
	char buf[512];
	const char *knobs[] = {
		"/proc/sys/kernel/numa_balancing",
		"/proc/sys/kernel/randomize_va_space",
		"/sys/kernel/mm/transparent_hugepage/enabled",
		"/sys/kernel/mm/transparent_hugepage/defrag",
	};

	if (lab_read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf)) > 0)
		printf("kernel: %s", buf);
	printf("nodes online: %s", lab_read_file("/sys/devices/system/node/online", buf, sizeof(buf)) > 0 ? buf
														  : "?\n");
	for (int n = 0; n < LAB_MAX_NODES; n++) {
		char path[96];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			continue;
		lab_read_file(strcat(path, "/cpulist"), buf, sizeof(buf));
		buf[strcspn(buf, "\n")] = '\0';
		printf("  node %d: %lld MiB total, %lld MiB free, cpus '%s'\n", n, lab_node_meminfo(n, "MemTotal") / 1024,
		       lab_node_meminfo(n, "MemFree") / 1024, buf);
	}
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (lab_read_file(knobs[i], buf, sizeof(buf)) > 0)
			printf("%s: %s", knobs[i], buf);
	printf("cpus online: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	fflush(stdout);
}

#endif /* LABTEST_H */
