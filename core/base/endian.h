/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Little-endian loads and stores at any alignment, for host code that reads
 * formats laid out in memory (kernel images, kallsyms tables). wire/ keeps
 * its own: it is shared with the guest and includes nothing of core/.
 */
#ifndef KTVM_CORE_BASE_ENDIAN_H
#define KTVM_CORE_BASE_ENDIAN_H

#include "core/base/types.h"

static inline u16 get_le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 get_le64(const u8 *p)
{
	return (u64)get_le32(p) | (u64)get_le32(p + 4) << 32;
}

static inline void put_le16(u8 *p, u16 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
}

static inline void put_le32(u8 *p, u32 v)
{
	put_le16(p, (u16)v);
	put_le16(p + 2, (u16)(v >> 16));
}

static inline void put_le64(u8 *p, u64 v)
{
	put_le32(p, (u32)v);
	put_le32(p + 4, (u32)(v >> 32));
}

#endif
