// SPDX-License-Identifier: LGPL-2.1-or-later
/* noinit.c - a shared object with the ABI symbol but no pagemig_plugin_init(): -ENOEXEC. */
#include "pagemig.h"

const unsigned int pagemig_plugin_abi = PAGEMIG_PLUGIN_ABI;

/* Something else, so that the object is not empty. */
int noinit_answer(void)
{
	return 42;
}
