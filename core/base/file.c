// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/cleanup.h"
#include "core/base/error.h"
#include "core/base/file.h"

int file_open_ro(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), fl, err;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

const char *file_open_why(int ret)
{
	return ret == -EINVAL ? "not a regular file" : strerror(-ret);
}

/*
 * The live mappings, for the SIGBUS handler: start 0 = a free entry,
 * FILE_MAP_BUSY = one being filled in (mappings start on a page, never at 1).
 */
#define FILE_MAP_BUSY ((uintptr_t)1)
static struct {
	_Atomic(uintptr_t) start;
	size_t len;
	char line[192]; /* the whole message, newline included */
} file_maps[FILE_MAPS_TRACKED];
static int file_sigbus_status = 2;

void file_track(const u8 *m, size_t len, const char *what, const char *path)
{
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t zero = 0;

		/* Claimed first, filled in, then published: two threads never share an entry. */
		if (!atomic_compare_exchange_strong(&file_maps[i].start, &zero, FILE_MAP_BUSY))
			continue;
		file_maps[i].len = len;
		snprintf(file_maps[i].line, sizeof(file_maps[i].line),
			 "ktvm: %s %s changed while being read (cut short?)\n", what, path);
		atomic_store(&file_maps[i].start, (uintptr_t)m);
		return;
	}
}

static void file_untrack(const u8 *m)
{
	for (int i = 0; i < FILE_MAPS_TRACKED; i++)
		if (atomic_load(&file_maps[i].start) == (uintptr_t)m)
			atomic_store(&file_maps[i].start, 0);
}

void file_untrack_within(const u8 *start, size_t len)
{
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);

		if (s > FILE_MAP_BUSY && s >= (uintptr_t)start && s - (uintptr_t)start < len)
			atomic_store(&file_maps[i].start, 0);
	}
}

static void file_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	(void)uc;
	for (int i = 0; i < FILE_MAPS_TRACKED; i++) {
		uintptr_t s = atomic_load(&file_maps[i].start);

		if (s > FILE_MAP_BUSY && a >= s && a - s < file_maps[i].len) {
			ssize_t w = write(STDERR_FILENO, file_maps[i].line,
					  strnlen(file_maps[i].line, sizeof(file_maps[i].line)));

			(void)w;
			cleanup_now();
			_exit(file_sigbus_status);
		}
	}
	/* Not ours: die of it as without the handler. */
	signal(sig, SIG_DFL);
	raise(sig);
}

int file_sigbus_install(int status)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = file_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	file_sigbus_status = status;
	return sigaction(SIGBUS, &sa, NULL) < 0 ? -errno : 0;
}

int file_map_fd(const char *path, const char *what, size_t max, u8 **buf, size_t *len, int *fd_out)
{
	struct stat st;
	void *m;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = file_open_ro(path);
	if (fd < 0)
		return error_input(fd, "%s %s: %s", what, path, file_open_why(fd));
	if (fstat(fd, &st) < 0) {
		ret = error_input(-errno, "%s %s: %s", what, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error_input(-EINVAL, "%s %s: not a regular file", what, path);
		goto out;
	}
	if (st.st_size == 0) {
		ret = error_input(-EINVAL, "%s %s: empty file", what, path);
		goto out;
	}
	if ((u64)st.st_size > max) {
		ret = error_input(-EFBIG, "%s %s: %llu MiB, larger than the %zu MiB limit", what,
				  path, (unsigned long long)st.st_size / MiB, max / (size_t)MiB);
		goto out;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		ret = error_input(-errno, "%s %s: cannot map: %s", what, path, strerror(errno));
		goto out;
	}
	*buf = m;
	*len = (size_t)st.st_size;
	file_track(m, *len, what, path);
	if (fd_out) {
		*fd_out = fd;
		return 0;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

int file_map(const char *path, const char *what, size_t max, u8 **buf, size_t *len)
{
	return file_map_fd(path, what, max, buf, len, NULL);
}

void file_unmap(u8 *buf, size_t len)
{
	if (buf) {
		file_untrack(buf);
		munmap(buf, len);
	}
}

int file_write_all(int fd, const void *buf, size_t len)
{
	const u8 *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
