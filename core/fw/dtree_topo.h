/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The topology's part of the device tree (dtree_topo.c) that dtree.c
 * places: its checks and the pieces of /cpus. dtree_topo_memory(), which
 * the arch places, is in dtree.h.
 */
#ifndef KTVM_CORE_FW_DTREE_TOPO_H
#define KTVM_CORE_FW_DTREE_TOPO_H

#include "core/fw/dtree.h"

/* 0, or -EINVAL with the error set. */
int dtree_topo_check(const struct dtree_desc *d);
/* In vCPU cpu's node: L1 caches, next-level-cache, numa-node-id, phandle. */
void dtree_topo_cpu(struct fdtw *w, const struct dtree_desc *d, u32 cpu);
/* In /cpus, after the cpu nodes: the L2 and L3 cache nodes and cpu-map. */
void dtree_topo_cpus(struct fdtw *w, const struct dtree_desc *d);

#endif
