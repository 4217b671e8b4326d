/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KTVM_CORE_FILE_H
#define KTVM_CORE_FILE_H

#include <signal.h>

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
/*
 * file_map_fd(), and with leased non-NULL, a read lease taken on the file
 * first (file_lease()); *leased says whether it was. While the descriptor
 * stays open, the file's bytes cannot change under the process's private
 * mappings of it: see file_lease().
 */
int file_map_lease(const char *path, const char *what, size_t max, u8 **buf, size_t *len,
		   int *fd, bool *leased);
void file_unmap(u8 *buf, size_t len);

/*
 * A mapped file that someone truncates while ktvm reads it raises SIGBUS on
 * the next access to a page past its new end. With this installed (once,
 * by the program), such a SIGBUS in a mapping file_map() made ends the
 * process with one line, "ktvm: WHAT PATH changed while being read (cut
 * short?)", and status, instead of a crash (the files core/base/cleanup.h
 * holds are removed first). Any other SIGBUS stays fatal
 * as before. At most FILE_MAPS_TRACKED mappings are tracked at once.
 * It also blocks FILE_LEASE_SIGNAL in the calling thread, to be called
 * before any other thread exists (file_lease() below).
 */
#define FILE_MAPS_TRACKED 16
int file_sigbus_install(int status);
/*
 * What a lease break (file_lease()) does around replacing the pages of a
 * tracked mapping: pause() stops whoever writes them (a VM's vCPUs) and
 * returns whether resume() must be called after. NULL pause: no writers.
 */
struct file_guard {
	bool (*pause)(void *ctx);
	void (*resume)(void *ctx);
	void *ctx;
};
/*
 * Track [m, m + len) as a mapping of path (what: its role) for that
 * handler, for file pages mapped elsewhere than by file_map(): mapped from
 * fd (-1: none), a descriptor that may hold a lease (file_lease()), and
 * written meanwhile by guard's writers (NULL: none). false if the table
 * is full. Untracked by file_untrack_within() over a range that holds its
 * start, before the range is unmapped. guard's ctx must outlive the
 * tracking (file_untrack_within() waits for a lease break in progress).
 */
bool file_track_fd(const u8 *m, size_t len, const char *what, const char *path, int fd,
		   const struct file_guard *guard);
/*
 * Map fd's [off, off + len) at dst (MAP_PRIVATE | MAP_FIXED, all three
 * page-aligned) and track it as file_track_fd() does, in one step under
 * the table's lock. With leased, only while fd's lease is still held: a
 * break in between would not have found the mapping. 0, -EAGAIN (the
 * lease is gone), -ENOSPC (the table is full), or mmap()'s -errno;
 * nothing is mapped then, and the caller copies instead.
 */
int file_map_at(u8 *dst, size_t len, int fd, u64 off, bool leased, const char *what,
		const char *path, const struct file_guard *guard);
/* Let fd's lease go (nothing of it stays mapped: no break to answer). */
void file_lease_end(int fd);
void file_untrack_within(const u8 *start, size_t len);

/*
 * A read lease (fcntl(2) F_SETLEASE) on fd, a file open read-only: a file
 * the user gives (an uncompressed kernel, an initrd) may then be mapped
 * into guest RAM MAP_PRIVATE instead of copied, though someone could
 * rewrite it in place while the guest runs (cp over it: open with O_TRUNC,
 * which would take every page of the file out of the mappings, copied on
 * write or not). Whoever opens the file for writing, or truncates it, is
 * held by the kernel until the lease goes; meanwhile ktvm's lease thread
 * (started by the first lease) gives each mapping tracked with fd
 * (file_track_fd()) anonymous pages with the same bytes, its guard's
 * writers paused, then lets the lease go. So the
 * guest keeps the bytes it was given, and the copy is paid only when
 * someone writes. 0, or -errno: -ENOTSUP before file_sigbus_install();
 * -EAGAIN when the file is open for writing; -EACCES when someone else's
 * file and no CAP_LEASE; -EINVAL where the file system has no leases. The
 * lease lasts while fd is open. A break that comes before a mapping is
 * made (file_map_at() refuses to map then) leaves the caller to copy,
 * maybe bytes already rewritten, as a copy made without a lease would.
 */
#define FILE_LEASE_SIGNAL (SIGRTMIN + 1) /* SIGIO too is blocked and taken by the lease thread */
int file_lease(int fd);

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
