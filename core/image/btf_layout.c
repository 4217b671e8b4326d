// SPDX-License-Identifier: GPL-2.0
/* Offsets, sizes and enumerators by name from a kernel's BTF (btf_layout.h). */
#include <bpf/btf.h>
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/image/btf_layout.h"

/* Nested anonymous members searched at most (a kernel nests 3-4 deep). */
#define BTF_LAYOUT_DEPTH 8

/* The struct or union called name: its type id, or a negative errno. */
static int btf_layout_find_struct(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	return id < 0 ? -ENOENT : id;
}

/* Type id with modifiers and typedefs peeled off. */
static u32 btf_layout_peel(const struct btf *btf, u32 id)
{
	for (int i = 0; i < 32; i++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			return id;
		switch (btf_kind(t)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return id;
		}
	}
	return id;
}

/*
 * Members looked at in one lookup, at most. A kernel's search takes a few
 * hundred; the bound is for BTF from the guest (tools/watch_opts.c), where
 * anonymous members that contain their own type, or many of them per
 * level, would otherwise make the search exponential.
 */
#define BTF_LAYOUT_BUDGET (1u << 20)

/*
 * Find member name in struct/union id, also inside anonymous members: its
 * bit offset from the start of id and its type. 1 found, 0 not, -EINVAL a
 * bitfield, -E2BIG the budget spent. path[0..depth) are the types being
 * searched around this one: an anonymous member of one of them is skipped.
 */
static int btf_layout_find_member(const struct btf *btf, u32 id, const char *name, size_t len,
				  u32 *path, int depth, u32 *budget, u64 *bits, u32 *type)
{
	const struct btf_type *t;
	const struct btf_member *m;

	id = btf_layout_peel(btf, id);
	t = btf__type_by_id(btf, id);
	if (!t || !btf_is_composite(t) || depth >= BTF_LAYOUT_DEPTH)
		return 0;
	for (int d = 0; d < depth; d++)
		if (path[d] == id)
			return 0; /* it contains itself: nothing new below */
	path[depth] = id;
	m = btf_members(t);
	for (u16 i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);
		u64 off = btf_member_bit_offset(t, i);

		if (!*budget)
			return -E2BIG;
		(*budget)--;
		if (mn && mn[0]) {
			if (strlen(mn) != len || memcmp(mn, name, len))
				continue;
			if (btf_member_bitfield_size(t, i) || off % 8)
				return -EINVAL;
			*bits = off;
			*type = m->type;
			return 1;
		}
		/* Anonymous struct or union: its members are the outer one's. */
		int r = btf_layout_find_member(btf, m->type, name, len, path, depth + 1, budget,
					       bits, type);

		if (r > 0)
			*bits += off;
		if (r)
			return r;
	}
	return 0;
}

int btf_layout_member(const struct btf *btf, const char *type, const char *path, u32 *off,
		      u32 *size)
{
	int id = btf_layout_find_struct(btf, type);
	u64 total = 0;
	u32 cur;
	const char *p = path;
	__s64 sz;

	if (id < 0)
		return error_input(-ENOENT, "BTF: no struct %s", type);
	cur = (u32)id;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		u64 bits = 0;
		u32 mtype = 0, around[BTF_LAYOUT_DEPTH], budget = BTF_LAYOUT_BUDGET;
		int r = btf_layout_find_member(btf, cur, p, len, around, 0, &budget, &bits, &mtype);

		if (r == -E2BIG)
			return error_input(-E2BIG,
					   "BTF: looking for %s.%s took over %u members (a "
					   "malformed BTF: anonymous members nested in circles)",
					   type, path, BTF_LAYOUT_BUDGET);
		if (r < 0)
			return error_input(-EINVAL, "BTF: %s.%s is a bitfield", type, path);
		if (r == 0)
			return error_input(-ENOENT, "BTF: struct %s has no member %s", type, path);
		total += bits / 8;
		cur = mtype;
		if (!dot)
			break;
		p = dot + 1;
	}
	sz = btf__resolve_size(btf, cur);
	if (sz < 0 || total > 0xffffffffu)
		return error_input(-EINVAL, "BTF: %s.%s has no size", type, path);
	*off = (u32)total;
	if (size)
		*size = (u32)sz;
	return 0;
}

int btf_layout_struct_size(const struct btf *btf, const char *type, u32 *size)
{
	int id = btf_layout_find_struct(btf, type);
	const struct btf_type *t;

	if (id < 0 || !(t = btf__type_by_id(btf, (u32)id)))
		return error_input(-ENOENT, "BTF: no struct %s", type);
	*size = t->size;
	return 0;
}

int btf_layout_enum_value(const struct btf *btf, const char *name, s64 *value)
{
	u32 n = btf__type_cnt(btf);

	for (u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);

		if (!t)
			continue;
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);

			for (u16 i = 0; i < btf_vlen(t); i++, e++) {
				const char *en = btf__name_by_offset(btf, e->name_off);

				if (en && !strcmp(en, name)) {
					*value = btf_kflag(t) ? (s64)e->val : (s64)(u32)e->val;
					return 0;
				}
			}
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (u16 i = 0; i < btf_vlen(t); i++, e++) {
				const char *en = btf__name_by_offset(btf, e->name_off);

				if (en && !strcmp(en, name)) {
					*value = (s64)btf_enum64_value(e);
					return 0;
				}
			}
		}
	}
	return error_input(-ENOENT, "BTF: no enumerator %s", name);
}

const char *btf_layout_enum_name(const struct btf *btf, const char *type, s64 value)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	const struct btf_type *t;

	if (id < 0) {
		id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM64);
		if (id < 0 || !(t = btf__type_by_id(btf, (u32)id)))
			return NULL;
		const struct btf_enum64 *e = btf_enum64(t);

		for (u16 i = 0; i < btf_vlen(t); i++, e++)
			if ((s64)btf_enum64_value(e) == value)
				return btf__name_by_offset(btf, e->name_off);
		return NULL;
	}
	t = btf__type_by_id(btf, (u32)id);
	if (!t)
		return NULL;
	const struct btf_enum *e = btf_enum(t);

	for (u16 i = 0; i < btf_vlen(t); i++, e++) {
		s64 v = btf_kflag(t) ? (s64)e->val : (s64)(u32)e->val;

		if (v == value)
			return btf__name_by_offset(btf, e->name_off);
	}
	return NULL;
}
