// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * hello.c - the smallest useful pagemig handler plugin: it claims the target's [heap], says hello
 * when a move is about to touch it, lets regular migration move it, and says how the move ended.
 *
 * Build (from the repository root) and use:
 *   cc -shared -fPIC -o hello.so examples/plugin-hello/hello.c -I include
 *   pagemig handlers -H ./hello.so
 *   pagemig move PID 0 2 -H ./hello.so
 *
 * A plugin is not linked against libpagemig: the pagemig_* functions it calls are resolved from the
 * program that loads it (the pagemig CLI, or a program linked with libpagemig.so).  It exports two
 * symbols: pagemig_plugin_abi, checked before anything of the plugin runs, and pagemig_plugin_init().
 * The unit tests build this very file as build/tests/unit/plugins/hello.so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pagemig.h"

/* The ABI this plugin was built for; the loader refuses another one before calling init. */
const unsigned int pagemig_plugin_abi = PAGEMIG_PLUGIN_ABI;

/* What the hooks saw; exported so that the unit tests can read it (dlsym "hello_counts"). */
struct hello_counts {
	unsigned int migrate;	/* migrate() calls */
	unsigned int finish;	/* finish() calls */
	int last_err;		/* the err of the last finish() */
	uint64_t start;		/* the region of the last migrate() */
	uint64_t end;
};
struct hello_counts hello_counts;

/* Class handlers choose their regions by what pagemig read about them: here, by name. */
static bool match(const struct pagemig_region *r, void *ctx)
{
	return r->path && !strcmp(r->path, "[heap]");
}

/*
 * Called before any page of the move moves.  Return 0 to let regular migration move the region,
 * PAGEMIG_REGION_DONE when the handler moved (or kept) it itself, or -errno to stop the whole
 * move; say why with pagemig_handler_explain() first.
 */
static int migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		   const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct hello_counts *c = ctx;
	char f[64], t[64];

	c->migrate++;
	c->start = r->start;
	c->end = r->end;
	pagemig_nodemask_format(from, f, sizeof(f));
	pagemig_nodemask_format(to, t, sizeof(t));
	fprintf(stderr, "hello: pid %d [heap] %" PRIx64 "-%" PRIx64 ": nodes %s -> %s (%s)\n", (int)pagemig_pid(pm),
		r->start, r->end, f, t, flags & PAGEMIG_MOVE_ALL ? "MOVE_ALL" : "MOVE");
	return 0;
}

/* Called once per region whose migrate() ran, after the move: 0, or the error that stopped it. */
static void finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct hello_counts *c = ctx;

	c->finish++;
	c->last_err = err;
	fprintf(stderr, "hello: [heap] %" PRIx64 "-%" PRIx64 ": move %s%s\n", r->start, r->end,
		err ? "stopped: " : "done", err ? strerror(-err) : "");
}

static const struct pagemig_region_ops hello_ops = {
	.sz = sizeof(struct pagemig_region_ops),
	.name = "hello",
	.match = match,
	.migrate = migrate,
	.finish = finish,
	.description = "example plugin: greets the [heap] before it moves",
};

int pagemig_plugin_init(struct pagemig *pm, unsigned int abi)
{
	int id;

	if (abi != PAGEMIG_PLUGIN_ABI)
		return -ENOTSUP;
	id = pagemig_handler_register(pm, &hello_ops, &hello_counts);
	return id < 0 ? id : 0;
}
