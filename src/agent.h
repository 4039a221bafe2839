/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent.h - the agent's pieces shared inside the library: socket paths, the mover's transaction. */
#ifndef PAGEMIG_AGENT_H
#define PAGEMIG_AGENT_H

#include <sys/stat.h>

#include "agent_proto.h"

#define AGENT_MAX_DIRS	2
#define AGENT_DIR_MAX	256

/* agent_path.c */
/* The directories an agent of a process with effective uid @euid may publish in, in order. */
int agent_dirs(uid_t euid, const char *override, char dirs[AGENT_MAX_DIRS][AGENT_DIR_MAX]);
/* 0 when directory @st may hold the sockets of @euid; else -errno and a reason in @why. */
int agent_dir_check(const struct stat *st, uid_t euid, char *why, size_t len);
/* 0 when @st (from lstat) is a socket a mover may trust for a target of @euid. */
int agent_sock_check(const struct stat *st, uid_t euid, char *why, size_t len);
/* The agent's side: create or check its directory; an O_PATH descriptor of it, or -errno. */
int agent_dir_make(uid_t euid, const char *override, char *dir, size_t dlen, char *why, size_t wlen);

/* agent_client.c: the mover's side of one transaction, for pagemig_move() (move.c). */
struct agent_result {
	uint64_t start;
	uint64_t end;
	int result;			/* 0, PAGEMIG_REGION_DONE or -errno */
	char name[AGENT_NAME_MAX];
};
/*
 * Run the owner's migrate hooks for a move of @plan with @flags over the regions @filter_src
 * selects ("" for all).  On 0 the transaction holds until agent_finish(); @res (freed by the
 * caller) has one entry per claimed region.  On an error the agent has undone what it prepared (or
 * will, when the connection drops), and @he says which handler and why: a handler's -errno,
 * -EBUSY (another mover), -ETIMEDOUT (no answer in time), -ESRCH (the target exited), -EPROTO.
 */
int agent_prepare(struct pagemig_agent_conn *c, const struct pagemig_plan *plan, unsigned int flags,
		  const char *filter_src, struct agent_result **res, size_t *nres, struct pagemig_handler_error *he);
/*
 * Keep the lease: called from the move's thread at each region and batch (renews it when a third
 * of it has passed), and with @now before a step that calls nothing back (a thread renews it
 * from then on).  A single step without a call lasting most of the lease lets it run out: the
 * agent then finishes the move itself (-ETIMEDOUT) and FINISH says -ESTALE.
 */
void agent_keep(struct pagemig_agent_conn *c, bool now);
/* Tell the agent the outcome: 0, or -ESTALE when it had already ended the transaction itself. */
int agent_finish(struct pagemig_agent_conn *c, int outcome);

#endif
