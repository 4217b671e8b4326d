/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File names for guest-state dumps. Part of a name may come from guest
 * data (a task's comm, a tag), so it is hostile: any bytes, '/', "..", NUL,
 * control characters, any length. dumpname_sanitize() makes of it one safe
 * path component that cannot leave the dump directory, hide itself or
 * disturb a terminal that lists it.
 */
#ifndef KTVM_CORE_DUMPNAME_H
#define KTVM_CORE_DUMPNAME_H

#include <stddef.h>

#include "core/base/types.h"

/* The longest name dumpname_sanitize() writes, without the NUL. */
#define DUMPNAME_MAX 128

/*
 * Writes to out a name made of the first bytes of in[0..in_len): each of
 * [A-Za-z0-9._-] is kept, every other byte (NUL included) becomes '_'.
 * A leading '.' becomes '_', so the name is never ".", ".." nor hidden, and
 * an empty input gives "_". At most MIN(size - 1, DUMPNAME_MAX) characters;
 * out is always NUL-terminated when size > 0. Returns the length written,
 * or -EINVAL if size < 2 (no room for a character and the NUL).
 */
int dumpname_sanitize(char *out, size_t size, const char *in, size_t in_len);

#endif
