/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* internal.h - declarations shared by the library's files; not installed. */
#ifndef PAGEMIG_INTERNAL_H
#define PAGEMIG_INTERNAL_H

#include <limits.h>
#include <stdio.h>
#include "pagemig.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/*
 * OPTS_VALID / OPTS_GET (libbpf): an option struct is valid when its tail past what this library
 * knows is zero; a field is read only when the caller's struct is big enough to hold it.
 */
#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(typeof(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, fallback) (OPTS_HAS(opts, field) ? (opts)->field : (fallback))

/* sys.c: every raw syscall, wrapped once; each returns 0 (or a count) or -errno. */
long sys_move_pages(pid_t pid, unsigned long count, void **pages, const int *nodes, int *status, int flags);
long sys_migrate_pages(pid_t pid, unsigned long maxnode, const unsigned long *old_nodes,
		       const unsigned long *new_nodes);
long sys_get_mempolicy(int *mode, unsigned long *nodemask, unsigned long maxnode, void *addr,
		       unsigned long flags);
long sys_set_mempolicy(int mode, const unsigned long *nodemask, unsigned long maxnode);
long sys_mbind(void *addr, unsigned long len, int mode, const unsigned long *nodemask, unsigned long maxnode,
	       unsigned int flags);
int sys_pidfd_open(pid_t pid, unsigned int flags);
long sys_process_madvise(int pidfd, const struct iovec *iov, size_t vlen, int advice, unsigned int flags);
long sys_pread(int fd, void *buf, size_t len, off_t off);
int sys_open(const char *path, int flags);
int sys_openat(int dirfd, const char *path, int flags);
int sys_capget_effective(uint64_t *caps);
int sys_cap_drop_effective(int cap, uint64_t *saved);
int sys_cap_restore_effective(uint64_t saved);

/* procfs helpers (proc.c) */
struct pm_proc {
	char root[PATH_MAX / 4];	/* "/proc" */
	pid_t pid;
};
int proc_path(const struct pm_proc *p, const char *file, char *buf, size_t len);
FILE *proc_fopen(const struct pm_proc *p, const char *file, int *err);
int read_file_str(const char *path, char *buf, size_t len);
int read_file_u64(const char *path, uint64_t *val);

/* the handle (space.c) */
struct pagemig {
	struct pm_proc proc;
	char sys_root[PATH_MAX / 4];
	struct pagemig_topology *topo;
	int pagemap_fd;		/* -1 until first needed */
};

int nodemask_parse_list(const char *str, struct pagemig_nodemask *out);

#endif
