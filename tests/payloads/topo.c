// SPDX-License-Identifier: GPL-2.0
/*
 * topo: prints the CPU and memory topology the guest kernel sees, as read
 * from sysfs and procfs, one line per item, for the integration tests
 * (tests/integration/topology.sh) to compare with the topology they asked
 * ktvm for:
 *
 *   cpus COUNT online LIST
 *   cpu N smt LIST llc_level LEVEL llc LIST node NODE     (per online CPU)
 *   nodes COUNT online LIST
 *   node N cpus LIST dist D,D,... [access0 LIST lat NS bw MBS] present_kib KIB memtotal_kib KIB
 *   end
 *
 * smt: the CPU's SMT siblings (topology/core_cpus_list, or the older
 * thread_siblings_list). llc: shared_cpu_list of the CPU's highest-level
 * cache (cache/index*, a unified one where a level has several), LEVEL its
 * level. node: the cpuN/nodeM link, else the node whose cpulist holds N.
 * dist: the node's distance row (nodeN/distance, one value per online
 * node). access0, only where the kernel has a nodeN/access0/initiators
 * directory (from an ACPI HMAT): the initiator nodes linked there, and
 * its read_latency and read_bandwidth. present_kib: the pages /proc/zoneinfo counts as present in the
 * node's zones, in KiB; memtotal_kib: "Node N MemTotal" of nodeN/meminfo.
 *
 * LIST is a CPU list in the kernel's range format ("0-3,8"), rebuilt here
 * from what the kernel printed so that lists compare as text; "none" is an
 * empty list. A value that could not be read is "-". Exits 0 when the list
 * of online CPUs could be read, 1 otherwise.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CPUS  4096
#define MAX_NODES 1024
#define TEXT_MAX  16384
#define CPU_DIR	  "/sys/devices/system/cpu"
#define NODE_DIR  "/sys/devices/system/node"

struct cpuset {
	unsigned char bit[MAX_CPUS];
};

/* The file's text without its trailing newlines; -1 if it cannot be read. */
static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	if (ferror(f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/* "0-3,8" (or an empty string) into s; -1 if malformed or out of range. */
static int parse_list(const char *p, struct cpuset *s)
{
	memset(s, 0, sizeof(*s));
	while (*p) {
		char *e;
		unsigned long a = strtoul(p, &e, 10), b = a;

		if (e == p || a >= MAX_CPUS)
			return -1;
		p = e;
		if (*p == '-') {
			b = strtoul(++p, &e, 10);
			if (e == p || b >= MAX_CPUS || b < a)
				return -1;
			p = e;
		}
		for (unsigned long i = a; i <= b; i++)
			s->bit[i] = 1;
		if (*p == ',')
			p++;
		else if (*p)
			return -1;
	}
	return 0;
}

/* The kernel's range format ("0-3,8"), or "none" for an empty set. */
static void format_list(const struct cpuset *s, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < MAX_CPUS && len < size; i++) {
		int j = i;

		if (!s->bit[i])
			continue;
		while (j + 1 < MAX_CPUS && s->bit[j + 1])
			j++;
		if (j > i)
			len += snprintf(out + len, size - len, "%s%d-%d", len ? "," : "", i, j);
		else
			len += snprintf(out + len, size - len, "%s%d", len ? "," : "", i);
		i = j;
	}
	if (!out[0])
		snprintf(out, size, "none");
}

static int count_list(const struct cpuset *s)
{
	int n = 0;

	for (int i = 0; i < MAX_CPUS; i++)
		n += s->bit[i];
	return n;
}

/* A CPU list file, normalised into out ("-" if unreadable or malformed). */
static int list_file(const char *path, char *out, size_t size, struct cpuset *s)
{
	static char text[TEXT_MAX];
	struct cpuset tmp;

	if (!s)
		s = &tmp;
	if (read_text(path, text, sizeof(text)) || parse_list(text, s)) {
		snprintf(out, size, "-");
		return -1;
	}
	format_list(s, out, size);
	return 0;
}

/* Each "nodeN" (N < limit) in dir, as a set of node numbers. */
static void scan_nodes(const char *dir, struct cpuset *nodes, int limit)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	memset(nodes, 0, sizeof(*nodes));
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *e;
		unsigned long n;

		if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
			continue;
		n = strtoul(de->d_name + 4, &e, 10);
		if (!*e && n < (unsigned long)limit)
			nodes->bit[n] = 1;
	}
	closedir(d);
}

/* The highest-level cache of cpu: its level and shared_cpu_list. */
static void cpu_llc(int cpu, char *level, size_t lsize, char *list, size_t size)
{
	char path[256], text[64];
	int best = -1, best_level = -1, best_unified = 0;
	DIR *d;
	struct dirent *de;

	snprintf(level, lsize, "-");
	snprintf(list, size, "-");
	snprintf(path, sizeof(path), CPU_DIR "/cpu%d/cache", cpu);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *e;
		long idx, lv;
		int unified;

		if (strncmp(de->d_name, "index", 5) || !isdigit((unsigned char)de->d_name[5]))
			continue;
		idx = strtol(de->d_name + 5, &e, 10);
		if (*e || idx > 1000)
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/cache/index%ld/level", cpu, idx);
		if (read_text(path, text, sizeof(text)))
			continue;
		lv = strtol(text, &e, 10);
		if (e == text || *e || lv < 0 || lv > 100)
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/cache/index%ld/type", cpu, idx);
		unified = !read_text(path, text, sizeof(text)) && !strcmp(text, "Unified");
		/* Highest level; at a tie a unified cache, then the lowest index. */
		if (lv > best_level || (lv == best_level && unified > best_unified) ||
		    (lv == best_level && unified == best_unified && idx < best)) {
			best = (int)idx;
			best_level = (int)lv;
			best_unified = unified;
		}
	}
	closedir(d);
	if (best < 0)
		return;
	snprintf(level, lsize, "%d", best_level);
	snprintf(path, sizeof(path), CPU_DIR "/cpu%d/cache/index%d/shared_cpu_list", cpu, best);
	list_file(path, list, size, NULL);
}

/*
 * Present pages per node from /proc/zoneinfo ("Node N, zone Z" ... "present
 * P"); -1 for a node without zones there.
 */
static int zone_present(long long *present, int limit)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[512];
	int node = -1;

	for (int n = 0; n < limit; n++)
		present[n] = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char word[32];
		long long v;
		int n;

		if (sscanf(line, "Node %d, zone", &n) == 1) {
			node = n >= 0 && n < limit ? n : -1;
			continue;
		}
		if (node >= 0 && sscanf(line, " %31s %lld", word, &v) == 2 &&
		    !strcmp(word, "present") && v >= 0)
			present[node] = (present[node] < 0 ? 0 : present[node]) + v;
	}
	fclose(f);
	return 0;
}

/* "Node N MemTotal: K kB" from nodeN/meminfo, or -1. */
static long long node_memtotal(int node)
{
	char path[128], line[256];
	FILE *f;
	long long kib = -1;

	snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", node);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		int n;
		long long v;

		if (sscanf(line, "Node %d MemTotal: %lld kB", &n, &v) == 2 && n == node) {
			kib = v;
			break;
		}
	}
	fclose(f);
	return kib;
}

/* A distance row "10 20" as "10,20", or "-". */
static void print_dist(const char *path)
{
	static char text[TEXT_MAX];
	const char *sep = "";
	char *tok, *save;

	tok = read_text(path, text, sizeof(text)) ? NULL : strtok_r(text, " \t", &save);
	if (!tok) {
		printf("-");
		return;
	}
	for (; tok; tok = strtok_r(NULL, " \t", &save)) {
		printf("%s%s", sep, tok);
		sep = ",";
	}
}

/* " access0 INITIATORS lat NS bw MBS" if the node has HMAT figures. */
static void print_access0(int n)
{
	static struct cpuset inits;
	char dir[128], path[192], list[256], lat[32], bw[32];

	snprintf(dir, sizeof(dir), NODE_DIR "/node%d/access0/initiators", n);
	if (access(dir, F_OK))
		return;
	scan_nodes(dir, &inits, MAX_NODES);
	format_list(&inits, list, sizeof(list));
	snprintf(path, sizeof(path), "%s/read_latency", dir);
	if (read_text(path, lat, sizeof(lat)))
		snprintf(lat, sizeof(lat), "-");
	snprintf(path, sizeof(path), "%s/read_bandwidth", dir);
	if (read_text(path, bw, sizeof(bw)))
		snprintf(bw, sizeof(bw), "-");
	printf(" access0 %s lat %s bw %s", list, lat, bw);
}

static void print_kib(const char *name, long long kib)
{
	if (kib < 0)
		printf(" %s -", name);
	else
		printf(" %s %lld", name, kib);
}

int main(void)
{
	static struct cpuset online, nodes, node_cpus[MAX_NODES];
	static long long present[MAX_NODES];
	static char a[TEXT_MAX], b[TEXT_MAX], node_list[TEXT_MAX];
	char level[16], path[256];
	int have_node_cpus[MAX_NODES] = {0};
	long page_kib = sysconf(_SC_PAGESIZE) / 1024;

	if (list_file(CPU_DIR "/online", a, sizeof(a), &online) || !count_list(&online)) {
		printf("cpus 0 online %s\nend\n", a);
		fprintf(stderr, "topo: cannot read the online CPUs (" CPU_DIR "/online)\n");
		return 1;
	}
	printf("cpus %d online %s\n", count_list(&online), a);

	if (list_file(NODE_DIR "/online", node_list, sizeof(node_list), &nodes)) {
		scan_nodes(NODE_DIR, &nodes, MAX_NODES);
		if (count_list(&nodes))
			format_list(&nodes, node_list, sizeof(node_list));
	}
	for (int n = 0; n < MAX_NODES; n++) {
		if (!nodes.bit[n])
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/node%d/cpulist", n);
		have_node_cpus[n] = !list_file(path, a, sizeof(a), &node_cpus[n]);
	}

	for (int cpu = 0; cpu < MAX_CPUS; cpu++) {
		struct cpuset links;
		int node = -1;

		if (!online.bit[cpu])
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/core_cpus_list", cpu);
		if (list_file(path, a, sizeof(a), NULL)) {
			snprintf(path, sizeof(path), CPU_DIR "/cpu%d/topology/thread_siblings_list",
				 cpu);
			list_file(path, a, sizeof(a), NULL);
		}
		cpu_llc(cpu, level, sizeof(level), b, sizeof(b));
		snprintf(path, sizeof(path), CPU_DIR "/cpu%d", cpu);
		scan_nodes(path, &links, MAX_NODES);
		for (int n = 0; n < MAX_NODES && node < 0; n++)
			if (links.bit[n])
				node = n;
		for (int n = 0; n < MAX_NODES && node < 0; n++)
			if (have_node_cpus[n] && node_cpus[n].bit[cpu])
				node = n;
		printf("cpu %d smt %s llc_level %s llc %s node ", cpu, a, level, b);
		if (node < 0)
			printf("-\n");
		else
			printf("%d\n", node);
	}

	zone_present(present, MAX_NODES);
	printf("nodes %d online %s\n", count_list(&nodes), node_list);
	for (int n = 0; n < MAX_NODES; n++) {
		if (!nodes.bit[n])
			continue;
		if (have_node_cpus[n])
			format_list(&node_cpus[n], a, sizeof(a));
		else
			snprintf(a, sizeof(a), "-");
		snprintf(path, sizeof(path), NODE_DIR "/node%d/distance", n);
		printf("node %d cpus %s dist ", n, a);
		print_dist(path);
		print_access0(n);
		print_kib("present_kib", present[n] < 0 ? -1 : present[n] * page_kib);
		print_kib("memtotal_kib", node_memtotal(n));
		printf("\n");
	}
	printf("end\n");
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
