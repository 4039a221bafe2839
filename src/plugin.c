// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * plugin.c - handler plugins: a shared object exporting pagemig_plugin_abi and
 * pagemig_plugin_init(), loaded with dlopen and checked before anything of it runs.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int fail(char *err, size_t errlen, int code, const char *fmt, const char *a, const char *b)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, b);
	return code;
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
	char num[16];
	int ret;

	if (!pm || !path)
		return -EINVAL;
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl)
		return fail(err, errlen, -ENOENT, "cannot load plugin '%s': %s", path, dlerror());
	abi = dlsym(dl, "pagemig_plugin_abi");
	init = (pagemig_plugin_init_fn)(uintptr_t)dlsym(dl, "pagemig_plugin_init");
	if (!abi || !init) {
		ret = fail(err, errlen, -ENOEXEC, "'%s' is not a pagemig plugin (no %s)", path,
			   !abi ? "pagemig_plugin_abi" : "pagemig_plugin_init");
		goto err_close;
	}
	if (*abi != PAGEMIG_PLUGIN_ABI) {
		snprintf(num, sizeof(num), "%u", *abi);
		ret = fail(err, errlen, -ENOTSUP, "plugin '%s' was built for plugin ABI %s, this pagemig has ABI "
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
		fail(err, errlen, ret, "plugin '%s' failed to initialize: %s", path, strerror(-ret));
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
