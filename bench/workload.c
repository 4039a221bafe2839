// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * workload.c - a target process for the benchmarks: it maps and touches memory, prints
 * "PID ready" on stdout, then sleeps until it is killed.
 *
 *   workload [--anon-mib N] [--regions N] [--thp 0|1] [--node N] [--shared-mib N]
 *
 *   --anon-mib N    one private anonymous mapping of N MiB, every page written
 *   --thp 0|1       for it: MADV_NOHUGEPAGE (4 KiB pages, the default) or MADV_HUGEPAGE
 *                   (2 MiB-aligned, so that THP can form where THP is "madvise" or "always")
 *   --regions N     N one-page regions, written, with alternating protections (rw-, r--) so
 *                   that the kernel cannot merge them: N vmas (mind vm.max_map_count)
 *   --shared-mib N  one MAP_SHARED anonymous mapping of N MiB, every page written
 *   --node N        bind all of it to node N (mbind MPOL_BIND) before it is touched; -1: no binding
 *
 * Built by the bench scripts with a plain `cc -O2`; no library needed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MPOL_BIND
#define MPOL_BIND 2
#endif
#define MIB (1UL << 20)
#define THP_ALIGN (2 * MIB)

struct opts {
	unsigned long anon_mib;
	unsigned long shared_mib;
	unsigned long regions;
	int thp;
	int node;
};

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(FILE *out, int rc)
{
	fprintf(out, "Usage: workload [--anon-mib N] [--regions N] [--thp 0|1] [--node N] [--shared-mib N]\n"
		     "Maps and touches memory, prints \"PID ready\", sleeps until killed.\n");
	exit(rc);
}

static unsigned long num(const char *s, const char *opt)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || s[0] == '-') {
		fprintf(stderr, "workload: bad number '%s' for %s\n", s, opt);
		exit(2);
	}
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "anon-mib", required_argument, NULL, 'a' }, { "regions", required_argument, NULL, 'r' },
		{ "thp", required_argument, NULL, 't' },      { "node", required_argument, NULL, 'n' },
		{ "shared-mib", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .node = -1 };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'a')
			o->anon_mib = num(optarg, "--anon-mib");
		else if (c == 's')
			o->shared_mib = num(optarg, "--shared-mib");
		else if (c == 'r')
			o->regions = num(optarg, "--regions");
		else if (c == 't')
			o->thp = (int)num(optarg, "--thp") != 0;
		else if (c == 'n')
			o->node = strcmp(optarg, "-1") ? (int)num(optarg, "--node") : -1;
		else
			usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
	}
	if (optind != argc)
		usage(stderr, 2);
	if (o->node >= 64) {
		fprintf(stderr, "workload: --node %d: only nodes 0-63\n", o->node);
		exit(2);
	}
}

static void bind_node(void *p, size_t len, int node)
{
	unsigned long mask = 1UL << node;

	if (node >= 0 && syscall(SYS_mbind, p, len, MPOL_BIND, &mask, 8 * sizeof(mask) + 1, 0))
		die("mbind");
}

static void touch(char *p, size_t len)
{
	size_t step = (size_t)sysconf(_SC_PAGESIZE), off;

	for (off = 0; off < len; off += step)
		p[off] = (char)off | 1;
}

/* One mapping of @len bytes, 2 MiB-aligned, with the THP advice and the binding, written. */
static void map_anon(size_t len, int thp, int node)
{
	char *raw, *p;

	raw = mmap(NULL, len + THP_ALIGN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap");
	p = (char *)(((uintptr_t)raw + THP_ALIGN - 1) & ~(uintptr_t)(THP_ALIGN - 1));
	if (madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die("madvise");
	bind_node(p, len, node);
	touch(p, len);
}

static void map_shared(size_t len, int node)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap shared");
	bind_node(p, len, node);
	touch(p, len);
}

/* @n one-page regions: all written, then every other one made read-only so none can merge. */
static void map_regions(unsigned long n, int node)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = n * ps, i;
	char *p;

	if (!n)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap regions");
	if (madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise");
	bind_node(p, len, node);
	touch(p, len);
	for (i = 1; i < n; i += 2)
		if (mprotect(p + i * ps, ps, PROT_READ))
			die("mprotect (vm.max_map_count too low?)");
}

int main(int argc, char **argv)
{
	struct opts o;

	parse(argc, argv, &o);
	if (o.anon_mib)
		map_anon(o.anon_mib * MIB, o.thp, o.node);
	if (o.shared_mib)
		map_shared(o.shared_mib * MIB, o.node);
	map_regions(o.regions, o.node);
	printf("%d ready\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
