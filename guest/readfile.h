/* SPDX-License-Identifier: GPL-2.0 */
/* Small text files from procfs and sysfs, read whole into a caller's buffer. */
#ifndef KTVM_GUEST_READFILE_H
#define KTVM_GUEST_READFILE_H

#include <sys/types.h>

#include "core/base/types.h"

/*
 * Read up to size - 1 bytes of path into buf and NUL-terminate it. Returns
 * the length, or -errno (buf is then ""). Longer files are cut off.
 */
ssize_t readfile(const char *path, char *buf, size_t size);

/*
 * Read len bytes at off of fd, through short reads and EINTR. Returns how
 * many were read (fewer only at the end of the file), -errno, or -EFAULT
 * for an offset past what off_t holds.
 */
ssize_t pread_full(int fd, void *buf, size_t len, u64 off);

#endif
