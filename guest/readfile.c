// SPDX-License-Identifier: GPL-2.0
/* Small procfs and sysfs files (readfile.h). */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <unistd.h>

#include "guest/readfile.h"

ssize_t readfile(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd, err = 0;

	if (!size)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* procfs and sysfs files come in several reads; stop at EOF */
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (err)
		len = 0;
	buf[len] = '\0';
	return err ? err : (ssize_t)len;
}

ssize_t pread_full(int fd, void *buf, size_t len, u64 off)
{
	u8 *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (off + got > (u64)INT64_MAX)
			return -EFAULT;
		n = pread(fd, p + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break; /* the end of the file */
		got += (size_t)n;
	}
	return (ssize_t)got;
}
