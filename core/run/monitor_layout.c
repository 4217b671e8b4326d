// SPDX-License-Identifier: GPL-2.0
/* The monitor's view of struct rq and task_struct, from BTF (monitor_layout.h). */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/image/btf_layout.h"
#include "core/run/monitor_layout.h"

static const struct {
	const char *type;
	const char *paths[2]; /* the name, then an older or newer one */
	u32 size;	      /* the size expected; 0: up to 8 bytes */
	bool required;
} monitor_fields_tab[MF_COUNT] = {
    [MF_RQ_CLOCK] = {"rq", {"clock"}, 8, true},
    [MF_RQ_NR_RUNNING] = {"rq", {"nr_running"}, 4, true},
    [MF_RQ_CURR] = {"rq", {"curr"}, 8, true},
    [MF_RQ_CFS_NR] = {"rq", {"cfs.h_nr_running", "cfs.h_nr_queued"}, 4, false},
    [MF_RQ_SCX_NR] = {"rq", {"scx.nr_running"}, 4, false},
    [MF_RQ_SCX_FLAGS] = {"rq", {"scx.flags"}, 4, false},
    [MF_RQ_SCHED_COUNT] = {"rq", {"sched_count"}, 4, false},
    [MF_RQ_YLD_COUNT] = {"rq", {"yld_count"}, 4, false},
    [MF_RQ_CPU] = {"rq", {"cpu"}, 4, false},
    [MF_TASK_PID] = {"task_struct", {"pid"}, 4, true},
    [MF_TASK_COMM] = {"task_struct", {"comm"}, 16, true},
};

const char *monitor_field_name(enum monitor_fields i)
{
	static const char *const names[MF_COUNT] = {
	    [MF_RQ_CLOCK] = "rq.clock",
	    [MF_RQ_NR_RUNNING] = "rq.nr_running",
	    [MF_RQ_CURR] = "rq.curr",
	    [MF_RQ_CFS_NR] = "rq.cfs.h_nr_running",
	    [MF_RQ_SCX_NR] = "rq.scx.nr_running",
	    [MF_RQ_SCX_FLAGS] = "rq.scx.flags",
	    [MF_RQ_SCHED_COUNT] = "rq.sched_count",
	    [MF_RQ_YLD_COUNT] = "rq.yld_count",
	    [MF_RQ_CPU] = "rq.cpu",
	    [MF_TASK_PID] = "task_struct.pid",
	    [MF_TASK_COMM] = "task_struct.comm",
	};

	return (unsigned int)i < MF_COUNT ? names[i] : "?";
}

int monitor_layout_get(const struct btf *btf, struct monitor_layout *lay)
{
	memset(lay, 0, sizeof(*lay));
	for (int i = 0; i < MF_COUNT; i++) {
		struct monitor_field *f = &lay->f[i];
		u32 off, size;
		int ret = -ENOENT;

		for (int k = 0; k < 2 && monitor_fields_tab[i].paths[k] && ret < 0; k++)
			ret = btf_layout_member(btf, monitor_fields_tab[i].type,
						monitor_fields_tab[i].paths[k], &off, &size);
		if (ret == 0 && size != monitor_fields_tab[i].size)
			ret = error_input(-ENOENT, "%s is %u bytes (the monitor reads %u)",
					  monitor_field_name(i), size, monitor_fields_tab[i].size);
		if (ret < 0) {
			if (monitor_fields_tab[i].required)
				return error_prefix(ERROR_INPUT, -ENOENT, "monitor");
			error_clear();
			continue;
		}
		f->off = off;
		f->size = size;
	}
	if (btf_layout_struct_size(btf, "rq", &lay->rq_size) < 0)
		return error_prefix(ERROR_INPUT, -ENOENT, "monitor");
	return 0;
}
