/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading back a device tree the tests built into dtb, with libfdt's read
 * API, failing the case with the path and the property when something is
 * missing or the wrong size; and topology_make(), a finished topology from
 * the command-line forms. Shared by the arch-neutral tests
 * (tests/unit/dtree_fixture.h) and arm64's (tests/unit/aarch64/fdt_fixture.h).
 */
#ifndef KTVM_TESTS_UNIT_DTB_READ_H
#define KTVM_TESTS_UNIT_DTB_READ_H

#include <libfdt.h>
#include <string.h>

#include "core/vm/topology.h"
#include "tests/test.h"

static u8 dtb[256 * KiB];

static inline int node(const char *path)
{
	int off = fdt_path_offset(dtb, path);

	if (off < 0)
		printf("  node %s: %s\n", path, fdt_strerror(off));
	ASSERT_GE(off, 0);
	return off;
}

static inline const void *prop(const char *path, const char *name, int *len)
{
	const void *p = fdt_getprop(dtb, node(path), name, len);

	if (!p)
		printf("  %s: no property %s\n", path, name);
	ASSERT_TRUE(p);
	return p;
}

static inline bool has_prop(const char *path, const char *name)
{
	return fdt_getprop(dtb, node(path), name, NULL) != NULL;
}

static inline u32 prop_u32(const char *path, const char *name)
{
	int len;
	const void *p = prop(path, name, &len);

	ASSERT_EQ(len, 4);
	return fdt32_ld(p);
}

static inline u64 prop_u64(const char *path, const char *name)
{
	int len;
	const void *p = prop(path, name, &len);

	ASSERT_EQ(len, 8);
	return fdt64_ld(p);
}

static inline const char *prop_str(const char *path, const char *name)
{
	int len;
	const char *p = prop(path, name, &len);

	ASSERT_GT(len, 0);
	ASSERT_EQ(strnlen(p, (size_t)len), (size_t)len - 1);
	return p;
}

static inline void expect_empty(const char *path, const char *name)
{
	int len;

	prop(path, name, &len);
	EXPECT_EQ(len, 0);
}

/* A property of 32-bit cells equals want[0..n). */
static inline void expect_cells(const char *path, const char *name, const u32 *want, int n)
{
	int len, i;
	const fdt32_t *p = prop(path, name, &len);

	ASSERT_EQ(len, n * 4);
	for (i = 0; i < n; i++)
		if (fdt32_ld(&p[i]) != want[i])
			printf("  %s %s: cell %d\n", path, name, i);
	for (i = 0; i < n; i++)
		EXPECT_EQ(fdt32_ld(&p[i]), want[i]);
}

/* A one-cell property of the node at off; -1 if it has none. */
static inline s64 cell(int off, const char *name)
{
	int len;
	const fdt32_t *p = fdt_getprop(dtb, off, name, &len);

	if (!p)
		return -1;
	ASSERT_EQ(len, 4);
	return fdt32_ld(p);
}

static inline int children(int off)
{
	int child, n = 0;

	fdt_for_each_subnode(child, dtb, off) n++;
	return n;
}

/*
 * A finished topology from the command-line forms: shape "N,L,C,T",
 * numa_mem "M0,M1,..." or NULL for an even split of mem_mib, dist as
 * --numa-dist or NULL; at most max_cpus vCPUs.
 */
static inline void topology_make(struct topology *t, const char *shape, u64 mem_mib,
				 const char *numa_mem, const char *dist, u32 max_cpus)
{
	memset(t, 0, sizeof(*t));
	ASSERT_EQ(topology_parse_shape(t, shape), 0);
	if (numa_mem)
		ASSERT_EQ(topology_parse_mem(t, numa_mem), 0);
	if (dist)
		ASSERT_EQ(topology_parse_dist(t, dist), 0);
	ASSERT_EQ(topology_finish(t, &mem_mib, max_cpus), 0);
}

#endif
