// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_objects.c - `pagemig move --all --objects`: the whole of a shared object follows the
 * process, also the pages that a process which has exited since touched (a database's buffer
 * pool that its backends filled).
 *
 * The target maps three 16 MiB shared objects on node 0, a shared anonymous region, a memfd and a
 * file in the test's directory (MAP_SHARED: a region of kind "file"), and writes their first
 * quarter; a child of the target writes the next half and exits, so that half is in memory but
 * mapped by nobody; the last quarter is never touched.  Then:
 *  - without CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE (dropped from the bounding set; CAP_SYS_NICE
 *    kept) the move exits 4 naming --objects and the capability, and nothing moved;
 *  - --objects without --all is a usage error (exit 2);
 *  - a dry run counts the child's half of each object as "object" and moves nothing;
 *  - the move exits 0, and a fresh mapping of each object here (mincore(2), then a move_pages(2)
 *    query) finds exactly the three touched quarters in memory, every page of them on node 2, with
 *    the contents the target and the child wrote; each region's row says planned = moved = 12 MiB,
 *    object 8 MiB, not present 4 MiB and unmapped 0; totals.object is the sum of the rows.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (16 * MIB)
#define OWN (SZ / 4)			/* [0, OWN): written by the target */
#define CHILD_END (3 * SZ / 4)		/* [OWN, CHILD_END): written by its child, which exits */
#define NOBJ 3
#define FILE_OBJ "pagemig-objects.data"	/* in the test's directory */

#ifndef CAP_SYS_ADMIN
#define CAP_SYS_ADMIN 21
#endif
#define CAP_CHECKPOINT_RESTORE 40

struct layout {
	char *obj[NOBJ];
};

static struct layout *L;

static void setup_target(void *arg)
{
	int fd = memfd_create("pagemig-objects", 0), ffd = open(FILE_OBJ, O_RDWR | O_CREAT | O_TRUNC, 0600);
	pid_t child;
	int st, i;

	if (lab_set_mempolicy(MPOL_BIND, 1ULL << 0))
		_exit(1);
	if (fd < 0 || ftruncate(fd, SZ) || ffd < 0 || ftruncate(ffd, SZ))
		_exit(1);
	L->obj[0] = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	L->obj[1] = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	L->obj[2] = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, ffd, 0);
	if (L->obj[0] == MAP_FAILED || L->obj[1] == MAP_FAILED || L->obj[2] == MAP_FAILED)
		_exit(1);
	close(fd);
	close(ffd);
	child = fork();
	if (child == 0) {
		for (i = 0; i < NOBJ; i++)
			lab_fill(L->obj[i] + OWN, CHILD_END - OWN, 10 + (uint64_t)i);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(1);
	for (i = 0; i < NOBJ; i++)
		lab_fill(L->obj[i], OWN, 20 + (uint64_t)i);
}

/* What a fresh mapping of object @i of @pid shows: pages in memory, those on @node, checksums. */
struct seen {
	size_t resident;
	size_t on_node;
	uint64_t sum_own;
	uint64_t sum_child;
};

static struct seen look(pid_t pid, int i, int node)
{
	size_t ps = lab_page_size(), n = SZ / ps;
	unsigned char *vec = malloc(n);
	int *where = calloc(n, sizeof(*where));
	struct seen s = { 0 };
	char path[96];
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", (int)pid, (unsigned long)(uintptr_t)L->obj[i],
		 (unsigned long)(uintptr_t)L->obj[i] + SZ);
	fd = open(path, O_RDONLY);
	p = fd >= 0 ? mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (!vec || !where || p == MAP_FAILED || mincore(p, SZ, vec))
		FAIL("map %s: %s", path, strerror(errno));
	close(fd);
	for (size_t k = 0; k < n; k++) {
		if (!(vec[k] & 1))
			continue;
		s.resident += ps;
		/* map what is in memory (a read fault of a resident page allocates nothing) */
		(void)*(volatile char *)(p + k * ps);
	}
	if (lab_query_nodes(p, n, ps, where))
		FAIL("move_pages query on %s: %s", path, strerror(errno));
	for (size_t k = 0; k < n; k++)
		s.on_node += (vec[k] & 1) && where[k] == node ? ps : 0;
	s.sum_own = lab_checksum(p, OWN);
	s.sum_child = lab_checksum(p + OWN, CHILD_END - OWN);
	munmap(p, SZ);
	free(vec);
	free(where);
	return s;
}

/* The JSON row of the region at @start. */
static const char *row_of(const char *out, const void *start)
{
	char key[64];

	snprintf(key, sizeof(key), "\"range\": \"%lx-", (unsigned long)(uintptr_t)start);
	return strstr(out, key);
}

/* The move without the capabilities map_files needs (CAP_SYS_NICE kept): its exit and stderr. */
static int move_without_map_files(pid_t pid, char *err, size_t errsize)
{
	int *shared = lab_map_shared(sizeof(int) + errsize);
	pid_t k = fork();
	int st, rc;

	if (k == 0) {
		if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
		    (prctl(PR_CAPBSET_DROP, CAP_CHECKPOINT_RESTORE, 0, 0, 0) && errno != EINVAL))
			_exit(99);
		shared[0] = lab_pagemig(NULL, 0, (char *)(shared + 1), errsize,
					"move %d 0 2 --all --objects --no-progress", (int)pid);
		_exit(0);
	}
	if (k < 0 || waitpid(k, &st, 0) != k || !WIFEXITED(st) || WEXITSTATUS(st))
		FAIL("could not run pagemig without CAP_SYS_ADMIN (status %d)", st);
	rc = shared[0];
	snprintf(err, errsize, "%s", (char *)(shared + 1));
	return rc;
}

static void expect_unmoved(pid_t pid, const char *when)
{
	for (int i = 0; i < NOBJ; i++) {
		struct seen s = look(pid, i, 0);

		if (s.on_node != s.resident || s.resident != CHILD_END)
			FAIL("%s: object %d has %zu bytes in memory, %zu on node 0; expected %lu on node 0", when, i,
			     s.resident, s.on_node, CHILD_END);
	}
	lab_expect_on(pid, L->obj[0], OWN, lab_page_size(), 0, when);
}

int main(void)
{
	static char out[1 << 20], err[4096];
	uint64_t want_own[NOBJ], want_child[NOBJ];
	char *buf = malloc(CHILD_END);
	int64_t obj_sum = 0, v;
	pid_t pid;
	int rc, i;

	L = lab_require_cli(4, sizeof(*L));
	if (!buf)
		FAIL("out of memory");
	for (i = 0; i < NOBJ; i++) {
		lab_fill(buf, OWN, 20 + (uint64_t)i);
		want_own[i] = lab_checksum(buf, OWN);
		lab_fill(buf, CHILD_END - OWN, 10 + (uint64_t)i);
		want_child[i] = lab_checksum(buf, CHILD_END - OWN);
	}
	pid = lab_spawn(setup_target, NULL);
	expect_unmoved(pid, "after setup");

	rc = move_without_map_files(pid, err, sizeof(err));
	if (rc != 4 || !strstr(err, "--objects") || !strstr(err, "CAP_SYS_ADMIN"))
		FAIL("without CAP_SYS_ADMIN: exit %d, stderr '%s'; expected 4 and a message naming --objects and "
		     "CAP_SYS_ADMIN", rc, err);
	expect_unmoved(pid, "after the move without CAP_SYS_ADMIN");

	rc = lab_pagemig(NULL, 0, err, sizeof(err), "move %d 0 2 --objects", (int)pid);
	if (rc != 2 || !strstr(err, "--all"))
		FAIL("--objects without --all: exit %d, stderr '%s'; expected 2 naming --all", rc, err);

	rc = lab_pagemig(out, sizeof(out), NULL, 0, "move %d 0 2 --all --objects --dry-run --json", (int)pid);
	v = lab_json_num(strstr(out, "\"totals\": {"), "object");
	if (rc != 0 || v < (int64_t)(NOBJ * (CHILD_END - OWN)))
		FAIL("dry run: exit %d, totals.object %" PRId64 "; expected 0 and at least %lu", rc, v,
		     NOBJ * (CHILD_END - OWN));
	for (i = 0; i < NOBJ; i++)
		if ((v = lab_json_num(row_of(out, L->obj[i]), "object")) != (int64_t)(CHILD_END - OWN))
			FAIL("dry run: object %d's row says object %" PRId64 ", expected %lu", i, v, CHILD_END - OWN);
	expect_unmoved(pid, "after the dry run");

	rc = lab_pagemig(out, sizeof(out), NULL, 0,
			 "move %d 0 2 --all --objects --json --no-progress -o RANGE,KIND,PLANNED,MOVED,OBJECT,NOTPRESENT,UNMAPPED",
			 (int)pid);
	if (rc != 0)
		FAIL("pagemig move --all --objects exited %d, expected 0", rc);
	for (i = 0; i < NOBJ; i++) {
		struct seen s = look(pid, i, 2);
		const char *row = row_of(out, L->obj[i]);

		lab_log("object %d: %zu bytes in memory, %zu on node 2", i, s.resident, s.on_node);
		const char *kind = i == 2 ? "\"file\"" : "\"shm\"", *k = row ? strstr(row, "\"kind\": ") : NULL;

		if (!k || strncmp(k + 8, kind, strlen(kind)))
			FAIL("object %d's row is missing or not of kind %s", i, i == 2 ? "file" : "shm");
		if (s.resident != CHILD_END || s.on_node != CHILD_END)
			FAIL("object %d: %zu bytes in memory, %zu on node 2; expected %lu, all on node 2", i, s.resident,
			     s.on_node, CHILD_END);
		if (s.sum_own != want_own[i] || s.sum_child != want_child[i])
			FAIL("object %d: contents changed by the move", i);
		if (lab_json_num(row, "planned") != (int64_t)CHILD_END || lab_json_num(row, "moved") != (int64_t)CHILD_END ||
		    lab_json_num(row, "object") != (int64_t)(CHILD_END - OWN) ||
		    lab_json_num(row, "notpresent") != (int64_t)(SZ - CHILD_END) || lab_json_num(row, "unmapped") != 0)
			FAIL("object %d's row: planned %" PRId64 " moved %" PRId64 " object %" PRId64 " notpresent %" PRId64
			     " unmapped %" PRId64 "; expected %lu %lu %lu %lu 0", i, lab_json_num(row, "planned"),
			     lab_json_num(row, "moved"), lab_json_num(row, "object"), lab_json_num(row, "notpresent"),
			     lab_json_num(row, "unmapped"), CHILD_END, CHILD_END, CHILD_END - OWN, SZ - CHILD_END);
		obj_sum += lab_json_num(row, "object");
	}
	lab_expect_on(pid, L->obj[0], OWN, lab_page_size(), 2, "the target's own part after the move");
	v = lab_json_num(strstr(out, "\"totals\": {"), "object");
	if (v != obj_sum)
		FAIL("totals.object %" PRId64 ", expected the rows' sum %" PRId64, v, obj_sum);
	lab_kill(pid);
	unlink(FILE_OBJ);
	free(buf);
	return 0;
}
