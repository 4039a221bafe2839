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
 * that perform the operation under test (lab_move_pages(), lab_migrate_pages(), lab_run()) return
 * the outcome for the test to judge.
 *
 * Node masks here are one uint64_t: the lab has at most 64 nodes.
 */
#ifndef LABTEST_H
#define LABTEST_H

#include <errno.h>
#include <fcntl.h>
#include <linux/mempolicy.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
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

/* ------------------------------------------------------------------------------------------ */
/* Processes                                                                                   */
/* ------------------------------------------------------------------------------------------ */

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
 * lab_run() - run a shell command (printf-style), capturing its stdout; stderr passes through.
 * @out:  receives stdout, NUL-terminated and truncated to @size - 1 bytes (may be NULL)
 *
 * The command is echoed as "+ command" first, so a failing test's log shows what ran.
 * Return: the exit status, 128 + the signal if it was killed, or -errno if it could not run.
 */
static inline __attribute__((format(printf, 3, 4)))
int lab_run(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096], sink[512];
	size_t len = 0;
	int fds[2], status;
	ssize_t n;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	lab_log("+ %s", cmd);
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		bool keep = out && len + 1 < size;

		n = keep ? read(fds[0], out + len, size - 1 - len) : read(fds[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (keep)
			len += (size_t)n;
	}
	close(fds[0]);
	if (out && size)
		out[len] = '\0';
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

#endif /* LABTEST_H */
