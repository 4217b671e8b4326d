/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width types and small helpers used everywhere in ktvm. */
#ifndef KTVM_CORE_TYPES_H
#define KTVM_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)     ((a) < (b) ? (a) : (b))
#define MAX(a, b)     ((a) > (b) ? (a) : (b))
/* a must be a power of two */
#define ALIGN_UP(x, a)	 (((x) + ((a)-1)) & ~((u64)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((u64)(a)-1))

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define __packed       __attribute__((packed))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused       __attribute__((unused))

#endif
