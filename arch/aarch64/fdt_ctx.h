/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device tree being written (fdt.c) and the property writers that
 * fdt.c and fdt_topo.c share. After the first libfdt error every call does
 * nothing; a64_fdt_build() reports it once, naming where it happened.
 */
#ifndef KTVM_ARCH_AARCH64_FDT_CTX_H
#define KTVM_ARCH_AARCH64_FDT_CTX_H

#include <stddef.h>

#include "arch/aarch64/fdt.h"
#include "core/base/types.h"

struct a64_fdt_ctx {
	void *fdt;
	int err;	/* -FDT_ERR_* */
	char where[80]; /* the node or property it happened at */
};

void __printf(2, 3) a64_fdt_begin(struct a64_fdt_ctx *c, const char *fmt, ...);
void a64_fdt_end(struct a64_fdt_ctx *c);
void a64_fdt_prop(struct a64_fdt_ctx *c, const char *name, const void *val, size_t len);
void a64_fdt_string(struct a64_fdt_ctx *c, const char *name, const char *s);
void a64_fdt_flag(struct a64_fdt_ctx *c, const char *name);
void a64_fdt_u32(struct a64_fdt_ctx *c, const char *name, u32 v);
void a64_fdt_u64(struct a64_fdt_ctx *c, const char *name, u64 v);
/* reg = <base size ...>: two cells each, the root's #address-cells and #size-cells. */
void a64_fdt_reg(struct a64_fdt_ctx *c, u64 base0, u64 size0, u64 base1, u64 size1, int nr);

/*
 * The topology's part of the tree (fdt_topo.c), checked first by
 * a64_fdt_topo_check() (0, or -EINVAL with the error set).
 */
int a64_fdt_topo_check(const struct a64_fdt_desc *d);
/* In vCPU cpu's node: L1 caches, next-level-cache, numa-node-id, phandle. */
void a64_fdt_topo_cpu(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d, u32 cpu);
/* In /cpus, after the cpu nodes: the L2 and L3 cache nodes and cpu-map. */
void a64_fdt_topo_cpus(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d);
/* At the root: the memory nodes and, with more than one node, /distance-map. */
void a64_fdt_topo_memory(struct a64_fdt_ctx *c, const struct a64_fdt_desc *d);

#endif
