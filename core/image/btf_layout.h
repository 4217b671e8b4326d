/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a kernel keeps things, by name, from its BTF (libbpf's struct btf:
 * btf_image.h's, or one built by hand in tests): byte offsets and sizes of
 * struct members, through nested and anonymous structs and unions, and
 * enumerator values and names. The host reads guest kernel memory with
 * these; nothing about a kernel's layout is compiled into ktvm.
 */
#ifndef KTVM_CORE_BTF_LAYOUT_H
#define KTVM_CORE_BTF_LAYOUT_H

#include "core/base/types.h"

struct btf;

/*
 * The member path ("exit_kind", "ops.name": members separated by dots,
 * each looked up also inside anonymous structs and unions) of struct or
 * union type: its byte offset from the start of type and its size in
 * bytes. Returns 0, -ENOENT (no such type or member: an input error names
 * which), or -EINVAL (a bitfield or a member inside a non-struct, with an
 * input error).
 */
int btf_layout_member(const struct btf *btf, const char *type, const char *path, u32 *off,
		      u32 *size);
/* The size in bytes of struct or union type: 0, or -ENOENT with an input error. */
int btf_layout_struct_size(const struct btf *btf, const char *type, u32 *size);
/* The value of enumerator name (in any enum): 0, or -ENOENT with an input error. */
int btf_layout_enum_value(const struct btf *btf, const char *name, s64 *value);
/*
 * The name of value in the enum called type (NULL when the enum or the
 * value is not there). The string lives as long as btf.
 */
const char *btf_layout_enum_name(const struct btf *btf, const char *type, s64 value);

#endif
