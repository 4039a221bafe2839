// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_policy.c - a region's memory policy after `pagemig move` (syzkaller's mbind modes and
 * flags): pagemig moves pages, never policies, as move_pages(2) and migrate_pages(2) do.
 *
 * A target has nine regions of 1 MiB between PROT_NONE guards, each with a policy of its own:
 * bind:0, interleave:0-1, prefer:1, bind=static:0 (MPOL_F_STATIC_NODES), none (default, the pages
 * placed by a task policy on node 0), local, prefer (many):0-1, bind=relative:0
 * (MPOL_F_RELATIVE_NODES) and weighted interleave:0-1 (Linux 6.9+; left out where mbind(2) does
 * not know it).  `pagemig move PID 0,1 2,3` must put every page on
 * its target (0 -> 2, 1 -> 3: move_pages(nodes = NULL)) and leave each region's policy as
 * numa_maps showed it before, word for word; and a page first touched after the move still
 * follows the policy: in the bind:0 region it lands on node 0, not where its neighbours went.
 * That is what a user must know: to keep new pages on the new node, change the policy too
 * (`numactl`, mbind(2)) — pagemig does not.
 */
#include "labtest.h"

#define MIB (1UL << 20)
#define RSZ (1 * MIB)
#define NR 9
#ifndef MPOL_PREFERRED_MANY
#define MPOL_PREFERRED_MANY 5
#endif
#ifndef MPOL_WEIGHTED_INTERLEAVE
#define MPOL_WEIGHTED_INTERLEAVE 6
#endif

static const char *const names[NR] = { "bind:0", "interleave:0-1", "prefer:1", "bind static:0", "default",
					"local", "preferred many:0-1", "bind relative:0", "weighted interleave:0-1" };

struct layout {
	char *r[NR];
	int unsupported[NR];	/* mbind(2) said EINVAL: this kernel has no such mode (weighted: 6.9+) */
};

static struct layout *L;

static void setup(void *arg)
{
	static const struct { int mode; uint64_t nodes; } pol[NR] = {
		{ MPOL_BIND, 1 }, { MPOL_INTERLEAVE, 3 }, { MPOL_PREFERRED, 2 },
		{ MPOL_BIND | MPOL_F_STATIC_NODES, 1 }, { MPOL_DEFAULT, 0 }, { MPOL_LOCAL, 0 },
		{ MPOL_PREFERRED_MANY, 3 }, { MPOL_BIND | MPOL_F_RELATIVE_NODES, 1 }, { MPOL_WEIGHTED_INTERLEAVE, 3 },
	};
	size_t ps = lab_page_size();
	char *area = mmap(NULL, NR * (RSZ + ps) + ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err;

	if (area == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	err = lab_set_mempolicy(MPOL_BIND, 1);	/* where the default region's pages go */
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	for (int i = 0; i < NR; i++) {
		L->r[i] = area + ps + i * (RSZ + ps);
		if (mprotect(L->r[i], RSZ, PROT_READ | PROT_WRITE))
			FAIL("mprotect: %s", strerror(errno));
		madvise(L->r[i], RSZ, MADV_NOHUGEPAGE);
		if (pol[i].mode != MPOL_DEFAULT) {
			/* MPOL_F_STATIC_NODES and _RELATIVE_NODES travel in the mode argument of mbind(2). */
			err = lab_mbind(L->r[i], RSZ, pol[i].mode, pol[i].nodes, 0);
			if (err == -EINVAL && (pol[i].mode == MPOL_WEIGHTED_INTERLEAVE || pol[i].mode == MPOL_PREFERRED_MANY))
				L->unsupported[i] = 1;
			else if (err)
				FAIL("mbind %s: %s", names[i], strerror(-err));
		}
		/* The last page of each region stays untouched, for the fault after the move. */
		for (size_t off = 0; off < RSZ - ps; off += ps)
			L->r[i][off] = 1;
	}
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
}

/* Region @start's policy as numa_maps words it (the word after the address), into @buf. */
static void policy_of(pid_t pid, const void *start, char *buf, size_t size)
{
	char path[64], key[40], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/numa_maps", (int)pid);
	snprintf(key, sizeof(key), "%lx ", (unsigned long)(uintptr_t)start);
	f = fopen(path, "re");
	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	buf[0] = '\0';
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, key, strlen(key))) {
			/* the policy may hold spaces ("prefer (many):0-1"): it ends where the counts begin */
			const char *p = line + strlen(key), *e = strstr(p, " anon=");

			snprintf(buf, size, "%.*s", (int)(e ? e - p : (long)strcspn(p, "\n")), p);
			break;
		}
	free(line);
	fclose(f);
	if (!buf[0] || size < 64)
		FAIL("no numa_maps line for the region at %p", start);
}

/* The page at @addr of @pid: its node, or a negative errno (move_pages(nodes = NULL)). */
static int node_of(pid_t pid, void *addr)
{
	int st = -1;

	if (lab_query_nodes_pid(pid, addr, 1, lab_page_size(), &st))
		FAIL("query %p", addr);
	return st;
}

int main(void)
{
	char before[NR][64], after[64];
	size_t ps = lab_page_size(), n = RSZ / ps - 1;
	pid_t pid;
	int rc, *st = calloc(RSZ / ps, sizeof(int));

	L = lab_require_cli(4, sizeof(*L));
	pid = lab_spawn(setup, NULL);
	for (int i = 0; i < NR; i++) {
		policy_of(pid, L->r[i], before[i], sizeof(before[i]));
		lab_log("%-24s region %p: numa_maps policy '%s'%s", names[i], (void *)L->r[i], before[i],
			L->unsupported[i] ? " (mode not in this kernel)" : "");
	}
	rc = lab_pagemig(NULL, 0, NULL, 0, "move %d 0,1 2,3 --no-progress", pid);
	if (rc != 0)
		FAIL("pagemig move 0,1 -> 2,3 exited %d, expected 0", rc);
	for (int i = 0; i < NR; i++) {
		if (lab_query_nodes_pid(pid, L->r[i], n, ps, st))
			FAIL("query %s", names[i]);
		for (size_t k = 0; k < n; k++)
			if (st[k] != 2 && st[k] != 3)
				FAIL("%s: page %zu on node %d after the move 0,1 -> 2,3", names[i], k, st[k]);
		policy_of(pid, L->r[i], after, sizeof(after));
		if (strcmp(before[i], after))
			FAIL("%s: the policy was '%s' before the move and is '%s' after it", names[i], before[i], after);
	}
	/* A page faulted in after the move follows the policy it kept. */
	{
		char one = 1;
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0 || pwrite(fd, &one, 1, (off_t)(uintptr_t)(L->r[0] + RSZ - ps)) != 1)
			FAIL("write the target's last page of the bind:0 region: %s", strerror(errno));
		close(fd);
	}
	rc = node_of(pid, L->r[0] + RSZ - ps);
	lab_log("bind:0 region: a page touched after the move is on node %d", rc);
	if (rc != 0)
		FAIL("bind:0 region: a page touched after the move is on node %d, its policy says node 0", rc);
	free(st);
	lab_kill(pid);
	return 0;
}
