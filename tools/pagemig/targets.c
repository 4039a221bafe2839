// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * targets.c - the processes a command works on: "PID[,PID...]" and --cgroup PATH (cgroup v2: the
 * processes of PATH and of every cgroup below it, read from each cgroup.procs, which lists thread
 * group ids), in pid order, each once.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CGROUP_MAX_DEPTH 64	/* deeper than any real hierarchy; a loop cannot be one */

static int push(struct cli_targets *t, pid_t pid)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		pid_t *v = realloc(t->pids, cap * sizeof(*v));

		if (!v) {
			cli_err("cannot list the processes: %s", strerror(ENOMEM));
			return EXIT_FAILURE_;
		}
		t->pids = v;
		t->cap = cap;
	}
	t->pids[t->n++] = pid;
	return 0;
}

int cli_targets_add_pids(struct cli_targets *t, const char *list)
{
	char buf[32];
	const char *p = list;
	pid_t pid;

	for (;;) {
		size_t n = strcspn(p, ",");

		snprintf(buf, sizeof(buf), "%.*s", (int)(n < sizeof(buf) ? n : sizeof(buf) - 1), p);
		pid = n < sizeof(buf) ? cli_parse_pid(buf) : -1;
		if (pid < 0) {
			if (n >= sizeof(buf))
				cli_err("'%.*s...' is not a process id", 20, p);
			return EXIT_USAGE;
		}
		if (push(t, pid))
			return EXIT_FAILURE_;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* Where cgroup2 is mounted (/proc/self/mounts), /sys/fs/cgroup when it does not say. */
static void cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char dev[256], dir[4096], type[64];

	snprintf(buf, len, "/sys/fs/cgroup");
	if (!f)
		return;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			break;
		}
	}
	fclose(f);
}

static bool is_cgroup(const char *dir)
{
	char path[4200];

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return false;
	return !access(path, F_OK);
}

/*
 * Whether @pid is a kernel thread (PF_KTHREAD in its stat flags, after the last ')'): the root
 * cgroup lists them, but they have no user memory to show or move.
 */
static bool is_kernel_thread(pid_t pid)
{
	char path[64], buf[1024], *paren;
	unsigned long flags = 0;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && sscanf(paren + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & 0x00200000UL);
}

/*
 * The processes of cgroup @dir, kernel threads left out; a cgroup removed meanwhile, or a threaded
 * one, has none.
 */
static int read_procs(struct cli_targets *t, const char *dir)
{
	char path[4200], line[64];
	FILE *f;
	int rc = 0;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return 0;	/* no cgroup has such a path: is_cgroup() said no */
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT || errno == EOPNOTSUPP)
			return 0;
		cli_err("cannot read '%s': %s", path, strerror(errno));
		return errno == EACCES || errno == EPERM ? EXIT_PERM : EXIT_FAILURE_;
	}
	while (!rc && fgets(line, sizeof(line), f)) {
		long v = strtol(line, NULL, 10);

		if (v > 0 && !is_kernel_thread((pid_t)v))
			rc = push(t, (pid_t)v);
	}
	fclose(f);
	return rc;
}

static int walk_cgroup(struct cli_targets *t, const char *dir, int depth)
{
	char sub[4200];
	struct dirent *d;
	struct stat sb;
	DIR *dh;
	int rc = read_procs(t, dir);

	if (rc || depth >= CGROUP_MAX_DEPTH)
		return rc;
	dh = opendir(dir);
	if (!dh)
		return errno == ENOENT ? 0 : (cli_err("cannot read '%s': %s", dir, strerror(errno)), EXIT_FAILURE_);
	while (!rc && (d = readdir(dh))) {
		if (d->d_name[0] == '.' || (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) >= (int)sizeof(sub))
			continue;
		if (d->d_type == DT_UNKNOWN && (stat(sub, &sb) || !S_ISDIR(sb.st_mode)))
			continue;
		if (is_cgroup(sub))
			rc = walk_cgroup(t, sub, depth + 1);
	}
	closedir(dh);
	return rc;
}

int cli_targets_add_cgroup(struct cli_targets *t, const char *path)
{
	char mnt[4096], dir[4200];

	/* a cgroup directory, or a path under the cgroup2 mount as /proc/PID/cgroup writes it */
	snprintf(dir, sizeof(dir), "%s", path);
	if (path[0] != '/' || !is_cgroup(dir)) {
		cgroup2_mount(mnt, sizeof(mnt));
		if (snprintf(dir, sizeof(dir), "%s/%s", mnt, path[0] == '/' ? path + 1 : path) >= (int)sizeof(dir) ||
		    !is_cgroup(dir)) {
			cli_err("no cgroup '%s' (neither it nor '%s' is a cgroup v2 directory)", path, dir);
			return EXIT_USAGE;
		}
	}
	return walk_cgroup(t, dir, 0);
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

void cli_targets_sort(struct cli_targets *t)
{
	size_t i, n = 0;

	if (t->n)
		qsort(t->pids, t->n, sizeof(*t->pids), cmp_pid);
	for (i = 0; i < t->n; i++)
		if (!n || t->pids[n - 1] != t->pids[i])
			t->pids[n++] = t->pids[i];
	t->n = n;
}

void cli_targets_free(struct cli_targets *t)
{
	free(t->pids);
	memset(t, 0, sizeof(*t));
}
