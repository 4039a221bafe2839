/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent_proto.h - the wire format between a mover and a target's agent (man/pagemig-agent.7).
 *
 * SOCK_SEQPACKET: one message per packet, every message a fixed size per type (the check below
 * refuses any other length), host byte order (both ends are on one machine), strings
 * NUL-terminated inside their arrays.  Not installed: the protocol document is the contract.
 */
#ifndef PAGEMIG_AGENT_PROTO_H
#define PAGEMIG_AGENT_PROTO_H

#include <stdint.h>

#include "internal.h"

#define AGENT_MAGIC		0x4147504dU	/* "MPGA" in memory on little-endian */
#define AGENT_FILTER_MAX	1024		/* a PREPARE's region filter, NUL included */
#define AGENT_NAME_MAX		32
#define AGENT_DESC_MAX		128
#define AGENT_DETAIL_MAX	200
#define AGENT_TEXT_MAX		256

enum agent_msg_type {
	AM_HELLO = 1,	/* both ways: version, features, pid */
	AM_ERROR,	/* agent -> mover: the request failed; the agent may close the connection */
	AM_LIST,	/* mover -> agent: the owner's handlers and the regions they claim now */
	AM_HANDLER,	/* agent -> mover: one handler (a LIST answer) */
	AM_CLAIM,	/* agent -> mover: one claimed region (a LIST answer) */
	AM_LIST_END,	/* agent -> mover: the end of a LIST answer */
	AM_PREPARE,	/* mover -> agent: run the migrate hooks for a move */
	AM_CALLING,	/* agent -> mover: a migrate hook is about to run (also a keepalive) */
	AM_REGION,	/* agent -> mover: a migrate hook's result */
	AM_PREPARED,	/* agent -> mover: every hook ran (or one failed) */
	AM_KEEPALIVE,	/* mover -> agent: extend the lease */
	AM_FINISH,	/* mover -> agent: the move's outcome: run the finish hooks */
	AM_FINISHED,	/* agent -> mover: the answer to FINISH and ABORT */
	AM_ABORT,	/* mover -> agent: give up the transaction (finish with -ECANCELED) */
	AM_BUSY,	/* agent -> mover: another mover holds the agent */
	AM_TYPE_MAX,
};

struct agent_hdr {
	uint32_t magic;
	uint16_t type;
	uint16_t flags;		/* 0 */
	uint32_t len;		/* the whole message, header included */
	uint32_t pad;		/* 0 */
	uint64_t txid;		/* PREPARE, CALLING, REGION, PREPARED, KEEPALIVE, FINISH, FINISHED, ABORT */
};

struct am_hello {
	struct agent_hdr h;
	uint16_t major;
	uint16_t minor;
	uint32_t features;
	int32_t pid;		/* the sender's pid, as it sees itself */
	uint32_t pad;
};

struct am_error {
	struct agent_hdr h;
	int32_t err;		/* negative errno */
	uint32_t pad;
	char text[AGENT_TEXT_MAX];
};

struct am_handler {
	struct agent_hdr h;
	uint32_t id;
	uint32_t range;		/* 1: a range handler over [start, start + len); 0: a class handler */
	uint64_t start;
	uint64_t len;
	char name[AGENT_NAME_MAX];
	char description[AGENT_DESC_MAX];
};

struct am_claim {
	struct agent_hdr h;
	uint64_t start;
	uint64_t end;
	uint32_t id;
	uint32_t pad;
	char name[AGENT_NAME_MAX];
};

struct am_list_end {
	struct agent_hdr h;
	uint32_t nr_handlers;
	uint32_t nr_claims;
};

struct am_prepare {
	struct agent_hdr h;
	uint32_t flags;		/* PAGEMIG_MOVE_ALL or 0 */
	uint32_t lease_ms;
	uint64_t from[PAGEMIG_MAX_NODES / 64];
	uint64_t to[PAGEMIG_MAX_NODES / 64];
	char filter[AGENT_FILTER_MAX];	/* pagemig_filter_parse() syntax; "" for every region */
};

struct am_calling {
	struct agent_hdr h;
	uint64_t start;
	uint64_t end;
	char name[AGENT_NAME_MAX];
};

struct am_region {
	struct agent_hdr h;
	uint64_t start;
	uint64_t end;
	int32_t result;		/* 0, PAGEMIG_REGION_DONE or a negative errno */
	uint32_t pad;
	char name[AGENT_NAME_MAX];
	char detail[AGENT_DETAIL_MAX];
};

struct am_prepared {
	struct agent_hdr h;
	int32_t status;		/* 0, or the first hook's error (the agent has run finish() then) */
	uint32_t lease_ms;	/* granted */
	uint32_t nr_regions;
	uint32_t nr_done;
};

struct am_keepalive {
	struct agent_hdr h;
	uint32_t extend_ms;
	uint32_t pad;
};

struct am_finish {
	struct agent_hdr h;
	int32_t outcome;	/* 0 or the move's negative errno */
	uint32_t pad;
};

struct am_finished {
	struct agent_hdr h;
	int32_t status;		/* 0, or -ESTALE: no such transaction (its lease ran out, or unknown) */
	uint32_t pad;
};

struct am_busy {
	struct agent_hdr h;
	int32_t holder;		/* the pid of the mover that holds the agent */
	uint32_t pad;
};

/* The largest message: what a receive buffer holds (one byte more detects an oversized one). */
#define AGENT_MSG_MAX sizeof(struct am_prepare)

union agent_msg {
	struct agent_hdr h;
	struct am_hello hello;
	struct am_error error;
	struct am_handler handler;
	struct am_claim claim;
	struct am_list_end list_end;
	struct am_prepare prepare;
	struct am_calling calling;
	struct am_region region;
	struct am_prepared prepared;
	struct am_keepalive keepalive;
	struct am_finish finish;
	struct am_finished finished;
	struct am_busy busy;
	char raw[AGENT_MSG_MAX + 1];
};

/* A zeroed message of @type with its header filled. */
void am_init(union agent_msg *m, enum agent_msg_type type, uint64_t txid);
/*
 * Whether @len bytes at @buf are one well-formed message: magic, known type, exact size for the
 * type, zero flags and padding, strings terminated.  Returns its type, or -EPROTO.
 */
int am_check(const void *buf, size_t len);
/* Send @m on @fd, waiting up to @timeout_ms for room; 0, -ETIMEDOUT, -EPIPE or -errno. */
int am_send(int fd, const union agent_msg *m, int timeout_ms);
/*
 * Receive one message into @m, waiting up to @timeout_ms (-1: forever); when @pidfd >= 0 its
 * readability (the process exited) ends the wait with -ESRCH.  Returns the type; -ETIMEDOUT;
 * -EPIPE when the peer closed; -EMSGSIZE for an oversized packet; -EPROTO for a malformed one.
 */
int am_recv(int fd, union agent_msg *m, int timeout_ms, int pidfd);
/* Copy @src into a fixed wire string, cut to fit, NUL-terminated and zero-padded. */
void am_strcpy(char *dst, size_t size, const char *src);
/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t am_now_ms(void);

#endif
