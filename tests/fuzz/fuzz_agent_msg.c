// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fuzz_agent_msg.c - am_check(), the agent protocol's message decoder, on arbitrary packets.
 *
 * Each input is tried twice: as a raw packet, and as a body behind a well-formed header (repeated to fill it; type from
 * the first byte, the length either exact for that type or the input's own, and on request its
 * numbers made valid), so that the checks of the strings are reached too.  Invariants:
 *  - the answer is a known type or -EPROTO, and the same when asked again;
 *  - an accepted packet has the magic, zero flags and padding, the exact size of its type, and
 *    every string of it ends inside its array;
 *  - an accepted packet with one more byte, or one byte less, or another magic, is refused.
 * Built with driver.c as a plain test, or with libFuzzer by `make fuzz`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent_proto.h"

const char *const fuzz_dictionary[] = {
	"\x4d\x50\x47\x41", "\0\0\0\0", "\x01\0", "\x07\0", "\x0d\0", "\xff\xff\xff\xff", "pinned-pool", "\0",
	"\x01\x00\x00\x00", NULL,
};

#define ASSERT(cond)                                                                             \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "fuzz_agent_msg: %s:%d: %s broken\n", __FILE__, __LINE__, #cond); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

static bool ends(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* What an accepted message must be. */
static void accepted(const union agent_msg *m, size_t len, int type)
{
	union agent_msg copy;

	ASSERT(type > 0 && type < AM_TYPE_MAX);
	ASSERT(m->h.magic == AGENT_MAGIC && !m->h.flags && !m->h.pad && m->h.len == len && m->h.type == type);
	switch (type) {
	case AM_ERROR:
		ASSERT(ends(m->error.text, sizeof(m->error.text)) && m->error.err < 0);
		break;
	case AM_HANDLER:
		ASSERT(ends(m->handler.name, sizeof(m->handler.name)));
		ASSERT(ends(m->handler.description, sizeof(m->handler.description)));
		break;
	case AM_CLAIM:
		ASSERT(ends(m->claim.name, sizeof(m->claim.name)) && m->claim.start < m->claim.end);
		break;
	case AM_PREPARE:
		ASSERT(ends(m->prepare.filter, sizeof(m->prepare.filter)));
		ASSERT(!(m->prepare.flags & ~PAGEMIG_MOVE_ALL));
		break;
	case AM_CALLING:
		ASSERT(ends(m->calling.name, sizeof(m->calling.name)));
		break;
	case AM_REGION:
		ASSERT(ends(m->region.name, sizeof(m->region.name)) && ends(m->region.detail, sizeof(m->region.detail)));
		ASSERT(m->region.result <= PAGEMIG_REGION_DONE);
		break;
	default:
		break;
	}
	memcpy(&copy, m, len);
	ASSERT(am_check(&copy, len - 1) == -EPROTO);
	if (len < AGENT_MSG_MAX) {
		copy.raw[len] = 0;
		ASSERT(am_check(&copy, len + 1) == -EPROTO);
	}
	copy.h.magic ^= 1;
	ASSERT(am_check(&copy, len) == -EPROTO);
}

static void one(const void *buf, size_t len)
{
	int type = am_check(buf, len);

	ASSERT(type == -EPROTO || (type > 0 && type < AM_TYPE_MAX));
	ASSERT(am_check(buf, len) == type);
	if (type > 0)
		accepted(buf, len, type);
}

/* End string @s unless @keep: each string's own check is then what decides. */
static void end_str(char *s, size_t size, bool keep)
{
	if (!keep)
		s[size - 1] = '\0';
}

/*
 * Make the numbers of @m valid, and its strings terminated but the first (@which bit 0) or the
 * second (bit 1), so that each check of a string is reached, which random bytes rarely do.
 */
static void repair(union agent_msg *m, unsigned int which)
{
	bool k1 = which & 1, k2 = which & 2;

	switch (m->h.type) {
	case AM_ERROR:
		end_str(m->error.text, sizeof(m->error.text), k1);
		break;
	case AM_HANDLER:
		end_str(m->handler.name, sizeof(m->handler.name), k1);
		end_str(m->handler.description, sizeof(m->handler.description), k2);
		break;
	case AM_CLAIM:
		end_str(m->claim.name, sizeof(m->claim.name), k1);
		break;
	case AM_PREPARE:
		end_str(m->prepare.filter, sizeof(m->prepare.filter), k1);
		break;
	case AM_CALLING:
		end_str(m->calling.name, sizeof(m->calling.name), k1);
		break;
	case AM_REGION:
		end_str(m->region.name, sizeof(m->region.name), k1);
		end_str(m->region.detail, sizeof(m->region.detail), k2);
		break;
	default:
		break;
	}
	switch (m->h.type) {
	case AM_HELLO:
		m->hello.pad = 0;
		break;
	case AM_ERROR:
		m->error.pad = 0;
		m->error.err = -1 - (m->error.err & 0xff);
		break;
	case AM_HANDLER:
		m->handler.range &= 1;
		break;
	case AM_CLAIM:
		m->claim.pad = 0;
		m->claim.end = m->claim.start + 1 + (m->claim.end & 0xffff);
		break;
	case AM_PREPARE:
		m->prepare.flags &= PAGEMIG_MOVE_ALL;
		break;
	case AM_CALLING:
		m->calling.end = m->calling.start + 1 + (m->calling.end & 0xffff);
		break;
	case AM_REGION:
		m->region.pad = 0;
		m->region.end = m->region.start + 1 + (m->region.end & 0xffff);
		m->region.result = m->region.result > PAGEMIG_REGION_DONE ? 0 : m->region.result;
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union agent_msg m;
	union agent_msg probe;
	size_t len;

	if (size <= AGENT_MSG_MAX) {
		memcpy(m.raw, data, size);
		one(m.raw, size);
	}
	if (!size)
		return 0;
	/* a header of our own: the type from byte 0, the size exact (bit 7 of byte 0 clear) or the input's */
	am_init(&probe, (enum agent_msg_type)(1 + data[0] % (AM_TYPE_MAX - 1)), 0);
	len = data[0] & 0x80 ? sizeof(struct agent_hdr) + size - 1 : probe.h.len;
	if (len > AGENT_MSG_MAX)
		return 0;
	memset(m.raw, 0, len);
	for (size_t i = sizeof(struct agent_hdr); size > 1 && i < len; i++)	/* the input, repeated */
		m.raw[i] = (char)data[1 + (i - sizeof(struct agent_hdr)) % (size - 1)];
	memcpy(m.raw, &probe.h, sizeof(probe.h));
	m.h.len = (uint32_t)len;
	m.h.txid = 7;
	if (data[0] & 0x40 && len == probe.h.len)
		repair(&m, size > 1 ? data[1] : 0);
	one(m.raw, len);
	return 0;
}
