// SPDX-License-Identifier: GPL-2.0
/* APIC IDs of the guest topology (arch/x86_64/topo.c), computed here by hand. */
#include <errno.h>

#include "arch/x86_64/topo.h"
#include "core/base/error.h"
#include "tests/test.h"
#include "tests/unit/x86_64/topo_fixture.h"

static void check_ids(const char *shape, const u32 *want, u32 n)
{
	struct topology t;

	topo_make(&t, shape, 1024, NULL);
	ASSERT_EQ(topology_nr_cpus(&t), n);
	for (u32 i = 0; i < n; i++)
		EXPECT_EQ(x86_topo_apic_id(&t, i), want[i]);
	EXPECT_EQ(x86_topo_max_apic_id(&t), want[n - 1]);
}

TEST(default_is_the_index)
{
	struct topology t;

	for (u32 n = 1; n <= ARCH_MAX_VCPUS; n += 17) {
		topology_default(&t, n, 256);
		for (u32 i = 0; i < n; i++)
			EXPECT_EQ(x86_topo_apic_id(&t, i), i);
		EXPECT_EQ(x86_topo_check(&t), 0);
	}
}

TEST(fields_1_1_4_2)
{
	/* core << 1 | thread; one LLC and one package take no bits */
	static const u32 want[] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct x86_topo x;
	struct topology t;

	check_ids("1,1,4,2", want, 8);
	topo_make(&t, "1,1,4,2", 1024, NULL);
	x86_topo_init(&x, &t);
	EXPECT_EQ(x.smt_bits, 1);
	EXPECT_EQ(x.core_bits, 2);
	EXPECT_EQ(x.llc_bits, 0);
	EXPECT_EQ(x.llc_shift, 3);
	EXPECT_EQ(x.pkg_shift, 3);
}

TEST(fields_2_4_1_2)
{
	/* pkg << 2 | llc_in_node << 1 | thread */
	static const u32 want[] = {0, 1, 2, 3, 4, 5, 6, 7};
	struct x86_topo x;
	struct topology t;

	check_ids("2,4,1,2", want, 8);
	topo_make(&t, "2,4,1,2", 1024, NULL);
	x86_topo_init(&x, &t);
	EXPECT_EQ(x.smt_bits, 1);
	EXPECT_EQ(x.core_bits, 0);
	EXPECT_EQ(x.llc_bits, 1);
	EXPECT_EQ(x.pkg_shift, 2);
}

TEST(holes_for_three_threads)
{
	/* core << 2 | thread: threads 0..2 of each core, ID 3 of each unused */
	static const u32 want[] = {0, 1, 2, 4, 5, 6, 8, 9, 10};

	check_ids("1,1,3,3", want, 9);
}

TEST(holes_for_three_cores_per_package)
{
	/* pkg << 2 | core */
	static const u32 want[] = {0, 1, 2, 4, 5, 6};

	check_ids("2,2,3,1", want, 6);
}

TEST(three_llcs_per_node)
{
	/* pkg << 3 | llc_in_node << 1 | core */
	static const u32 want[] = {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13};

	check_ids("2,6,2,1", want, 12);
}

TEST(largest_fitting_and_refused)
{
	static const struct {
		const char *shape;
		u32 max;
		int ret;
	} cases[] = {
	    {"1,1,240,1", 239, 0}, {"2,2,120,1", 247, 0},	 {"16,16,9,1", 248, 0},
	    {"8,8,17,1", 240, 0},  {"16,16,15,1", 254, -ERANGE}, {"3,3,65,1", 320, -ERANGE},
	    {"2,2,60,2", 247, 0},
	};
	struct topology t;

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		topo_make(&t, cases[i].shape, 4096, NULL);
		EXPECT_EQ(x86_topo_max_apic_id(&t), cases[i].max);
		error_clear();
		EXPECT_EQ(x86_topo_check(&t), cases[i].ret);
		if (cases[i].ret)
			EXPECT_EQ(error_kind(), ERROR_INPUT);
	}
}
