// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * plugin.c - handler plugins: a shared object exporting pagemig_plugin_abi and
 * pagemig_plugin_init(), loaded with dlopen and checked before anything of it runs: only a file
 * that nobody but root and the caller can change (check_path()).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* @st (of @what, a component of @path) lets only root or the caller change what @path loads. */
static int check_owner(const char *path, const char *what, const struct stat *st, char *err, size_t errlen)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me)
		return errbuf_fail(err, errlen, -EPERM, "plugin '%s' refused: '%s' belongs to uid %u, neither root nor us (uid %u)",
			      path, what, (unsigned int)st->st_uid, (unsigned int)me);
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX)))
		return errbuf_fail(err, errlen, -EPERM, "plugin '%s' refused: '%s' is writable by group or others (mode %04o)",
			      path, what, (unsigned int)(st->st_mode & 07777));
	return 0;
}

/*
 * A plugin runs with the caller's privileges, so only a file that no one else can change loads:
 * @path must be a path (a '/'; "" would be the program itself, a bare name a search through
 * LD_LIBRARY_PATH), and its real path (@real), the file and every directory up to /, must be
 * owned by root or the caller and not writable by group or others (a sticky directory, such as
 * /tmp, lets no one else replace our file).  dlopen() then gets @real.
 */
static int check_path(const char *path, char *real, char *err, size_t errlen)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int ret;

	if (!strchr(path, '/'))
		return errbuf_fail(err, errlen, -EINVAL, "plugin '%s' is not a path: give its path, with a '/' (./%s "
			      "for one in the current directory)", path, path);
	if (!realpath(path, real))
		return errbuf_fail(err, errlen, errno == ENOMEM ? -ENOMEM : -ENOENT, "cannot load plugin '%s': %s", path,
			      strerror(errno));
	if (stat(real, &st))
		return errbuf_fail(err, errlen, -ENOENT, "cannot load plugin '%s': %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return errbuf_fail(err, errlen, -ENOENT, "cannot load plugin '%s': not a regular file", path);
	ret = check_owner(path, real, &st, err, errlen);
	snprintf(dir, sizeof(dir), "%s", real);
	while (!ret && (slash = strrchr(dir, '/'))) {
		slash[slash == dir] = '\0';	/* the parent; "/" stays "/" */
		if (stat(dir, &st))
			return errbuf_fail(err, errlen, -ENOENT, "cannot load plugin '%s': '%s': %s", path, dir,
				      strerror(errno));
		ret = check_owner(path, dir, &st, err, errlen);
		if (!strcmp(dir, "/"))
			break;
	}
	return ret;
}

/*
 * Run the plugin's init; when it fails, put the registry back as it was: the handlers it
 * registered have their ops in the object about to be unloaded, and a handler it unregistered
 * (a built-in it meant to replace, say) must come back.
 */
static int run_init(struct pagemig *pm, pagemig_plugin_init_fn init)
{
	struct handler_reg *saved = NULL;
	int ret, before = pm->nr_handlers;

	if (before) {
		saved = malloc((size_t)before * sizeof(*saved));
		if (!saved)
			return -ENOMEM;
		memcpy(saved, pm->handlers, (size_t)before * sizeof(*saved));
	}
	ret = init(pm, PAGEMIG_PLUGIN_ABI);
	if (ret) {
		if (before)	/* the array never shrinks: it has room for them */
			memcpy(pm->handlers, saved, (size_t)before * sizeof(*saved));
		pm->nr_handlers = before;
		ret = ret < 0 ? ret : -EINVAL;
	}
	free(saved);
	return ret;
}

PAGEMIG_API int pagemig_plugin_load(struct pagemig *pm, const char *path, char *err, size_t errlen)
{
	const unsigned int *abi;
	pagemig_plugin_init_fn init;
	void *dl, **v;
	char num[16], real[PATH_MAX];
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!pm || !path)
		return -EINVAL;
	ret = check_path(path, real, err, errlen);
	if (ret)
		return ret;
	dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return errbuf_fail(err, errlen, -ENOENT, "cannot load plugin '%s': %s", path, dlerror());
	abi = dlsym(dl, "pagemig_plugin_abi");
	init = (pagemig_plugin_init_fn)(uintptr_t)dlsym(dl, "pagemig_plugin_init");
	if (!abi || !init) {
		ret = errbuf_fail(err, errlen, -ENOEXEC, "'%s' is not a pagemig plugin (no %s)", path,
			   !abi ? "pagemig_plugin_abi" : "pagemig_plugin_init");
		goto err_close;
	}
	if (*abi != PAGEMIG_PLUGIN_ABI) {
		snprintf(num, sizeof(num), "%u", *abi);
		ret = errbuf_fail(err, errlen, -ENOTSUP, "plugin '%s' was built for plugin ABI %s, this pagemig has ABI "
			   PAGEMIG_STR(PAGEMIG_PLUGIN_ABI), path, num);
		goto err_close;
	}
	v = realloc(pm->plugins, (size_t)(pm->nr_plugins + 1) * sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto err_close;
	}
	pm->plugins = v;
	ret = run_init(pm, init);
	if (ret) {
		errbuf_fail(err, errlen, ret, "plugin '%s' failed to initialize: %s", path, strerror(-ret));
		goto err_close;
	}
	pm->plugins[pm->nr_plugins++] = dl;
	return 0;
err_close:
	dlclose(dl);
	return ret;
}

void plugins_release(struct pagemig *pm)
{
	int i;

	for (i = 0; i < pm->nr_plugins; i++)
		dlclose(pm->plugins[i]);
	free(pm->plugins);
	pm->plugins = NULL;
	pm->nr_plugins = 0;
}
