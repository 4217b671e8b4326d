// SPDX-License-Identifier: GPL-2.0
/*
 * The device-tree writer (fdtw.h): libfdt's sequential-write calls
 * (libfdt.h, "Sequential write functions"), each skipped once one failed.
 * The DTB format itself: the Devicetree Specification 0.4, chapter 5.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "core/base/error.h"
#include "core/fw/fdtw.h"

#define FDTW_MAX_CELLS 16

static void fdtw_note(struct fdtw *w, int ret, const char *what)
{
	if (ret < 0 && !w->err) {
		w->err = ret;
		snprintf(w->where, sizeof(w->where), "%s", what);
	}
}

void fdtw_create(struct fdtw *w, void *buf, size_t size)
{
	memset(w, 0, sizeof(*w));
	w->fdt = buf;
	w->size = size;
	fdtw_note(w, fdt_create(buf, (int)MIN(size, (size_t)INT_MAX)), "header");
	if (!w->err)
		fdtw_note(w, fdt_finish_reservemap(buf), "memory reservation map");
	fdtw_begin(w, "%s", "");
}

int fdtw_finish(struct fdtw *w)
{
	fdtw_end(w);
	if (!w->err)
		fdtw_note(w, fdt_finish(w->fdt), "end of tree");
	if (!w->err)
		fdtw_note(w, fdt_check_header(w->fdt), "header check");

	if (w->err == -FDT_ERR_NOSPACE)
		return error_host(-ENOSPC, "device tree: does not fit in %zu bytes", w->size);
	if (w->err)
		return error_host(-EIO, "device tree: libfdt: %s (at %s)", fdt_strerror(w->err),
				  w->where);
	return (int)fdt_totalsize(w->fdt);
}

void __printf(2, 3) fdtw_begin(struct fdtw *w, const char *fmt, ...)
{
	char name[64];
	va_list ap;

	if (w->err)
		return;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	fdtw_note(w, fdt_begin_node(w->fdt, name), name);
}

void fdtw_end(struct fdtw *w)
{
	if (!w->err)
		fdtw_note(w, fdt_end_node(w->fdt), "end of node");
}

void fdtw_prop(struct fdtw *w, const char *name, const void *val, size_t len)
{
	if (!w->err)
		fdtw_note(w, fdt_property(w->fdt, name, val, (int)len), name);
}

void fdtw_string(struct fdtw *w, const char *name, const char *s)
{
	fdtw_prop(w, name, s, strlen(s) + 1);
}

void fdtw_flag(struct fdtw *w, const char *name)
{
	fdtw_prop(w, name, "", 0);
}

void fdtw_u32(struct fdtw *w, const char *name, u32 v)
{
	fdt32_t be = cpu_to_fdt32(v);

	fdtw_prop(w, name, &be, sizeof(be));
}

void fdtw_u64(struct fdtw *w, const char *name, u64 v)
{
	fdt64_t be = cpu_to_fdt64(v);

	fdtw_prop(w, name, &be, sizeof(be));
}

void fdtw_cells(struct fdtw *w, const char *name, const u32 *cells, size_t nr)
{
	fdt32_t be[FDTW_MAX_CELLS];
	size_t i;

	for (i = 0; i < nr && i < ARRAY_SIZE(be); i++)
		be[i] = cpu_to_fdt32(cells[i]);
	fdtw_prop(w, name, be, i * sizeof(be[0]));
}

void fdtw_reg(struct fdtw *w, u64 base0, u64 size0, u64 base1, u64 size1, int nr)
{
	fdt64_t be[4] = {cpu_to_fdt64(base0), cpu_to_fdt64(size0), cpu_to_fdt64(base1),
			 cpu_to_fdt64(size1)};

	fdtw_prop(w, "reg", be, (size_t)MIN(nr, 2) * 2 * sizeof(be[0]));
}
