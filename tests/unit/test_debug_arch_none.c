// SPDX-License-Identifier: GPL-2.0
/*
 * core/debug/arch_none.c, the debug hooks of an arch without them: linked
 * alone (with core/base/error.c), not with the arch's own. Every hook
 * refuses with -ENOTSUP and says which arch.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "core/debug/arch.h"
#include "core/debug/watch.h"
#include "tests/test.h"

/* The one required hook the refusal names. */
const char *arch_name(void)
{
	return "toyarch";
}

TEST(not_supported)
{
	EXPECT_EQ(arch_debug_supported(), false);
}

TEST(every_hook_refuses)
{
	struct watch_hw hw = {0};
	u64 pc = 0, gpa = 0;

	error_clear();
	EXPECT_EQ(arch_vcpu_set_watch(NULL, &hw), -ENOTSUP);
	EXPECT_STREQ(error_msg(), "watchpoints and state dumps are not supported on toyarch");
	EXPECT_EQ(error_kind(), ERROR_HOST);
	EXPECT_EQ(arch_vcpu_debug_exit(NULL, NULL, &hw, &pc), -ENOTSUP);
	EXPECT_EQ(arch_vcpu_gva_to_gpa(NULL, 0x1000, &gpa), -ENOTSUP);
	EXPECT_EQ(gpa, 0u);
}

TEST(dump_regs_says_so)
{
	char buf[128] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ASSERT_TRUE(f != NULL);
	arch_vcpu_dump_regs(NULL, f);
	fclose(f);
	EXPECT_STREQ(buf, "{\"error\": \"not supported on this arch\"}");
}
