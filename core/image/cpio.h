/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cpio "newc" archive writer, optionally gzip-compressed on the fly: the
 * format the kernel unpacks into rootfs (Documentation/driver-api/early-userspace/
 * buffer-format.rst: "070701" headers with 8-hex-digit fields, name and data
 * each padded to 4 bytes, ended by a "TRAILER!!!" entry).
 *
 * Output is reproducible: uid/gid 0, mtime 0, inode numbers counted from 1 in
 * the order entries are added, nlink 1 (2 for directories, so the kernel never
 * tries to hard-link), and zlib's gzip header has no name and no time.
 *
 * Names are archive paths: a leading '/' is dropped, "//" and "." collapse,
 * ".." is refused. Missing parent directories are added (mode 0755) before
 * an entry; adding a directory that exists is a no-op, adding any other name
 * twice is an error. Errors are sticky: after one, every call fails.
 */
#ifndef KTVM_CORE_CPIO_H
#define KTVM_CORE_CPIO_H

#include <sys/types.h>

#include "core/base/types.h"

/* newc stores sizes in 8 hex digits; the kernel takes names up to PATH_MAX. */
#define CPIO_MAX_FILE 0xffffffffULL
#define CPIO_MAX_NAME 4095

struct cpio;

/*
 * Start an archive written to fd at its current position. level 0 writes
 * plain cpio, 1-9 a gzip member at that zlib level. what names the output in
 * messages. The caller keeps ownership of fd.
 */
int cpio_open(struct cpio **cp, int fd, const char *what, int level);
int cpio_add_dir(struct cpio *c, const char *name, mode_t perm);
/* Copy a regular host file; what names its role in messages ("module"). */
int cpio_add_file(struct cpio *c, const char *name, mode_t perm, const char *host,
		  const char *what);
int cpio_add_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len);
int cpio_add_symlink(struct cpio *c, const char *name, const char *target);
/* type is S_IFCHR or S_IFBLK (S_IFIFO/S_IFSOCK with 0, 0) */
int cpio_add_node(struct cpio *c, const char *name, mode_t type, mode_t perm, u32 major, u32 minor);
bool cpio_has(struct cpio *c, const char *name);
/* Write the trailer and end the gzip member. Does not close fd. */
int cpio_finish(struct cpio *c);
void cpio_free(struct cpio *c);

/*
 * Normalize an archive path into out (CPIO_MAX_NAME + 1 bytes): no leading
 * '/', no empty or "." components. -EINVAL for "..", the root itself or an
 * empty name; -EPERM for "TRAILER!!!", which the kernel takes for the end
 * of the archive; -ENAMETOOLONG past CPIO_MAX_NAME.
 */
int cpio_name(const char *name, char *out);
#define CPIO_TRAILER "TRAILER!!!"

#endif
