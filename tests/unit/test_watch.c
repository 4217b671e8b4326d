// SPDX-License-Identifier: GPL-2.0
/* The watchpoint table: slots, publishing, the disarm round of a move, hits. */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/debug/dump.h"
#include "core/debug/watch.h"
#include "tests/test.h"

static struct watch_table t;

static struct watch_hit hit_on(u32 vcpu, u32 slot, u64 addr)
{
	struct watch_hit h;

	memset(&h, 0, sizeof(h));
	h.vcpu = vcpu;
	h.slot = slot;
	h.addr = addr;
	h.pc = 0xffffffff81000000ULL;
	h.value = 7;
	h.value_ok = true;
	return h;
}

TEST(watch_addresses_checked)
{
	watch_init(&t, 2);
	error_clear();
	EXPECT_EQ(watch_set(&t, 1, 0x1002, WATCH_LOG, "x"), -EINVAL);
	EXPECT_NE(strstr(error_msg(), "aligned"), NULL);
	EXPECT_EQ(watch_check_addr(0), -EINVAL);
	EXPECT_EQ(watch_check_addr(0xffff888000001004ULL), 0);
	EXPECT_EQ(watch_set(&t, 4, 0x1000, WATCH_LOG, "x"), -EINVAL);
	EXPECT_EQ(t.pub.mask, 0);
	EXPECT_EQ(t.pub.gen, 0);
	watch_destroy(&t);
}

TEST(watch_arm_publishes_once)
{
	struct watch_hw hw;

	watch_init(&t, 2);
	EXPECT_EQ(watch_set(&t, 1, 0x1000, WATCH_LOG, "a"), 1);
	/* the same again changes nothing */
	EXPECT_EQ(watch_set(&t, 1, 0x1000, WATCH_DUMP, "a"), 0);
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 1u << 1);
	EXPECT_EQ(hw.addr[1], 0x1000);
	EXPECT_EQ(hw.gen, 1);
	EXPECT_EQ(watch_applied(&t, 0, hw.gen), 0);
	EXPECT_EQ(watch_applied(&t, 1, hw.gen), 0);
	/* disarm */
	EXPECT_EQ(watch_set(&t, 1, 0, WATCH_LOG, NULL), 1);
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 0);
	EXPECT_EQ(hw.gen, 2);
	watch_destroy(&t);
}

/* Moving a slot: disarmed until every vCPU applied that, then the new address. */
TEST(watch_move_takes_a_disarm_round)
{
	struct watch_hw old, mid, hw;
	struct watch_hit h;

	watch_init(&t, 3);
	ASSERT_EQ(watch_set(&t, 2, 0x1000, WATCH_LOG, "old"), 1);
	watch_get(&t, &old);
	for (u32 v = 0; v < 3; v++)
		EXPECT_EQ(watch_applied(&t, v, old.gen), 0);
	ASSERT_EQ(watch_set(&t, 2, 0x2000, WATCH_DUMP, "new"), 1);
	watch_get(&t, &mid);
	EXPECT_EQ(mid.mask, 0);
	EXPECT_EQ(mid.gen, old.gen + 1);
	/* a vCPU still on the old copy hits the old address: not reported */
	h = hit_on(2, 2, 0x1000);
	EXPECT_EQ(watch_hit(&t, &old, &h), -ESTALE);
	EXPECT_EQ(t.hits_stale, 1);
	EXPECT_EQ(t.nr_hits, 0);
	/* two of three applied: still disarmed */
	EXPECT_EQ(watch_applied(&t, 0, mid.gen), 0);
	EXPECT_EQ(watch_applied(&t, 2, mid.gen), 0);
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 0);
	/* the last one: the new address is published */
	EXPECT_EQ(watch_applied(&t, 1, mid.gen), 1);
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 1u << 2);
	EXPECT_EQ(hw.addr[2], 0x2000);
	EXPECT_EQ(hw.gen, mid.gen + 1);
	/* the old copy still may not report; the new one reports with its action */
	EXPECT_EQ(watch_hit(&t, &old, &h), -ESTALE);
	h = hit_on(1, 2, 0x2000);
	EXPECT_EQ(watch_hit(&t, &hw, &h), WATCH_DUMP);
	ASSERT_EQ(t.nr_hits, 1);
	EXPECT_EQ(t.hits[0].vcpu, 1);
	EXPECT_EQ(t.hits[0].addr, 0x2000);
	watch_destroy(&t);
}

TEST(watch_move_then_disarm_during_round)
{
	struct watch_hw hw;

	watch_init(&t, 1);
	watch_set(&t, 1, 0x1000, WATCH_LOG, "a");
	watch_get(&t, &hw);
	watch_applied(&t, 0, hw.gen);
	watch_set(&t, 1, 0x2000, WATCH_LOG, "b");
	/* disarmed again before the round ended: nothing is published after it */
	EXPECT_EQ(watch_set(&t, 1, 0, WATCH_LOG, NULL), 0);
	watch_get(&t, &hw);
	EXPECT_EQ(watch_applied(&t, 0, hw.gen), 0);
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 0);
	watch_destroy(&t);
}

TEST(watch_other_slots_unaffected_by_a_move)
{
	struct watch_hw hw;
	struct watch_hit h;

	watch_init(&t, 1);
	watch_set(&t, 1, 0x1000, WATCH_LOG, "a");
	watch_set(&t, 3, 0x3000, WATCH_STOP, "c");
	watch_get(&t, &hw);
	watch_applied(&t, 0, hw.gen);
	watch_set(&t, 1, 0x2000, WATCH_LOG, "b");
	watch_get(&t, &hw);
	EXPECT_EQ(hw.mask, 1u << 3);
	h = hit_on(0, 3, 0x3000);
	EXPECT_EQ(watch_hit(&t, &hw, &h), WATCH_STOP);
	watch_destroy(&t);
}

TEST(watch_hits_kept_in_order_and_capped)
{
	struct watch_hw hw;
	struct watch_hit h;

	watch_init(&t, 1);
	watch_set(&t, 1, 0x1000, WATCH_LOG, "a");
	watch_get(&t, &hw);
	for (u32 i = 0; i < WATCH_MAX_HITS + 5; i++) {
		h = hit_on(0, 1, 0x1000);
		h.value = i;
		EXPECT_EQ(watch_hit(&t, &hw, &h), WATCH_LOG);
	}
	EXPECT_EQ(t.nr_hits, WATCH_MAX_HITS);
	EXPECT_EQ(t.hits_dropped, 5);
	EXPECT_EQ(t.hits[0].value, 0);
	EXPECT_EQ(t.hits[WATCH_MAX_HITS - 1].value, WATCH_MAX_HITS - 1);
	/* a slot the copy does not arm */
	h = hit_on(0, 2, 0x1000);
	EXPECT_EQ(watch_hit(&t, &hw, &h), -ESTALE);
	h.slot = 9;
	EXPECT_EQ(watch_hit(&t, &hw, &h), -EINVAL);
	watch_destroy(&t);
}

TEST(watch_spec_forms)
{
	struct watch_spec w;

	ASSERT_EQ(watch_spec_parse(&w, "vm_swappiness"), 0);
	EXPECT_TRUE(!strcmp(w.sym, "vm_swappiness"));
	EXPECT_EQ(w.offset, 0);
	EXPECT_EQ(w.action, WATCH_LOG);
	ASSERT_EQ(watch_spec_parse(&w, "scx_exit_info+8:dump"), 0);
	EXPECT_TRUE(!strcmp(w.sym, "scx_exit_info"));
	EXPECT_EQ(w.offset, 8);
	EXPECT_EQ(w.action, WATCH_DUMP);
	EXPECT_TRUE(!strcmp(w.label, "scx_exit_info+8"));
	ASSERT_EQ(watch_spec_parse(&w, "x+0x10:stop"), 0);
	EXPECT_EQ(w.offset, 16);
	EXPECT_EQ(w.action, WATCH_STOP);
	ASSERT_EQ(watch_spec_parse(&w, "0xffffffff82a1b2c0"), 0);
	EXPECT_EQ(w.sym[0], 0);
	EXPECT_EQ(w.addr, 0xffffffff82a1b2c0ULL);
	ASSERT_EQ(watch_spec_parse(&w, "0xffff888000001000+4:log"), 0);
	EXPECT_EQ(w.addr, 0xffff888000001000ULL);
	EXPECT_EQ(w.offset, 4);
}

TEST(watch_spec_rejects)
{
	struct watch_spec w;
	static const char *const bad[] = {
	    "",	    ":dump", "sym:later",    "sym+2", "sym+x", "0x1002", "0",
	    "0xzz", "a/b",   "sym+4:dump:x", "+4",    "s y",   "sym+-4", "0x1000+0x2",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_clear();
		EXPECT_EQ(watch_spec_parse(&w, bad[i]), -EINVAL);
		EXPECT_NE(strstr(error_msg(), "--watch"), NULL);
	}
}

/* A message that wraps the previous one keeps it whole (error_set copies first). */
TEST(watch_spec_error_wraps_cleanly)
{
	struct watch_spec w;

	error_clear();
	EXPECT_EQ(watch_spec_parse(&w, "0x1002"), -EINVAL);
	EXPECT_TRUE(
	    !strcmp(error_msg(), "--watch 0x1002: watch address 0x1002 is not 4-byte aligned"));
}

TEST(dump_region_forms_and_rejects)
{
	struct dump_region r;
	static const char *const bad[] = {
	    "vm_swappiness",
	    "vm_swappiness:0",
	    "vm_swappiness:4097",
	    "vm_swappiness:x",
	    ":8",
	    "0:8",
	    "a/b:8",
	    "sym+:8",
	    "sym:-1",
	};

	ASSERT_EQ(dump_region_parse(&r, "init_task+0x10:64"), 0);
	EXPECT_TRUE(!strcmp(r.sym, "init_task"));
	EXPECT_EQ(r.offset, 16);
	EXPECT_EQ(r.len, 64);
	EXPECT_TRUE(!strcmp(r.label, "init_task+0x10"));
	/* no alignment needed for a dump */
	ASSERT_EQ(dump_region_parse(&r, "0xffff888000001003:4096"), 0);
	EXPECT_EQ(r.addr, 0xffff888000001003ULL);
	EXPECT_EQ(r.len, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		error_clear();
		EXPECT_EQ(dump_region_parse(&r, bad[i]), -EINVAL);
		EXPECT_NE(strstr(error_msg(), "--dump-mem"), NULL);
	}
}
