/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sched_ext exit trigger's layout (core/debug/scx.h) from a kernel's
 * BTF: 7.x kernels keep the exit state in struct scx_sched (behind
 * scx_root), 6.12 in static variables; which one shows in the BTF (struct
 * scx_sched with a member exit_kind). Every offset is looked up by name.
 */
#ifndef KTVM_CORE_RUN_SCX_BTF_H
#define KTVM_CORE_RUN_SCX_BTF_H

#include "core/debug/scx.h"

struct btf;

/*
 * Fill lay from btf. 0, or -ENOENT with an input error naming what is
 * missing (no sched_ext in this kernel, or a layout ktvm does not know).
 * The dumps' per-CPU view (struct rq, task_struct) is optional: without
 * it lay->have_rq is false.
 */
int scx_btf_layout(const struct btf *btf, struct scx_layout *lay);

#endif
