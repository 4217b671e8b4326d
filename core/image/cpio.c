// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/image/cpio.h"
#include "core/base/error.h"
#include "core/base/file.h"

#define CPIO_BUF (64 * 1024)

struct cpio_entry {
	mode_t mode;
	char name[];
};

struct cpio {
	int fd;
	char *what;
	bool gzip;
	z_stream zs;
	u64 offset; /* uncompressed bytes so far, for the 4-byte padding */
	u32 ino;
	void *names; /* tsearch tree of struct cpio_entry */
	int err;
	size_t out_len; /* bytes waiting in out (plain cpio) */
	u8 out[CPIO_BUF];
	u8 in[CPIO_BUF];
};

static int cpio_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cpio_entry *)a)->name, ((const struct cpio_entry *)b)->name);
}

int cpio_name(const char *name, char *out)
{
	size_t n = 0;
	const char *p = name;

	while (*p) {
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);

		if (len == 0 || (len == 1 && p[0] == '.')) {
			p = *end ? end + 1 : end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -EINVAL;
		if (n + (n ? 1 : 0) + len > CPIO_MAX_NAME)
			return -ENAMETOOLONG;
		if (n)
			out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p = *end ? end + 1 : end;
	}
	out[n] = '\0';
	if (!strcmp(out, CPIO_TRAILER))
		return -EPERM;
	return n ? 0 : -EINVAL;
}

static int cpio_fail(struct cpio *c, int ret)
{
	if (!c->err)
		c->err = ret;
	return ret;
}

static int cpio_write_fd(struct cpio *c, const u8 *p, size_t len)
{
	while (len) {
		ssize_t w = write(c->fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cpio_fail(c, error_host(w < 0 ? -errno : -EIO,
						       "initramfs %s: write: %s", c->what,
						       w < 0 ? strerror(errno) : "no progress"));
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int cpio_deflate(struct cpio *c, int flush)
{
	int zr;

	do {
		c->zs.next_out = c->out;
		c->zs.avail_out = sizeof(c->out);
		zr = deflate(&c->zs, flush);
		if (zr == Z_STREAM_ERROR)
			return cpio_fail(c,
					 error_host(-EIO, "initramfs %s: deflate failed", c->what));
		if (cpio_write_fd(c, c->out, sizeof(c->out) - c->zs.avail_out))
			return c->err;
	} while (c->zs.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int cpio_put(struct cpio *c, const void *data, size_t len)
{
	if (c->err)
		return c->err;
	c->offset += len;
	if (c->gzip) {
		c->zs.next_in = (Bytef *)data;
		c->zs.avail_in = (uInt)len; /* callers pass at most CPIO_BUF */
		return cpio_deflate(c, Z_NO_FLUSH);
	}
	if (c->out_len + len > sizeof(c->out)) {
		if (cpio_write_fd(c, c->out, c->out_len))
			return c->err;
		c->out_len = 0;
		if (len > sizeof(c->out))
			return cpio_write_fd(c, data, len);
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

static int cpio_pad(struct cpio *c)
{
	static const u8 zero[4];

	return cpio_put(c, zero, ALIGN_UP(c->offset, 4) - c->offset);
}

static int cpio_header(struct cpio *c, const char *name, mode_t mode, u64 size, u32 rmajor,
		       u32 rminor)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 strcmp(name, CPIO_TRAILER) ? ++c->ino : 0, (u32)mode, 0, 0, S_ISDIR(mode) ? 2 : 1,
		 0, (u32)size, 0, 0, rmajor, rminor, (u32)namesize, 0);
	if (cpio_put(c, hdr, 110) || cpio_put(c, name, namesize))
		return c->err;
	return cpio_pad(c);
}

int cpio_open(struct cpio **cp, int fd, const char *what, int level)
{
	struct cpio *c;

	*cp = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->what = strdup(what))) {
		free(c);
		return error_host(-ENOMEM, "initramfs %s: out of memory", what);
	}
	c->fd = fd;
	if (level > 0) {
		/* windowBits 15 + 16: a gzip header and trailer around the deflate stream */
		if (deflateInit2(&c->zs, level > 9 ? 9 : level, Z_DEFLATED, 31, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(c->what);
			free(c);
			return error_host(-ENOMEM, "initramfs %s: deflateInit2 failed", what);
		}
		c->gzip = true;
	}
	*cp = c;
	return 0;
}

static struct cpio_entry *cpio_find(struct cpio *c, const char *name)
{
	size_t len = strlen(name);
	struct cpio_entry *key = alloca(sizeof(*key) + len + 1), **found;

	memcpy(key->name, name, len + 1);
	found = tfind(key, &c->names, cpio_entry_cmp);
	return found ? *found : NULL;
}

static int cpio_remember(struct cpio *c, const char *name, mode_t mode)
{
	size_t len = strlen(name);
	struct cpio_entry *e = malloc(sizeof(*e) + len + 1);

	if (e) {
		e->mode = mode;
		memcpy(e->name, name, len + 1);
	}
	if (!e || !tsearch(e, &c->names, cpio_entry_cmp)) {
		free(e);
		return cpio_fail(c, error_host(-ENOMEM, "initramfs %s: out of memory", c->what));
	}
	return 0;
}

/*
 * Normalize name into out, add missing parent directories, and check that
 * the name is new. Returns 1 for a directory that already exists.
 */
static int cpio_begin(struct cpio *c, const char *name, mode_t mode, char *out)
{
	struct cpio_entry *e;
	int ret;

	if (c->err)
		return c->err;
	ret = cpio_name(name, out);
	if (ret == -ENAMETOOLONG)
		return error_input(ret, "initramfs %s: entry %.64s...: name longer than %d bytes",
				   c->what, name, CPIO_MAX_NAME);
	if (ret == -EPERM)
		return error_input(ret,
				   "initramfs %s: entry \"%s\": the name that ends a cpio archive "
				   "(the kernel would stop unpacking there)",
				   c->what, name);
	if (ret)
		return error_input(ret, "initramfs %s: entry \"%s\": not a valid path", c->what,
				   name);
	for (char *s = strchr(out, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		e = cpio_find(c, out);
		if (!e) {
			ret = cpio_remember(c, out, S_IFDIR | 0755);
			if (!ret)
				ret = cpio_header(c, out, S_IFDIR | 0755, 0, 0, 0);
		} else if (!S_ISDIR(e->mode)) {
			ret = error_input(-ENOTDIR, "initramfs %s: %s is not a directory (for %s)",
					  c->what, out, name);
		}
		*s = '/';
		if (ret)
			return ret;
	}
	e = cpio_find(c, out);
	if (e && S_ISDIR(e->mode) && S_ISDIR(mode))
		return 1;
	if (e)
		return error_input(-EEXIST, "initramfs %s: %s added twice", c->what, out);
	return cpio_remember(c, out, mode);
}

bool cpio_has(struct cpio *c, const char *name)
{
	char n[CPIO_MAX_NAME + 1];

	return !cpio_name(name, n) && cpio_find(c, n);
}

int cpio_add_dir(struct cpio *c, const char *name, mode_t perm)
{
	char n[CPIO_MAX_NAME + 1];
	int ret = cpio_begin(c, name, S_IFDIR | perm, n);

	if (ret)
		return ret < 0 ? ret : 0;
	return cpio_header(c, n, S_IFDIR | (perm & 07777), 0, 0, 0);
}

int cpio_add_data(struct cpio *c, const char *name, mode_t perm, const void *data, size_t len)
{
	char n[CPIO_MAX_NAME + 1];
	const u8 *p = data;
	int ret;

	if (len > CPIO_MAX_FILE)
		return error_input(-EFBIG, "initramfs %s: %s: %zu bytes, over the cpio limit",
				   c->what, name, len);
	ret = cpio_begin(c, name, S_IFREG, n);
	if (ret)
		return ret < 0 ? ret : -EEXIST;
	if (cpio_header(c, n, S_IFREG | (perm & 07777), len, 0, 0))
		return c->err;
	for (size_t off = 0; off < len; off += CPIO_BUF)
		if (cpio_put(c, p + off, MIN(len - off, (size_t)CPIO_BUF)))
			return c->err;
	return cpio_pad(c);
}

int cpio_add_file(struct cpio *c, const char *name, mode_t perm, const char *host, const char *what)
{
	char n[CPIO_MAX_NAME + 1];
	struct stat st;
	u64 left;
	int fd, ret;

	fd = file_open_ro(host);
	if (fd < 0)
		return error_input(fd, "%s %s: %s", what, host, file_open_why(fd));
	if (fstat(fd, &st) < 0) {
		ret = error_input(-errno, "%s %s: %s", what, host, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = error_input(-EINVAL, "%s %s: not a regular file", what, host);
		goto out;
	}
	if ((u64)st.st_size > CPIO_MAX_FILE) {
		ret = error_input(-EFBIG, "%s %s: %llu bytes, over the cpio newc limit of %llu",
				  what, host, (unsigned long long)st.st_size, CPIO_MAX_FILE);
		goto out;
	}
	ret = cpio_begin(c, name, S_IFREG, n);
	if (ret) {
		ret = ret < 0 ? ret : -EEXIST;
		goto out;
	}
	ret = cpio_header(c, n, S_IFREG | (perm & 07777), (u64)st.st_size, 0, 0);
	for (left = (u64)st.st_size; !ret && left;) {
		ssize_t r = read(fd, c->in, MIN(left, sizeof(c->in)));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret =
			    cpio_fail(c, error_input(r < 0 ? -errno : -EIO, "%s %s: %s", what, host,
						     r < 0 ? strerror(errno)
							   : "file shrank while being read"));
			break;
		}
		left -= (u64)r;
		ret = cpio_put(c, c->in, (size_t)r);
	}
	if (!ret)
		ret = cpio_pad(c);
out:
	close(fd);
	return ret;
}

int cpio_add_symlink(struct cpio *c, const char *name, const char *target)
{
	char n[CPIO_MAX_NAME + 1];
	size_t len = strlen(target);
	int ret;

	if (!len || len > CPIO_MAX_NAME)
		return error_input(-EINVAL, "initramfs %s: symlink %s: bad target length %zu",
				   c->what, name, len);
	ret = cpio_begin(c, name, S_IFLNK, n);
	if (ret)
		return ret < 0 ? ret : -EEXIST;
	if (cpio_header(c, n, S_IFLNK | 0777, len, 0, 0) || cpio_put(c, target, len))
		return c->err;
	return cpio_pad(c);
}

int cpio_add_node(struct cpio *c, const char *name, mode_t type, mode_t perm, u32 major, u32 minor)
{
	char n[CPIO_MAX_NAME + 1];
	int ret;

	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
		return error_input(-EINVAL, "initramfs %s: node %s: not a device, fifo or socket",
				   c->what, name);
	ret = cpio_begin(c, name, type, n);
	if (ret)
		return ret < 0 ? ret : -EEXIST;
	return cpio_header(c, n, type | (perm & 07777), 0, major, minor);
}

int cpio_finish(struct cpio *c)
{
	if (c->err)
		return c->err;
	if (cpio_header(c, CPIO_TRAILER, 0, 0, 0, 0))
		return c->err;
	if (c->gzip)
		return cpio_deflate(c, Z_FINISH);
	if (cpio_write_fd(c, c->out, c->out_len))
		return c->err;
	c->out_len = 0;
	return 0;
}

void cpio_free(struct cpio *c)
{
	if (!c)
		return;
	if (c->gzip)
		deflateEnd(&c->zs);
	tdestroy(c->names, free);
	free(c->what);
	free(c);
}
