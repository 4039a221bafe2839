// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * regions.c - reading regions: canned /proc trees (maps edge cases, regions that changed between
 * smaps and numa_maps, cut files, no numa_maps, a canned pagemap) and the live process: its own
 * anonymous and shared memory counted through pagemap, and a target that exits mid-read.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

static int open_canned(const char *tree, pid_t pid, struct pagemig **pm)
{
	char root[PATH_MAX + 64], err[256] = "";
	struct pagemig_open_opts o = { .sz = sizeof(o), .proc_root = root, .errbuf = err, .errlen = sizeof(err) };
	int rc;

	if (tree[0] == '/')
		snprintf(root, sizeof(root), "%s", tree);
	else
		snprintf(root, sizeof(root), "%s/%s", unit_fixtures(), tree);
	rc = pagemig_open(pid, &o, pm);
	CHECK(rc == 0, "open %s/%d: %d (%s)", tree, (int)pid, rc, err);
	return rc;
}

/* What a fixture region must read as. */
struct want {
	uint64_t start, end;
	enum pagemig_kind kind;
	const char *path;
	const char *policy;
	uint64_t page_size;
	int nr_nodes;
	uint64_t n0, n1, n2;
	uint64_t rss, anon_huge, hugetlb, swap, locked, mapmax;
};

static const struct want edge[] = {
	{ 0x555555554000, 0x555555556000, PAGEMIG_KIND_FILE, "/usr/bin/my prog", "default", 4096, 1, 2, 0, 0,
	  8192, 0, 0, 0, 0, 1 },
	{ 0x555555556000, 0x555555558000, PAGEMIG_KIND_FILE, "/usr/bin/my prog", "default", 4096, 2, 1, 1, 0,
	  8192, 0, 0, 0, 0, 1 },
	{ 0x555555560000, 0x555555581000, PAGEMIG_KIND_HEAP, "[heap]", "bind:0-1", 4096, 2, 10, 20, 0,
	  120 << 10, 0, 0, 8192, 0, 1 },
	{ 0x7f0000000000, 0x7f0000200000, PAGEMIG_KIND_ANON, "", "default", 4096, 2, 0, 512, 0,
	  2 << 20, 2 << 20, 0, 0, 0, 1 },
	{ 0x7f0000200000, 0x7f0000400000, PAGEMIG_KIND_HUGETLB, "/anon_hugepage (deleted)", "default", 2 << 20,
	  1, 1, 0, 0, 0, 0, 2 << 20, 0, 0, 1 },
	{ 0x7f0000400000, 0x7f0000410000, PAGEMIG_KIND_SHM, "/SYSV0000162e (deleted)", "interleave:0-2", 4096,
	  3, 0, 0, 4, 16 << 10, 0, 0, 0, 0, 3 },
	{ 0x7f0000410000, 0x7f0000420000, PAGEMIG_KIND_SHM, "/dev/zero (deleted)", "default", 4096, 2, 8, 8, 0,
	  64 << 10, 0, 0, 0, 0, 2 },
	{ 0x7f0000420000, 0x7f0000430000, PAGEMIG_KIND_ANON, "[anon:my buffer]", "prefer (many)=static:0-1",
	  4096, 1, 16, 0, 0, 64 << 10, 0, 0, 0, 64 << 10, 1 },
	{ 0x7f0000430000, 0x7f0000431000, PAGEMIG_KIND_SHM, "/memfd:ring (deleted)", "default", 4096, 1, 1, 0, 0,
	  4096, 0, 0, 0, 0, 1 },
	{ 0x7f0000431000, 0x7f0000432000, PAGEMIG_KIND_FILE, "/tmp/gone file (deleted)", "default", 4096, 1, 1,
	  0, 0, 4096, 0, 0, 0, 0, 1 },
	/* 7f0000440000 is not in numa_maps: dropped */
	{ 0x7f0000450000, 0x7f0000460000, PAGEMIG_KIND_NOPAGES, "/dev/mem", "default", 4096, 1, 0, 0, 0,
	  0, 0, 0, 0, 0, 1 },
	{ 0x7f0000460000, 0x7f0000461000, PAGEMIG_KIND_ANON, "", "default", 4096, 4, 0, 0, 0, 4096, 0, 0, 0,
	  0, 1 },
	/* 7f0000480000 was split between the two reads: dropped */
	{ 0x7f00004a0000, 0x7f00004a4000, PAGEMIG_KIND_SPECIAL, "[vvar]", "default", 4096, 1, 0, 0, 0, 0, 0, 0,
	  0, 0, 1 },
	{ 0x7f00004a4000, 0x7f00004a6000, PAGEMIG_KIND_SPECIAL, "[vdso]", "default", 4096, 1, 0, 0, 0, 8192, 0,
	  0, 0, 0, 1 },
	{ 0x7ffffffde000, 0x7ffffffff000, PAGEMIG_KIND_STACK, "[stack]", "weighted interleave:0-1", 4096, 2, 2,
	  2, 0, 16 << 10, 0, 0, 0, 0, 1 },
	{ 0xffffffffff600000, 0xffffffffff601000, PAGEMIG_KIND_SPECIAL, "[vsyscall]", "", 4096, 1, 0, 0, 0, 0,
	  0, 0, 0, 0, 1 },
};

static void check_region(const struct pagemig_region *r, const struct want *w)
{
	uint64_t s = w->start;

	CHECK(r->end == w->end, "%lx: end %lx", s, r->end);
	CHECK(r->kind == w->kind, "%lx: kind %s, want %s", s, pagemig_kind_name(r->kind), pagemig_kind_name(w->kind));
	CHECK(!strcmp(r->path, w->path), "%lx: path '%s', want '%s'", s, r->path, w->path);
	CHECK(!strcmp(r->policy, w->policy), "%lx: policy '%s', want '%s'", s, r->policy, w->policy);
	CHECK(r->page_size == w->page_size, "%lx: page_size %lu", s, r->page_size);
	CHECK(r->nr_nodes == w->nr_nodes, "%lx: nr_nodes %d, want %d", s, r->nr_nodes, w->nr_nodes);
	CHECK(r->node_pages[0] == w->n0, "%lx: N0 %lu, want %lu", s, r->node_pages[0], w->n0);
	CHECK(r->nr_nodes < 2 || r->node_pages[1] == w->n1, "%lx: N1 %lu, want %lu", s, r->node_pages[1], w->n1);
	CHECK(r->nr_nodes < 3 || r->node_pages[2] == w->n2, "%lx: N2 %lu, want %lu", s, r->node_pages[2], w->n2);
	CHECK(r->rss == w->rss, "%lx: rss %lu, want %lu", s, r->rss, w->rss);
	CHECK(r->anon_huge == w->anon_huge, "%lx: anon_huge %lu", s, r->anon_huge);
	CHECK(r->hugetlb == w->hugetlb, "%lx: hugetlb %lu", s, r->hugetlb);
	CHECK(r->swap == w->swap, "%lx: swap %lu", s, r->swap);
	CHECK(r->locked == w->locked, "%lx: locked %lu", s, r->locked);
	CHECK(r->mapmax == w->mapmax, "%lx: mapmax %lu", s, r->mapmax);
	CHECK(r->shared == (r->perms[3] == 's'), "%lx: shared %d for perms %s", s, r->shared, r->perms);
	CHECK(!r->has_pagemap, "%lx: pagemap counts without PAGEMIG_REGIONS_PAGEMAP", s);
}

static void test_edge(void)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig *pm;
	size_t i = 0;
	int rc;

	if (open_canned("proc-edge", 4242, &pm))
		return;
	rc = pagemig_regions_open(pm, 0, &it);
	CHECK(rc == 0, "regions_open: %d", rc);
	if (rc)
		goto out;
	while ((rc = pagemig_region_next(it, &r)) == 1) {
		CHECK(i < ARRAY_SIZE(edge), "extra region %lx-%lx", r.start, r.end);
		if (i >= ARRAY_SIZE(edge))
			break;
		CHECK(r.start == edge[i].start, "region %zu starts at %lx, want %lx", i, r.start, edge[i].start);
		if (r.start == edge[i].start)
			check_region(&r, &edge[i]);
		if (r.start == 0x555555554000) {
			CHECK(!strcmp(r.perms, "r--p"), "perms '%s'", r.perms);
			CHECK(r.vmflags == PAGEMIG_VM_READ, "vmflags %lx", r.vmflags);
		}
		if (r.start == 0x555555556000)
			CHECK(r.offset == 0x2000, "offset %lx", r.offset);
		if (r.start == 0x7f0000000000)
			CHECK(r.vmflags & PAGEMIG_VM_HUGEPAGE, "THP region without hg");
		if (r.start == 0x7f0000460000) {
			CHECK(r.vmflags == (PAGEMIG_VM_READ | PAGEMIG_VM_WRITE | PAGEMIG_VM_ACCOUNT), "vmflags %lx",
			      r.vmflags);
			CHECK(!strcmp(r.vmflags_str, "rd wr mr mw me ac zz qq"), "vmflags_str '%s'", r.vmflags_str);
			CHECK(r.node_pages[3] == 1, "N3 %lu", r.node_pages[3]);
		}
		i++;
	}
	CHECK(rc == 0, "next ended with %d", rc);
	CHECK(i == ARRAY_SIZE(edge), "%zu regions, want %zu", i, ARRAY_SIZE(edge));
	CHECK(pagemig_regions_dropped(it) == 2, "dropped %u, want 2", pagemig_regions_dropped(it));
	CHECK(pagemig_region_next(it, &r) == 0, "next after the end is not 0");
	pagemig_regions_close(it);
out:
	pagemig_close(pm);
}

/* numa_maps's last line and smaps's last block are cut: only the first region is whole. */
static void test_cut(void)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig *pm;
	int rc;

	if (open_canned("proc-cut", 4243, &pm))
		return;
	rc = pagemig_regions_open(pm, 0, &it);
	CHECK(rc == 0, "regions_open: %d", rc);
	if (!rc) {
		rc = pagemig_region_next(it, &r);
		CHECK(rc == 1 && r.start == 0x400000 && !strcmp(r.path, "/opt/app") && r.node_pages[0] == 1,
		      "first region: rc %d start %lx", rc, r.start);
		rc = pagemig_region_next(it, &r);
		CHECK(rc == 0, "after the cut: rc %d start %lx", rc, r.start);
		CHECK(pagemig_regions_dropped(it) == 2, "dropped %u, want 2", pagemig_regions_dropped(it));
	}
	pagemig_regions_close(it);
	pagemig_close(pm);
}

/* No numa_maps (CONFIG_NUMA=n) and no Mems_allowed (CONFIG_CPUSETS=n). */
static void test_nonuma(void)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig_nodemask m;
	struct pagemig *pm;
	int rc, n = 0;

	if (open_canned("proc-nonuma", 4244, &pm))
		return;
	rc = pagemig_regions_open(pm, 0, &it);
	CHECK(rc == 0, "regions_open: %d", rc);
	while (it && (rc = pagemig_region_next(it, &r)) == 1) {
		n++;
		CHECK(r.nr_nodes == 1 && r.node_pages[0] == 0 && !strcmp(r.policy, ""),
		      "%lx: node counts without numa_maps", r.start);
	}
	CHECK(rc == 0 && n == 3, "rc %d, %d regions, want 3", rc, n);
	CHECK(pagemig_regions_dropped(it) == 0, "dropped %u", pagemig_regions_dropped(it));
	rc = pagemig_mems_allowed(pm, &m);
	CHECK(rc == 0 && pagemig_nodemask_is_equal(&m, pagemig_topology_memory(pagemig_topology(pm))),
	      "mems_allowed without cpusets: %d", rc);
	pagemig_regions_close(it);
	pagemig_close(pm);
}

static void write_file(const char *dir, const char *name, const void *data, size_t len, off_t off)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, data, len, off) != (ssize_t)len) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static const char canned_smaps[] =
	"10000-20000 rw-p 00000000 00:00 0 \nRss: 24 kB\nVmFlags: rd wr mr mw me ac \n"
	"20000-30000 rw-s 00000000 00:06 9                      /dev/fb0\nVmFlags: rd wr sh io pf \n";
static const char canned_numa[] = "10000 default anon=6 N0=6 kernelpagesize_kB=4\n20000 default file=/dev/fb0\n";
static const char canned_status[] = "Name:\tx\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\nMems_allowed_list:\t0\n";

/* A tree in a temporary directory: pid 7/, with a pagemap file. */
static char *make_tree(char *root, size_t len)
{
	uint64_t ents[16] = { 0 };
	long psz = sysconf(_SC_PAGESIZE);
	char dir[PATH_MAX + 8];
	int i;

	snprintf(root, len, "/tmp/pagemig-regions-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/7", root);
	mkdir(dir, 0755);
	write_file(dir, "smaps", canned_smaps, strlen(canned_smaps), 0);
	write_file(dir, "numa_maps", canned_numa, strlen(canned_numa), 0);
	write_file(dir, "status", canned_status, strlen(canned_status), 0);
	for (i = 0; i < 4; i++)
		ents[i] = PM_PRESENT | PM_EXCLUSIVE | (uint64_t)(1000 + i);
	ents[4] = ents[5] = PM_PRESENT | PM_FILE;
	ents[6] = PM_SWAPPED | 0x1234;
	write_file(dir, "pagemap", ents, sizeof(ents), (off_t)(0x10000 / psz * 8));
	return root;
}

static void remove_tree(const char *root)
{
	const char *names[] = { "smaps", "numa_maps", "status", "pagemap" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/7/%s", root, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/7", root);
	rmdir(path);
	rmdir(root);
}

/* pagemap counting with plain reads (PAGEMAP_SCAN does not work on a regular file). */
static void test_canned_pagemap(void)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig *pm;
	char root[PATH_MAX];
	int rc;

	if (sysconf(_SC_PAGESIZE) != 4096) {
		unit_skip("canned pagemap: skipped, the fixture assumes 4 KiB pages");
		return;
	}
	make_tree(root, sizeof(root));
	if (open_canned(root, 7, &pm))
		goto out;
	rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_PAGEMAP, &it);
	CHECK(rc == 0, "regions_open(PAGEMAP): %d", rc);
	rc = rc ? rc : pagemig_region_next(it, &r);
	CHECK(rc == 1 && r.has_pagemap, "first region: rc %d has_pagemap %d", rc, r.has_pagemap);
	CHECK(r.present == 6 && r.exclusive == 4 && r.shared_pages == 2 && r.swapped == 1,
	      "present %lu exclusive %lu shared %lu swapped %lu, want 6 4 2 1", r.present, r.exclusive,
	      r.shared_pages, r.swapped);
	rc = pagemig_region_next(it, &r);
	CHECK(rc == 1 && r.kind == PAGEMIG_KIND_NOPAGES && !r.has_pagemap && !r.present,
	      "io/pfnmap region: rc %d kind %s has_pagemap %d", rc, pagemig_kind_name(r.kind), r.has_pagemap);
	/* the target "exits" mid-read: its status disappears */
	pagemig_regions_close(it);
	rc = pagemig_regions_open(pm, 0, &it);
	rc = rc ? rc : pagemig_region_next(it, &r);
	CHECK(rc == 1, "reopen: %d", rc);
	snprintf(root + strlen(root), sizeof(root) - strlen(root), "/7/status");
	unlink(root);
	*strrchr(root, '/') = '\0';
	*strrchr(root, '/') = '\0';
	while ((rc = pagemig_region_next(it, &r)) == 1)
		;
	CHECK(rc == -ESRCH, "exit mid-read: %d, want -ESRCH", rc);
	CHECK(pagemig_region_next(it, &r) == -ESRCH, "the error does not stick");
	pagemig_regions_close(it);
	pagemig_close(pm);
out:
	remove_tree(root);
}

static const struct pagemig_region *find(struct pagemig_region_iter *it, struct pagemig_region *r,
					 uint64_t addr, int *rc)
{
	while ((*rc = pagemig_region_next(it, r)) == 1)
		if (r->start <= addr && addr < r->end)
			return r;
	return NULL;
}

static uint64_t node_sum(const struct pagemig_region *r)
{
	uint64_t s = 0;
	int i;

	for (i = 0; i < r->nr_nodes; i++)
		s += r->node_pages[i];
	return s;
}

/* @pages pages, fenced by PROT_NONE so that no neighbour merges into their vma; NULL on failure. */
static char *map_fenced(size_t pages, int flags)
{
	long psz = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (pages + 2) * psz, PROT_NONE, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + psz, pages * psz, PROT_READ | PROT_WRITE)) {
		munmap(p, (pages + 2) * psz);
		return NULL;
	}
	madvise(p + psz, pages * psz, MADV_NOHUGEPAGE);
	return p + psz;
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int a = 0, b = 0;

	return !uname(&u) && sscanf(u.release, "%d.%d", &a, &b) == 2 && (a > major || (a == major && b >= minor));
}

static void test_live_self(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	char *p = map_fenced(64, MAP_PRIVATE);
	struct pagemig *pm;
	int rc, i;

	CHECK(p != NULL, "cannot map 64 pages");
	if (!p)
		return;
	for (i = 0; i < 64; i++)
		p[i * psz] = 1;
	rc = pagemig_open(0, NULL, &pm);
	CHECK(rc == 0 && pagemig_pid(pm) == getpid(), "open(0): %d", rc);
	if (rc)
		return;
	rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_PAGEMAP, &it);
	CHECK(rc == 0, "regions_open(self): %d", rc);
	if (!rc && find(it, &r, (uintptr_t)p, &rc)) {
		CHECK(r.start == (uintptr_t)p && r.end == (uintptr_t)p + 64 * psz, "region %lx-%lx", r.start, r.end);
		CHECK(r.kind == PAGEMIG_KIND_ANON, "kind %s", pagemig_kind_name(r.kind));
		CHECK(node_sum(&r) >= 64, "numa_maps counts %lu pages, want >= 64", node_sum(&r));
		CHECK(r.nr_nodes > 1 || r.node_pages[0] >= 64, "node 0 holds %lu pages", r.node_pages[0]);
		CHECK(r.has_pagemap && r.present == 64, "present %lu, want 64", r.present);
		CHECK(r.exclusive == 64 && r.shared_pages == 0, "exclusive %lu shared %lu", r.exclusive, r.shared_pages);
		CHECK(r.rss == 64 * (uint64_t)psz, "rss %lu", r.rss);
	} else {
		CHECK(0, "the test's own region %p was not listed (rc %d)", (void *)p, rc);
	}
	CHECK(pm->pagemap_scan == (kernel_at_least(6, 7) ? 1 : -1), "PAGEMAP_SCAN probe %d", pm->pagemap_scan);
	pagemig_regions_close(it);
	pagemig_close(pm);
	munmap(p - psz, 66 * psz);
}

/* A sparse 1 GiB region with 3 pages touched: PAGEMAP_SCAN or not, exactly 3 present. */
static void test_live_sparse(void)
{
	size_t len = 1UL << 30, psz = (size_t)sysconf(_SC_PAGESIZE);
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig *pm;
	char *p = map_fenced(len / psz, MAP_PRIVATE | MAP_NORESERVE);
	int rc;

	if (!p) {	/* strict overcommit: a smaller region */
		len = 64UL << 20;
		p = map_fenced(len / psz, MAP_PRIVATE | MAP_NORESERVE);
	}
	CHECK(p != NULL, "cannot map a sparse region");
	if (!p)
		return;
	p[0] = p[len / 2] = p[len - 1] = 1;
	if (pagemig_open(0, NULL, &pm))
		return;
	rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_PAGEMAP, &it);
	if (!rc && find(it, &r, (uintptr_t)p, &rc))
		CHECK(r.present == 3 && r.exclusive == 3 && r.end - r.start == len,
		      "sparse: present %lu exclusive %lu", r.present, r.exclusive);
	else
		CHECK(0, "sparse region not found: %d", rc);
	pagemig_regions_close(it);
	pagemig_close(pm);
	munmap(p - psz, len + 2 * psz);
}

/* Every third page of 4096: more ranges than one PAGEMAP_SCAN call returns; plain reads agree. */
static void test_live_scattered(void)
{
	size_t pages = 4096, psz = (size_t)sysconf(_SC_PAGESIZE), i, want = 0;
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	char *p = map_fenced(pages, MAP_PRIVATE);
	struct pagemig *pm;
	int rc, pass;

	CHECK(p != NULL, "cannot map %zu pages", pages);
	if (!p)
		return;
	for (i = 0; i < pages; i += 3, want++)
		p[i * psz] = 1;
	if (pagemig_open(0, NULL, &pm))
		return;
	for (pass = 0; pass < 2; pass++) {
		rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_PAGEMAP, &it);
		if (pass)
			pm->pagemap_scan = -1;	/* the fallback of kernels before 6.7 */
		if (!rc && find(it, &r, (uintptr_t)p, &rc))
			CHECK(r.present == want && r.exclusive == want && !r.shared_pages && !r.swapped,
			      "%s: present %lu exclusive %lu, want %zu", pass ? "pread" : "default", r.present,
			      r.exclusive, want);
		else
			CHECK(0, "scattered region not found: %d", rc);
		pagemig_regions_close(it);
	}
	pagemig_close(pm);
	munmap(p - psz, (pages + 2) * psz);
}

/* MAP_SHARED pages touched by a child too: mapped twice, so shared, never exclusive. */
static void test_live_shared(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	int ready[2], hold[2], rc, i, side;
	char *p = map_fenced(16, MAP_SHARED);
	char sink;
	struct pagemig *pm;
	pid_t child;

	CHECK(p != NULL, "cannot map 16 shared pages");
	if (!p)
		return;
	for (i = 0; i < 16; i++)
		p[i * psz] = 1;
	if (pipe(ready) || pipe(hold))
		exit(1);
	child = fork();
	if (child == 0) {
		close(hold[1]);
		for (i = 0; i < 16; i++)
			sink = ((volatile char *)p)[i * psz];
		write(ready[1], "x", 1);
		read(hold[0], &sink, 1);	/* until the parent closes it */
		_exit(0);
	}
	close(hold[0]);
	read(ready[0], &sink, 1);
	for (side = 0; side < 2; side++) {
		rc = pagemig_open(side ? child : 0, NULL, &pm);
		CHECK(rc == 0, "open %s: %d", side ? "child" : "self", rc);
		if (rc)
			continue;
		rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_PAGEMAP, &it);
		if (!rc && find(it, &r, (uintptr_t)p, &rc)) {
			CHECK(r.kind == PAGEMIG_KIND_SHM && r.shared, "%s: kind %s", side ? "child" : "self",
			      pagemig_kind_name(r.kind));
			CHECK(r.present == 16 && r.shared_pages == 16 && r.exclusive == 0,
			      "%s: present %lu shared %lu exclusive %lu, want 16 16 0", side ? "child" : "self",
			      r.present, r.shared_pages, r.exclusive);
			CHECK(r.mapmax >= 2, "mapmax %lu", r.mapmax);
		} else {
			CHECK(0, "shared region not found: %d", rc);
		}
		pagemig_regions_close(it);
		pagemig_close(pm);
	}
	close(hold[1]);
	waitpid(child, NULL, 0);
	munmap(p - psz, 18 * psz);
}

/* The target exits while its regions are read: -ESRCH, not a short list, in both iterators. */
static void live_exit(unsigned int flags)
{
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it = NULL;
	struct pagemig_nodemask m;
	struct pagemig *pm;
	int rc, n = 0;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	rc = pagemig_open(child, NULL, &pm);
	CHECK(rc == 0, "open child: %d", rc);
	if (rc)
		goto out;
	rc = pagemig_regions_open(pm, flags, &it);
	CHECK(rc == 0, "regions_open child (flags %#x): %d", flags, rc);
	rc = rc ? rc : pagemig_region_next(it, &r);
	CHECK(rc == 1, "first region of the child (flags %#x): %d", flags, rc);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	while ((rc = pagemig_region_next(it, &r)) == 1)
		n++;
	CHECK(rc == -ESRCH, "exit mid-read (flags %#x): %d after %d more regions, want -ESRCH", flags, rc, n);
	CHECK(pagemig_mems_allowed(pm, &m) == -ESRCH, "mems_allowed after exit");
	pagemig_regions_close(it);
	pagemig_close(pm);
	return;
out:
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void test_live_exit(void)
{
	live_exit(PAGEMIG_REGIONS_PAGEMAP);
	live_exit(PAGEMIG_REGIONS_LIGHT);
	live_exit(0);
}

/* The threads of this process, from /proc/self/task. */
static int nr_threads(void)
{
	char buf[64];

	if (proc_status_get(&(struct pm_proc){ .root = "/proc", .pid = getpid() }, "Threads", buf, sizeof(buf)))
		return -1;
	return atoi(buf);
}

/*
 * Many regions (~400 KiB of maps): the smaps and the light iterator see the same regions; one
 * closed after a single region leaves no thread behind (the files are read in the caller).
 */
static void test_live_many(void)
{
	const unsigned int modes[] = { 0, PAGEMIG_REGIONS_LIGHT };
	const size_t n = 8000, psz = (size_t)sysconf(_SC_PAGESIZE);
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it;
	uint64_t seen[2] = { 0, 0 }, sum[2] = { 0, 0 };
	struct pagemig *pm;
	char *p = mmap(NULL, n * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int threads = nr_threads(), rc, m;
	size_t i;

	if (p == MAP_FAILED || pagemig_open(0, NULL, &pm)) {
		CHECK(0, "setup: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		p[i * psz] = 1;
		if (i % 2)
			mprotect(p + i * psz, psz, PROT_READ);	/* no merging: one region per page */
	}
	for (m = 0; m < 2; m++) {
		rc = pagemig_regions_open(pm, modes[m], &it);
		rc = rc ? rc : 1;
		while (rc == 1 && (rc = pagemig_region_next(it, &r)) == 1) {
			if (r.start < (uintptr_t)p || r.end > (uintptr_t)p + n * psz)
				continue;
			seen[m]++;
			sum[m] += r.start ^ (r.rss + r.private_rss);
		}
		CHECK(rc == 0, "mode %u: %d", modes[m], rc);
		pagemig_regions_close(it);
	}
	CHECK(seen[0] == n && seen[1] == n, "regions %lu and %lu, want %zu", seen[0], seen[1], n);
	CHECK(sum[0] == sum[1], "smaps and the light iterator disagree on rss or ranges");
	rc = pagemig_regions_open(pm, PAGEMIG_REGIONS_LIGHT, &it);
	CHECK(rc == 0 && pagemig_region_next(it, &r) == 1, "first region: %d", rc);
	pagemig_regions_close(it);
	CHECK(nr_threads() == threads, "%d threads after close, %d before", nr_threads(), threads);
	pagemig_close(pm);
	munmap(p, n * psz);
}

/*
 * kind_needs_vmflags(), the move's licence to read regions without smaps: the paths of devices,
 * drivers and pseudo-files say yes; anonymous and shared memory, files and brackets say no.  And
 * on this process's own regions (a shared anonymous page and a memfd among them): wherever it
 * says no, the kind read without smaps is the kind read with it.
 */
static void test_light_kinds(void)
{
	static const struct {
		const char *path;
		bool yes;
	} paths[] = {
		{ "", false }, { "[heap]", false }, { "[vvar]", false }, { "[anon:buf]", false },
		{ "/usr/lib/x86_64-linux-gnu/libc.so.6", false }, { "/dev/zero (deleted)", false },
		{ "/dev/shm/PostgreSQL.1804289383", false }, { "/dev/hugepages/x (deleted)", false },
		{ "/SYSV00000000 (deleted)", false }, { "/memfd:pool (deleted)", false },
		{ "/dev/mem", true }, { "/dev/dri/renderD128", true }, { "/dev/infiniband/uverbs0", true },
		{ "/dev/zero", true }, { "/sys/bus/pci/devices/0000:00:02.0/resource0", true },
		{ "/proc/bus/pci/00/02.0", true }, { "/dmabuf:", true }, { "anon_inode:[io_uring]", true },
		{ "socket:[4242]", true }, { "dmabuf:", true },
	};
	struct pagemig_region r = { .sz = sizeof(r) };
	struct pagemig_region_iter *it;
	uint64_t start[256];
	int kind[256], n = 0, i, rc, compared = 0;
	char *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int mfd = memfd_create("light", 0);
	char *mf = MAP_FAILED;
	struct pagemig *pm;

	for (i = 0; i < (int)ARRAY_SIZE(paths); i++)
		CHECK(kind_needs_vmflags(paths[i].path) == paths[i].yes, "kind_needs_vmflags(\"%s\") is %d",
		      paths[i].path, !paths[i].yes);
	CHECK(!kind_needs_vmflags(NULL), "kind_needs_vmflags(NULL)");
	if (mfd >= 0 && !ftruncate(mfd, 4096))
		mf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	CHECK(sh != MAP_FAILED && mf != MAP_FAILED, "shared mappings: %s", strerror(errno));
	if (sh == MAP_FAILED || mf == MAP_FAILED)
		return;
	sh[0] = mf[0] = 1;
	rc = pagemig_open(0, NULL, &pm);
	CHECK(rc == 0, "open(0): %d", rc);
	if (rc)
		return;
	rc = pagemig_regions_open(pm, 0, &it);
	while (!rc && n < 256 && pagemig_region_next(it, &r) > 0) {
		start[n] = r.start;
		kind[n++] = kind_needs_vmflags(r.path) ? -1 : (int)r.kind;
	}
	pagemig_regions_close(it);
	rc = rc ? rc : pagemig_regions_open(pm, PAGEMIG_REGIONS_LIGHT, &it);
	CHECK(rc == 0, "regions_open: %d", rc);
	while (!rc && pagemig_region_next(it, &r) > 0) {
		for (i = 0; i < n && start[i] != r.start; i++)
			;
		if (i == n || kind[i] < 0)
			continue;
		compared++;
		CHECK(kind[i] == (int)r.kind, "region %#" PRIx64 " '%s': kind %s with smaps, %s without", r.start,
		      r.path, pagemig_kind_name((enum pagemig_kind)kind[i]), pagemig_kind_name(r.kind));
	}
	if (!rc)
		pagemig_regions_close(it);
	CHECK(compared >= 5, "only %d regions compared", compared);
	pagemig_close(pm);
	munmap(sh, 4096);
	munmap(mf, 4096);
	close(mfd);
}

int main(void)
{
	test_edge();
	test_cut();
	test_nonuma();
	test_canned_pagemap();
	test_live_self();
	test_live_sparse();
	test_live_scattered();
	test_live_shared();
	test_live_exit();
	test_live_many();
	test_light_kinds();
	if (unit_failed("regions"))
		return 1;
	if (skipped[0])
		return unit_exit("regions");
	return 0;
}
