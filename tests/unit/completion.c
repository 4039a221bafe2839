// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * completion.c - the bash completion, completion/pagemig (run from the repo root).
 *
 * `bash -n` accepts it; sourced in bash, it registers _pagemig for pagemig, and _pagemig, called
 * as bash calls it (COMP_WORDS, COMP_CWORD) with build/pagemig as the program, completes
 * subcommands ("mo" -> move), options ("--fr" -> --from), node lists ("--from 0,<TAB>"), columns
 * ("-o +TI" -> +TIER) and pids (this process).  Subcommands, options and columns come from the
 * program's --help, so this also checks that the parsing of --help still finds them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define BASH "/bin/bash"
#define SCRIPT "completion/pagemig"

/* COMPREPLY, space-separated, for the words @words (the last one is being completed). */
static char *complete(const char *words)
{
	char cmd[1024], *out, *err;
	const char *args[] = { "-c", cmd, NULL };
	int rc;

	snprintf(cmd, sizeof(cmd),
		 ". ./" SCRIPT " && COMP_WORDS=(%s) && COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && _pagemig && "
		 "echo \"${COMPREPLY[*]}\"", words);
	rc = unit_run(&out, &err, (uid_t)-1, BASH, args);
	CHECK(rc == 0, "completing (%s): exit %d, stderr %s", words, rc, err);
	free(err);
	out[strcspn(out, "\n")] = '\0';
	return out;
}

static void expect(const char *words, const char *want)
{
	char *got = complete(words);

	CHECK(!strcmp(got, want), "completing (%s): '%s', want '%s'", words, got, want);
	free(got);
}

/* Whether word @w is one of the space-separated words of @list. */
static bool has_word(const char *list, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

int main(void)
{
	const char *syntax[] = { "-n", SCRIPT, NULL };
	const char *reg[] = { "-c", ". ./" SCRIPT " && complete -p pagemig", NULL };
	char *out, *err, words[128];
	int rc;

	if (access(BASH, X_OK)) {
		printf("completion: no " BASH "\n");
		return 77;
	}
	rc = unit_run(&out, &err, (uid_t)-1, BASH, syntax);
	CHECK(rc == 0 && !*err, "bash -n " SCRIPT ": exit %d, %s", rc, err);
	free(out);
	free(err);
	rc = unit_run(&out, &err, (uid_t)-1, BASH, reg);
	CHECK(rc == 0 && !strcmp(out, "complete -F _pagemig pagemig\n"), "registration: %s%s", out, err);
	free(out);
	free(err);

	expect("build/pagemig mo", "move");
	expect("build/pagemig help n", "nodes");
	expect("build/pagemig move --fr", "--from");
	expect("build/pagemig nodes -o +TI", "+TIER");
	expect("build/pagemig show --regions he", "heap");
	expect("build/pagemig move --hugetlb-pool g", "grow grow-shrink");
	out = complete("build/pagemig move --from 0,");
	CHECK(has_word(out, "0,0") && has_word(out, "0,all"), "node list after '0,': '%s'", out);
	free(out);
	out = complete("build/pagemig move --threads 2 1 ''");	/* PID 1, then FROM-NODES */
	CHECK(has_word(out, "0") && has_word(out, "all"), "positional node list: '%s'", out);
	free(out);
	snprintf(words, sizeof(words), "build/pagemig show %d", (int)getpid());
	out = complete(words);
	CHECK(has_word(out, words + strlen("build/pagemig show ")), "pids: '%s'", out);
	free(out);

	if (unit_failed("completion"))
		return 1;
	printf("completion: syntax, registration, subcommands, options, columns, node lists, pids\n");
	return 0;
}
