// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * timeit.c - run one command and print what it cost: "WALL_MS USER_MS SYS_MS MAXRSS_KIB".
 *
 *   timeit CMD [ARGS...]      the command's stdout goes to /dev/null, its stderr is kept
 *
 * Wall time is CLOCK_MONOTONIC around fork, exec and wait4(); CPU time and peak RSS are
 * wait4()'s rusage of the child (all its threads, not the runner).  A command that fails makes
 * timeit fail with its exit status, so a benchmark never times an error message.
 * Built by the bench scripts with a plain `cc -O2`; no library needed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv)
{
	return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: timeit CMD [ARGS...]\n");
		return 2;
	}
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		perror("timeit: fork");
		return 1;
	}
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		execvp(argv[1], argv + 1);
		perror("timeit: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("timeit: wait4");
		return 1;
	}
	t1 = now_ms();
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "timeit: %s: %s %d\n", argv[1], WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	printf("%.2f %.2f %.2f %ld\n", t1 - t0, tv_ms(ru.ru_utime), tv_ms(ru.ru_stime), ru.ru_maxrss);
	return 0;
}
