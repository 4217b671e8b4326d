// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

int file_map(const char *path, const char *what, size_t max, u8 **buf, size_t *len)
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
	ret = 0;
out:
	close(fd);
	return ret;
}

void file_unmap(u8 *buf, size_t len)
{
	if (buf)
		munmap(buf, len);
}
