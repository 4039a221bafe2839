// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kind.c - what backs a region, from its maps path, permissions and VmFlags.
 *
 * The order matters: kernel-provided mappings first (their names are fixed), then VmFlags ht
 * (a hugetlbfs file or a MAP_HUGETLB mapping may look like a file or shm by its path), then io and
 * pfnmap regions (no struct pages behind them), then the path.  Shared memory appears in maps as:
 *  - MAP_SHARED|MAP_ANONYMOUS: "/dev/zero (deleted)" (or no path on some kernels), perms 's';
 *  - named shared anonymous memory: "[anon_shmem:NAME]" (6.2+);
 *  - SysV shm: "/SYSV%08x (deleted)";  memfd: "/memfd:NAME (deleted)";  POSIX shm: "/dev/shm/NAME".
 */
#include <string.h>

#include "internal.h"

static const char *const kind_names[] = {
	[PAGEMIG_KIND_HEAP] = "heap",
	[PAGEMIG_KIND_STACK] = "stack",
	[PAGEMIG_KIND_ANON] = "anon",
	[PAGEMIG_KIND_FILE] = "file",
	[PAGEMIG_KIND_SHM] = "shm",
	[PAGEMIG_KIND_HUGETLB] = "huge",
	[PAGEMIG_KIND_SPECIAL] = "special",
	[PAGEMIG_KIND_NOPAGES] = "nopages",
	[PAGEMIG_KIND_OTHER] = "other",
};

/* Mappings the kernel installs itself ([sigpage] and [vectors] are 32-bit ARM's). */
static const char *const special_names[] = {
	"[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[uprobes]", "[sigpage]", "[vectors]",
};

PAGEMIG_API const char *pagemig_kind_name(enum pagemig_kind kind)
{
	if ((int)kind < 0 || (size_t)kind >= ARRAY_SIZE(kind_names) || !kind_names[kind])
		return "?";
	return kind_names[kind];
}

PAGEMIG_API bool pagemig_kind_is_movable(enum pagemig_kind kind)
{
	return kind != PAGEMIG_KIND_SPECIAL && kind != PAGEMIG_KIND_NOPAGES;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool is_special(const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(special_names); i++)
		if (!strcmp(path, special_names[i]))
			return true;
	return false;
}

/* A path that starts with '/': a file, unless it is one of the faces of shared memory. */
static enum pagemig_kind path_kind(const char *path, bool shared)
{
	if (starts_with(path, "/dev/zero"))
		return shared ? PAGEMIG_KIND_SHM : PAGEMIG_KIND_ANON;
	if (starts_with(path, "/SYSV") || starts_with(path, "/memfd:") || starts_with(path, "/dev/shm/"))
		return PAGEMIG_KIND_SHM;
	return PAGEMIG_KIND_FILE;
}

/* A pseudo-name in brackets, or no name at all. */
static enum pagemig_kind name_kind(const char *path, bool shared)
{
	if (!*path)
		return shared ? PAGEMIG_KIND_SHM : PAGEMIG_KIND_ANON;
	if (!strcmp(path, "[heap]"))
		return PAGEMIG_KIND_HEAP;
	if (!strcmp(path, "[stack]") || starts_with(path, "[stack:"))
		return PAGEMIG_KIND_STACK;
	if (starts_with(path, "[anon_shmem:"))
		return PAGEMIG_KIND_SHM;
	if (starts_with(path, "[anon:"))
		return shared ? PAGEMIG_KIND_SHM : PAGEMIG_KIND_ANON;
	return PAGEMIG_KIND_OTHER;
}

/*
 * io/pfnmap regions, and those a driver fills with vm_insert_page(), are mappings of device files,
 * of sysfs and procfs files, of dma-bufs and of anonymous inodes: paths under /dev, /sys, /proc,
 * and names that are neither paths nor brackets.  Anonymous memory, the brackets' pseudo-names,
 * shared memory (/dev/zero (deleted): MAP_SHARED | MAP_ANONYMOUS; /dev/shm; hugetlbfs, which
 * numa_maps names "huge") and files elsewhere never are.  Unsure is yes.
 */
bool kind_needs_vmflags(const char *path)
{
	if (!path || !*path || path[0] == '[')
		return false;
	if (path[0] != '/')
		return true;	/* "anon_inode:[io_uring]", "socket:[42]", ... */
	if (!strcmp(path, "/dev/zero (deleted)") || starts_with(path, "/dev/shm/") || starts_with(path, "/dev/hugepages/"))
		return false;
	return starts_with(path, "/dev/") || starts_with(path, "/sys/") || starts_with(path, "/proc/") ||
	       starts_with(path, "/dmabuf");
}

enum pagemig_kind region_kind(const struct pagemig_region *r)
{
	const char *path = r->path ? r->path : "";

	if (is_special(path))
		return PAGEMIG_KIND_SPECIAL;
	/*
	 * Kernel buffers a driver maps with vm_insert_page(s) (io_uring's rings, perf's buffers):
	 * VM_MIXEDMAP pages off the LRU that move_pages(2) answers -EBUSY for, every time.
	 */
	if (starts_with(path, "anon_inode:") && (r->vmflags & PAGEMIG_VM_MIXEDMAP))
		return PAGEMIG_KIND_SPECIAL;
	if (r->vmflags & PAGEMIG_VM_HUGETLB)
		return PAGEMIG_KIND_HUGETLB;
	if (r->vmflags & (PAGEMIG_VM_IO | PAGEMIG_VM_PFNMAP))
		return PAGEMIG_KIND_NOPAGES;
	if (path[0] == '/')
		return path_kind(path, r->shared);
	return name_kind(path, r->shared);
}
