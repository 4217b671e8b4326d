/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTVM_CORE_FILE_H
#define KTVM_CORE_FILE_H

#include "core/types.h"

/*
 * Read a whole regular file into a new buffer (caller frees). what names the
 * file's role in messages ("kernel", "initrd"). Files over max bytes, empty
 * files and non-regular files are refused as input errors.
 */
int file_read_all(const char *path, const char *what, size_t max, u8 **buf, size_t *len);

#endif
