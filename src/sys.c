// SPDX-License-Identifier: LGPL-2.1-or-later
/* sys.c - every raw system call of the library, wrapped once: -1/errno becomes -errno here. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define RET(expr)                                 \
	do {                                      \
		long r_ = (expr);                 \
		return r_ < 0 ? -(long)errno : r_; \
	} while (0)

/*
 * A host test (linked with the static library) may define sys_fault() to answer a call instead of
 * the kernel: the retry, re-query and partial paths then run without a NUMA machine.  Elsewhere it
 * is not defined (a weak, hidden reference: no program linked with libpagemig.so can define it).
 */
#define FAULT(call, ...)                                                    \
	do {                                                                \
		if (sys_fault) {                                            \
			const long a_[] = { __VA_ARGS__ };                  \
			long f_ = sys_fault(call, a_);                      \
			if (f_ != SYS_FAULT_PASS)                           \
				return f_;                                  \
		}                                                           \
	} while (0)

long sys_move_pages(pid_t pid, unsigned long count, void **pages, const int *nodes, int *status, int flags)
{
	FAULT(SYS_FAULT_MOVE_PAGES, pid, (long)count, (long)pages, (long)nodes, (long)status, flags);
	RET(syscall(SYS_move_pages, pid, count, pages, nodes, status, flags));
}

long sys_migrate_pages(pid_t pid, unsigned long maxnode, const unsigned long *old_nodes,
		       const unsigned long *new_nodes)
{
	FAULT(SYS_FAULT_MIGRATE_PAGES, pid, (long)maxnode, (long)old_nodes, (long)new_nodes);
	RET(syscall(SYS_migrate_pages, pid, maxnode, old_nodes, new_nodes));
}




int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	RET(syscall(SYS_pidfd_open, pid, flags));
}


long sys_pread(int fd, void *buf, size_t len, off_t off)
{
	FAULT(SYS_FAULT_PREAD, fd, (long)buf, (long)len, (long)off);
	RET(pread(fd, buf, len, off));
}

long sys_read(int fd, void *buf, size_t len)
{
	RET(read(fd, buf, len));
}

long sys_write(int fd, const void *buf, size_t len)
{
	RET(write(fd, buf, len));
}

int sys_pipe(int fds[2])
{
	RET(pipe2(fds, O_CLOEXEC));
}

int sys_open(const char *path, int flags)
{
	RET(open(path, flags | O_CLOEXEC));
}

int sys_openat(int dirfd, const char *path, int flags)
{
	RET(openat(dirfd, path, flags | O_CLOEXEC));
}

long sys_ioctl(int fd, unsigned long req, void *arg)
{
	RET(ioctl(fd, req, arg));
}

int sys_poll(struct pollfd *fds, unsigned long n, int timeout)
{
	RET(poll(fds, n, timeout));
}

int sys_close(int fd)
{
	RET(close(fd));
}

/* Write @s to the file at @path (sysfs knobs): 0 or -errno. */
int write_file_str(const char *path, const char *s)
{
	size_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

static int capget_data(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	RET(syscall(SYS_capget, &hdr, data));
}

static int capset_data(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	RET(syscall(SYS_capset, &hdr, data));
}

/* The calling thread's effective capabilities as one 64-bit set. */
int sys_capget_effective(uint64_t *caps)
{
	struct __user_cap_data_struct d[2] = { 0 };
	int err = capget_data(d);

	if (err)
		return err;
	*caps = (uint64_t)d[1].effective << 32 | d[0].effective;
	return 0;
}

/*
 * Drop @cap from the effective set (it stays permitted, so it can come back): migrate_pages(2)
 * decides MOVE vs MOVE_ALL by CAP_SYS_NICE alone, and this is how a privileged caller asks for MOVE.
 */
int sys_cap_drop_effective(int cap, uint64_t *saved)
{
	struct __user_cap_data_struct d[2] = { 0 };
	int err = capget_data(d);

	if (err)
		return err;
	*saved = (uint64_t)d[1].effective << 32 | d[0].effective;
	d[cap / 32].effective &= ~(1U << (cap % 32));
	return capset_data(d);
}

int sys_cap_restore_effective(uint64_t saved)
{
	struct __user_cap_data_struct d[2] = { 0 };
	int err = capget_data(d);

	if (err)
		return err;
	d[0].effective = (uint32_t)saved;
	d[1].effective = (uint32_t)(saved >> 32);
	return capset_data(d);
}

/*
 * A thread of the library's own, started with every signal blocked: none of the caller's handlers
 * runs on it, and a write to a closed pipe fails with EPIPE instead of raising SIGPIPE.
 * Return: 0 or -errno (pthread_create()'s error).
 */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -err;
}
