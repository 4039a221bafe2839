// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_unmapped.c - a shared memory object that the target maps only in part: pages of it that
 * other processes touched are in memory but not in the target's page tables.  `pagemig move`
 * must count them as "unmapped", not as "not-present".
 *
 * A helper touches all 16 MiB of a /dev/shm file on node 0 and exits; the target maps the whole
 * file and touches the first 4 MiB.  Moving the target from 0 to 2 must move those 4 MiB (the
 * kernel shows them on node 2) and report, for the region and in the JSON totals, unmapped bytes
 * equal to what the kernel says: the object's resident bytes (mincore(2) on the test's own
 * mapping of the file) less the target's resident bytes in the region (its smaps Rss); the
 * region's NOTPRESENT must then be 0.
 */
#include <sys/mman.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define SZ (16 * MIB)
#define TOUCHED (4 * MIB)
#define OBJ "/dev/shm/pagemig-unmapped"

struct layout {
	char *map;
};

static struct layout *L;

static void touch(size_t len)
{
	int fd = open(OBJ, O_RDWR);
	char *p;

	if (fd < 0)
		FAIL("open %s: %s", OBJ, strerror(errno));
	p = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %s: %s", OBJ, strerror(errno));
	close(fd);
	for (size_t off = 0; off < len; off += lab_page_size())
		p[off] = 1;
	L->map = p;
}

static void setup_target(void *arg)
{
	touch(TOUCHED);
}

/* The object's bytes in memory, as mincore(2) says on a mapping of our own (never touched). */
static size_t object_resident(void)
{
	size_t ps = lab_page_size(), n = SZ / ps, sum = 0;
	unsigned char *vec = malloc(n);
	int fd = open(OBJ, O_RDONLY);
	void *p = fd >= 0 ? mmap(NULL, SZ, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;

	if (!vec || p == MAP_FAILED || mincore(p, SZ, vec))
		FAIL("mincore on %s: %s", OBJ, strerror(errno));
	for (size_t i = 0; i < n; i++)
		sum += (vec[i] & 1) ? ps : 0;
	munmap(p, SZ);
	close(fd);
	free(vec);
	return sum;
}

/* The target's Rss in the region at @start, from its smaps, in bytes. */
static size_t region_rss(pid_t pid, const void *start)
{
	long kb = lab_smaps_kb(pid, start, "Rss");

	if (kb < 0)
		FAIL("no region at %p in /proc/%d/smaps", start, (int)pid);
	return (size_t)kb * 1024;
}

int main(void)
{
	static char out[1 << 20];
	size_t ps = lab_page_size(), resident, rss;
	int64_t unmapped, notpres, total_unmapped;
	char key[64];
	const char *row;
	pid_t helper, pid;
	int fd, rc;

	L = lab_require_cli(4, sizeof(*L));
	fd = open(OBJ, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, SZ))
		FAIL("create %s: %s", OBJ, strerror(errno));
	close(fd);
	/* the helper faults the whole object in on node 0, then exits: nobody maps most of it */
	helper = fork();
	if (helper == 0) {
		if (lab_set_mempolicy(MPOL_BIND, 1ULL << 0))
			_exit(1);
		touch(SZ);
		_exit(0);
	}
	if (helper < 0 || waitpid(helper, &rc, 0) != helper || !WIFEXITED(rc) || WEXITSTATUS(rc))
		FAIL("the helper that touches the object failed");
	pid = lab_spawn(setup_target, NULL);
	lab_expect_on(pid, L->map, TOUCHED, ps, 0, "the target's part of the object");

	rc = lab_pagemig(out, sizeof(out), NULL, 0, "move %d 0 2 --json --no-progress -o RANGE,PLANNED,MOVED,NOTPRESENT,UNMAPPED",
			 (int)pid);
	if (rc != 0)
		FAIL("pagemig move exited %d, expected 0", rc);
	lab_expect_on(pid, L->map, TOUCHED, ps, 2, "the target's part of the object after the move");
	resident = object_resident();
	rss = region_rss(pid, L->map);
	lab_log("kernel: %zu bytes of the object in memory, %zu of them mapped by the target", resident, rss);
	if (resident < SZ - MIB || rss != TOUCHED)
		FAIL("the object is not laid out as the test made it: %zu resident, %zu mapped", resident, rss);
	snprintf(key, sizeof(key), "\"range\": \"%lx-", (unsigned long)(uintptr_t)L->map);
	row = strstr(out, key);
	unmapped = lab_json_num(row, "unmapped");
	notpres = lab_json_num(row, "notpresent");
	total_unmapped = lab_json_num(strstr(out, "\"totals\": {"), "unmapped");
	lab_log("pagemig: the region's unmapped %" PRId64 ", not present %" PRId64 "; totals unmapped %" PRId64,
		unmapped, notpres, total_unmapped);
	if (unmapped != (int64_t)(resident - rss) || notpres != 0)
		FAIL("the region: unmapped %" PRId64 " and not present %" PRId64 ", expected %zu and 0", unmapped, notpres,
		     resident - rss);
	if (total_unmapped < unmapped)
		FAIL("totals.unmapped %" PRId64 " is less than the region's %" PRId64, total_unmapped, unmapped);
	lab_kill(pid);
	unlink(OBJ);
	return 0;
}
