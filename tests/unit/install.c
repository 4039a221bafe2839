// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * install.c - `make install` into a DESTDIR, then `make uninstall` (run from the repo root).
 *
 * With PREFIX=/usr LIBDIR=/usr/lib/TRIPLET (as a distribution installs): libpagemig.so.VERSION
 * is a real file with soname libpagemig.so.0, libpagemig.so.0 and libpagemig.so are links to it
 * that dlopen() follows to a library reporting VERSION; pagemig.pc has a ${prefix}-relative
 * libdir (pkg-config relocates it with --define-variable) and Libs.private -lpthread -ldl; every
 * function of include/pagemig.h has a man 3 page (a `.so` link to libpagemig.3, which names it);
 * the CLI, the header and the bash completion are in place.  `make uninstall` then leaves no
 * file or link behind.  Also: CPPFLAGS and LDFLAGS reach the compile and link commands.
 */
#include <dlfcn.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#define TRIPLET "lib/x86_64-linux-gnu"
#define MAKE_ENV "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE "

static char dest[64];

/* Run @cmd with /bin/sh; its stdout in *@out (may be NULL); returns the exit status. */
static int sh(char **out, const char *cmd)
{
	const char *args[] = { "-c", cmd, NULL };
	char *o, *e;
	int rc = unit_run(&o, &e, (uid_t)-1, "/bin/sh", args);

	if (rc)
		fprintf(stderr, "'%s': exit %d: %s%s\n", cmd, rc, o, e);
	free(e);
	if (out)
		*out = o;
	else
		free(o);
	return rc;
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return strdup("");
	if (getdelim(&buf, &cap, '\0', f) < 0) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

static const char *in_dest(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/usr/%s", dest, rel);
	return buf[i];
}

static void check_link(const char *rel, const char *target)
{
	char got[PATH_MAX];
	ssize_t n = readlink(in_dest(rel), got, sizeof(got) - 1);

	got[n > 0 ? n : 0] = '\0';
	CHECK(n > 0 && !strcmp(got, target), "%s -> '%s', want '%s'", rel, got, target);
}

static void check_libs(void)
{
	struct stat st;
	char *out = NULL;
	void *h;
	const char *(*version)(void);

	CHECK(!lstat(in_dest(TRIPLET "/libpagemig.so." PAGEMIG_VERSION_STRING), &st) && S_ISREG(st.st_mode) &&
	      (st.st_mode & 0777) == 0644, "libpagemig.so." PAGEMIG_VERSION_STRING " is no 0644 file");
	check_link(TRIPLET "/libpagemig.so.0", "libpagemig.so." PAGEMIG_VERSION_STRING);
	check_link(TRIPLET "/libpagemig.so", "libpagemig.so.0");
	CHECK(!lstat(in_dest(TRIPLET "/libpagemig.a"), &st) && S_ISREG(st.st_mode), "no libpagemig.a");
	if (!sh(&out, "readelf -d build/libpagemig.so." PAGEMIG_VERSION_STRING " | grep SONAME"))
		CHECK(strstr(out, "[libpagemig.so.0]") != NULL, "soname: %s", out);
	free(out);
	h = dlopen(in_dest(TRIPLET "/libpagemig.so"), RTLD_NOW | RTLD_LOCAL);
	CHECK(h != NULL, "dlopen installed libpagemig.so: %s", dlerror());
	if (!h)
		return;
	version = (const char *(*)(void))dlsym(h, "pagemig_version");
	CHECK(version && !strcmp(version(), PAGEMIG_VERSION_STRING), "installed library's version %s",
	      version ? version() : "(none)");
	dlclose(h);
}

static void check_pc(void)
{
	char cmd[PATH_MAX + 256], *pc = slurp(in_dest(TRIPLET "/pkgconfig/pagemig.pc")), *out = NULL;

	CHECK(strstr(pc, "\nlibdir=${prefix}/" TRIPLET "\n") && strstr(pc, "\nincludedir=${prefix}/include\n"),
	      "pagemig.pc: not relocatable:\n%s", pc);
	CHECK(strstr(pc, "\nLibs.private: -lpthread -ldl\n") && strstr(pc, "\nVersion: " PAGEMIG_VERSION_STRING "\n"),
	      "pagemig.pc: Libs.private or Version:\n%s", pc);
	free(pc);
	if (sh(NULL, "command -v pkg-config >/dev/null"))
		return;
	snprintf(cmd, sizeof(cmd), "PKG_CONFIG_PATH=%s pkg-config --define-variable=prefix=/opt/x --libs --static "
		 "pagemig", in_dest(TRIPLET "/pkgconfig"));
	if (!sh(&out, cmd))
		CHECK(!strcmp(out, "-L/opt/x/" TRIPLET " -lpagemig -lpthread -ldl \n") ||
		      !strcmp(out, "-L/opt/x/" TRIPLET " -lpagemig -lpthread -ldl\n"), "pkg-config relocated: '%s'", out);
	else
		CHECK(0, "pkg-config failed");
	free(out);
}

/* Every PAGEMIG_API function: a man3 page, and libpagemig(3) names it. */
static void check_man(void)
{
	char *hdr = slurp("include/pagemig.h"), *main3 = slurp(in_dest("share/man/man3/libpagemig.3"));
	char name[128], path[200], want[160], *page;
	int nr = 0;

	for (char *p = hdr; (p = strstr(p, "\nPAGEMIG_API ")); p++) {
		char *paren = strchr(p, '('), *s = paren;

		if (!paren)
			break;
		while (s > p && (s[-1] == '_' || (s[-1] >= 'a' && s[-1] <= 'z') || (s[-1] >= '0' && s[-1] <= '9')))
			s--;
		snprintf(name, sizeof(name), "%.*s", (int)(paren - s), s);
		snprintf(path, sizeof(path), "share/man/man3/%s.3", name);
		page = slurp(in_dest(path));
		CHECK(!strcmp(page, ".so man3/libpagemig.3\n") || strstr(page, ".TH"), "man 3 %s: '%s'", name, page);
		free(page);
		snprintf(want, sizeof(want), "\n.BR %s ()\n", name);
		CHECK(strstr(main3, want) != NULL, "libpagemig.3 has no '.BR %s ()' line (FUNCTIONS)", name);
		nr++;
	}
	CHECK(nr > 40, "only %d functions in include/pagemig.h", nr);
	free(hdr);
	free(main3);
}

static int count_left(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_D && type != FTW_DP) {
		fprintf(stderr, "left after uninstall: %s\n", path);
		failures++;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

/* Whether the line of @out that contains @marker also contains @flag. */
static bool line_has(const char *out, const char *marker, const char *flag)
{
	const char *m = strstr(out, marker), *b = m, *e;

	if (!m)
		return false;
	while (b > out && b[-1] != '\n')
		b--;
	e = strchr(m, '\n');
	for (const char *f = strstr(b, flag); f; f = strstr(f + 1, flag))
		if (!e || f < e)
			return true;
	return false;
}

/* The flags the build is given on its command line reach the compiles and links. */
static void check_flags(void)
{
	static const char *const compiles[] = { "-o build/src/move.o ", "-o build/tools/pagemig/main.o " };
	static const char *const links[] = { "-o build/libpagemig.so." PAGEMIG_VERSION_STRING " ", "-o build/pagemig " };
	char *out = NULL;

	if (sh(&out, MAKE_ENV "make -n -B CPPFLAGS=-DPAGEMIG_CPP_PROBE LDFLAGS=-Wl,-z,pagemig-ld-probe "
		      "build/libpagemig.so." PAGEMIG_VERSION_STRING " build/pagemig")) {
		CHECK(0, "make -n failed");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(compiles); i++)
		CHECK(line_has(out, compiles[i], " -DPAGEMIG_CPP_PROBE "), "CPPFLAGS lost in '%s'", compiles[i]);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		CHECK(line_has(out, links[i], " -Wl,-z,pagemig-ld-probe "), "LDFLAGS lost in '%s'", links[i]);
	free(out);
}

int main(void)
{
	char cmd[512];
	struct stat st;

	if (access("Makefile", F_OK) || sh(NULL, "command -v make >/dev/null")) {
		printf("install: not run from the repository root with make\n");
		return 77;
	}
	snprintf(dest, sizeof(dest), "/tmp/pagemig-install.XXXXXX");
	if (!mkdtemp(dest)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), MAKE_ENV "make -s install DESTDIR=%s PREFIX=/usr LIBDIR=/usr/" TRIPLET, dest);
	if (sh(NULL, cmd) == 0) {
		check_libs();
		check_pc();
		check_man();
		CHECK(!stat(in_dest("bin/pagemig"), &st) && (st.st_mode & 0111), "no executable bin/pagemig");
		CHECK(!stat(in_dest("include/pagemig.h"), &st), "no include/pagemig.h");
		CHECK(!stat(in_dest("share/man/man1/pagemig.1"), &st), "no man1/pagemig.1");
		CHECK(!stat(in_dest("share/bash-completion/completions/pagemig"), &st), "no bash completion");
		snprintf(cmd, sizeof(cmd), MAKE_ENV "make -s uninstall DESTDIR=%s PREFIX=/usr LIBDIR=/usr/" TRIPLET, dest);
		CHECK(sh(NULL, cmd) == 0, "make uninstall failed");
		nftw(dest, count_left, 16, FTW_PHYS);
	} else {
		CHECK(0, "make install failed");
	}
	check_flags();
	nftw(dest, rm_entry, 16, FTW_PHYS | FTW_DEPTH);
	if (unit_failed("install"))
		return 1;
	printf("install: libraries and links, pagemig.pc, a man page per export, completion; uninstall leaves "
	       "nothing; CPPFLAGS and LDFLAGS honoured\n");
	return 0;
}
