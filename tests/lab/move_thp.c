// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * move_thp.c - transparent huge pages are still huge after `pagemig move` (selftests
 * mm/migration.c private_anon_thp): the kernel can migrate a THP whole, or split it and move
 * 512 small pages; a tool that makes it split (a batch that cuts a huge page in two, say) quietly
 * costs the target its TLB reach.
 *
 * A target holds 8 MiB of THP (MADV_HUGEPAGE, 2 MiB aligned, bound to node 0).  It is moved
 * 0 -> 2 with the defaults, then 2 -> 3 with --batch 100 (batches that end inside huge pages),
 * then 3 -> 0 with --all.  After each move: every page is on the target node (move_pages(nodes =
 * NULL)); the region's AnonHugePages in smaps is still 8 MiB; each 2 MiB's first page is a
 * compound head with KPF_THP set in /proc/kpageflags (its PFN from /proc/PID/pagemap); the
 * kernel's thp_migration_split counter did not grow; contents intact.  Skips when the kernel
 * gives the target no huge pages.
 */
#include "labtest.h"

#define MIB (1UL << 20)
#define HSZ (2 * MIB)
#define SZ (8 * MIB)
#define KPF_COMPOUND_HEAD 15
#define KPF_THP 22

struct layout {
	char *buf;
	uint64_t sum;
};

static struct layout *L;

static void setup(void *arg)
{
	L->buf = lab_map_aligned(SZ, HSZ);
	if (madvise(L->buf, SZ, MADV_HUGEPAGE))
		FAIL("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	if (lab_mbind(L->buf, SZ, MPOL_BIND, 1, 0))
		FAIL("mbind");
	lab_fill(L->buf, SZ, 8);
	L->sum = lab_checksum(L->buf, SZ);
}

static uint64_t read_u64_at(const char *path, off_t off)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || pread(fd, &v, sizeof(v), off) != sizeof(v))
		FAIL("read %s at %lld: %s", path, (long long)off, strerror(errno));
	close(fd);
	return v;
}

/* /proc/kpageflags of the page at @addr of @pid. */
static uint64_t kpageflags(pid_t pid, const char *addr)
{
	char path[64];
	uint64_t pme;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	pme = read_u64_at(path, (off_t)((uintptr_t)addr / lab_page_size() * 8));
	if (!(pme >> 63) || !(pme & ((1ULL << 55) - 1)))
		FAIL("page %p not present, or no PFN in pagemap (%#" PRIx64 ")", (void *)addr, pme);
	return read_u64_at("/proc/kpageflags", (off_t)((pme & ((1ULL << 55) - 1)) * 8));
}

static long vmstat(const char *name)
{
	char buf[8192], key[64];
	const char *p;

	if (lab_read_file("/proc/vmstat", buf, sizeof(buf)) < 0)
		FAIL("cannot read /proc/vmstat");
	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* Every 2 MiB of the buffer is one THP: smaps and kpageflags agree. */
static void expect_huge(pid_t pid, const char *what)
{
	long kb = lab_smaps_kb(pid, L->buf, "AnonHugePages");

	if (kb != (long)(SZ >> 10))
		FAIL("%s: AnonHugePages %ld kB, expected %lu", what, kb, SZ >> 10);
	for (size_t off = 0; off < SZ; off += HSZ) {
		uint64_t fl = kpageflags(pid, L->buf + off);

		if (!(fl >> KPF_THP & 1) || !(fl >> KPF_COMPOUND_HEAD & 1))
			FAIL("%s: the page at +%zu MiB is not a THP head (kpageflags %#" PRIx64 ")", what, off / MIB, fl);
	}
}

static void move(pid_t pid, int from, int to, const char *extra)
{
	long split = vmstat("thp_migration_split"), ok = vmstat("thp_migration_success");
	char what[64];
	int rc;

	snprintf(what, sizeof(what), "%d -> %d%s%s", from, to, *extra ? " " : "", extra);
	rc = lab_pagemig(NULL, 0, NULL, 0, "move %d %d %d --no-progress %s", pid, from, to, extra);
	if (rc != 0)
		FAIL("%s: exit %d, expected 0", what, rc);
	lab_expect_on(pid, L->buf, SZ, lab_page_size(), to, what);
	lab_log("%s: thp_migration_success +%ld, thp_migration_split +%ld", what, vmstat("thp_migration_success") - ok,
		vmstat("thp_migration_split") - split);
	if (split >= 0 && vmstat("thp_migration_split") != split)
		FAIL("%s: the kernel split %ld huge pages to migrate them", what, vmstat("thp_migration_split") - split);
	expect_huge(pid, what);
	if (lab_mem_checksum(pid, L->buf, SZ) != L->sum)
		FAIL("%s: contents changed", what);
}

int main(void)
{
	long kb;
	pid_t pid;

	L = lab_require_cli(4, sizeof(*L));
	if (access("/proc/kpageflags", R_OK))
		SKIP("no /proc/kpageflags");
	pid = lab_spawn(setup, NULL);
	lab_expect_on(pid, L->buf, SZ, lab_page_size(), 0, "the buffer before the moves");
	kb = lab_smaps_kb(pid, L->buf, "AnonHugePages");
	if (kb != (long)(SZ >> 10))
		SKIP("the kernel gave the target %ld kB of THP of %lu (THP enabled: madvise)", kb, SZ >> 10);
	expect_huge(pid, "before the moves");
	move(pid, 0, 2, "");
	move(pid, 2, 3, "--batch 100");
	move(pid, 3, 0, "--all");
	lab_kill(pid);
	return 0;
}
