// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent_proto.c - messages between a mover and an agent: building, checking, sending, receiving.
 *
 * Every message has one fixed size per type, so checking a packet is comparing its length with a
 * table, then its strings and padding: a decoder with no pointer arithmetic of its own.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "agent_proto.h"

static const size_t msg_size[AM_TYPE_MAX] = {
	[AM_HELLO] = sizeof(struct am_hello),
	[AM_ERROR] = sizeof(struct am_error),
	[AM_LIST] = sizeof(struct agent_hdr),
	[AM_HANDLER] = sizeof(struct am_handler),
	[AM_CLAIM] = sizeof(struct am_claim),
	[AM_LIST_END] = sizeof(struct am_list_end),
	[AM_PREPARE] = sizeof(struct am_prepare),
	[AM_CALLING] = sizeof(struct am_calling),
	[AM_REGION] = sizeof(struct am_region),
	[AM_PREPARED] = sizeof(struct am_prepared),
	[AM_KEEPALIVE] = sizeof(struct am_keepalive),
	[AM_FINISH] = sizeof(struct am_finish),
	[AM_FINISHED] = sizeof(struct am_finished),
	[AM_ABORT] = sizeof(struct agent_hdr),
	[AM_BUSY] = sizeof(struct am_busy),
};

uint64_t am_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void am_init(union agent_msg *m, enum agent_msg_type type, uint64_t txid)
{
	memset(m, 0, msg_size[type]);
	m->h.magic = AGENT_MAGIC;
	m->h.type = (uint16_t)type;
	m->h.len = (uint32_t)msg_size[type];
	m->h.txid = txid;
}

void am_strcpy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	memcpy(dst, src ? src : "", n);
	memset(dst + n, 0, size - n);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The strings and padding of a message whose size is already right. */
static bool body_ok(const union agent_msg *m)
{
	switch (m->h.type) {
	case AM_HELLO:
		return !m->hello.pad;
	case AM_ERROR:
		return !m->error.pad && m->error.err < 0 && terminated(m->error.text, sizeof(m->error.text));
	case AM_HANDLER:
		return m->handler.range <= 1 && terminated(m->handler.name, sizeof(m->handler.name)) &&
		       terminated(m->handler.description, sizeof(m->handler.description));
	case AM_CLAIM:
		return !m->claim.pad && m->claim.start < m->claim.end &&
		       terminated(m->claim.name, sizeof(m->claim.name));
	case AM_PREPARE:
		return !(m->prepare.flags & ~PAGEMIG_MOVE_ALL) &&
		       terminated(m->prepare.filter, sizeof(m->prepare.filter));
	case AM_CALLING:
		return m->calling.start < m->calling.end && terminated(m->calling.name, sizeof(m->calling.name));
	case AM_REGION:
		return !m->region.pad && m->region.start < m->region.end &&
		       m->region.result <= PAGEMIG_REGION_DONE && terminated(m->region.name, sizeof(m->region.name)) &&
		       terminated(m->region.detail, sizeof(m->region.detail));
	case AM_PREPARED:
		return m->prepared.status <= 0;
	case AM_KEEPALIVE:
		return !m->keepalive.pad;
	case AM_FINISH:
		return !m->finish.pad && m->finish.outcome <= 0;
	case AM_FINISHED:
		return !m->finished.pad && m->finished.status <= 0;
	case AM_BUSY:
		return !m->busy.pad;
	default:
		return true;
	}
}

int am_check(const void *buf, size_t len)
{
	const union agent_msg *m = buf;

	if (len < sizeof(struct agent_hdr) || len > AGENT_MSG_MAX)
		return -EPROTO;
	if (m->h.magic != AGENT_MAGIC || m->h.flags || m->h.pad || m->h.len != len)
		return -EPROTO;
	if (!m->h.type || m->h.type >= AM_TYPE_MAX || msg_size[m->h.type] != len)
		return -EPROTO;
	return body_ok(m) ? m->h.type : -EPROTO;
}

static int wait_fd(int fd, short events, int timeout_ms, int pidfd)
{
	struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = pidfd, .events = POLLIN } };
	int n;

	do
		n = sys_poll(p, pidfd >= 0 ? 2 : 1, timeout_ms);
	while (n == -EINTR);
	if (n < 0)
		return n;
	if (pidfd >= 0 && (p[1].revents & POLLIN))
		return -ESRCH;
	if (!n)
		return -ETIMEDOUT;
	return 0;
}

int am_send(int fd, const union agent_msg *m, int timeout_ms)
{
	ssize_t n;
	int err;

	for (;;) {
		n = send(fd, m, m->h.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == (ssize_t)m->h.len)
			return 0;
		if (n >= 0)
			return -EPROTO;		/* a datagram is never sent in part */
		if (errno != EAGAIN && errno != EINTR)
			return errno == ECONNRESET || errno == ENOTCONN ? -EPIPE : -errno;
		err = wait_fd(fd, POLLOUT, timeout_ms, -1);
		if (err)
			return err;
	}
}

int am_recv(int fd, union agent_msg *m, int timeout_ms, int pidfd)
{
	bool reset = false;
	ssize_t n;
	int err;

	for (;;) {
		n = recv(fd, m->raw, sizeof(m->raw), MSG_DONTWAIT | MSG_TRUNC);
		if (n > (ssize_t)AGENT_MSG_MAX)
			return -EMSGSIZE;
		if (n == 0)
			return -EPIPE;
		if (n > 0)
			return am_check(m->raw, (size_t)n);
		/*
		 * A peer that closed with our message unread resets the connection: the error comes
		 * before the messages it sent first (its ERROR, say), which the next call still reads.
		 */
		if (errno == ECONNRESET && !reset) {
			reset = true;
			continue;
		}
		if (reset && errno == EAGAIN)
			return -EPIPE;
		if (errno != EAGAIN && errno != EINTR)
			return errno == ECONNRESET ? -EPIPE : -errno;
		err = wait_fd(fd, POLLIN, timeout_ms, pidfd);
		if (err)
			return err;
	}
}
