/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * unit.h - what the host tests (tests/unit/) share.
 *
 * A host test is a plain C program that tests/run-unit.sh runs from the repository root: exit 0
 * pass, 1 fail, 77 skip with the reason as the last line it prints (see STYLE.md).  CHECK() counts
 * a failed check and goes on, so that one run shows every broken case; main() ends with
 * `if (unit_failed("NAME")) return 1;`.
 *
 * Host tests may reach into the library (internal.h is included here): parsers and dispatch are
 * tested on canned /proc and /sys trees (tests/unit/fixtures/), the real thing in tests/lab/.
 */
#ifndef UNIT_H
#define UNIT_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"

/* The number of CHECK()s that failed so far. */
static int failures;
/* The reason a part of the test could not run (unit_skip()), or NULL. */
static char skipped[256];

/** CHECK() - unless @cond holds, print "file:line: message" (printf-style) on stderr and count a failure. */
#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);      \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			failures++;                                          \
		}                                                            \
	} while (0)

/**
 * unit_failed() - whether any CHECK() failed; if so, "@name: N checks failed" on stderr.
 *
 * Return: true when the test is to exit 1.
 */
static inline bool unit_failed(const char *name)
{
	if (failures)
		fprintf(stderr, "%s: %d checks failed\n", name, failures);
	return failures != 0;
}

/**
 * unit_skip() - a part of the test cannot run here (an explicit probe said so: not root, no
 * locale): remember why, printf-style.  The test still runs its other parts; unit_exit() then
 * exits 77 with this reason as the last line, unless a check failed.
 */
static inline __attribute__((format(printf, 1, 2))) void unit_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(skipped, sizeof(skipped), fmt, ap);
	va_end(ap);
}

/**
 * unit_exit() - the test's exit status: 1 when a CHECK() failed (unit_failed()), 77 with the
 * reason as the last line when a part was skipped (unit_skip()), else 0.
 */
static inline int unit_exit(const char *name)
{
	if (unit_failed(name))
		return 1;
	if (skipped[0]) {
		fflush(stderr);
		printf("%s\n", skipped);
		return 77;
	}
	return 0;
}

/**
 * unit_fixtures() - the fixture tree: $PAGEMIG_FIXTURES, else ./tests/unit/fixtures, else the one
 * beside the sources as seen from this binary (build/tests/unit/NAME).
 *
 * Return: its path; exits 1 with a message when there is none.
 */
static inline const char *unit_fixtures(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("PAGEMIG_FIXTURES");
	ssize_t n;
	char *slash;

	if (env)
		return env;
	if (!access("tests/unit/fixtures", F_OK))
		return "tests/unit/fixtures";
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 64);
	if (n > 0) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash) {
			strcpy(slash, "/../../../tests/unit/fixtures");
			if (!access(buf, F_OK))
				return buf;
		}
	}
	fprintf(stderr, "cannot find tests/unit/fixtures (set PAGEMIG_FIXTURES)\n");
	exit(1);
}

/**
 * unit_cli() - the pagemig CLI built with this test: $PAGEMIG_CLI, else pagemig three levels
 * above this binary (B/tests/unit/NAME -> B/pagemig, for build/ and for build/san/ alike).
 *
 * Return: its path (it may not exist: the caller checks).
 */
static inline const char *unit_cli(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("PAGEMIG_CLI");
	ssize_t n;
	char *slash;
	int i;

	if (env)
		return env;
	n = readlink("/proc/self/exe", buf, sizeof(buf) - 16);
	if (n <= 0)
		return "build/pagemig";
	buf[n] = '\0';
	for (i = 0; i < 3 && (slash = strrchr(buf, '/')); i++)
		*slash = '\0';
	strcat(buf, "/pagemig");
	return buf;
}

/**
 * unit_mask_of() - the node mask of a kernel list ("0-3", "0,2,5-7").
 *
 * Return: the mask; exits 1 on a bad list, a mistake in the test itself.
 */
static inline struct pagemig_nodemask unit_mask_of(const char *list)
{
	struct pagemig_nodemask m;

	if (nodemask_parse_list(list, &m)) {
		fprintf(stderr, "bad list '%s' in the test itself\n", list);
		exit(1);
	}
	return m;
}

/**
 * unit_spawn() - fork a target process: it runs @setup(@arg), then sleeps until unit_kill().
 *
 * Returns once @setup has returned in the child, so the target is in place; @setup may _exit()
 * the child when it cannot do its part.
 * Return: the child's pid; exits 1 if it cannot be started or dies during @setup.
 */
static inline pid_t unit_spawn(void (*setup)(void *arg), void *arg)
{
	int ready[2];
	pid_t pid;
	char c;

	if (pipe2(ready, O_CLOEXEC)) {
		perror("pipe");
		exit(1);
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		setup(arg);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "target process %d did not start\n", (int)pid);
		exit(1);
	}
	close(ready[0]);
	return pid;
}

/** unit_kill() - SIGKILL a process from unit_spawn() and reap it. */
static inline void unit_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One output stream of unit_run(): a heap string that grows as the pipe gives. */
struct unit_stream {
	int fd;
	char *buf;
	size_t len, cap;
};

/* Append what is in @s's pipe now.  Return: false at its end (EOF, or an error other than EINTR). */
static inline bool unit_stream_read(struct unit_stream *s)
{
	ssize_t n;

	if (s->len + 4096 >= s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1 << 16;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	n = read(s->fd, s->buf + s->len, s->cap - 1 - s->len);
	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	s->len += (size_t)n;
	return true;
}

/*
 * Read both streams to their ends, all at once (a child that fills one pipe while the test waits
 * on the other would hang), and close them.
 */
static inline void unit_streams_drain(struct unit_stream s[2])
{
	struct pollfd pfd[2];
	int i;

	while (s[0].fd >= 0 || s[1].fd >= 0) {
		for (i = 0; i < 2; i++)
			pfd[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (s[i].fd >= 0 && pfd[i].revents && !unit_stream_read(&s[i])) {
				close(s[i].fd);
				s[i].fd = -1;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
}

/* What @s read, NUL-terminated, into *@dst (the caller frees it), or freed when @dst is NULL. */
static inline void unit_stream_take(struct unit_stream *s, char **dst)
{
	if (!s->buf)
		s->buf = calloc(1, 1);
	if (!s->buf) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	s->buf[s->len] = '\0';
	if (dst)
		*dst = s->buf;
	else
		free(s->buf);
}

/**
 * unit_run() - run the program @path with @args (NULL-terminated, without argv[0]), its stdout and
 * stderr captured apart.
 * @out: receives stdout as a heap string (free() it), or NULL: read and dropped
 * @err: receives stderr likewise
 * @uid: (uid_t)-1 to run as this process, or the uid (and gid) the child takes first, as root
 *       (exit 126 if it cannot)
 *
 * As this process, the child is started with posix_spawn(), which copies none of this process's
 * page tables: a test that counts its own pages keeps its own counts.
 * Return: the exit status, or 128 + the signal that killed it; exits 1 if it cannot be started.
 */
static inline int unit_run(char **out, char **err, uid_t uid, const char *path, const char *const *args)
{
	struct unit_stream s[2] = { { .fd = -1 }, { .fd = -1 } };
	const char **argv;
	posix_spawn_file_actions_t fa;
	int po[2], pe[2], st = 0, n = 0;
	pid_t pid = -1;

	while (args[n])
		n++;
	argv = calloc((size_t)n + 2, sizeof(*argv));
	if (!argv || pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		fprintf(stderr, "cannot run %s: %s\n", path, strerror(errno));
		exit(1);
	}
	argv[0] = path;
	memcpy(argv + 1, args, (size_t)n * sizeof(*argv));
	if (uid != (uid_t)-1) {
		pid = fork();
		if (pid == 0) {
			dup2(po[1], STDOUT_FILENO);
			dup2(pe[1], STDERR_FILENO);
			if (setgid((gid_t)uid) || setuid(uid))
				_exit(126);
			execv(path, (char *const *)argv);
			_exit(127);
		}
	} else {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, po[1], STDOUT_FILENO);
		posix_spawn_file_actions_adddup2(&fa, pe[1], STDERR_FILENO);
		if (posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, environ))
			pid = -1;
		posix_spawn_file_actions_destroy(&fa);
	}
	close(po[1]);
	close(pe[1]);
	free(argv);
	if (pid < 0) {
		fprintf(stderr, "cannot run %s\n", path);
		exit(1);
	}
	s[0].fd = po[0];
	s[1].fd = pe[0];
	unit_streams_drain(s);
	unit_stream_take(&s[0], out);
	unit_stream_take(&s[1], err);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Write @text to @path (created or truncated); a failure is a failed check. */
static inline void unit_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0 && !fclose(f), "cannot write %s", path);
}

#endif /* UNIT_H */
