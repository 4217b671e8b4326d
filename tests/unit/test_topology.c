// SPDX-License-Identifier: GPL-2.0
/* The topology model: parsing, validation, numbering, memory, distances. */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/vm/topology.h"
#include "tests/test.h"

/* Parse shape (and optionally memory and distances), then finish. */
static int make(struct topology *t, const char *shape, const char *mem, const char *dist,
		u64 *mem_mib, u32 max)
{
	int ret;

	memset(t, 0, sizeof(*t));
	error_clear();
	ret = topology_parse_shape(t, shape);
	if (!ret && mem)
		ret = topology_parse_mem(t, mem);
	if (!ret && dist)
		ret = topology_parse_dist(t, dist);
	if (!ret)
		ret = topology_finish(t, mem_mib, max);
	return ret;
}

TEST(topology_numbering_2_4_1_2)
{
	struct topology t;
	struct topo_cpu c;
	u64 mem = 512;

	ASSERT_EQ(make(&t, "2,4,1,2", NULL, NULL, &mem, 240), 0);
	EXPECT_EQ(topology_nr_cpus(&t), 8);
	EXPECT_EQ(topology_llcs_per_node(&t), 2);
	/* cpu 5: LLC 2 (cpus 4-5), core 0, thread 1; LLC 2 is node 1's first */
	topology_cpu(&t, 5, &c);
	EXPECT_EQ(c.llc, 2);
	EXPECT_EQ(c.core, 0);
	EXPECT_EQ(c.thread, 1);
	EXPECT_EQ(c.node, 1);
	EXPECT_EQ(c.llc_in_node, 0);
	topology_cpu(&t, 7, &c);
	EXPECT_EQ(c.llc, 3);
	EXPECT_EQ(c.node, 1);
	EXPECT_EQ(c.llc_in_node, 1);
	EXPECT_EQ(topology_node_first_cpu(&t, 1), 4);
	EXPECT_EQ(topology_node_nr_cpus(&t, 1), 4);
}

TEST(topology_numbering_1_2_2_2)
{
	struct topology t;
	struct topo_cpu c;
	u64 mem = 256;

	ASSERT_EQ(make(&t, "1,2,2,2", NULL, NULL, &mem, 240), 0);
	/* cpu 6 = ((1 * 2) + 1) * 2 + 0 */
	topology_cpu(&t, 6, &c);
	EXPECT_EQ(c.llc, 1);
	EXPECT_EQ(c.core, 1);
	EXPECT_EQ(c.thread, 0);
	EXPECT_EQ(c.node, 0);
}

TEST(topology_memory_even_split_and_offsets)
{
	struct topology t;
	u64 mem = 1001;

	ASSERT_EQ(make(&t, "4,4,1,1", NULL, NULL, &mem, 240), 0);
	EXPECT_EQ(t.nr_nodes, 4);
	EXPECT_EQ(t.mem_mib[0], 251);
	EXPECT_EQ(t.mem_mib[1], 250);
	EXPECT_EQ(t.mem_mib[3], 250);
	EXPECT_EQ(topology_node_mem_offset(&t, 0), 0);
	EXPECT_EQ(topology_node_mem_offset(&t, 1), 251 * MiB);
	EXPECT_EQ(topology_node_mem_offset(&t, 3), 751 * MiB);
	/* default distances */
	EXPECT_EQ(t.dist[0][0], 10);
	EXPECT_EQ(t.dist[2][1], 20);
}

TEST(topology_memory_only_node)
{
	struct topology t;
	u64 mem = 0;

	ASSERT_EQ(make(&t, "2,2,1,1", "96,96,64", "10,20,30;20,10,30;30,30,10", &mem, 240), 0);
	EXPECT_EQ(mem, 256);
	EXPECT_EQ(t.nr_nodes, 3);
	EXPECT_EQ(topology_node_nr_cpus(&t, 2), 0);
	EXPECT_EQ(topology_node_first_cpu(&t, 2), 2);
	EXPECT_EQ(t.dist[2][0], 30);
	EXPECT_EQ(topology_node_mem_offset(&t, 2), 192 * MiB);
}

TEST(topology_flat_distance_list)
{
	struct topology t;
	u64 mem = 256;

	ASSERT_EQ(make(&t, "2,2,1,1", NULL, "10,15,15,10", &mem, 240), 0);
	EXPECT_EQ(t.dist[0][1], 15);
	EXPECT_EQ(t.dist[1][0], 15);
}

TEST(topology_default_is_flat)
{
	struct topology t;
	struct topo_cpu c;

	topology_default(&t, 6, 300);
	EXPECT_EQ(topology_nr_cpus(&t), 6);
	topology_cpu(&t, 5, &c);
	EXPECT_EQ(c.core, 5);
	EXPECT_EQ(c.llc, 0);
	EXPECT_EQ(c.node, 0);
	EXPECT_EQ(t.mem_mib[0], 300);
}

TEST(topology_rejects)
{
	struct topology t;
	u64 mem;

	mem = 256;
	EXPECT_EQ(make(&t, "1,0,2,1", NULL, NULL, &mem, 240), -EINVAL);
	EXPECT_NE(strstr(error_msg(), "LLCS is 0"), NULL);
	EXPECT_EQ(make(&t, "1,2,2", NULL, NULL, &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "1,2,2,1,1", NULL, NULL, &mem, 240), -E2BIG);
	EXPECT_EQ(make(&t, "1,x,2,1", NULL, NULL, &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "17,17,1,1", NULL, NULL, &mem, 240), -ERANGE);
	/* uneven spread */
	EXPECT_EQ(make(&t, "2,3,1,1", NULL, NULL, &mem, 240), -EINVAL);
	/* too many vCPUs for the backend */
	EXPECT_EQ(make(&t, "1,2,62,1", NULL, NULL, &mem, 123), -ERANGE);
	EXPECT_NE(strstr(error_msg(), "at most 123"), NULL);
	/* memory past --memory, and fewer sizes than nodes */
	EXPECT_EQ(make(&t, "2,2,1,1", "200,100", NULL, &mem, 240), -EINVAL);
	EXPECT_NE(strstr(error_msg(), "300 MiB"), NULL);
	EXPECT_EQ(make(&t, "2,2,1,1", "256", NULL, &mem, 240), -EINVAL);
	/* distances: asymmetric, bad diagonal, too small, wrong size, not square */
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,20;21,10", &mem, 240), -EINVAL);
	EXPECT_NE(strstr(error_msg(), "symmetric"), NULL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "11,20;20,10", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,10;10,10", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,255;255,10", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,20,20", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,20;20", &mem, 240), -EINVAL);
	EXPECT_EQ(make(&t, "2,2,1,1", NULL, "10,256;256,10", &mem, 240), -ERANGE);
}

TEST(topology_bits_widths)
{
	EXPECT_EQ(topology_bits(1), 0);
	EXPECT_EQ(topology_bits(2), 1);
	EXPECT_EQ(topology_bits(3), 2);
	EXPECT_EQ(topology_bits(4), 2);
	EXPECT_EQ(topology_bits(5), 3);
	EXPECT_EQ(topology_bits(64), 6);
}

TEST(topology_latency_bandwidth)
{
	struct topology t;
	u64 mem = 0;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(topology_parse_shape(&t, "2,2,1,1"), 0);
	ASSERT_EQ(topology_parse_mem(&t, "100,100,50,50"), 0);
	ASSERT_EQ(topology_parse_dist(&t, "10,20,30,30;20,10,30,30;30,30,10,40;30,30,40,10"), 0);
	ASSERT_EQ(topology_parse_latency(&t, "80,140,200,210;140,80,120,220"), 0);
	ASSERT_EQ(topology_parse_bandwidth(&t, "9,8,7,6/5,4,3,2"), 0);
	ASSERT_EQ(topology_finish(&t, &mem, 240), 0);
	EXPECT_TRUE(topology_has_perf(&t));
	EXPECT_EQ(t.lat_ns[1][2], 120);
	EXPECT_EQ(t.bw_mbs[1][3], 2);
	EXPECT_EQ(topology_perf_initiator(&t, 0), 0);
	EXPECT_EQ(topology_perf_initiator(&t, 1), 1);
	/* node 2: 30 to both CPU nodes, the lower wins; node 3 likewise */
	EXPECT_EQ(topology_perf_initiator(&t, 2), 0);
	EXPECT_EQ(topology_perf_initiator(&t, 3), 0);
	t.dist[3][1] = t.dist[1][3] = 25;
	EXPECT_EQ(topology_perf_initiator(&t, 3), 1);
	topology_default(&t, 2, 256);
	EXPECT_TRUE(!topology_has_perf(&t));
}

TEST(topology_latency_bandwidth_rejects)
{
	struct topology t;

	memset(&t, 0, sizeof(t));
	error_clear();
	EXPECT_EQ(topology_parse_latency(&t, "80,0;0,80"), -ERANGE);
	EXPECT_NE(strstr(error_msg(), "--numa-latency"), NULL);
	EXPECT_EQ(topology_parse_latency(&t, "4000001"), -ERANGE);
	EXPECT_EQ(topology_parse_bandwidth(&t, "4000000001"), -ERANGE);
	EXPECT_EQ(topology_parse_bandwidth(&t, "1,2;3"), -EINVAL);
	EXPECT_EQ(topology_parse_bandwidth(&t, "1,x"), -EINVAL);
	EXPECT_EQ(topology_parse_latency(&t, "1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1"), -E2BIG);
	for (int i = 0; i < 3; i++) {
		static const char *const bad[] = {"80,140", "80;140", "80,140,1;140,80,1"};
		u64 mem = 256;

		/* a row per CPU node (2), a value per node (2) */
		memset(&t, 0, sizeof(t));
		ASSERT_EQ(topology_parse_shape(&t, "2,2,1,1"), 0);
		ASSERT_EQ(topology_parse_latency(&t, bad[i]), 0);
		error_clear();
		EXPECT_EQ(topology_finish(&t, &mem, 240), -EINVAL);
		EXPECT_NE(strstr(error_msg(), "a row per node with CPUs"), NULL);
	}
}
