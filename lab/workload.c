// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * workload.c - the demo's target process: memory spread over NUMA nodes, then it waits.
 *
 * Usage: workload MIB NODES    e.g. "workload 64 0,1": 64 MiB of private anonymous memory
 * interleaved over nodes 0 and 1 (mbind MPOL_INTERLEAVE), plus a small heap.  It writes its pid
 * to stdout when the memory is in place and sleeps until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MPOL_INTERLEAVE_ 3

int main(int argc, char **argv)
{
	unsigned long mask = 0, lo, hi;
	size_t size, off;
	char *p, *s, *heap;

	if (argc != 3) {
		fprintf(stderr, "usage: workload MIB NODES\n");
		return 2;
	}
	size = strtoul(argv[1], NULL, 10) << 20;
	for (s = argv[2]; *s;) {
		lo = hi = strtoul(s, &s, 10);
		if (*s == '-')
			hi = strtoul(s + 1, &s, 10);
		while (lo <= hi && lo < 64)
			mask |= 1UL << lo++;
		if (*s == ',')
			s++;
		else if (*s)
			break;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || syscall(SYS_mbind, p, size, MPOL_INTERLEAVE_, &mask, 65, 0)) {
		fprintf(stderr, "workload: %s\n", strerror(errno));
		return 1;
	}
	madvise(p, size, MADV_NOHUGEPAGE);
	for (off = 0; off < size; off += 4096)
		p[off] = (char)off;
	heap = malloc(4 << 20);
	if (heap)
		memset(heap, 1, 4 << 20);
	printf("%d\n", (int)getpid());
	fflush(stdout);
	for (;;)
		pause();
}
