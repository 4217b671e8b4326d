// SPDX-License-Identifier: GPL-2.0
/*
 * The sched_ext exit trigger below the VM: the rebind transitions
 * (core/debug/scx.c), the watch table's value filter (core/debug/watch.c),
 * member offsets and enumerators by name (core/image/btf_layout.c), and the
 * trigger's layout (core/run/scx_btf.c) from BTF built here in the shapes of
 * 6.12 (static state) and 7.x (struct scx_sched, an anonymous union around
 * the ops), and from Debian's real 7.x kernels where they are cached.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/base/error.h"
#include "core/debug/scx.h"
#include "core/debug/watch.h"
#include "core/image/btf_image.h"
#include "core/image/btf_layout.h"
#include "core/run/scx_btf.h"
#include "tests/test.h"

TEST(scx_rebind_transitions)
{
	const u64 a = 0xffff888004a0f000ull, b = 0xffff888004b10000ull;

	EXPECT_EQ(scx_rebind_step(0, 0, false), SCX_UNCHANGED);
	EXPECT_EQ(scx_rebind_step(a, a, true), SCX_UNCHANGED);
	EXPECT_EQ(scx_rebind_step(0, a, true), SCX_PUBLISHED);
	EXPECT_EQ(scx_rebind_step(0, a, false), SCX_DEFERRED);
	EXPECT_EQ(scx_rebind_step(a, 0, false), SCX_DETACHED);
	EXPECT_EQ(scx_rebind_step(a, b, true), SCX_REBIND);
	EXPECT_EQ(scx_rebind_step(a, b, false), SCX_DEFERRED);
	EXPECT_STREQ(scx_rebind_name(SCX_REBIND), "rebind");
	EXPECT_STREQ(scx_rebind_name(SCX_DEFERRED), "deferred");
}

/* A hit on slot with value v (ok: readable) against the published table. */
static int hit_value(struct watch_table *t, u32 slot, u32 v, bool ok)
{
	struct watch_hw hw;
	struct watch_hit h = {.vcpu = 0, .slot = slot, .value = v, .value_ok = ok};

	watch_get(t, &hw);
	h.addr = hw.addr[slot];
	return watch_hit(t, &hw, &h);
}

TEST(watch_filter_ge_error_kinds)
{
	struct watch_table t;
	struct watch_slot s;

	watch_init(&t, 1);
	ASSERT_EQ(watch_set(&t, WATCH_SLOT_SCHED, 0xffff888000001000ull, WATCH_DUMP, "kind"), 1);
	ASSERT_EQ(watch_set_filter(&t, WATCH_SLOT_SCHED, WATCH_FILTER_GE, SCX_EXIT_ERROR_MIN), 0);
	/* Clean kinds are recorded but only logged: DONE, UNREG, UNREG_BPF, SYSRQ. */
	EXPECT_EQ(hit_value(&t, 0, 0, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 1, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 64, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 65, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 1023, true), WATCH_LOG);
	/* An unreadable value never freezes. */
	EXPECT_EQ(hit_value(&t, 0, 1025, false), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 1024, true), WATCH_DUMP);
	EXPECT_EQ(hit_value(&t, 0, 1026, true), WATCH_DUMP);
	EXPECT_EQ(t.nr_hits, 8);
	watch_slot_get(&t, 0, &s);
	EXPECT_EQ(s.filtered, 6);
	/* The filter stays over a move; EQ matches one value; NONE lets all act. */
	ASSERT_EQ(watch_set(&t, 0, 0xffff888000002000ull, WATCH_DUMP, "kind"), 1);
	ASSERT_EQ(watch_applied(&t, 0, t.pub.gen), 1);
	EXPECT_EQ(hit_value(&t, 0, 64, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 1025, true), WATCH_DUMP);
	ASSERT_EQ(watch_set_filter(&t, 0, WATCH_FILTER_EQ, 7), 0);
	EXPECT_EQ(hit_value(&t, 0, 8, true), WATCH_LOG);
	EXPECT_EQ(hit_value(&t, 0, 7, true), WATCH_DUMP);
	ASSERT_EQ(watch_set_filter(&t, 0, WATCH_FILTER_NONE, 0), 0);
	EXPECT_EQ(hit_value(&t, 0, 0, false), WATCH_DUMP);
	/* Bad input. */
	EXPECT_EQ(watch_set_filter(&t, WATCH_SLOTS, WATCH_FILTER_GE, 1), -EINVAL);
	EXPECT_EQ(watch_set_filter(&t, 0, (enum watch_filter)9, 1), -EINVAL);
	watch_destroy(&t);
}

/* Adds enum scx_exit_kind as both kernels have it (7.x: with REENQ/RESCUE). */
static int add_kinds(struct btf *b, bool v7)
{
	static const struct {
		const char *n;
		int v;
	} k[] = {{"SCX_EXIT_NONE", 0},		 {"SCX_EXIT_DONE", 1},
		 {"SCX_EXIT_UNREG", 64},	 {"SCX_EXIT_UNREG_BPF", 65},
		 {"SCX_EXIT_UNREG_KERN", 66},	 {"SCX_EXIT_SYSRQ", 67},
		 {"SCX_EXIT_ERROR", 1024},	 {"SCX_EXIT_ERROR_BPF", 1025},
		 {"SCX_EXIT_ERROR_STALL", 1026}, {"SCX_EXIT_ERROR_REENQ", 1027}};
	int id = btf__add_enum(b, "scx_exit_kind", 4), err = 0;

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (v7 || k[i].v < 1027)
			err |= btf__add_enum_value(b, k[i].n, k[i].v);
	return err < 0 ? err : id;
}

/*
 * BTF in the shape of a kernel's sched_ext types: 6.12 (v7 false: no
 * struct scx_sched, scx_exit_info without exit_cpu) or 7.x.
 */
static struct btf *make_scx_btf(bool v7)
{
	struct btf *b = btf__new_empty();
	int u32id, s64id, chr, cptr, ulp, name_arr, kind, ops, ei, ptr_ei, err = 0;

	ASSERT_TRUE(b != NULL);
	u32id = btf__add_int(b, "unsigned int", 4, 0);
	s64id = btf__add_int(b, "long long", 8, BTF_INT_SIGNED);
	chr = btf__add_int(b, "char", 1, BTF_INT_CHAR);
	cptr = btf__add_ptr(b, chr);
	ulp = btf__add_ptr(b, u32id);
	name_arr = btf__add_array(b, u32id, chr, 128);
	kind = add_kinds(b, v7);
	ops = btf__add_struct(b, "sched_ext_ops", 264);
	err |= btf__add_field(b, "flags", u32id, 0, 0);
	err |= btf__add_field(b, "timeout_ms", u32id, 32, 0);
	err |= btf__add_field(b, "name", name_arr, 136 * 8, 0);
	ei = btf__add_struct(b, "scx_exit_info", v7 ? 72 : 56);
	err |= btf__add_field(b, "kind", kind, 0, 0);
	if (v7) {
		err |= btf__add_field(b, "exit_cpu", u32id, 32, 0);
		err |= btf__add_field(b, "exit_code", s64id, 64, 0);
		err |= btf__add_field(b, "flags", s64id, 128, 0);
		err |= btf__add_field(b, "reason", cptr, 192, 0);
		err |= btf__add_field(b, "bt", ulp, 256, 0);
		err |= btf__add_field(b, "bt_len", u32id, 320, 0);
		err |= btf__add_field(b, "msg", cptr, 384, 0);
		err |= btf__add_field(b, "dump", cptr, 448, 0);
	} else {
		err |= btf__add_field(b, "exit_code", s64id, 64, 0);
		err |= btf__add_field(b, "reason", cptr, 128, 0);
		err |= btf__add_field(b, "bt", ulp, 192, 0);
		err |= btf__add_field(b, "bt_len", u32id, 256, 0);
		err |= btf__add_field(b, "msg", cptr, 320, 0);
		err |= btf__add_field(b, "dump", cptr, 384, 0);
	}
	ptr_ei = btf__add_ptr(b, ei);
	if (v7) {
		/* union { struct sched_ext_ops ops; ... }; then the state. */
		int un = btf__add_union(b, NULL, 264);

		err |= btf__add_field(b, "ops", ops, 0, 0);
		err |= btf__add_field(b, "ops_cid", ops, 0, 0);
		err |= btf__add_struct(b, "scx_sched", 512);
		err |= btf__add_field(b, NULL, un, 0, 0);
		err |= btf__add_field(b, "is_cid_type", chr, 264 * 8, 0);
		err |= btf__add_field(b, "warned", u32id, 265 * 8, 1); /* a bitfield */
		err |= btf__add_field(b, "watchdog_timeout", s64id, 400 * 8, 0);
		err |= btf__add_field(b, "exit_kind", u32id, 408 * 8, 0);
		err |= btf__add_field(b, "exit_info", ptr_ei, 416 * 8, 0);
	}
	ASSERT_TRUE(u32id > 0 && s64id > 0 && cptr > 0 && ulp > 0 && name_arr > 0 && kind > 0 &&
		    ops > 0 && ei > 0 && ptr_ei > 0 && err >= 0);
	return b;
}

TEST(btf_layout_members_by_name)
{
	struct btf *b = make_scx_btf(true);
	u32 off = 0, size = 0;
	s64 v = 0;

	EXPECT_EQ(btf_layout_member(b, "scx_sched", "exit_kind", &off, &size), 0);
	EXPECT_EQ(off, 408);
	EXPECT_EQ(size, 4);
	/* Through the anonymous union, then into the struct. */
	EXPECT_EQ(btf_layout_member(b, "scx_sched", "ops.name", &off, &size), 0);
	EXPECT_EQ(off, 136);
	EXPECT_EQ(size, 128);
	EXPECT_EQ(btf_layout_member(b, "scx_exit_info", "msg", &off, NULL), 0);
	EXPECT_EQ(off, 48);
	EXPECT_EQ(btf_layout_struct_size(b, "scx_sched", &size), 0);
	EXPECT_EQ(size, 512);
	EXPECT_EQ(btf_layout_enum_value(b, "SCX_EXIT_ERROR_STALL", &v), 0);
	EXPECT_EQ(v, 1026);
	EXPECT_STREQ(btf_layout_enum_name(b, "scx_exit_kind", 1025), "SCX_EXIT_ERROR_BPF");
	EXPECT_TRUE(btf_layout_enum_name(b, "scx_exit_kind", 5) == NULL);
	EXPECT_TRUE(btf_layout_enum_name(b, "no_such_enum", 1) == NULL);
	/* Missing things and bitfields are errors that say so. */
	error_clear();
	EXPECT_EQ(btf_layout_member(b, "scx_sched", "no_such", &off, NULL), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "no member no_such") != NULL);
	EXPECT_EQ(btf_layout_member(b, "no_struct", "x", &off, NULL), -ENOENT);
	EXPECT_EQ(btf_layout_member(b, "scx_sched", "ops.no_such", &off, NULL), -ENOENT);
	EXPECT_EQ(btf_layout_member(b, "scx_sched", "exit_kind.x", &off, NULL), -ENOENT);
	EXPECT_EQ(btf_layout_member(b, "scx_sched", "warned", &off, NULL), -EINVAL);
	EXPECT_EQ(btf_layout_enum_value(b, "SCX_NOPE", &v), -ENOENT);
	btf__free(b);
}

TEST(scx_layout_6_12_static_state)
{
	struct btf *b = make_scx_btf(false);
	struct scx_layout lay;

	ASSERT_EQ(scx_btf_layout(b, &lay), 0);
	EXPECT_FALSE(lay.root);
	EXPECT_EQ(lay.ops_name, 136);
	EXPECT_EQ(lay.ops_name_len, 128);
	EXPECT_EQ(lay.ei_kind, 0);
	EXPECT_EQ(lay.ei_reason, 16);
	EXPECT_EQ(lay.ei_msg, 40);
	EXPECT_EQ(lay.ei_bt, 24);
	EXPECT_EQ(lay.ei_bt_len, 32);
	EXPECT_FALSE(lay.ei_has_exit_cpu);
	EXPECT_FALSE(lay.have_rq); /* no struct rq here: the dumps leave the CPUs out */
	EXPECT_STREQ(scx_kind_name(&lay, 1026), "SCX_EXIT_ERROR_STALL");
	EXPECT_TRUE(scx_kind_name(&lay, 1027) == NULL); /* 7.x only */
	btf__free(b);
}

TEST(scx_layout_7_scx_sched)
{
	struct btf *b = make_scx_btf(true);
	struct scx_layout lay;

	ASSERT_EQ(scx_btf_layout(b, &lay), 0);
	EXPECT_TRUE(lay.root);
	EXPECT_EQ(lay.sch_exit_kind, 408);
	EXPECT_EQ(lay.sch_exit_info, 416);
	EXPECT_EQ(lay.sch_ops, 0);
	EXPECT_TRUE(lay.ei_has_exit_cpu);
	EXPECT_EQ(lay.ei_exit_cpu, 4);
	EXPECT_EQ(lay.ei_msg, 48);
	EXPECT_STREQ(scx_kind_name(&lay, 1027), "SCX_EXIT_ERROR_REENQ");
	btf__free(b);
}

TEST(scx_layout_refuses_a_kernel_without_sched_ext)
{
	struct btf *b = btf__new_empty();
	struct scx_layout lay;

	ASSERT_TRUE(b != NULL);
	ASSERT_TRUE(btf__add_int(b, "int", 4, BTF_INT_SIGNED) > 0);
	error_clear();
	EXPECT_EQ(scx_btf_layout(b, &lay), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "CONFIG_SCHED_CLASS_EXT") != NULL);
	btf__free(b);
}

static void check_debian_7(const char *rel)
{
	size_t len;
	void *map = test_debian_map(rel, &len);
	struct btf_image bi;
	struct scx_layout lay;
	u32 off;

	ASSERT_EQ(btf_image_open(map, len, &bi), 0);
	ASSERT_EQ(scx_btf_layout(bi.btf, &lay), 0);
	EXPECT_TRUE(lay.root);
	EXPECT_GT(lay.sch_exit_kind, 0);
	/* atomic_t exit_kind, then the exit_info pointer (7.3's order). */
	EXPECT_EQ(lay.sch_exit_info, lay.sch_exit_kind + 8);
	EXPECT_EQ(lay.ops_name_len, 128);
	EXPECT_TRUE(lay.ei_has_exit_cpu);
	EXPECT_TRUE(lay.have_rq);
	EXPECT_TRUE(lay.rq_has_scx);
	EXPECT_EQ(lay.comm_len, 16);
	EXPECT_EQ(lay.hz, 250); /* Debian's CONFIG_HZ on both arches */
	EXPECT_GT(lay.sch_watchdog, 0);
	EXPECT_STREQ(scx_kind_name(&lay, 1025), "SCX_EXIT_ERROR_BPF");
	EXPECT_STREQ(scx_kind_name(&lay, 64), "SCX_EXIT_UNREG");
	EXPECT_EQ(btf_layout_member(bi.btf, "scx_sched", "watchdog_timeout", &off, NULL), 0);
	printf("    scx_sched: exit_kind +%u, exit_info +%u, ops.name +%u; rq.curr +%u\n",
	       lay.sch_exit_kind, lay.sch_exit_info, lay.sch_ops + lay.ops_name, lay.rq_curr);
	btf_image_close(&bi);
	munmap(map, len);
}

TEST(scx_layout_debian_7_amd64)
{
	check_debian_7("amd64/linux-7/vmlinux");
}

TEST(scx_layout_debian_7_arm64)
{
	check_debian_7("arm64/linux-7/Image");
}
