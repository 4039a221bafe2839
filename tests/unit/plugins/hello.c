// SPDX-License-Identifier: LGPL-2.1-or-later
/* hello.c - the good test plugin: the documented example itself, built as hello.so for the tests. */
#include "../../../examples/plugin-hello/hello.c"
