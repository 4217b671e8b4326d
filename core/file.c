// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"
#include "core/file.h"

int file_read_all(const char *path, const char *what, size_t max, u8 **buf, size_t *len)
{
	struct stat st;
	size_t off = 0;
	u8 *b;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_input(-errno, "%s %s: %s", what, path, strerror(errno));
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
	b = malloc((size_t)st.st_size);
	if (!b) {
		ret = error_host(-ENOMEM, "%s %s: cannot allocate %lld bytes", what, path,
				 (long long)st.st_size);
		goto out;
	}
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, b + off, (size_t)st.st_size - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = error_input(r < 0 ? -errno : -EIO, "%s %s: read failed: %s", what,
					  path, r < 0 ? strerror(errno) : "file shrank");
			free(b);
			goto out;
		}
		off += (size_t)r;
	}
	*buf = b;
	*len = off;
	ret = 0;
out:
	close(fd);
	return ret;
}
