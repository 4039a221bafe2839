// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * handlers_lab.c - the seed's rule on a real target: region migration functions run before any
 * page moves, and an error from one of them stops all regular migration.
 *
 *  1. libpagemig in this process on a target with four regions of anonymous memory on node 0:
 *     a class handler fails (-EIO) on the second region: pagemig_move() returns -EIO, names the
 *     handler and the region, and not one page of the target moved (placement and numa_maps);
 *  2. a handler returns PAGEMIG_REGION_DONE for that region instead: it stays on node 0, the
 *     other three move to node 2;
 *  3. the CLI with an io/pfnmap region (no struct pages) in the target: `--strict` exits 6 and
 *     moves nothing; without it the move succeeds (exit 0) and the region is reported unmovable,
 *     as are the kernel's special regions ([vdso], [vvar]): not failures.
 *
 * Placement is the kernel's word: move_pages(nodes = NULL) on the target, and its numa_maps.
 */
#include <dirent.h>
#include <inttypes.h>
#include <sys/mman.h>

#include "labpm.h"

#define MIB (1UL << 20)
#define NR 4			/* anonymous regions */

struct layout {
	char *chunk[NR];	/* 1 MiB each, between PROT_NONE guards, bound to node 0 */
	char *io;		/* an io/pfnmap mapping, or NULL */
	size_t io_len;
	char io_how[128];	/* what was mapped */
	char io_why[1024];	/* why each candidate could not be mapped */
};

static struct layout *L;

static void map_chunks(void)
{
	char *p = mmap(NULL, (2 * NR + 1) * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i, err;

	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	for (i = 0; i < NR; i++) {
		L->chunk[i] = p + (2 * i + 1) * MIB;
		if (mprotect(L->chunk[i], MIB, PROT_READ | PROT_WRITE))
			FAIL("mprotect: %s", strerror(errno));
		err = lab_mbind(L->chunk[i], MIB, MPOL_BIND, 1ULL << 0, 0);
		if (err)
			FAIL("mbind to node 0: %s", strerror(-err));
		lab_fill(L->chunk[i], MIB, (uint64_t)i + 1);
	}
}

static void why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void why(const char *fmt, ...)
{
	size_t off = strlen(L->io_why);
	va_list ap;

	if (off + 3 >= sizeof(L->io_why))
		return;
	if (off)
		off += (size_t)snprintf(L->io_why + off, sizeof(L->io_why) - off, "; ");
	va_start(ap, fmt);
	vsnprintf(L->io_why + off, sizeof(L->io_why) - off, fmt, ap);
	va_end(ap);
}

static bool try_map(const char *path, int oflags, off_t off, size_t len)
{
	int fd = open(path, oflags | O_CLOEXEC);
	void *p;

	if (fd < 0) {
		why("%s: %s", path, strerror(errno));
		return false;
	}
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	close(fd);
	if (p == MAP_FAILED) {
		why("mmap %s at %#llx: %s", path, (unsigned long long)off, strerror(errno));
		return false;
	}
	L->io = p;
	L->io_len = len;
	snprintf(L->io_how, sizeof(L->io_how), "%s at %#llx", path, (unsigned long long)off);
	return true;
}

/* A PCI memory BAR, mapped through sysfs (pci_mmap_resource_range: VM_IO | VM_PFNMAP). */
static bool try_pci(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	bool ok = false;

	if (!d) {
		why("/sys/bus/pci/devices: %s", strerror(errno));
		return false;
	}
	while (!ok && (de = readdir(d))) {
		char path[512], buf[2048], *line;
		int bar = 0;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", de->d_name);
		if (lab_read_file(path, buf, sizeof(buf)) < 0)
			continue;
		for (line = strtok(buf, "\n"); line && bar < 6 && !ok; line = strtok(NULL, "\n"), bar++) {
			unsigned long long start, end, flags;

			if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 || !(flags & 0x200) ||
			    end < start + 4095)	/* IORESOURCE_MEM, at least a page */
				continue;
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", de->d_name, bar);
			ok = try_map(path, O_RDWR, 0, 4096);
		}
	}
	closedir(d);
	if (!ok)
		why("no mappable PCI memory BAR");
	return ok;
}

static void setup(void *arg)
{
	map_chunks();
	if (!arg)
		return;
	/* The BIOS area under 1 MiB is what dmidecode maps; STRICT_DEVMEM allows it. */
	if (!try_map("/dev/mem", O_RDONLY, 0xf0000, 0x10000) && !try_map("/dev/hpet", O_RDONLY, 0, 4096))
		try_pci();
}

/* ------------------------------------------------------------------------------------------ */

static void expect_chunk(pid_t pid, int i, int node, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s: region %d", what, i);
	lab_expect_on(pid, L->chunk[i], MIB, lab_page_size(), node, msg);
}

/* The VmFlags line of the region of @pid that starts at @addr ("" when not found). */
static void vmflags_of(pid_t pid, const void *addr, char *out, size_t len)
{
	if (!lab_smaps_field(pid, addr, "VmFlags", out, len))
		out[0] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* 1 and 2: the library, in this process                                                       */
/* ------------------------------------------------------------------------------------------ */

struct hctx {
	uint64_t claim[NR];	/* region starts this handler claims (0: none) */
	int ret;		/* what migrate() returns */
	int migrates, finishes, finish_err;
};

static bool h_match(const struct pagemig_region *r, void *ctx)
{
	const struct hctx *h = ctx;

	for (int i = 0; i < NR; i++)
		if (h->claim[i] && h->claim[i] == r->start)
			return true;
	return false;
}

static int h_migrate(struct pagemig *pm, const struct pagemig_region *r, const struct pagemig_nodemask *from,
		     const struct pagemig_nodemask *to, unsigned int flags, void *ctx)
{
	struct hctx *h = ctx;

	h->migrates++;
	if (h->ret < 0)
		pagemig_handler_explain(pm, "lab handler refuses region %" PRIx64, r->start);
	return h->ret;
}

static void h_finish(struct pagemig *pm, const struct pagemig_region *r, int err, void *ctx)
{
	struct hctx *h = ctx;

	h->finishes++;
	h->finish_err = err;
}

static const struct pagemig_region_ops count_ops = {
	.sz = sizeof(count_ops), .name = "count", .match = h_match, .migrate = h_migrate, .finish = h_finish,
};
static const struct pagemig_region_ops fail_ops = {
	.sz = sizeof(fail_ops), .name = "fail-mid", .match = h_match, .migrate = h_migrate, .finish = h_finish,
};
static const struct pagemig_region_ops keep_ops = {
	.sz = sizeof(keep_ops), .name = "keeper", .match = h_match, .migrate = h_migrate, .finish = h_finish,
};

static uint64_t handled[NR];

static void region_done(const struct pagemig_region *r, const struct pagemig_stats *st, void *ctx)
{
	for (int i = 0; i < NR; i++)
		if (r->start == (uintptr_t)L->chunk[i])
			handled[i] = st->bytes[PAGEMIG_STAT_HANDLED];
}

static int move_0_to_2(struct pagemig *pm, struct pagemig_handler_error *he)
{
	struct pagemig_nodemask from = { 0 }, to = { 0 };
	struct pagemig_plan plan;
	struct pagemig_stats total = { .sz = sizeof(total) };
	PAGEMIG_OPTS(pagemig_move_opts, o, .handler_error = he, .region_done = region_done);
	int ret;

	pagemig_nodemask_set(&from, 0);
	pagemig_nodemask_set(&to, 2);
	if (pagemig_plan(&from, &to, &plan))
		FAIL("pagemig_plan");
	ret = pagemig_move(pm, &plan, &o, &total);
	lab_log("pagemig_move: %d (%s); moved %" PRIu64 " of %" PRIu64 " planned bytes, handled %" PRIu64,
		ret, ret < 0 ? strerror(-ret) : "ok", total.bytes[PAGEMIG_STAT_MOVED], total.bytes[PAGEMIG_STAT_PLANNED],
		total.bytes[PAGEMIG_STAT_HANDLED]);
	return ret;
}

static void library_part(void)
{
	struct pagemig_handler_error he = { 0 };
	struct hctx count = { .ret = 0 }, fail = { .ret = -EIO }, keep = { .ret = PAGEMIG_REGION_DONE };
	struct pagemig *pm;
	size_t on0;
	long n2;
	pid_t pid;
	int ret, idf, i;

	pid = lab_spawn(setup, NULL);
	for (i = 0; i < NR; i++)
		expect_chunk(pid, i, 0, "setup");
	n2 = lab_numa_maps_pages(pid, NULL, 2);
	on0 = lab_count_all_on_node(pid, 0);
	pm = lab_open(pid);

	/* 1: a handler fails on the second region; the others would be happy. */
	count.claim[0] = (uintptr_t)L->chunk[0];
	count.claim[2] = (uintptr_t)L->chunk[2];
	count.claim[3] = (uintptr_t)L->chunk[3];
	fail.claim[1] = (uintptr_t)L->chunk[1];
	CHECK(pagemig_handler_register(pm, &count_ops, &count) > 0);
	idf = pagemig_handler_register(pm, &fail_ops, &fail);
	CHECK(idf > 0);
	ret = move_0_to_2(pm, &he);
	if (ret != -EIO)
		FAIL("a failing handler: pagemig_move returned %d, want -EIO", ret);
	lab_log("handler_error: %s on %" PRIx64 "-%" PRIx64 ": %s", he.handler, he.start, he.end, he.detail);
	CHECK(he.err == -EIO && !strcmp(he.handler, "fail-mid"));
	CHECK(he.start == (uintptr_t)L->chunk[1] && he.end == (uintptr_t)L->chunk[1] + MIB);
	CHECK(strstr(he.detail, "lab handler refuses region") != NULL);
	CHECK(count.migrates == 1 && count.finishes == 1 && count.finish_err == -EIO);	/* region 0 only */
	CHECK(fail.migrates == 1 && fail.finishes == 1 && fail.finish_err == -EIO);
	for (i = 0; i < NR; i++)
		expect_chunk(pid, i, 0, "after a handler failed");
	if (lab_numa_maps_pages(pid, NULL, 2) != n2)
		FAIL("after a handler failed: the target has %ld pages on node 2, had %ld",
		     lab_numa_maps_pages(pid, NULL, 2), n2);
	if (lab_count_all_on_node(pid, 0) < on0)	/* faults meanwhile may add pages; none may leave */
		FAIL("after a handler failed: %zu of the target's pages are on node 0, %zu were",
		     lab_count_all_on_node(pid, 0), on0);

	/* 2: the second region's handler keeps it instead. */
	CHECK(pagemig_handler_unregister(pm, idf) == 0);
	keep.claim[1] = (uintptr_t)L->chunk[1];
	CHECK(pagemig_handler_register(pm, &keep_ops, &keep) > 0);
	count.migrates = count.finishes = 0;
	count.finish_err = 1;
	ret = move_0_to_2(pm, NULL);
	if (ret != 0)
		FAIL("a handler returning DONE: pagemig_move returned %d, want 0", ret);
	expect_chunk(pid, 1, 0, "the region a handler kept");
	expect_chunk(pid, 0, 2, "region 0, after the DONE move");
	expect_chunk(pid, 2, 2, "region 2, after the DONE move");
	expect_chunk(pid, 3, 2, "region 3, after the DONE move");
	CHECK(keep.migrates == 1 && keep.finishes == 1 && keep.finish_err == 0);
	CHECK(count.migrates == 3 && count.finishes == 3 && count.finish_err == 0);
	if (handled[1] != MIB || handled[0] || handled[2] || handled[3])
		FAIL("handled bytes per region: %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 ", want 0 %lu 0 0",
		     handled[0], handled[1], handled[2], handled[3], MIB);
	pagemig_close(pm);
	lab_kill(pid);
	lab_log("library: %zu pages on node 0 before and after the failed move", on0);
	lab_log("library: a failing handler stopped the whole move; a DONE region stayed, the rest moved");
}

/* ------------------------------------------------------------------------------------------ */
/* 3: the CLI, --strict, unmovable regions                                                     */
/* ------------------------------------------------------------------------------------------ */

/* A line of @text that contains both @a and @b. */
static bool line_has(const char *text, const char *a, const char *b)
{
	const char *p = text;

	while ((p = strstr(p, a))) {
		const char *bol = p, *eol = strchr(p, '\n');

		while (bol > text && bol[-1] != '\n')
			bol--;
		if (!eol)
			eol = p + strlen(p);
		for (const char *q = bol; q + strlen(b) <= eol; q++)
			if (!strncmp(q, b, strlen(b)))
				return true;
		p += strlen(a);
	}
	return false;
}

static void cli_part(void)
{
	static char out[65536], err[4096];
	char flags[1024] = "", range[64], vdso[64] = "", problems[256];
	bool have_io;
	FILE *f;
	size_t on0;
	long n2;
	pid_t pid;
	int rc, i;

	pid = lab_spawn(setup, (void *)1);
	have_io = L->io != NULL;
	if (have_io) {
		vmflags_of(pid, L->io, flags, sizeof(flags));
		lab_log("io/pfnmap region: %s at %p, VmFlags:%s", L->io_how, (void *)L->io, flags);
		if (!strstr(flags, " io") && !strstr(flags, " pf"))
			FAIL("the mapping of %s has neither io nor pf in VmFlags:%s", L->io_how, flags);
		snprintf(range, sizeof(range), "%lx-%lx", (unsigned long)(uintptr_t)L->io,
			 (unsigned long)(uintptr_t)L->io + L->io_len);
	} else {
		lab_log("SKIP part: --strict with an io/pfnmap region: none could be mapped in this guest (%s)",
			L->io_why);
	}
	f = fopen("/proc/self/maps", "r");	/* the target's [vdso] is where ours is: fork keeps it */
	while (f && fgets(out, sizeof(out), f))
		if (strstr(out, "[vdso]"))
			sscanf(out, "%63[0-9a-f-]", vdso);
	if (f)
		fclose(f);
	n2 = lab_numa_maps_pages(pid, NULL, 2);
	on0 = lab_count_all_on_node(pid, 0);

	if (have_io) {
		rc = lab_pagemig(out, sizeof(out), err, sizeof(err), "move %d 0 2 --strict --no-progress", (int)pid);
		if (rc != 6)
			FAIL("--strict with an io/pfnmap region: exit %d, want 6", rc);
		if (!strstr(err, "nopages") || !strstr(err, range))
			FAIL("--strict: the message does not name the nopages handler and region %s: %s", range, err);
		if (strchr(err, '\n') != err + strlen(err) - 1)
			FAIL("--strict: the message is not one line: %s", err);
		for (i = 0; i < 2; i++)
			expect_chunk(pid, i, 0, "after --strict failed");
		if (lab_numa_maps_pages(pid, NULL, 2) != n2)
			FAIL("after --strict failed: %ld pages on node 2, had %ld", lab_numa_maps_pages(pid, NULL, 2),
			     n2);
		/* The target may fault a page in meanwhile (6.1 did, once): none may have left node 0. */
		if (lab_count_all_on_node(pid, 0) < on0)
			FAIL("after --strict failed: %zu of the target's pages on node 0, %zu were",
			     lab_count_all_on_node(pid, 0), on0);
	}

	rc = lab_pagemig(out, sizeof(out), err, sizeof(err), "move %d 0 2 --dry-run", (int)pid);
	if (rc != 0)
		FAIL("dry run: exit %d", rc);
	if (have_io && (!line_has(out, range, "nopages") || !line_has(out, range, "unmovable")))
		FAIL("dry run: the io/pfnmap region %s is not shown as nopages, unmovable", range);
	if (vdso[0] && (!line_has(out, vdso, "special") || !line_has(out, vdso, "unmovable")))
		FAIL("dry run: the [vdso] region %s is not shown as special, unmovable", vdso);

	rc = lab_pagemig(out, sizeof(out), err, sizeof(err), "move %d 0 2 --no-progress", (int)pid);
	if (rc != 0)
		FAIL("a move without --strict: exit %d, want 0 (unmovable regions are not failures)", rc);
	for (i = 0; i < 2; i++)
		expect_chunk(pid, i, 2, "a move without --strict");
	/* What the move did not do must be in its report, not only in the dry run's plan. */
	problems[0] = '\0';
	if (have_io && !line_has(out, range, "unmovable"))
		snprintf(problems, sizeof(problems), "io/pfnmap %s", range);
	if (!vdso[0])
		lab_log("no [vdso] in this process: not checked");
	else if (!line_has(out, vdso, "unmovable"))
		snprintf(problems + strlen(problems), sizeof(problems) - strlen(problems), "%s[vdso] %s",
			 problems[0] ? ", " : "", vdso);
	if (problems[0])
		FAIL("no 'unmovable' row in the move's report for: %s", problems);
	lab_kill(pid);
}

int main(void)
{
	L = lab_require_cli(4, sizeof(*L));
	library_part();
	memset(L, 0, sizeof(*L));
	cli_part();
	return 0;
}
