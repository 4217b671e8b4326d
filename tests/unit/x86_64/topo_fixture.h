/* SPDX-License-Identifier: GPL-2.0 */
/* A finished topology from the command-line forms, for the x86 table tests. */
#ifndef KTVM_TESTS_UNIT_X86_64_TOPO_FIXTURE_H
#define KTVM_TESTS_UNIT_X86_64_TOPO_FIXTURE_H

#include <string.h>

#include "core/vm/topology.h"
#include "ktvm-arch.h"
#include "tests/test.h"

/* shape "N,L,C,T"; numa_mem "M0,M1,..." or NULL for an even split of mem_mib. */
static inline void topo_make(struct topology *t, const char *shape, u64 mem_mib,
			     const char *numa_mem)
{
	memset(t, 0, sizeof(*t));
	ASSERT_EQ(topology_parse_shape(t, shape), 0);
	if (numa_mem)
		ASSERT_EQ(topology_parse_mem(t, numa_mem), 0);
	ASSERT_EQ(topology_finish(t, &mem_mib, ARCH_MAX_VCPUS), 0);
}

/* The same with distances, latencies and bandwidths (each NULL: none). */
static inline void topo_make_perf(struct topology *t, const char *shape, const char *numa_mem,
				  const char *dist, const char *lat, const char *bw)
{
	u64 mem_mib = 0;

	memset(t, 0, sizeof(*t));
	ASSERT_EQ(topology_parse_shape(t, shape), 0);
	ASSERT_EQ(topology_parse_mem(t, numa_mem), 0);
	if (dist)
		ASSERT_EQ(topology_parse_dist(t, dist), 0);
	if (lat)
		ASSERT_EQ(topology_parse_latency(t, lat), 0);
	if (bw)
		ASSERT_EQ(topology_parse_bandwidth(t, bw), 0);
	ASSERT_EQ(topology_finish(t, &mem_mib, ARCH_MAX_VCPUS), 0);
}

#endif
