// SPDX-License-Identifier: GPL-2.0
/* The sched_ext exit trigger's layout from BTF (scx_btf.h). */
#include <bpf/btf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/base/error.h"
#include "core/image/btf_layout.h"
#include "core/run/scx_btf.h"

/* The enumerators of enum scx_exit_kind, by name: both kernels' (7.x adds some). */
static const char *const scx_btf_kinds[] = {
    "SCX_EXIT_NONE",	     "SCX_EXIT_DONE",	   "SCX_EXIT_UNREG",	   "SCX_EXIT_UNREG_BPF",
    "SCX_EXIT_UNREG_KERN",   "SCX_EXIT_SYSRQ",	   "SCX_EXIT_PARENT",	   "SCX_EXIT_PARENT_KILL",
    "SCX_EXIT_ERROR",	     "SCX_EXIT_ERROR_BPF", "SCX_EXIT_ERROR_STALL", "SCX_EXIT_ERROR_REENQ",
    "SCX_EXIT_ERROR_RESCUE",
};

static int scx_btf_off(const struct btf *btf, const char *type, const char *path, u32 *off)
{
	return btf_layout_member(btf, type, path, off, NULL);
}

static void scx_btf_rq(const struct btf *btf, struct scx_layout *lay)
{
	u32 sz;

	lay->have_rq = scx_btf_off(btf, "rq", "curr", &lay->rq_curr) == 0 &&
		       scx_btf_off(btf, "rq", "nr_running", &lay->rq_nr_running) == 0 &&
		       scx_btf_off(btf, "task_struct", "pid", &lay->task_pid) == 0 &&
		       btf_layout_member(btf, "task_struct", "comm", &lay->task_comm, &sz) == 0;
	if (lay->have_rq)
		lay->comm_len = sz;
	lay->rq_has_scx = scx_btf_off(btf, "rq", "scx.nr_running", &lay->rq_scx_nr_running) == 0;
	error_clear();
}

int scx_btf_layout(const struct btf *btf, struct scx_layout *lay)
{
	u32 v;
	s64 kv;

	memset(lay, 0, sizeof(*lay));
	if (btf__find_by_name_kind(btf, "sched_ext_ops", BTF_KIND_STRUCT) < 0)
		return error_input(-ENOENT, "the kernel has no sched_ext (BTF: no struct "
					    "sched_ext_ops; CONFIG_SCHED_CLASS_EXT is off)");
	if (btf_layout_member(btf, "sched_ext_ops", "name", &lay->ops_name, &lay->ops_name_len) <
		0 ||
	    scx_btf_off(btf, "scx_exit_info", "kind", &lay->ei_kind) < 0 ||
	    scx_btf_off(btf, "scx_exit_info", "reason", &lay->ei_reason) < 0 ||
	    scx_btf_off(btf, "scx_exit_info", "msg", &lay->ei_msg) < 0 ||
	    scx_btf_off(btf, "scx_exit_info", "bt", &lay->ei_bt) < 0 ||
	    scx_btf_off(btf, "scx_exit_info", "bt_len", &lay->ei_bt_len) < 0)
		return error_prefix(ERROR_INPUT, -ENOENT, "sched_ext layout");
	lay->ei_has_exit_cpu =
	    scx_btf_off(btf, "scx_exit_info", "exit_cpu", &lay->ei_exit_cpu) == 0;
	error_clear();
	/* 7.x: struct scx_sched holds the state; 6.12 has no such struct. */
	if (scx_btf_off(btf, "scx_sched", "exit_kind", &v) == 0) {
		lay->root = true;
		lay->sch_exit_kind = v;
		if (scx_btf_off(btf, "scx_sched", "exit_info", &lay->sch_exit_info) < 0 ||
		    scx_btf_off(btf, "scx_sched", "ops", &lay->sch_ops) < 0 ||
		    scx_btf_off(btf, "scx_sched", "watchdog_timeout", &lay->sch_watchdog) < 0)
			return error_prefix(ERROR_INPUT, -ENOENT, "sched_ext layout");
	}
	error_clear();
	for (size_t i = 0; i < sizeof(scx_btf_kinds) / sizeof(scx_btf_kinds[0]); i++) {
		if (lay->nr_kinds == SCX_KINDS_MAX)
			break;
		if (btf_layout_enum_value(btf, scx_btf_kinds[i], &kv) < 0)
			continue;
		lay->kinds[lay->nr_kinds].value = kv;
		snprintf(lay->kinds[lay->nr_kinds].name, sizeof(lay->kinds[0].name), "%s",
			 scx_btf_kinds[i]);
		lay->nr_kinds++;
	}
	/* enum scx_consts: SCX_WATCHDOG_MAX_TIMEOUT = 30 * HZ. */
	if (btf_layout_enum_value(btf, "SCX_WATCHDOG_MAX_TIMEOUT", &kv) == 0 && kv > 0 &&
	    kv % 30 == 0 && kv / 30 <= 10000)
		lay->hz = (u32)(kv / 30);
	error_clear();
	scx_btf_rq(btf, lay);
	return 0;
}
