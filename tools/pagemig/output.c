// SPDX-License-Identifier: GPL-2.0-or-later
/* output.c - messages, exit codes and the output options shared by every subcommand. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "pagemig: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int cli_fail(int err, const char *what, const char *detail)
{
	if (err < 0)
		err = -err;
	if (err == ENOEXEC && detail && *detail)
		cli_err("%s", detail);	/* "process 2 is a kernel thread: ...": it names the process */
	else if (detail && *detail)
		cli_err("%s: %s", what, detail);
	else
		cli_err("%s: %s", what, strerror(err));
	switch (err) {
	case ESRCH:
		return EXIT_NOPROC;
	case EACCES:
	case EPERM:
		return EXIT_PERM;
	case EINVAL:
	case ENODEV:
	case ENXIO:
	case ENOEXEC:	/* a kernel thread: no process to read or move */
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_;
	}
}

int cli_exit_worst(int a, int b)
{
	static const int order[] = {
		EXIT_OK, EXIT_PARTIAL, EXIT_NOPROC, EXIT_PERM, EXIT_USAGE, EXIT_BUSY, EXIT_HANDLER, EXIT_FAILURE_,
		EXIT_INTERRUPTED,
	};
	size_t i, ra = 0, rb = 0;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return rb > ra ? b : a;
}

pid_t cli_parse_pid(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v <= 0 || v > 4194304 || s[0] == '+' || s[0] == ' ') {
		cli_err("'%s' is not a process id", s);
		return -1;
	}
	return (pid_t)v;
}

int cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];
	int len = (int)strcspn(arg, "=");

	if (c == ':')
		cli_err("option '%.*s' needs an argument", len, arg);
	else if (!strncmp(arg, "--", 2) && optopt)	/* a known long option given "=ARG" */
		cli_err("option '%.*s' takes no argument", len, arg);
	else if (!strncmp(arg, "--", 2) || !optopt)
		cli_err("unknown option '%.*s' (see 'pagemig %s --help')", len, arg, cmd);
	else
		cli_err("unknown option '-%c' (see 'pagemig %s --help')", optopt, cmd);
	return EXIT_USAGE;
}

bool cli_out_opt(struct cli_out *o, int c, const char *arg)
{
	switch (c) {
	case 'J':
		o->json = true;
		return true;
	case 'r':
		o->raw = true;
		return true;
	case 'b':
		o->bytes = true;
		return true;
	case 'n':
		o->noheadings = true;
		return true;
	case 'o':
		o->columns = arg;
		return true;
	}
	return false;
}

void cli_out_usage(FILE *out, const struct cli_col *cols, size_t ncols)
{
	size_t i;

	fprintf(out, "\nOutput:\n"
		     "  -J, --json          JSON output\n"
		     "  -r, --raw           raw output (no alignment)\n"
		     "  -b, --bytes         sizes in bytes\n"
		     "  -n, --noheadings    no column headings\n"
		     "  -o, --output LIST   columns to print (+LIST adds to the defaults)\n"
		     "\nColumns:\n");
	for (i = 0; i < ncols; i++)
		fprintf(out, "  %-12s %s\n", cols[i].name, cols[i].help);
}
