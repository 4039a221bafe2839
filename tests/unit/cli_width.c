// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_width.c - `pagemig show` and `pagemig move --dry-run` on a terminal of a known width: a
 * pseudo-terminal WIDTH columns wide (TIOCSWINSZ) is their stdout.  This process maps a file whose
 * path is longer than the terminal; no line of the table may be wider than WIDTH columns (the PATH
 * column is cut), while --raw on the same terminal, and --json, keep the whole path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "unit.h"

#define CLI unit_cli()
#define WIDTH 90	/* the default columns but PATH take about 75 on a one-node host */

/* Run CLI with @args on a @cols-column pseudo-terminal; its output (\r dropped) in @out. */
static int run_on_pty(unsigned short cols, const char *const *args, char *out, size_t len)
{
	struct winsize ws = { .ws_row = 50, .ws_col = cols };
	const char *argv[16] = { "pagemig" };
	int master = posix_openpt(O_RDWR | O_NOCTTY), slave, st;
	size_t n = 0, i;
	ssize_t got;
	char c;
	pid_t pid;

	for (i = 0; args[i] && i + 2 < 16; i++)
		argv[i + 1] = args[i];
	if (master < 0 || grantpt(master) || unlockpt(master) || !ptsname(master))
		return -1;
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0 || ioctl(slave, TIOCSWINSZ, &ws))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(slave, STDOUT_FILENO);
		execv(CLI, (char *const *)argv);
		_exit(127);
	}
	close(slave);
	/* until the child has closed the terminal: then read() says EIO */
	while ((got = read(master, &c, 1)) == 1 || (got < 0 && errno == EINTR))
		if (got == 1 && c != '\r' && n + 1 < len)
			out[n++] = c;
	out[n] = '\0';
	close(master);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The widest line of @s in columns: one per UTF-8 character (ASCII and the BAR's blocks here). */
static size_t widest(const char *s)
{
	size_t w = 0, cols = 0;

	for (; *s; s++) {
		if (*s == '\n')
			cols = 0;
		else if (((unsigned char)*s & 0xc0) != 0x80)
			cols++;
		if (cols > w)
			w = cols;
	}
	return w;
}

int main(void)
{
	static char out[1 << 20];
	char dir[] = "/tmp/pagemig-width-XXXXXX", path[256], pid[16], range[64];
	const char *show[] = { "show", pid, NULL };
	const char *show_raw[] = { "show", "--raw", pid, NULL };
	const char *show_json[] = { "show", "--json", pid, NULL };
	const char *dry[] = { "move", "--dry-run", "-o", "RANGE,KIND,PATH,HANDLER,PLAN", pid, "0", "0", NULL };
	int fd, rc;
	void *p;

	if (access(CLI, X_OK)) {
		printf("%s not built (run from the repository root after make)\n", CLI);
		return 1;
	}
	fd = posix_openpt(O_RDWR | O_NOCTTY);
	if (fd < 0) {		/* the probe: no pseudo-terminals here (no /dev/ptmx, or no devpts) */
		unit_skip("no pseudo-terminal: posix_openpt: %s", strerror(errno));
		return unit_exit("cli_width");
	}
	close(fd);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/a-file-whose-name-is-much-longer-than-the-terminal-is-wide.data", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		return 1;
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "mmap %s", path);
	if (p == MAP_FAILED)
		return unit_exit("cli_width");
	(void)*(volatile char *)p;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(range, sizeof(range), "%lx-", (unsigned long)(uintptr_t)p);

	rc = run_on_pty(WIDTH, show, out, sizeof(out));
	CHECK(rc == 0, "show on a %d-column terminal: exit %d", WIDTH, rc);
	CHECK(strstr(out, range) != NULL, "show lists the file's region %s", range);
	CHECK(widest(out) <= WIDTH, "show: a line of %zu columns on a %d-column terminal:\n%s", widest(out), WIDTH, out);
	CHECK(!strstr(out, path), "show: the path was not cut");

	rc = run_on_pty(WIDTH, show_raw, out, sizeof(out));
	CHECK(rc == 0 && strstr(out, path) != NULL, "show --raw keeps the whole path: exit %d", rc);
	rc = run_on_pty(WIDTH, show_json, out, sizeof(out));
	CHECK(rc == 0 && strstr(out, path) != NULL, "show --json keeps the whole path: exit %d", rc);
	rc = run_on_pty(1000, show, out, sizeof(out));
	CHECK(rc == 0 && strstr(out, path) != NULL, "show on a wide terminal prints the whole path: exit %d", rc);

	/* move cuts its PATH the same way (0 -> 0: a dry run that plans nothing, rows or not) */
	rc = run_on_pty(WIDTH, dry, out, sizeof(out));
	CHECK(rc == 0, "move --dry-run on a %d-column terminal: exit %d", WIDTH, rc);
	CHECK(widest(out) <= WIDTH, "move --dry-run: a line of %zu columns:\n%s", widest(out), out);

	munmap(p, 4096);
	close(fd);
	unlink(path);
	rmdir(dir);
	return unit_exit("cli_width");
}
