// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * proc.c - paths under a procfs root and small file readers.
 *
 * The root is "/proc" normally and a canned tree in unit tests, so every /proc access goes through
 * proc_path().  Readers return 0 or -errno like the rest of the library.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* "ROOT/PID/FILE", or "ROOT/PID" when @file is NULL or empty. */
int proc_path(const struct pm_proc *p, const char *file, char *buf, size_t len)
{
	int n;

	if (file && *file)
		n = snprintf(buf, len, "%s/%d/%s", p->root, (int)p->pid, file);
	else
		n = snprintf(buf, len, "%s/%d", p->root, (int)p->pid);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Open ROOT/PID/FILE for reading; NULL with *@err = -errno on failure. */
FILE *proc_fopen(const struct pm_proc *p, const char *file, int *err)
{
	char path[PATH_MAX];
	FILE *f;
	int e = proc_path(p, file, path, sizeof(path));

	if (e) {
		*err = e;
		return NULL;
	}
	f = fopen(path, "re");
	*err = f ? 0 : -errno;
	return f;
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/*
 * The value of "KEY:" in ROOT/PID/status.  The file is read line by line; long lines (such as
 * Mems_allowed on machines with many nodes) are fine.  -ENOSPC when the value does not fit.
 */
int proc_status_get(const struct pm_proc *p, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key), cap = 0;
	char *line = NULL, *v;
	int err = -ENOENT;
	FILE *f = proc_fopen(p, "status", &err);

	if (!f)
		return err;
	err = -ENOENT;
	while (getline(&line, &cap, f) >= 0) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = trim(line + klen + 1);
		if (strlen(v) >= len) {
			err = -ENOSPC;
			break;
		}
		memcpy(buf, v, strlen(v) + 1);
		err = 0;
		break;
	}
	if (err == -ENOENT && ferror(f))
		err = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	return err;
}

int read_file_str(const char *path, char *buf, size_t len)
{
	size_t n = 0;
	long r = 0;
	int fd;
	char c;

	if (!len)
		return -EINVAL;
	fd = sys_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	while (n < len - 1) {
		r = sys_pread(fd, buf + n, len - 1 - n, (off_t)n);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (r > 0 && sys_pread(fd, &c, 1, (off_t)n) == 1)
		r = -EOVERFLOW;
	sys_close(fd);
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return r < 0 ? (int)r : 0;
}

int read_file_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	unsigned long long v;
	int err = read_file_str(path, buf, sizeof(buf));

	if (err)
		return err;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno)
		return -errno;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end)
		return -EINVAL;
	*val = v;
	return 0;
}
