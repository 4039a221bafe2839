// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * agent_opt.c - the target's agent as the subcommands see it: --agent, --agent-timeout,
 * --agent-dir, connecting by mode, and the one wording of what an owner's handler did.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_agent_opt(struct cli_agent *a, int c, const char *arg)
{
	char *end;
	double s;

	switch (c) {
	case CLI_OPT_AGENT:
		if (!strcmp(arg, "auto"))
			a->mode = CLI_AGENT_AUTO;
		else if (!strcmp(arg, "require"))
			a->mode = CLI_AGENT_REQUIRE;
		else if (!strcmp(arg, "off"))
			a->mode = CLI_AGENT_OFF;
		else
			return cli_err("invalid --agent '%s' (auto, require, off)", arg), -1;
		return 1;
	case CLI_OPT_AGENT_TIMEOUT:
		s = strtod(arg, &end);
		if (*end || end == arg || !(s >= 0.1 && s <= 3600))
			return cli_err("invalid --agent-timeout '%s' (seconds, 0.1-3600)", arg), -1;
		a->timeout_ms = (unsigned int)(s * 1000);
		return 1;
	case CLI_OPT_AGENT_DIR:
		if (arg[0] != '/')
			return cli_err("invalid --agent-dir '%s' (an absolute path)", arg), -1;
		a->dir = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_agent_connect(struct pagemig *pm, const struct cli_agent *a, struct pagemig_agent_conn **out, char *msg,
		      size_t len)
{
	char err[512] = "";
	struct pagemig_agent_connect_opts o = {
		.sz = sizeof(o), .socket_dir = a->dir, .timeout_ms = a->timeout_ms, .errbuf = err, .errlen = sizeof(err),
	};
	int ret;

	*out = NULL;
	if (a->mode == CLI_AGENT_OFF || pagemig_pid(pm) == getpid())
		return 0;
	ret = pagemig_agent_connect(pm, &o, out);
	if (!ret)
		return 0;
	if (a->mode == CLI_AGENT_AUTO && ret == -ENOENT)
		return 0;
	if (a->mode == CLI_AGENT_AUTO && ret == -EPERM) {
		cli_warn("%s; going on without it", err);
		return 0;
	}
	snprintf(msg, len, "%s; nothing was moved", err[0] ? err : strerror(-ret));
	switch (ret) {
	case -ESRCH:
		return EXIT_NOPROC;
	case -EACCES:
		return EXIT_PERM;
	default:
		return EXIT_HANDLER;
	}
}

const char *cli_agent_claim(struct pagemig_agent_conn *c, const struct pagemig_region *r, char *buf, size_t len)
{
	const char *name = pagemig_agent_claim(c, r->start, r->end);

	if (!name)
		return NULL;
	snprintf(buf, len, "agent:%s", name);
	return buf;
}

int cli_handler_error(pid_t pid, const struct pagemig_handler_error *he, char *msg, size_t len)
{
	const char *why = he->detail[0] ? he->detail : strerror(-he->err);
	char who[64] = "";

	if (he->owner)
		snprintf(who, sizeof(who), "process %d's ", (int)he->owner);
	if (he->err == -EBUSY && he->mover > 0) {
		snprintf(msg, len, "process %d is being moved by process %d (its agent serves one move at a time); "
			 "nothing was moved", (int)pid, (int)he->mover);
		return EXIT_BUSY;
	}
	if (he->err == -ETIMEDOUT && he->owner && he->end)
		snprintf(msg, len, "%shandler '%s' gave no answer on region %" PRIx64 "-%" PRIx64 " (%s); nothing was moved",
			 who, he->handler, he->start, he->end, he->detail);
	else if (he->err == -ETIMEDOUT && he->owner)
		snprintf(msg, len, "%sagent gave no answer (%s); nothing was moved", who, he->detail);
	else if (he->end)
		snprintf(msg, len, "%shandler '%s' failed on region %" PRIx64 "-%" PRIx64 ": %s; no page was moved", who,
			 he->handler, he->start, he->end, why);
	else
		snprintf(msg, len, "%s%s failed: %s; no page was moved", who, he->handler, why);
	return EXIT_HANDLER;
}
