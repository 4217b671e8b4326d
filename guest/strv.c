// SPDX-License-Identifier: GPL-2.0
/* Files of NUL-terminated strings (strv.h). */
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/strv.h"

int strv_parse(struct strv *sv, char *buf, size_t len)
{
	size_t n = 0, i;

	memset(sv, 0, sizeof(*sv));
	sv->buf = buf;
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		if (!buf[i])
			n++;
	if (len && buf[len - 1])
		n++;
	if (n > STRV_COUNT_MAX)
		return -E2BIG;
	sv->v = calloc(n + 1, sizeof(*sv->v));
	if (!sv->v)
		return -ENOMEM;
	for (i = 0; i < len; i += strlen(buf + i) + 1)
		sv->v[sv->n++] = buf + i;
	return 0;
}

int strv_read(struct strv *sv, const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf, *nbuf;
	int fd, err;

	memset(sv, 0, sizeof(*sv));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* one byte past the cap tells "exactly full" from "too big" */
			if (cap > STRV_BYTES_MAX) {
				err = -EFBIG;
				goto fail;
			}
			cap = MIN(cap * 2, (size_t)STRV_BYTES_MAX + 1);
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	return strv_parse(sv, buf, len);
fail:
	close(fd);
	free(buf);
	return err;
}

void strv_free(struct strv *sv)
{
	free(sv->v);
	free(sv->buf);
	memset(sv, 0, sizeof(*sv));
}

int strv_read_cmd(struct strv *sv, const char *path, const char **exec, char *const **argv,
		  char *why, size_t why_size)
{
	int r = strv_read(sv, path);

	why[0] = '\0';
	if (r == -ENOENT)
		return r;
	if (r) {
		snprintf(why, why_size, "%s: %s", path, strerror(-r));
		return r;
	}
	if (!sv->n || !sv->v[0][0]) {
		snprintf(why, why_size, "%s: no path to exec", path);
		strv_free(sv);
		return -EINVAL;
	}
	*exec = sv->v[0];
	/* v[] ends in NULL, so { path } is v itself when nothing follows */
	*argv = sv->n > 1 ? &sv->v[1] : &sv->v[0];
	return 0;
}
