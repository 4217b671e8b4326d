// SPDX-License-Identifier: GPL-2.0
/* The guest topology model (topology.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/error.h"
#include "core/vm/topology.h"

void topology_default(struct topology *t, u32 nr_cpus, u64 mem_mib)
{
	memset(t, 0, sizeof(*t));
	t->nodes = t->nr_nodes = 1;
	t->llcs = 1;
	t->cores = nr_cpus;
	t->threads = 1;
	t->mem_mib[0] = mem_mib;
	t->dist[0][0] = TOPO_LOCAL_DIST;
}

/*
 * Comma-separated unsigned decimals from s up to the end or a character in
 * stop; at most max values, each in [min, limit]. Returns how many, or a
 * negative errno with an input error naming opt. *end gets where it stopped.
 */
static int topo_numbers(const char *opt, const char *s, const char *stop, u64 *out, u32 max,
			u64 min, u64 limit, const char **end)
{
	u32 n = 0;

	for (;;) {
		char *e;
		unsigned long long v;

		if (*s < '0' || *s > '9')
			return error_input(-EINVAL, "%s: expected a number at \"%.20s\"", opt, s);
		errno = 0;
		v = strtoull(s, &e, 10);
		if (errno || v < min || v > limit)
			return error_input(-ERANGE, "%s: %.*s is out of range (%llu-%llu)", opt,
					   (int)(e - s), s, (unsigned long long)min,
					   (unsigned long long)limit);
		if (n == max)
			return error_input(-E2BIG, "%s: more than %u values", opt, max);
		out[n++] = v;
		s = e;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s && !strchr(stop, *s))
			return error_input(-EINVAL, "%s: unexpected '%c'", opt, *s);
		*end = s;
		return (int)n;
	}
}

int topology_parse_shape(struct topology *t, const char *s)
{
	u64 v[4];
	const char *end;
	int n = topo_numbers("--topology", s, "", v, 4, 0, 4096, &end);

	if (n < 0)
		return n;
	if (n != 4)
		return error_input(
		    -EINVAL, "--topology %s: want NODES,LLCS,CORES,THREADS (4 numbers, got %d)", s,
		    n);
	for (int i = 0; i < 4; i++) {
		static const char *const what[] = {"NODES", "LLCS", "CORES", "THREADS"};

		if (!v[i])
			return error_input(-EINVAL, "--topology %s: %s is 0", s, what[i]);
	}
	if (v[0] > TOPO_MAX_NODES)
		return error_input(-ERANGE, "--topology %s: at most %d nodes", s, TOPO_MAX_NODES);
	t->nodes = (u32)v[0];
	t->llcs = (u32)v[1];
	t->cores = (u32)v[2];
	t->threads = (u32)v[3];
	return 0;
}

int topology_parse_mem(struct topology *t, const char *s)
{
	u64 v[TOPO_MAX_NODES];
	const char *end;
	int n = topo_numbers("--numa-mem", s, "", v, TOPO_MAX_NODES, 1, 1ULL << 30, &end);

	if (n < 0)
		return n;
	memset(t->mem_mib, 0, sizeof(t->mem_mib));
	for (int i = 0; i < n; i++)
		t->mem_mib[i] = v[i];
	t->nr_nodes = (u32)n;
	t->explicit_mem = true;
	return 0;
}

int topology_parse_dist(struct topology *t, const char *s)
{
	u64 row[TOPO_MAX_NODES * TOPO_MAX_NODES];
	u32 rows = 0, cols = 0, total = 0;
	const char *p = s, *end;

	memset(t->dist, 0, sizeof(t->dist));
	/* rows split by ';' or '/', or one flat list */
	for (;;) {
		int n = topo_numbers("--numa-dist", p, ";/", row + total,
				     TOPO_MAX_NODES * TOPO_MAX_NODES - total, 0, 255, &end);

		if (n < 0)
			return n;
		if (rows && (u32)n != cols)
			return error_input(-EINVAL,
					   "--numa-dist: row %u has %d values, row 0 has %u", rows,
					   n, cols);
		cols = (u32)n;
		total += (u32)n;
		rows++;
		if (!*end)
			break;
		p = end + 1;
	}
	if (rows == 1) {
		/* flat: n*n values */
		u32 n = 1;

		while (n * n < total)
			n++;
		if (n * n != total)
			return error_input(-EINVAL,
					   "--numa-dist: %u values are not a square matrix", total);
		rows = cols = n;
	}
	if (rows != cols)
		return error_input(-EINVAL, "--numa-dist: %u rows of %u values: not square", rows,
				   cols);
	if (rows > TOPO_MAX_NODES)
		return error_input(-E2BIG, "--numa-dist: more than %d nodes", TOPO_MAX_NODES);
	for (u32 i = 0; i < rows; i++)
		for (u32 j = 0; j < cols; j++)
			t->dist[i][j] = (u8)row[i * cols + j];
	/* the matrix's size is checked against the nodes in topology_finish() */
	t->nr_dist = rows;
	return 0;
}

/* Rows split by ';' or '/', each of the same number of values in [1, limit]. */
static int topo_parse_rows(const char *opt, const char *s, u64 limit,
			   u32 out[TOPO_MAX_NODES][TOPO_MAX_NODES], u32 *nr_rows, u32 *nr_cols)
{
	u64 row[TOPO_MAX_NODES];
	u32 rows = 0, cols = 0;
	const char *p = s, *end;

	memset(out, 0, sizeof(u32) * TOPO_MAX_NODES * TOPO_MAX_NODES);
	for (;;) {
		int n = topo_numbers(opt, p, ";/", row, TOPO_MAX_NODES, 1, limit, &end);

		if (n < 0)
			return n;
		if (rows && (u32)n != cols)
			return error_input(-EINVAL, "%s: row %u has %d values, row 0 has %u", opt,
					   rows, n, cols);
		if (rows == TOPO_MAX_NODES)
			return error_input(-E2BIG, "%s: more than %d rows", opt, TOPO_MAX_NODES);
		cols = (u32)n;
		for (u32 j = 0; j < cols; j++)
			out[rows][j] = (u32)row[j];
		rows++;
		if (!*end)
			break;
		p = end + 1;
	}
	*nr_rows = rows;
	*nr_cols = cols;
	return 0;
}

int topology_parse_latency(struct topology *t, const char *s)
{
	return topo_parse_rows("--numa-latency", s, TOPO_MAX_LAT_NS, t->lat_ns, &t->lat_rows,
			       &t->lat_cols);
}

int topology_parse_bandwidth(struct topology *t, const char *s)
{
	return topo_parse_rows("--numa-bandwidth", s, TOPO_MAX_BW_MBS, t->bw_mbs, &t->bw_rows,
			       &t->bw_cols);
}

/* A performance matrix given: one row per node with CPUs, a column per node. */
static int topo_check_perf(const struct topology *t, const char *opt, u32 rows, u32 cols)
{
	if (rows && (rows != t->nodes || cols != t->nr_nodes))
		return error_input(-EINVAL,
				   "%s: %u rows of %u values; want a row per node with CPUs (%u) "
				   "and a value per node (%u)",
				   opt, rows, cols, t->nodes, t->nr_nodes);
	return 0;
}

u32 topology_perf_initiator(const struct topology *t, u32 n)
{
	u32 best = 0;

	if (n < t->nodes)
		return n;
	for (u32 i = 1; i < t->nodes; i++)
		if (t->dist[n][i] < t->dist[n][best])
			best = i;
	return best;
}

static int topo_check_dist(const struct topology *t, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (t->dist[i][i] != TOPO_LOCAL_DIST)
			return error_input(-EINVAL,
					   "--numa-dist: distance %u->%u is %u; a node's distance "
					   "to itself must be %d",
					   i, i, t->dist[i][i], TOPO_LOCAL_DIST);
		for (u32 j = 0; j < n; j++) {
			if (i == j)
				continue;
			if (t->dist[i][j] <= TOPO_LOCAL_DIST || t->dist[i][j] > TOPO_MAX_DIST)
				return error_input(-EINVAL,
						   "--numa-dist: distance %u->%u is %u; between "
						   "nodes it must be %d-%d",
						   i, j, t->dist[i][j], TOPO_LOCAL_DIST + 1,
						   TOPO_MAX_DIST);
			if (t->dist[i][j] != t->dist[j][i])
				return error_input(-EINVAL,
						   "--numa-dist: distance %u->%u is %u but %u->%u "
						   "is %u; the matrix must be symmetric",
						   i, j, t->dist[i][j], j, i, t->dist[j][i]);
		}
	}
	return 0;
}

int topology_finish(struct topology *t, u64 *mem_mib, u32 max_vcpus)
{
	u64 cpus = (u64)t->llcs * t->cores * t->threads, sum = 0;
	u32 n;

	if (t->llcs % t->nodes)
		return error_input(-EINVAL,
				   "--topology: %u LLCs cannot be spread evenly over %u nodes",
				   t->llcs, t->nodes);
	if (cpus > max_vcpus)
		return error_input(-ERANGE,
				   "--topology: %u x %u x %u = %llu vCPUs; this backend supports "
				   "at most %u",
				   t->llcs, t->cores, t->threads, (unsigned long long)cpus,
				   max_vcpus);
	if (t->explicit_mem) {
		if (t->nr_nodes < t->nodes)
			return error_input(
			    -EINVAL,
			    "--numa-mem: %u sizes for %u nodes with CPUs (extra sizes "
			    "add memory-only nodes)",
			    t->nr_nodes, t->nodes);
		for (n = 0; n < t->nr_nodes; n++)
			sum += t->mem_mib[n];
		if (!*mem_mib)
			*mem_mib = sum;
		else if (sum != *mem_mib)
			return error_input(
			    -EINVAL,
			    "--numa-mem: the nodes' memory sums to %llu MiB, --memory "
			    "is %llu MiB",
			    (unsigned long long)sum, (unsigned long long)*mem_mib);
	} else {
		if (!*mem_mib)
			return error_input(-EINVAL, "no memory size");
		t->nr_nodes = t->nodes;
		for (n = 0; n < t->nodes; n++)
			t->mem_mib[n] = *mem_mib / t->nodes;
		t->mem_mib[0] += *mem_mib % t->nodes;
		for (n = 0; n < t->nodes; n++)
			if (!t->mem_mib[n])
				return error_input(-EINVAL,
						   "--memory %llu MiB: less than 1 MiB per node",
						   (unsigned long long)*mem_mib);
	}
	if (topo_check_perf(t, "--numa-latency", t->lat_rows, t->lat_cols) < 0 ||
	    topo_check_perf(t, "--numa-bandwidth", t->bw_rows, t->bw_cols) < 0)
		return -EINVAL;
	if (t->nr_dist) {
		if (t->nr_dist != t->nr_nodes)
			return error_input(-EINVAL, "--numa-dist: a %ux%u matrix for %u nodes",
					   t->nr_dist, t->nr_dist, t->nr_nodes);
		return topo_check_dist(t, t->nr_nodes);
	}
	for (u32 i = 0; i < t->nr_nodes; i++)
		for (u32 j = 0; j < t->nr_nodes; j++)
			t->dist[i][j] = i == j ? TOPO_LOCAL_DIST : TOPO_REMOTE_DIST;
	return 0;
}

void topology_cpu(const struct topology *t, u32 cpu, struct topo_cpu *out)
{
	u32 per_llc = t->cores * t->threads;

	out->thread = cpu % t->threads;
	out->core = (cpu / t->threads) % t->cores;
	out->llc = cpu / per_llc;
	out->node = out->llc / topology_llcs_per_node(t);
	out->llc_in_node = out->llc % topology_llcs_per_node(t);
}

u32 topology_node_nr_cpus(const struct topology *t, u32 node)
{
	return node < t->nodes ? topology_llcs_per_node(t) * t->cores * t->threads : 0;
}

u32 topology_node_first_cpu(const struct topology *t, u32 node)
{
	return node < t->nodes ? node * topology_node_nr_cpus(t, 0) : topology_nr_cpus(t);
}

u64 topology_node_mem_offset(const struct topology *t, u32 node)
{
	u64 off = 0;

	for (u32 n = 0; n < node && n < t->nr_nodes; n++)
		off += t->mem_mib[n] * MiB;
	return off;
}

u32 topology_bits(u32 n)
{
	u32 b = 0;

	while (b < 32 && (1ULL << b) < n)
		b++;
	return b;
}
