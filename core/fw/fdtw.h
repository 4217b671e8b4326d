/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device-tree writer over libfdt's sequential-write API with an error
 * latch: after the first libfdt error every call does nothing, and
 * fdtw_finish() reports that one error, naming the node or property it
 * happened at. So the code that writes a tree is a plain list of nodes and
 * properties, with no check after each.
 *
 * The prefix is fdtw_ (and the type struct fdtw) because libfdt owns fdt_
 * and FDT_: nothing here may shadow one of its functions or macros.
 *
 * The root has #address-cells = #size-cells = 2 (fdtw_reg() writes that
 * form); the caller writes both properties (dtree_root()).
 */
#ifndef KTVM_CORE_FW_FDTW_H
#define KTVM_CORE_FW_FDTW_H

#include <stddef.h>

#include "core/base/types.h"

struct fdtw {
	void *fdt;
	size_t size;
	int err;	/* -FDT_ERR_*, 0 until the first error */
	char where[80]; /* the node or property it happened at */
};

/* Start a tree in buf (size bytes), with no memory reservations, and open the root node. */
void fdtw_create(struct fdtw *w, void *buf, size_t size);
/*
 * Close the root node and the tree. Returns the DTB's size, or, with the
 * error set: -ENOSPC (buf is too small), -EIO (libfdt refused the tree).
 */
int fdtw_finish(struct fdtw *w);

/* Open a child of the current node, named by fmt; fdtw_end() closes it. */
void __printf(2, 3) fdtw_begin(struct fdtw *w, const char *fmt, ...);
void fdtw_end(struct fdtw *w);

void fdtw_prop(struct fdtw *w, const char *name, const void *val, size_t len);
void fdtw_string(struct fdtw *w, const char *name, const char *s);
/* A string list, as a literal with embedded NULs: "a\0b" is <"a", "b">. */
#define fdtw_strings(w, name, lit) fdtw_prop(w, name, lit, sizeof(lit))
/* An empty property: its presence is the value ("interrupt-controller"). */
void fdtw_flag(struct fdtw *w, const char *name);
void fdtw_u32(struct fdtw *w, const char *name, u32 v);
void fdtw_u64(struct fdtw *w, const char *name, u64 v);
/* nr 32-bit cells (at most 16): interrupts, distance-matrix rows. */
void fdtw_cells(struct fdtw *w, const char *name, const u32 *cells, size_t nr);
/* reg = <base size ...>: nr (1 or 2) pairs of two cells each, the root's #address-cells and #size-cells. */
void fdtw_reg(struct fdtw *w, u64 base0, u64 size0, u64 base1, u64 size1, int nr);

#endif
