// SPDX-License-Identifier: LGPL-2.1-or-later
/* version.c - the library's version. */
#include "internal.h"

PAGEMIG_API const char *pagemig_version(void)
{
	return PAGEMIG_VERSION_STRING;
}
