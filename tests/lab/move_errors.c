// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_errors.c - `pagemig move` refuses what it cannot do, with the documented exit status, and
 * moves nothing then: bad node strings and pids, bad region filters and option values (2), a
 * process that does not exist or is a zombie (3), a process of another user (4).  And a good
 * filter really limits the move: `--regions anon` leaves a file-backed region's pages where they
 * are, `--regions file` then moves them.
 *
 * Placement is checked with move_pages(nodes = NULL) on the target, never from pagemig's report.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (2 * MIB)
#define NOBODY 65534
#define FILE_PATH "/tmp/move_errors.dat"

struct layout {
	char *anon;		/* private anonymous, node 0 */
	char *file;		/* MAP_SHARED of a tmpfs file, page cache on node 0 */
};

static struct layout *L;

static void setup(void *arg)
{
	int fd, err;

	L->anon = lab_alloc_on_node(SZ, 0, 0);
	/* The file's pages are allocated under the task's policy: bind it to node 0 for that. */
	err = lab_set_mempolicy(MPOL_BIND, 1ULL << 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		FAIL("create %s: %s", FILE_PATH, strerror(errno));
	L->file = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (L->file == MAP_FAILED)
		FAIL("mmap %s: %s", FILE_PATH, strerror(errno));
	close(fd);
	lab_fill(L->file, SZ, 21);
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy(MPOL_DEFAULT): %s", strerror(-err));
}

static void expect_on(pid_t pid, void *addr, size_t len, int node, const char *what)
{
	lab_expect_on(pid, addr, len, lab_page_size(), node, what);
}

/* pagemig must exit @want, with a "pagemig: " message on stderr that contains @needle (may be NULL). */
static void expect_exit(int rc, const char *err, int want, const char *needle, const char *what)
{
	if (rc != want)
		FAIL("%s: exit %d, expected %d", what, rc, want);
	if (strncmp(err, "pagemig: ", 9) && !strstr(err, "\npagemig: "))
		FAIL("%s: no 'pagemig: ' diagnostic on stderr: '%s'", what, err);
	if (needle && !strstr(err, needle))
		FAIL("%s: stderr does not mention '%s': '%s'", what, needle, err);
}

static void bad_nodes(pid_t pid)
{
	static const struct {
		const char *from, *to, *needle;
	} cases[] = {
		{ "0", "9", "node 9" },		/* nodes 0-3 are online */
		{ "9", "2", "node 9" },
		{ "0", "1-", "1-" },
		{ "0", "10-1", "10-1" },
		{ "x", "2", "x" },
		{ "''", "2", NULL },
		{ "0", "''", NULL },
		{ "0,", "2", NULL },
	};
	char err[4096], what[128];
	int rc;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d %s %s --no-progress", pid, cases[i].from,
				 cases[i].to);
		snprintf(what, sizeof(what), "move %s -> %s", cases[i].from, cases[i].to);
		expect_exit(rc, err, 2, cases[i].needle, what);
	}
	/* The same through --from/--to. */
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d --from 0 --to 9 --no-progress", pid);
	expect_exit(rc, err, 2, "node 9", "--to 9");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d --from 0 --no-progress", pid);
	expect_exit(rc, err, 2, "--to", "no --to");
	expect_on(pid, L->anon, SZ, 0, "anonymous region after bad node strings");
	expect_on(pid, L->file, SZ, 0, "file region after bad node strings");
}

static void bad_pids_and_options(pid_t pid)
{
	char err[4096], needle[32];
	pid_t gone, zombie;
	int rc;

	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move abc 0 1 --no-progress");
	expect_exit(rc, err, 2, "abc", "pid 'abc'");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move 12x 0 1 --no-progress");
	expect_exit(rc, err, 2, "12x", "pid '12x'");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move 0 0 1 --no-progress");
	expect_exit(rc, err, 2, NULL, "pid 0");

	/* A pid that existed and was reaped. */
	fflush(NULL);
	gone = fork();
	if (gone < 0)
		FAIL("fork: %s", strerror(errno));
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	if (kill(gone, 0) == 0 || errno != ESRCH)
		FAIL("pid %d still exists after waitpid", (int)gone);
	snprintf(needle, sizeof(needle), "%d", (int)gone);
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress", gone);
	expect_exit(rc, err, 3, needle, "reaped pid");

	/* A zombie: the pid exists, the process (and its memory) does not. */
	zombie = fork();
	if (zombie < 0)
		FAIL("fork: %s", strerror(errno));
	if (zombie == 0)
		_exit(0);
	{
		siginfo_t si;

		if (waitid(P_PID, (id_t)zombie, &si, WEXITED | WNOWAIT))
			FAIL("waitid: %s", strerror(errno));
	}
	snprintf(needle, sizeof(needle), "%d", (int)zombie);
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress", zombie);
	expect_exit(rc, err, 3, needle, "zombie pid");
	waitpid(zombie, NULL, 0);

	/* Bad filters and option values. */
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --regions bogus --no-progress", pid);
	expect_exit(rc, err, 2, "bogus", "--regions bogus");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --regions 0x10-0x5 --no-progress", pid);
	expect_exit(rc, err, 2, "0x10-0x5", "--regions with an empty range");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --regions anon,,file --no-progress", pid);
	expect_exit(rc, err, 2, NULL, "--regions with an empty term");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --batch 0 --no-progress", pid);
	expect_exit(rc, err, 2, "0", "--batch 0");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --bogus-option", pid);
	expect_exit(rc, err, 2, NULL, "unknown option");
	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 -o NOSUCHCOLUMN --no-progress", pid);
	expect_exit(rc, err, 2, "NOSUCHCOLUMN", "-o NOSUCHCOLUMN");
	expect_on(pid, L->anon, SZ, 0, "anonymous region after bad pids and options");
	expect_on(pid, L->file, SZ, 0, "file region after bad pids and options");
}

/* Another user's process: exit 4, nothing moved. */
static void other_user(pid_t pid)
{
	char err[4096];
	int rc;

	rc = lab_pagemig_as(NOBODY, NULL, 0, err, sizeof(err), "move %d 0 2 --no-progress", pid);
	expect_exit(rc, err, 4, NULL, "unprivileged move of root's process");
	expect_on(pid, L->anon, SZ, 0, "anonymous region after a refused move");
}

/* --regions anon moves the anonymous region only; --regions file then moves the file's pages. */
static void region_filter(pid_t pid)
{
	if (lab_pagemig(NULL, 0, NULL, 0, "move %d 0 2 --regions anon --no-progress", pid) != 0)
		FAIL("pagemig move --regions anon did not exit 0");
	expect_on(pid, L->anon, SZ, 2, "--regions anon: anonymous region");
	expect_on(pid, L->file, SZ, 0, "--regions anon: file region (must stay)");
	if (lab_pagemig(NULL, 0, NULL, 0, "move %d 0 2 --regions file --no-progress", pid) != 0)
		FAIL("pagemig move --regions file did not exit 0");
	expect_on(pid, L->file, SZ, 2, "--regions file: file region");
}

int main(void)
{
	pid_t pid;

	L = lab_require_cli(4, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	expect_on(pid, L->anon, SZ, 0, "anonymous region before any move");
	expect_on(pid, L->file, SZ, 0, "file region before any move");
	bad_nodes(pid);
	bad_pids_and_options(pid);
	other_user(pid);
	region_filter(pid);
	lab_kill(pid);
	return 0;
}
