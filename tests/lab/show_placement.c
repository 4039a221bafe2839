// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * show_placement.c - `pagemig show --json` on this process, with memory of every kind placed on
 * known nodes: private anonymous (bind and interleave), THP, a tmpfs file, MAP_SHARED memory half
 * of which a child maps too, hugetlb, and SysV shm.
 *
 * The expected numbers come from the kernel: per node from move_pages(2) queries (get_mempolicy
 * for hugetlb pages), exclusive/shared from smaps' Private_* and Shared_* (a page mapped twice is
 * "shared" there).  The placement asked for is checked too, as the setup's precondition.  Also
 * the per-kind summary (numastat -p miscounts hugetlb and shared files) and the exit codes.
 */
#include <inttypes.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "labtest.h"
#include "../json.h"

#define MIB (1UL << 20)
#define HPAGE (2 * MIB)
#define SHM_SZ (2 * MIB)
#define NODES 4
#define OUT_MAX (1UL << 20)

struct region {
	const char *what;
	char *addr;
	size_t len;
	const char *kind;
	const char *policy;		/* the numa_maps policy expected, NULL: not checked */
	uint64_t intended;		/* the nodes it was placed on */
	size_t pagesize;
	int64_t node_pages[NODES];	/* pages of @pagesize per node, as the kernel reports them */
	int64_t exclusive;		/* bytes, smaps Private_* */
	int64_t shared;			/* bytes, smaps Shared_* */
};

static struct region regions[8];
static int nr_regions;

static struct region *add_region(const char *what, void *addr, size_t len, uint64_t nodes, const char *kind,
				 const char *policy)
{
	struct region *r = &regions[nr_regions++];

	*r = (struct region){ .what = what, .addr = addr, .len = len, .kind = kind, .policy = policy,
			      .intended = nodes, .pagesize = lab_page_size() };
	return r;
}

/* ------------------------------------------------------------------------------------------ */
/* Setup                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* The sharing child: it maps the first half of the MAP_SHARED region at @arg (writes: a read fault
 * would map the neighbouring pages too). */
static void map_half(void *arg)
{
	char *p = arg;

	for (size_t off = 0; off < SHM_SZ / 2; off += lab_page_size())
		p[off] = 2;
}

static void setup_file(void)
{
	const char *path = "/tmp/pagemig-show-file";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;

	if (fd < 0 || ftruncate(fd, 2 * MIB))
		FAIL("%s: %s", path, strerror(errno));
	p = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		FAIL("mmap %s: %s", path, strerror(errno));
	close(fd);
	if (lab_mbind(p, 2 * MIB, MPOL_BIND, 1ULL << 3, 0))
		FAIL("mbind the file to node 3: %s", strerror(errno));
	memset(p, 4, 2 * MIB);
	add_region("tmpfs file", p, 2 * MIB, 1ULL << 3, "file", NULL);
}

/* 4 MiB of THP on node 2 (whether THP formed is checked in smaps later). */
static void setup_thp(void)
{
	char *p = lab_map_aligned(4 * MIB, HPAGE);

	if (madvise(p, 4 * MIB, MADV_HUGEPAGE))
		FAIL("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	if (lab_mbind(p, 4 * MIB, MPOL_BIND, 1ULL << 2, 0))
		FAIL("mbind thp to node 2");
	memset(p, 5, 4 * MIB);
	add_region("THP", p, 4 * MIB, 1ULL << 2, "anon", "bind:2");
}

/* 4 hugetlb pages on node 3; false when the pool could not be filled (then the part is skipped). */
static bool setup_hugetlb(void)
{
	char pool[128];
	char *p;

	lab_hugetlb_path(pool, sizeof(pool), 3, "nr_hugepages");
	if (access(pool, W_OK) || lab_hugetlb_pool(3, "nr_hugepages", 4) < 4) {
		lab_log("hugetlb part skipped: node 3 has no pool of 4 2 MiB pages (%s)", pool);
		return false;
	}
	p = mmap(NULL, 4 * HPAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap MAP_HUGETLB: %s", strerror(errno));
	if (lab_mbind(p, 4 * HPAGE, MPOL_BIND, 1ULL << 3, 0))
		FAIL("mbind hugetlb to node 3");
	memset(p, 6, 4 * HPAGE);
	add_region("hugetlb", p, 4 * HPAGE, 1ULL << 3, "huge", "bind:3")->pagesize = HPAGE;
	return true;
}

static void setup_sysv(void)
{
	int id = shmget(IPC_PRIVATE, MIB, IPC_CREAT | 0600);
	char *p;

	if (id < 0)
		FAIL("shmget: %s", strerror(errno));
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);	/* gone with the last detach */
	if (p == (void *)-1)
		FAIL("shmat: %s", strerror(errno));
	if (lab_mbind(p, MIB, MPOL_BIND, 1ULL << 2, 0))
		FAIL("mbind SysV shm to node 2");
	memset(p, 7, MIB);
	add_region("SysV shm", p, MIB, 1ULL << 2, "shm", NULL);
}

static pid_t setup(void)
{
	char *shm, *p;
	pid_t child;

	/* first, so that the child shares no private memory mapped below copy-on-write */
	shm = lab_alloc_on_node(SHM_SZ, 0, MAP_SHARED);
	child = lab_spawn(map_half, shm);
	add_region("MAP_SHARED", shm, SHM_SZ, 1ULL << 0, "shm", NULL);
	p = mmap(NULL, 3 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, 3 * MIB, MADV_NOHUGEPAGE) || lab_mbind(p, 3 * MIB, MPOL_BIND, 1ULL << 1, 0))
		FAIL("private anon setup: %s", strerror(errno));
	memset(p, 1, 3 * MIB);
	add_region("private anon", p, 3 * MIB, 1ULL << 1, "anon", "bind:1");
	p = mmap(NULL, 2 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || madvise(p, 2 * MIB, MADV_NOHUGEPAGE) ||
	    lab_mbind(p, 2 * MIB, MPOL_INTERLEAVE, 3ULL, 0))
		FAIL("interleaved anon setup: %s", strerror(errno));
	memset(p, 1, 2 * MIB);
	add_region("interleaved anon", p, 2 * MIB, 3ULL, "anon", "interleave:0-1");
	setup_thp();
	setup_file();
	setup_hugetlb();
	setup_sysv();
	return child;
}

/* ------------------------------------------------------------------------------------------ */
/* What the kernel says                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* smaps of the region at @addr: bytes mapped once (Private_*) and more than once (Shared_*). */
static void smaps_split(const void *addr, int64_t *priv, int64_t *shared, int64_t *anon_huge)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512], key[64];
	bool in = false;
	long long kb;

	*priv = *shared = *anon_huge = 0;
	if (!f)
		FAIL("/proc/self/smaps: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		uint64_t a, z;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %63s", &a, &z, key) == 3) {
			in = a == (uintptr_t)addr;
			continue;
		}
		if (!in || sscanf(line, "%63[^:]: %lld kB", key, &kb) != 2)
			continue;
		if (!strncmp(key, "Private_", 8))
			*priv += kb * 1024;
		else if (!strncmp(key, "Shared_", 7))
			*shared += kb * 1024;
		else if (!strcmp(key, "AnonHugePages"))
			*anon_huge = kb * 1024;
	}
	fclose(f);
}

/*
 * Per node pages from move_pages(2) (get_mempolicy(2) for hugetlb), and the smaps split.
 * Return: the region's AnonHugePages bytes.
 */
static int64_t expect_from_kernel(struct region *r)
{
	size_t n = r->len / r->pagesize, i;
	int64_t anon_huge;
	int *st = calloc(n, sizeof(*st));
	int err = 0;

	if (!st)
		FAIL("out of memory");
	if (r->pagesize == lab_page_size())
		err = lab_query_nodes(r->addr, n, r->pagesize, st);
	for (i = 0; i < n && r->pagesize != lab_page_size(); i++)
		st[i] = lab_node_of(r->addr + i * r->pagesize);
	if (err)
		FAIL("%s: move_pages query: %s", r->what, strerror(-err));
	for (i = 0; i < n; i++) {
		if (st[i] < 0 || st[i] >= NODES || !(r->intended & (1ULL << st[i])))
			FAIL("%s: setup: page %zu is on node %d (status), not where it was bound", r->what, i, st[i]);
		r->node_pages[st[i]]++;
	}
	free(st);
	smaps_split(r->addr, &r->exclusive, &r->shared, &anon_huge);
	if (r->exclusive + r->shared != (int64_t)r->len)
		FAIL("%s: setup: smaps says %" PRId64 " bytes mapped of %zu", r->what, r->exclusive + r->shared,
		     r->len);
	return anon_huge;
}

/* ------------------------------------------------------------------------------------------ */
/* What pagemig says: just enough JSON for one region's numbers                                */
/* ------------------------------------------------------------------------------------------ */

/* A number array member (index = node) into @v, zero-filled; returns its length or -1. */
static int json_array(const char *p, const char *end, const char *name, int64_t *v, int max)
{
	char key[64], *next;
	const char *a;
	int n = 0;

	snprintf(key, sizeof(key), "\"%s\": [", name);
	memset(v, 0, (size_t)max * sizeof(*v));
	a = strstr(p, key);
	if (!a || a > end)
		return -1;
	for (a += strlen(key); *a && *a != ']'; a = next) {
		int64_t x = (int64_t)strtoull(a, &next, 10);

		if (next == a) {
			next = (char *)a + 1;
			continue;
		}
		if (n < max)
			v[n] = x;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------------------------------ */
/* The checks                                                                                  */
/* ------------------------------------------------------------------------------------------ */

#define EXPECT(r, name, got, want)                                                                 \
	do {                                                                                       \
		int64_t g_ = (got), w_ = (want);                                                   \
		if (g_ != w_)                                                                      \
			FAIL("%s at %p: %s is %" PRId64 ", the kernel says %" PRId64, (r)->what,   \
			     (void *)(r)->addr, name, g_, w_);                                      \
	} while (0)

/*
 * The default table reads maps and numa_maps only (one page-table walk): its row of @r, asked for
 * as raw bytes, must carry the same kind, per-node bytes and exclusive/shared split.
 */
static void check_table_row(const char *table, const struct region *r)
{
	char key[40], kind[16];
	long long v[NODES + 2];
	const char *p;
	int n;

	snprintf(key, sizeof(key), "\n%lx-", (unsigned long)(uintptr_t)r->addr);
	p = strstr(table, key);
	if (!p)
		FAIL("%s: no row for %p in the default table", r->what, (void *)r->addr);
	p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %15s %lld %lld %lld %lld %lld %lld", kind, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 7)
		FAIL("%s: cannot read its row in the default table", r->what);
	if (strcmp(kind, r->kind))
		FAIL("%s: the default table says kind '%s', want '%s'", r->what, kind, r->kind);
	for (n = 0; n < NODES; n++)
		EXPECT(r, "table node bytes", v[n], r->node_pages[n] * (int64_t)r->pagesize);
	EXPECT(r, "table EXCLUSIVE", v[NODES], r->exclusive);
	EXPECT(r, "table SHARED", v[NODES + 1], r->shared);
}

/* @counts: the rows have PRESENT and SWAPPED (smaps' or pagemap's counts). */
static void check_region(const char *doc, const struct region *r, bool counts)
{
	int64_t bytes[NODES], pages[NODES], rss = 0;
	const char *b, *e;
	char str[64], name[32];
	int n;

	if (!json_region(doc, (uintptr_t)r->addr, &b, &e))
		FAIL("%s: no region starts at %p in the JSON", r->what, (void *)r->addr);
	if (strcmp(json_str(b, e, "kind", str, sizeof(str)), r->kind))
		FAIL("%s: kind '%s', want '%s'", r->what, str, r->kind);
	if (r->policy && strcmp(json_str(b, e, "policy", str, sizeof(str)), r->policy))
		FAIL("%s: policy '%s', want '%s'", r->what, str, r->policy);
	EXPECT(r, "size", json_num(b, e, "size"), (int64_t)r->len);
	EXPECT(r, "pagesize", json_num(b, e, "pagesize"), (int64_t)r->pagesize);
	if (json_array(b, e, "node-bytes", bytes, NODES) < NODES || json_array(b, e, "node-pages", pages, NODES) < NODES)
		FAIL("%s: node-bytes or node-pages missing or shorter than %d nodes", r->what, NODES);
	for (n = 0; n < NODES; n++) {
		snprintf(name, sizeof(name), "node-pages[%d]", n);
		EXPECT(r, name, pages[n], r->node_pages[n]);
		snprintf(name, sizeof(name), "node-bytes[%d]", n);
		EXPECT(r, name, bytes[n], r->node_pages[n] * (int64_t)r->pagesize);
		rss += bytes[n];
	}
	EXPECT(r, "rss", json_num(b, e, "rss"), rss);
	EXPECT(r, "exclusive", json_num(b, e, "exclusive"), r->exclusive);
	EXPECT(r, "shared", json_num(b, e, "shared"), r->shared);
	if (counts) {
		EXPECT(r, "present", json_num(b, e, "present"), r->exclusive + r->shared);
		EXPECT(r, "swapped", json_num(b, e, "swapped"), 0);
	} else if (memmem(b, (size_t)(e - b), "\"present\"", 9) || memmem(b, (size_t)(e - b), "\"swapped\"", 9)) {
		FAIL("%s: present or swapped in a row of the default JSON (maps and numa_maps only)", r->what);
	}
	lab_log("ok  %-16s %-5s N0..3 = %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " pages of %zu, exclusive %" PRId64
		", shared %" PRId64, r->what, r->kind, pages[0], pages[1], pages[2], pages[3], r->pagesize, r->exclusive,
		r->shared);
}

/* The totals are the sum of the rows, node by node. */
static void check_totals(const char *doc)
{
	const char *totals = strstr(doc, "\"totals\": {"), *p = doc;
	int64_t v[NODES], sum[NODES] = { 0 }, t[NODES];
	int n;

	if (!totals)
		FAIL("no totals in the JSON");
	while ((p = strstr(p, "\"node-bytes\": [")) && p < totals) {
		json_array(p, totals, "node-bytes", v, NODES);
		for (n = 0; n < NODES; n++)
			sum[n] += v[n];
		p++;
	}
	json_array(totals, doc + strlen(doc), "node-bytes", t, NODES);
	for (n = 0; n < NODES; n++)
		if (t[n] != sum[n])
			FAIL("totals node-bytes[%d] is %" PRId64 ", the regions sum to %" PRId64, n, t[n], sum[n]);
}

/* --summary: the huge and shm rows hold exactly this test's hugetlb and shared regions. */
static void check_summary(const char *doc, const char *kind)
{
	int64_t want[NODES] = { 0 }, got[NODES];
	char key[64];
	const char *p;
	int i, n;

	for (i = 0; i < nr_regions; i++)
		for (n = 0; n < NODES && !strcmp(regions[i].kind, kind); n++)
			want[n] += regions[i].node_pages[n] * (int64_t)regions[i].pagesize;
	snprintf(key, sizeof(key), "\"kind\": \"%s\"", kind);
	p = strstr(doc, key);
	if (!p || json_array(p, strchr(p, '}'), "node-bytes", got, NODES) < NODES)
		FAIL("summary: no %s row with node-bytes", kind);
	for (n = 0; n < NODES; n++)
		if (got[n] != want[n])
			FAIL("summary %s: node-bytes[%d] is %" PRId64 ", want %" PRId64, kind, n, got[n], want[n]);
	lab_log("ok  summary %s per node", kind);
}

static void check_exit_codes(void)
{
	static const struct {
		const char *args;
		int rc;
	} cases[] = {
		{ "999999", 3 }, { "abc", 2 }, { "--regions hep 1", 2 }, { "--bogus 1", 2 }, { "--help", 0 },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = lab_run(NULL, 0, "pagemig show %s", cases[i].args);
		if (rc != cases[i].rc)
			FAIL("pagemig show %s: exit %d, want %d", cases[i].args, rc, cases[i].rc);
	}
	/* as uid 65534, this root-owned process is out of reach */
	rc = lab_pagemig_as(65534, NULL, 0, NULL, 0, "show %d", (int)getpid());
	if (rc != 4)
		FAIL("pagemig show %d as nobody: exit %d, want 4", (int)getpid(), rc);
}

int main(void)
{
	char *out = malloc(OUT_MAX);
	int64_t anon_huge;
	pid_t child;
	int i, rc;

	lab_require_root();
	lab_require_nodes(NODES);
	lab_require_cmd("pagemig");
	if (!out)
		FAIL("out of memory");
	child = setup();
	for (i = 0; i < nr_regions; i++) {
		anon_huge = expect_from_kernel(&regions[i]);
		if (!strcmp(regions[i].what, "THP") && anon_huge == 0) {
			lab_log("THP part skipped: no transparent huge page formed (AnonHugePages 0)");
			regions[i--] = regions[--nr_regions];
		}
	}
	/* maps and numa_maps by default, smaps' counts with PRESENT, pagemap's with --pagemap: all exact */
	for (int mode = 0; mode < 3; mode++) {
		static const char *const args[] = { "", "-o +PRESENT,SWAPPED ", "--pagemap " };

		rc = lab_run(out, OUT_MAX, "pagemig show --json %s%d", args[mode], (int)getpid());
		if (rc)
			FAIL("pagemig show --json %s: exit %d", args[mode], rc);
		for (i = 0; i < nr_regions; i++)
			check_region(out, &regions[i], mode > 0);
		check_totals(out);
	}
	/* the table as a person asks for it: maps + numa_maps only, no smaps */
	rc = lab_run(out + 1, OUT_MAX - 1, "pagemig show --bytes --raw -o RANGE,KIND,N0,N1,N2,N3,EXCLUSIVE,SHARED %d",
		     (int)getpid());
	out[0] = '\n';
	if (rc)
		FAIL("pagemig show (table): exit %d", rc);
	for (i = 0; i < nr_regions; i++)
		check_table_row(out, &regions[i]);
	rc = lab_run(out, OUT_MAX, "pagemig show --summary --json %d", (int)getpid());
	if (rc)
		FAIL("pagemig show --summary --json: exit %d", rc);
	for (i = 0; i < nr_regions; i++)
		if (!strcmp(regions[i].kind, "huge"))
			check_summary(out, "huge");
	check_summary(out, "shm");
	check_exit_codes();
	lab_kill(child);
	free(out);
	return LAB_EXIT_PASS;
}
