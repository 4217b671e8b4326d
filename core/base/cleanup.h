/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paths to remove if the process must end at once: the temporary
 * initramfs, a dump or the --json result while it is written. A second
 * SIGINT (tools/signals.c) or a SIGBUS in a mapped input (core/base/file.h)
 * calls cleanup_now() and exits; a run that ends normally forgets each path
 * when it is complete or removed.
 *
 * Async-signal-safe: the table is fixed, entries are claimed with atomics,
 * and cleanup_now() only unlinks, reads directories with getdents64 and
 * rmdirs. A directory entry removes the files directly in it (the
 * temporary directories are flat), then itself.
 */
#ifndef KTVM_CORE_CLEANUP_H
#define KTVM_CORE_CLEANUP_H

#include <stdbool.h>

#define CLEANUP_MAX 16

/* Remember path (a file, or with dir a flat directory): 0, -ENOSPC or -ENAMETOOLONG. */
int cleanup_add(const char *path, bool dir);
/* Forget path: it was removed, or it is complete and stays. */
void cleanup_forget(const char *path);
/* Remove every remembered path: files first, then directories. */
void cleanup_now(void);
/* How many paths are remembered (tests). */
unsigned int cleanup_count(void);

#endif
