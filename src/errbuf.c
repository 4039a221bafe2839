// SPDX-License-Identifier: LGPL-2.1-or-later
/* errbuf.c - the one-line reasons the library writes into a caller's error buffer. */
#include <stdarg.h>

#include "internal.h"

int errbuf_fail(char *buf, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;
	char *c;

	if (!buf || !len)
		return ret;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	for (c = buf; *c; c++)		/* one line: control characters of user input become '?' */
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	return ret;
}
