// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_file.c - `pagemig move` of file-backed memory and of hugetlb pages.
 *
 * Files: the page cache under test here is tmpfs (/tmp: shmem pages) and ramfs, the one built-in
 * filesystem whose page cache is not shmem; move_ext4 tests a block filesystem's (ext4 on a loop
 * device).  A shared mapping (written), a private
 * mapping only read (page-cache pages mapped) and a private mapping written (copy-on-write
 * anonymous pages in a file-backed region) of tmpfs files must all move.  ramfs pages are always
 * dirty and ramfs has neither migrate_folio nor writepage, so the kernel may refuse to migrate
 * them: whatever the kernel does, pagemig's exit status and counts must agree with it.
 *
 * hugetlb: 2 MiB pages with a pool on node 0 and node 2 move 0 -> 2 (exit 0).  With no pool on
 * node 3 (nr_overcommit_hugepages 0) the kernel would still move them: 6.1 and 6.12 both allocate
 * a temporary huge page for the migration (alloc_migrate_hugetlb_folio(); node 3's pool then
 * holds the pages and the source's shrinks).  pagemig may let that happen (exit 0) or refuse up
 * front because the target pool is short (its hugetlb handler: exit 6, nothing moved); either
 * way what it says must be what the kernel shows.  Then node 3 is exhausted: its memory becomes
 * huge pages that another process first only reserves (free_hugepages still counts them, but the
 * kernel may not hand them out and has no memory for a temporary page), then uses.  Nothing can
 * move there: pagemig must exit 5 (the pages reported as no-memory, not as moved) or 6.
 *
 * Placement: move_pages(nodes = NULL) on the target, never pagemig's own report.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "labtest.h"

#define MIB (1UL << 20)
#define FSZ (4 * MIB)
#define HPAGE (2 * MIB)
#define NR_HUGE 4

enum { F_SHARED, F_PRIV_READ, F_PRIV_COW, F_RAMFS, F_MAX };
static const char *const fnames[F_MAX] = { "tmpfs MAP_SHARED", "tmpfs MAP_PRIVATE read",
					   "tmpfs MAP_PRIVATE written", "ramfs MAP_SHARED" };

struct layout {
	char *f[F_MAX];
	uint64_t sum[F_MAX];
	char *huge;
	uint64_t huge_sum;
};

static struct layout *L;

/* A file of FSZ bytes written with write(2) under the caller's policy; returns an open fd. */
static int make_file(const char *path, uint64_t seed)
{
	char *buf = malloc(FSZ);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || !buf)
		FAIL("create %s: %s", path, strerror(errno));
	lab_fill(buf, FSZ, seed);
	if (write(fd, buf, FSZ) != (ssize_t)FSZ)
		FAIL("write %s: %s", path, strerror(errno));
	free(buf);
	return fd;
}

static char *map_file(int fd, int flags)
{
	char *p = mmap(NULL, FSZ, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	close(fd);
	return p;
}

static void setup_files(void *arg)
{
	volatile char sink = 0;
	int err;

	/* Page-cache pages are allocated under the task's policy: node 0 while we create them. */
	err = lab_set_mempolicy(MPOL_BIND, 1ULL << 0);
	if (err)
		FAIL("set_mempolicy: %s", strerror(-err));
	L->f[F_SHARED] = map_file(make_file("/tmp/f_shared", 1), MAP_SHARED);
	lab_fill(L->f[F_SHARED], FSZ, 31);	/* written through the mapping */
	L->f[F_PRIV_READ] = map_file(make_file("/tmp/f_read", 32), MAP_PRIVATE);
	for (size_t off = 0; off < FSZ; off += lab_page_size())
		sink += L->f[F_PRIV_READ][off];
	(void)sink;
	L->f[F_PRIV_COW] = map_file(make_file("/tmp/f_cow", 2), MAP_PRIVATE);
	lab_fill(L->f[F_PRIV_COW], FSZ, 33);	/* every page copied on write */
	L->f[F_RAMFS] = map_file(make_file("/tmp/ramfs/f", 3), MAP_SHARED);
	lab_fill(L->f[F_RAMFS], FSZ, 34);
	for (int i = 0; i < F_MAX; i++)
		L->sum[i] = lab_checksum(L->f[i], FSZ);
	err = lab_set_mempolicy(MPOL_DEFAULT, 0);
	if (err)
		FAIL("set_mempolicy(MPOL_DEFAULT): %s", strerror(-err));
}

static size_t on_node(pid_t pid, void *addr, size_t len, size_t psz, int node)
{
	return lab_count_on_node(pid, addr, len / psz, psz, node);
}

/*
 * The region [addr, addr+len) of @pid was wholly on a source node before a move to @node: its row
 * must report as moved exactly what the kernel now shows on @node and the rest as left.
 */
static size_t expect_row_matches_kernel(const char *out, pid_t pid, void *addr, size_t len, size_t psz, int node,
					const char *what)
{
	size_t n = on_node(pid, addr, len, psz, node);
	uint64_t v[4];

	if (!lab_move_row(out, addr, v))
		FAIL("%s: no row for the region at %p", what, addr);
	lab_log("%s: kernel: %zu of %zu pages on node %d; pagemig: planned %lu moved %lu shared %lu left %lu",
		what, n, len / psz, node, v[0], v[1], v[2], v[3]);
	if (v[0] != len)
		FAIL("%s: planned %lu bytes, expected %zu", what, v[0], len);
	if (v[1] != n * psz)
		FAIL("%s: pagemig reports %lu bytes moved, the kernel shows %zu on node %d", what, v[1], n * psz,
		     node);
	if (v[3] != len - n * psz)
		FAIL("%s: pagemig reports %lu bytes left, the kernel shows %zu not on node %d", what, v[3],
		     len - n * psz, node);
	return n;
}

static void check_contents(pid_t pid)
{
	for (int i = 0; i < F_MAX; i++)
		if (lab_mem_checksum(pid, L->f[i], FSZ) != L->sum[i])
			FAIL("%s: contents changed by the move", fnames[i]);
}

static void files(void)
{
	static char out[65536];
	size_t ps = lab_page_size(), n;
	pid_t pid;
	int rc;

	if (mkdir("/tmp/ramfs", 0700) || mount("ramfs", "/tmp/ramfs", "ramfs", 0, NULL))
		FAIL("mount ramfs on /tmp/ramfs: %s", strerror(errno));
	pid = lab_spawn(setup_files, NULL);
	for (int i = 0; i < F_MAX; i++)
		lab_expect_on(pid, L->f[i], FSZ, ps, 0, fnames[i]);

	rc = lab_run(out, sizeof(out), "pagemig move %d 0 2 --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT,RESULT --bytes",
		     pid);
	lab_log("%s", out);
	for (int i = F_SHARED; i <= F_PRIV_COW; i++)
		lab_expect_on(pid, L->f[i], FSZ, ps, 2, fnames[i]);
	for (int i = F_SHARED; i <= F_PRIV_COW; i++)
		expect_row_matches_kernel(out, pid, L->f[i], FSZ, ps, 2, fnames[i]);
	n = expect_row_matches_kernel(out, pid, L->f[F_RAMFS], FSZ, ps, 2, fnames[F_RAMFS]);
	if (n == FSZ / ps && rc != 0)
		FAIL("every page is on its target, yet pagemig exited %d", rc);
	if (n < FSZ / ps && rc != 5)
		FAIL("%zu ramfs pages could not move, yet pagemig exited %d (expected 5)", FSZ / ps - n, rc);
	if (n < FSZ / ps && !strstr(out, "partial ("))
		FAIL("ramfs pages left behind, but no 'partial (...)' result says why");
	lab_log("ramfs: the kernel moved %zu of %zu pages; pagemig exited %d", n, FSZ / ps, rc);
	check_contents(pid);
	lab_kill(pid);
}

static void setup_huge(void *arg)
{
	L->huge = lab_alloc_on_node(NR_HUGE * HPAGE, 0, MAP_HUGETLB);
	lab_fill(L->huge, NR_HUGE * HPAGE, 41);
	L->huge_sum = lab_checksum(L->huge, NR_HUGE * HPAGE);
}

/*
 * A process that takes every huge page of node 3's pool: touched (in use), or only reserved by
 * mmap(2), which leaves them counted in free_hugepages but not available to anyone else.
 */
struct hog {
	long pages;
	bool touch;
};

static void setup_hog(void *arg)
{
	const struct hog *h = arg;
	size_t len = (size_t)h->pages * HPAGE;
	char *p;
	int err;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %ld huge pages: %s", h->pages, strerror(errno));
	if (!h->touch)
		return;
	/* A policy on the range only: page tables and the rest come from other nodes (node 3 is full). */
	err = lab_mbind(p, len, MPOL_BIND, 1ULL << 3, 0);
	if (err)
		FAIL("mbind to node 3: %s", strerror(-err));
	for (size_t off = 0; off < len; off += HPAGE)
		p[off] = 1;
}

/*
 * Move the hugetlb region of @pid from node @from to @to and judge the outcome against the kernel,
 * by its counts before and after (an earlier partial move may have left pages on @to already):
 *  - exit 0 or 5: the region's row plans the pages that were on @from, reports as moved those that
 *    arrived on @to, the rest as left; exit 0 exactly when all of them arrived;
 *  - exit 6: the hugetlb handler refused up front (its target pool is short): no page arrived on
 *    @to, none left @from, and stderr says why.
 * Return: the exit status; *@moved: huge pages the kernel shows on @to afterwards (all of them).
 */
static char hout[65536];

static int move_huge(pid_t pid, int from, int to, size_t *moved, const char *what)
{
	char *out = hout, err[4096];
	size_t hsz = NR_HUGE * HPAGE, on_from = on_node(pid, L->huge, hsz, HPAGE, from);
	size_t on_to = on_node(pid, L->huge, hsz, HPAGE, to), arrived;
	uint64_t v[4];
	int rc;

	rc = lab_pagemig(out, sizeof(hout), err, sizeof(err),
			 "move %d %d %d --regions huge --no-progress -o RANGE,PLANNED,MOVED,SHARED,LEFT,RESULT --bytes",
			 pid, from, to);
	*moved = on_node(pid, L->huge, hsz, HPAGE, to);
	arrived = *moved - on_to;
	lab_log("%s: before: %zu huge pages on node %d, %zu on node %d; after: %zu on node %d; exit %d", what, on_from,
		from, on_to, to, *moved, to, rc);
	if (rc == 6) {
		if (arrived)
			FAIL("%s: exit 6 says nothing moved, the kernel shows %zu more huge pages on node %d", what, arrived,
			     to);
		if (on_node(pid, L->huge, hsz, HPAGE, from) != on_from)
			FAIL("%s: exit 6 says nothing moved, yet pages left node %d", what, from);
		if (!strstr(err, "pagemig: ") || !strstr(err, "huge"))
			FAIL("%s: exit 6 without a word about huge pages on stderr", what);
		return rc;
	}
	if (rc != 0 && rc != 5)
		FAIL("%s: exit %d, expected 0, 5 or 6", what, rc);
	if (!lab_move_row(out, L->huge, v))
		FAIL("%s: no row for the region at %p", what, (void *)L->huge);
	if (v[0] != on_from * HPAGE || v[1] != arrived * HPAGE || v[3] != (on_from - arrived) * HPAGE)
		FAIL("%s: pagemig reports planned %lu, moved %lu, left %lu; the kernel: %zu on node %d before, %zu "
		     "arrived on node %d", what, v[0], v[1], v[3], on_from * HPAGE, from, arrived * HPAGE, to);
	if (arrived == on_from && rc != 0)
		FAIL("%s: every page moved, yet exit %d", what, rc);
	if (arrived < on_from && rc != 5)
		FAIL("%s: %zu pages did not move, yet exit %d (expected 5)", what, on_from - arrived, rc);
	if (arrived < on_from && !strstr(out, "partial ("))
		FAIL("%s: pages left behind, but no 'partial (...)' result says why", what);
	return rc;
}

static void check_huge_contents(pid_t pid)
{
	if (lab_mem_checksum(pid, L->huge, NR_HUGE * HPAGE) != L->huge_sum)
		FAIL("hugetlb contents changed by the moves");
}

/*
 * Exhaust node 3: its memory becomes huge pages.  First another process reserves them all
 * (free_hugepages still counts them; node 0's pool is gone, so no unreserved huge page is left
 * anywhere) and the kernel has no memory for a temporary one: the kernel cannot move, whatever
 * pagemig checked up front.  Then the pages are in use as well.
 */
static void hugetlb_exhausted(pid_t pid)
{
	struct hog hog;
	pid_t hog_pid;
	size_t n;
	int rc;

	lab_hugetlb_pool(0, "nr_hugepages", 0);
	lab_hugetlb_pool(3, "nr_hugepages", 0);
	hog.pages = lab_hugetlb_pool(3, "nr_hugepages", 100000);
	lab_log("node 3 pool: %ld huge pages, MemFree %lld kB", hog.pages, lab_node_meminfo(3, "MemFree"));
	if (hog.pages < 1)
		FAIL("no huge page could be allocated on node 3");
	for (int touch = 0; touch <= 1; touch++) {
		const char *what = touch ? "hugetlb 2 -> 3, node 3's pool in use" : "hugetlb 2 -> 3, node 3's pool reserved";

		hog.touch = touch;
		hog_pid = lab_spawn(setup_hog, &hog);
		lab_log("%s: node 3 free_hugepages %ld", what, lab_hugetlb_pool(3, "free_hugepages", -1));
		rc = move_huge(pid, 2, 3, &n, what);
		if (rc == 0)
			FAIL("%s: exit 0 (the kernel shows %zu of %d pages on node 3)", what, n, NR_HUGE);
		if (on_node(pid, L->huge, NR_HUGE * HPAGE, HPAGE, 2) != NR_HUGE - n)
			FAIL("%s: pages that could not move are not on node 2 any more", what);
		if (rc == 5 && !strstr(hout, "no-memory"))
			FAIL("%s: exit 5 without 'no-memory' in the report", what);
		lab_kill(hog_pid);
	}
}

static void hugetlb(void)
{
	size_t hsz = NR_HUGE * HPAGE, n;
	pid_t pid;
	int rc;

	lab_set_sysctl("/proc/sys/vm/nr_overcommit_hugepages", "0");
	if (lab_hugetlb_pool(0, "nr_hugepages", NR_HUGE) != NR_HUGE ||
	    lab_hugetlb_pool(2, "nr_hugepages", NR_HUGE) != NR_HUGE)
		FAIL("cannot set up %d huge pages on nodes 0 and 2", NR_HUGE);
	if (lab_hugetlb_pool(3, "nr_hugepages", 0) != 0)
		FAIL("node 3 keeps huge pages");
	pid = lab_spawn(setup_huge, NULL);
	lab_expect_on(pid, L->huge, hsz, HPAGE, 0, "hugetlb before the move");

	/* 0 -> 2: free pool pages wait on node 2. */
	rc = move_huge(pid, 0, 2, &n, "hugetlb 0 -> 2, pool on node 2");
	if (rc != 0)
		FAIL("hugetlb 0 -> 2 with a free pool on node 2: exit %d, expected 0", rc);
	lab_expect_on(pid, L->huge, hsz, HPAGE, 2, "hugetlb 0 -> 2");

	/*
	 * 2 -> 3 without a pool on node 3: the kernel would allocate temporary huge pages there; pagemig
	 * may move (exit 0) or refuse up front (exit 6), but what it says must be what happened.
	 */
	rc = move_huge(pid, 2, 3, &n, "hugetlb 2 -> 3, no pool on node 3");
	lab_log("no pool on node 3: exit %d, %zu of %d huge pages moved (node 3: nr_hugepages %ld, surplus %ld)", rc,
		n, NR_HUGE, lab_hugetlb_pool(3, "nr_hugepages", -1), lab_hugetlb_pool(3, "surplus_hugepages", -1));
	if (n) {
		/* The pool moved with the pages: give node 2 free pages again, then go back. */
		if (lab_hugetlb_pool(2, "nr_hugepages", NR_HUGE) < NR_HUGE)
			FAIL("cannot set up %d huge pages on node 2 again", NR_HUGE);
		rc = move_huge(pid, 3, 2, &n, "hugetlb 3 -> 2, back to a free pool");
		if (rc != 0)
			FAIL("hugetlb 3 -> 2 (back to a free pool): exit %d", rc);
		lab_expect_on(pid, L->huge, hsz, HPAGE, 2, "hugetlb 3 -> 2");
	}
	hugetlb_exhausted(pid);
	check_huge_contents(pid);
	lab_kill(pid);
}

int main(void)
{
	char path[128];

	lab_require_nodes(4);
	lab_require_root();
	lab_require_cmd("pagemig");
	if (access(lab_hugetlb_path(path, sizeof(path), 3, "nr_hugepages"), W_OK))
		SKIP("no per-node 2 MiB hugetlb pool (%s)", path);
	L = lab_map_shared(sizeof(*L));
	files();
	hugetlb();
	return 0;
}
