// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * plugin_path.c - which files pagemig_plugin_load() (and `pagemig -H`) agrees to run: a path with
 * a '/' ('' would dlopen the program itself, a bare name is searched through LD_LIBRARY_PATH),
 * resolved to its real path (a relative one against the current directory), and neither the file
 * nor any directory above it writable by group or others (a directory with the sticky bit, such
 * as /tmp, is fine) or owned by anyone but root or the caller.  Each refusal is one line naming
 * the file and the reason.  Copies of the hello test plugin, in a private directory under /tmp.
 */
#include <sys/stat.h>

#include "unit.h"

#define NOBODY 65534

static char bindir[PATH_MAX];	/* build/tests/unit */
static char dir[64];		/* our directory under /tmp */

static void copy(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	if (in < 0 || out < 0) {
		fprintf(stderr, "cannot copy %s to %s: %s\n", from, to, strerror(errno));
		exit(1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			exit(1);
	close(in);
	close(out);
	if (chmod(to, mode))
		exit(1);
}

/* Load @path in a fresh handle: the return and the message. */
static int load(const char *path, char *err, size_t len)
{
	struct pagemig *pm;
	int ret;

	if (pagemig_open(0, NULL, &pm)) {
		fprintf(stderr, "cannot open this process\n");
		exit(1);
	}
	err[0] = '\0';
	ret = pagemig_plugin_load(pm, path, err, len);
	pagemig_close(pm);
	return ret;
}

static void expect(const char *path, int want, const char *needle, const char *what)
{
	char err[512];
	int ret = load(path, err, sizeof(err));

	CHECK(ret == want && (!needle || (strstr(err, needle) && !strchr(err, '\n'))),
	      "%s ('%s'): %d (%s), want %d and a line with '%s'", what, path, ret, err, want, needle ? needle : "");
}

static void test_names(void)
{
	char path[PATH_MAX + 64], *out = NULL, *err = NULL, cwd[PATH_MAX];
	int rc;

	expect("", -EINVAL, "not a path", "the empty name");
	expect("hello.so", -EINVAL, "not a path", "a bare name");
	/* the CLI with LD_LIBRARY_PATH pointing at the plugin: still not searched */
	snprintf(path, sizeof(path), "%s/plugins", bindir);
	setenv("LD_LIBRARY_PATH", path, 1);
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(), (const char *const[]){ "handlers", "-H", "hello.so", NULL });
	unsetenv("LD_LIBRARY_PATH");
	CHECK(rc == 6 && strstr(err, "not a path") && !strstr(out, "hello"),
	      "handlers -H hello.so with LD_LIBRARY_PATH: exit %d, stderr %s", rc, err);
	free(out);
	free(err);
	rc = unit_run(&out, &err, (uid_t)-1, unit_cli(), (const char *const[]){ "handlers", "-H", "", NULL });
	CHECK(rc == 6 && strstr(err, "not a path"), "handlers -H '': exit %d, stderr %s", rc, err);
	free(out);
	free(err);

	/* a relative path with a '/' is resolved against the current directory */
	if (!getcwd(cwd, sizeof(cwd)) || chdir(dir))
		exit(1);
	expect("./hello.so", 0, NULL, "./hello.so in a safe directory");
	if (chdir(cwd))
		exit(1);
	expect("./hello.so", -ENOENT, "./hello.so", "./hello.so where there is none");
}

static void test_modes(void)
{
	char path[128], sub[96];

	snprintf(path, sizeof(path), "%s/hello.so", dir);
	expect(path, 0, NULL, "a plugin of ours, mode 0755, under /tmp (sticky)");
	chmod(path, 0775);
	expect(path, -EPERM, "writable by group or others", "a group-writable plugin");
	chmod(path, 0757);
	expect(path, -EPERM, "writable by group or others", "a world-writable plugin");
	chmod(path, 0755);
	chmod(dir, 0777);
	expect(path, -EPERM, "writable by group or others", "a plugin in a world-writable directory");
	chmod(dir, 01777);
	expect(path, 0, NULL, "a plugin in a world-writable sticky directory");
	chmod(dir, 0700);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(sub, 0755);
	chmod(dir, 0770);
	snprintf(path, sizeof(path), "%s/../hello.so", sub);	/* resolved: the checks see dir */
	expect(path, -EPERM, "writable by group or others", "a path through a group-writable directory");
	chmod(dir, 0700);
	rmdir(sub);
	if (geteuid() != 0) {
		unit_skip("not root: a plugin owned by another uid not tried");
		return;
	}
	snprintf(path, sizeof(path), "%s/hello.so", dir);
	if (chown(path, NOBODY, NOBODY))
		exit(1);
	expect(path, -EPERM, "belongs to uid 65534", "a plugin owned by nobody");
	if (chown(path, 0, 0))
		exit(1);
}

int main(void)
{
	ssize_t n = readlink("/proc/self/exe", bindir, sizeof(bindir) - 1);
	char src[PATH_MAX + 64], dst[128], *slash;

	if (n <= 0)
		return 1;
	bindir[n] = '\0';
	slash = strrchr(bindir, '/');
	if (slash)
		*slash = '\0';
	snprintf(dir, sizeof(dir), "/tmp/pagemig-plugin-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(src, sizeof(src), "%s/plugins/hello.so", bindir);
	snprintf(dst, sizeof(dst), "%s/hello.so", dir);
	copy(src, dst, 0755);
	test_names();
	test_modes();
	unlink(dst);
	rmdir(dir);
	return unit_exit("plugin_path");
}
