// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * topology.c - the machine's NUMA nodes as sysfs describes them.
 *
 * Everything is read from SYSROOT/devices/system/node once, at load time: the online and
 * has_memory lists, and per node its cpulist, meminfo, distance and 2 MiB huge page pool.  The
 * default huge page size is only in /proc/meminfo, so the pool of the common 2048 kB size is used.
 * A node with an empty cpulist is a memory-only node (a CXL expander, say): a valid place for
 * memory.  A kernel without NUMA has no node directory and reads as one node 0.
 * Memory tiers (Linux 6.1+) are SYSROOT/devices/virtual/memory_tiering/memory_tierN/nodelist; the
 * firmware's HMAT figures, where the kernel shows them, are each node's access0/initiators files.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define LOCAL_DISTANCE	10	/* the kernel's defaults, for a node without a distance file */
#define REMOTE_DISTANCE	20

struct topo_node {
	int node;
	int nr_cpus;
	char *cpulist;			/* "" when none */
	uint64_t mem_total;
	uint64_t mem_free;
	uint64_t huge_total;
	uint64_t huge_free;
	int tier;			/* -1 when in none */
	unsigned int hmat[4];		/* enum hmat_attr order; 0 when not shown */
	struct pagemig_nodemask initiators;
};

enum hmat_attr { READ_LATENCY, WRITE_LATENCY, READ_BANDWIDTH, WRITE_BANDWIDTH };

static const char *const hmat_files[] = {
	[READ_LATENCY] = "read_latency",
	[WRITE_LATENCY] = "write_latency",
	[READ_BANDWIDTH] = "read_bandwidth",
	[WRITE_BANDWIDTH] = "write_bandwidth",
};

struct pagemig_topology {
	struct pagemig_nodemask online;
	struct pagemig_nodemask memory;
	struct pagemig_nodemask cpus;
	int nr;				/* online nodes */
	int16_t idx[PAGEMIG_MAX_NODES];	/* node -> index into nodes[], -1 when not online */
	struct topo_node *nodes;	/* nr of them, in node order */
	int *dist;			/* nr x nr: dist[i * nr + j] from nodes[i] to nodes[j] */
};

/* "ROOT/DIR/NAME" (NAME may be NULL) into @buf. */
static int path_of(char *buf, size_t len, const char *root, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s%s%s", root, dir, name ? "/" : "", name ? name : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The first line of @path, without its newline, in a new string: sysfs lists have no fixed bound. */
static int read_line(const char *path, char **out)
{
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	int err = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	n = getline(&line, &cap, f);
	if (n < 0) {
		err = ferror(f) ? -EIO : 0;
		free(line);
		line = err ? NULL : strdup("");	/* an empty file */
		if (!err && !line)
			err = -ENOMEM;
	} else if (n && line[n - 1] == '\n') {
		line[n - 1] = '\0';
	}
	fclose(f);
	*out = line;
	return err;
}

/* A node list file of the kernel ("0-3,5") into @m. */
static int read_mask(const char *root, const char *dir, const char *name, struct pagemig_nodemask *m)
{
	char path[PATH_MAX], *s;
	int err = path_of(path, sizeof(path), root, dir, name);

	if (!err)
		err = read_line(path, &s);
	if (err)
		return err;
	err = nodemask_parse_list(s, m);
	free(s);
	return err;
}

/* The number of CPUs in a cpulist ("0-3,8"); CPU numbers are not bounded like node numbers. */
static int count_cpus(const char *s)
{
	unsigned long lo, hi;
	char *end;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		lo = hi = strtoul(s, &end, 10);
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (hi < lo || hi - lo >= INT_MAX - (unsigned long)n)
			return -EINVAL;
		n += (int)(hi - lo + 1);
		s = *end == ',' ? end + 1 : end;
	}
	return *s ? -EINVAL : n;
}

/* MemTotal and MemFree of a node's meminfo ("Node 0 MemTotal:  4030380 kB"), in bytes. */
static int read_meminfo(const char *path, struct topo_node *n)
{
	size_t cap = 0;
	char *line = NULL, key[32];
	uint64_t kb;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "Node %*d %31[^:]: %" SCNu64, key, &kb) != 2)
			continue;
		if (!strcmp(key, "MemTotal"))
			n->mem_total = kb * 1024;
		else if (!strcmp(key, "MemFree"))
			n->mem_free = kb * 1024;
	}
	free(line);
	fclose(f);
	return 0;
}

/* The 2 MiB pool of DIR ("devices/system/node/node0" or "kernel/mm"); absent pools count 0. */
static void read_hugepages(const char *root, const char *dir, struct topo_node *n)
{
	char sub[PATH_MAX], path[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/hugepages/hugepages-2048kB", dir);
	if (path_of(path, sizeof(path), root, sub, "nr_hugepages") || read_file_u64(path, &n->huge_total))
		n->huge_total = 0;
	if (path_of(path, sizeof(path), root, sub, "free_hugepages") || read_file_u64(path, &n->huge_free))
		n->huge_free = 0;
}

/* Row @i of the distance matrix: the node's distance file lists one entry per online node. */
static void read_distance(struct pagemig_topology *t, const char *path, int i)
{
	char *s = NULL, *p, *end;
	int j;
	long v;

	for (j = 0; j < t->nr; j++)
		t->dist[i * t->nr + j] = i == j ? LOCAL_DISTANCE : REMOTE_DISTANCE;
	if (read_line(path, &s))
		return;
	for (p = s, j = 0; j < t->nr; j++, p = end) {
		v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > INT_MAX)
			break;
		t->dist[i * t->nr + j] = (int)v;
	}
	free(s);
}

/* @n's CPUs from the cpulist file ROOT/DIR/NAME; a missing file means none. */
static int read_cpus(struct pagemig_topology *t, struct topo_node *n, const char *root, const char *dir,
		     const char *name)
{
	char path[PATH_MAX];
	int err = path_of(path, sizeof(path), root, dir, name);

	if (!err)
		err = read_line(path, &n->cpulist);
	if (err == -ENOENT) {
		n->cpulist = strdup("");
		err = n->cpulist ? 0 : -ENOMEM;
	}
	if (err)
		return err;
	n->nr_cpus = count_cpus(n->cpulist);
	if (n->nr_cpus < 0)
		return -EINVAL;
	if (n->nr_cpus)
		pagemig_nodemask_set(&t->cpus, n->node);
	return 0;
}

static int alloc_nodes(struct pagemig_topology *t, int nr)
{
	int i;

	t->nr = nr;
	t->nodes = calloc((size_t)nr, sizeof(*t->nodes));
	t->dist = calloc((size_t)nr * (size_t)nr, sizeof(*t->dist));
	if (!t->nodes || !t->dist)
		return -ENOMEM;
	for (i = 0; i < PAGEMIG_MAX_NODES; i++)
		t->idx[i] = -1;
	for (i = 0; i < nr; i++)
		t->nodes[i].tier = -1;
	return 0;
}

/* The nodeN entries of @dir, for kernels without an online file; -ENOENT without NUMA. */
static int scan_nodes(const char *dir, struct pagemig_nodemask *m)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	char *end;
	long v;

	if (!d)
		return -errno;
	pagemig_nodemask_zero(m);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "node", 4) || de->d_name[4] < '0' || de->d_name[4] > '9')
			continue;
		v = strtol(de->d_name + 4, &end, 10);
		if (!*end && v < PAGEMIG_MAX_NODES)
			pagemig_nodemask_set(m, (int)v);
	}
	closedir(d);
	return 0;
}

/*
 * The HMAT access figures of access class 0 (the best initiators of any kind) and those
 * initiators; a kernel or firmware without them leaves zeros and an empty mask.
 */
static void read_hmat(const char *root, const char *dir, struct topo_node *n)
{
	char sub[PATH_MAX], path[PATH_MAX];
	uint64_t v;
	size_t i;

	snprintf(sub, sizeof(sub), "%s/access0/initiators", dir);
	for (i = 0; i < ARRAY_SIZE(hmat_files); i++)
		if (!path_of(path, sizeof(path), root, sub, hmat_files[i]) && !read_file_u64(path, &v))
			n->hmat[i] = v > UINT_MAX ? UINT_MAX : (unsigned int)v;
	if (path_of(path, sizeof(path), root, sub, NULL) || scan_nodes(path, &n->initiators))
		pagemig_nodemask_zero(&n->initiators);
}

/*
 * The memory tiers: each memory_tierN directory lists its nodes.  A kernel without tiers has
 * no memory_tiering directory; every node stays in tier -1.
 */
static int load_tiers(struct pagemig_topology *t, const char *root)
{
	static const char tierdir[] = "devices/virtual/memory_tiering";
	struct pagemig_nodemask m;
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	int err, node;
	char *end;
	long id;
	DIR *d;

	err = path_of(path, sizeof(path), root, tierdir, NULL);
	if (err)
		return err;
	d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "memory_tier", 11))
			continue;
		id = strtol(de->d_name + 11, &end, 10);
		if (end == de->d_name + 11 || *end || id < 0 || id > INT_MAX)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", tierdir, de->d_name);
		err = read_mask(root, sub, "nodelist", &m);
		if (err == -ENOENT)	/* not a tier after all */
			continue;
		if (err)
			break;
		for (node = pagemig_nodemask_next(&m, -1); node >= 0; node = pagemig_nodemask_next(&m, node))
			if (t->idx[node] >= 0)
				t->nodes[t->idx[node]].tier = (int)id;
	}
	closedir(d);
	return err == -ENOENT ? 0 : err;
}

/* One online node's files; a file that is missing reads as empty. */
static int load_node(struct pagemig_topology *t, const char *root, int i)
{
	struct topo_node *n = &t->nodes[i];
	char dir[64], path[PATH_MAX];
	int err;

	snprintf(dir, sizeof(dir), "devices/system/node/node%d", n->node);
	err = read_cpus(t, n, root, dir, "cpulist");
	if (err)
		return err;
	err = path_of(path, sizeof(path), root, dir, "meminfo");
	if (!err)
		err = read_meminfo(path, n);
	if (err && err != -ENOENT)
		return err;
	read_hugepages(root, dir, n);
	if (!path_of(path, sizeof(path), root, dir, "distance"))
		read_distance(t, path, i);
	read_hmat(root, dir, n);
	return 0;
}

/* A NUMA kernel's node directory; -ENOENT when there is none (or it lists no node). */
static int load_numa(struct pagemig_topology *t, const char *root)
{
	static const char nodedir[] = "devices/system/node";
	char path[PATH_MAX];
	int err, node, i = 0;

	err = read_mask(root, nodedir, "online", &t->online);
	if (err == -ENOENT && !(err = path_of(path, sizeof(path), root, nodedir, NULL)))
		err = scan_nodes(path, &t->online);
	if (!err && pagemig_nodemask_is_empty(&t->online))
		err = -ENOENT;
	if (!err)
		err = alloc_nodes(t, pagemig_nodemask_weight(&t->online));
	for (node = pagemig_nodemask_next(&t->online, -1); !err && node >= 0;
	     node = pagemig_nodemask_next(&t->online, node), i++) {
		t->idx[node] = (int16_t)i;
		t->nodes[i].node = node;
		err = load_node(t, root, i);
	}
	if (err)
		return err;
	err = read_mask(root, nodedir, "has_memory", &t->memory);
	if (err == -ENOENT) {	/* before 2.6.37: the nodes that have memory */
		for (i = 0; i < t->nr; i++)
			if (t->nodes[i].mem_total)
				pagemig_nodemask_set(&t->memory, t->nodes[i].node);
		err = 0;
	}
	pagemig_nodemask_and(&t->memory, &t->memory, &t->online);
	return err;
}

/* A kernel without NUMA: one node 0 with every CPU and all memory. */
static int load_flat(struct pagemig_topology *t, const char *root)
{
	struct topo_node *n;
	long pages, avail, psz = sysconf(_SC_PAGESIZE);
	int err = alloc_nodes(t, 1);

	if (err)
		return err;
	n = &t->nodes[0];
	t->idx[0] = 0;
	t->dist[0] = LOCAL_DISTANCE;
	pagemig_nodemask_set(&t->online, 0);
	pagemig_nodemask_set(&t->memory, 0);
	err = read_cpus(t, n, root, "devices/system/cpu", "online");
	if (err)
		return err;
	pages = sysconf(_SC_PHYS_PAGES);
	avail = sysconf(_SC_AVPHYS_PAGES);
	n->mem_total = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz : 0;
	n->mem_free = avail > 0 && psz > 0 ? (uint64_t)avail * (uint64_t)psz : 0;
	read_hugepages(root, "kernel/mm", n);
	return 0;
}

static void release(struct pagemig_topology *t)
{
	int i;

	for (i = 0; t->nodes && i < t->nr; i++)
		free(t->nodes[i].cpulist);
	free(t->nodes);
	free(t->dist);
	memset(t, 0, sizeof(*t));
}

PAGEMIG_API int pagemig_topology_load(const char *sys_root, struct pagemig_topology **out)
{
	const char *root = sys_root ? sys_root : "/sys";
	struct pagemig_topology *t = calloc(1, sizeof(*t));
	char path[PATH_MAX];
	struct stat st;
	int err;

	if (!t)
		return -ENOMEM;
	/* a sysfs without devices/system is no sysfs (a mistyped root), not a machine without NUMA */
	err = path_of(path, sizeof(path), root, "devices/system", NULL);
	if (!err && stat(path, &st))
		err = -errno;
	if (err)
		goto err_free;
	err = load_numa(t, root);
	if (err == -ENOENT) {
		release(t);
		err = load_flat(t, root);
	}
	if (!err)
		err = load_tiers(t, root);
	if (err)
		goto err_free;
	*out = t;
	return 0;
err_free:
	pagemig_topology_free(t);
	return err;
}

PAGEMIG_API void pagemig_topology_free(struct pagemig_topology *t)
{
	if (!t)
		return;
	release(t);
	free(t);
}

PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_online(const struct pagemig_topology *t)
{
	return &t->online;
}

PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_memory(const struct pagemig_topology *t)
{
	return &t->memory;
}

PAGEMIG_API const struct pagemig_nodemask *pagemig_topology_cpus(const struct pagemig_topology *t)
{
	return &t->cpus;
}

PAGEMIG_API int pagemig_topology_node(const struct pagemig_topology *t, int node, struct pagemig_node_info *info)
{
	struct pagemig_node_info full;
	const struct topo_node *n;
	size_t sz = info->sz;

	if (!pagemig_nodemask_is_set(&t->online, node))
		return -ENODEV;
	n = &t->nodes[t->idx[node]];
	full = (struct pagemig_node_info){
		.sz = sz,
		.node = node,
		.nr_cpus = n->nr_cpus,
		.cpulist = n->cpulist,
		.mem_total = n->mem_total,
		.mem_free = n->mem_free,
		.hugepages_total = n->huge_total,
		.hugepages_free = n->huge_free,
		.tier = n->tier,
		.read_latency = n->hmat[READ_LATENCY],
		.write_latency = n->hmat[WRITE_LATENCY],
		.read_bandwidth = n->hmat[READ_BANDWIDTH],
		.write_bandwidth = n->hmat[WRITE_BANDWIDTH],
		.initiators = n->initiators,
	};
	memcpy(info, &full, MIN(sz, sizeof(full)));	/* a caller built against an older, smaller struct */
	return 0;
}

PAGEMIG_API int pagemig_topology_distance(const struct pagemig_topology *t, int from, int to, int *dist)
{
	if (!pagemig_nodemask_is_set(&t->online, from) || !pagemig_nodemask_is_set(&t->online, to))
		return -ENODEV;
	*dist = t->dist[t->idx[from] * t->nr + t->idx[to]];
	return 0;
}
