/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTVM_CORE_FILE_H
#define KTVM_CORE_FILE_H

#include "core/base/types.h"

/*
 * Map a whole regular file, private and writable (copy-on-write), so large
 * kernels and initrds are copied once, into guest memory, and not read into
 * a buffer first. what names the file's role in messages ("kernel",
 * "initrd"). Files over max bytes, empty files and non-regular files are
 * refused as input errors. Release with file_unmap().
 */
int file_map(const char *path, const char *what, size_t max, u8 **buf, size_t *len);
/*
 * file_map(), keeping the descriptor it mapped through open in *fd (the
 * caller closes it): the same file as the bytes checked, to read or map
 * more of later even if the path is renamed over meanwhile.
 */
int file_map_fd(const char *path, const char *what, size_t max, u8 **buf, size_t *len, int *fd);
void file_unmap(u8 *buf, size_t len);

/*
 * A mapped file that someone truncates while ktvm reads it raises SIGBUS on
 * the next access to a page past its new end. With this installed (once,
 * by the program), such a SIGBUS in a mapping file_map() made ends the
 * process with one line, "ktvm: WHAT PATH changed while being read (cut
 * short?)", and status, instead of a crash (the files core/base/cleanup.h
 * holds are removed first). Any other SIGBUS stays fatal
 * as before. At most FILE_MAPS_TRACKED mappings are tracked at once.
 */
#define FILE_MAPS_TRACKED 16
int file_sigbus_install(int status);
/*
 * Track [m, m + len) as a mapping of path (what: its role) for that
 * handler: for file pages mapped elsewhere than by file_map() (guest RAM,
 * core/vm/load.c). Untracked by file_untrack_within() over a range that
 * holds its start, before the range is unmapped.
 */
void file_track(const u8 *m, size_t len, const char *what, const char *path);
void file_untrack_within(const u8 *start, size_t len);

/*
 * Open path read-only if it is a regular file: a FIFO, device or directory
 * is refused without blocking (the open is non-blocking; O_NONBLOCK is
 * cleared again before the fd is returned). Returns the fd, -EINVAL when
 * path is not a regular file, or -errno. Sets no error message.
 */
int file_open_ro(const char *path);
/* Write all of buf (again after EINTR and short writes): 0, or -errno (-EIO: no progress). */
int file_write_all(int fd, const void *buf, size_t len);

/* The words for file_open_ro()'s failure ret: "not a regular file" or strerror(-ret). */
const char *file_open_why(int ret);

#endif
