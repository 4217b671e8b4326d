/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test-only reader for what core/image/cpio.c writes: gzip members (zlib) holding
 * newc cpio archives, or plain archives, one after another. Written from the
 * format description (buffer-format.rst), not from the writer, and strict:
 * every header 4-byte aligned, hex fields, NUL-terminated names, data inside
 * the file, each archive ended by TRAILER!!! and nothing after the last.
 */
#ifndef KTVM_TESTS_UNIT_TEST_INITRAMFS_READER_H
#define KTVM_TESTS_UNIT_TEST_INITRAMFS_READER_H

#include <stdlib.h>
#include <zlib.h>

#include "core/base/types.h"
#include "tests/test.h"

struct rd_entry {
	char *name;
	u32 ino, mode, uid, gid, nlink, mtime, size, rmajor, rminor;
	const u8 *data;
	int archive; /* 0 for the first archive, 1 for the next... */
};

struct rd {
	u8 *buf; /* all archives, decompressed */
	size_t len;
	bool gzip;
	int members, archives;
	struct rd_entry *v;
	size_t n;
};

static inline u8 *rd_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	long size;

	*len = 0;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (size = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)size + 1)) && fread(buf, 1, (size_t)size, f) == (size_t)size)
		*len = (size_t)size;
	fclose(f);
	return buf;
}

/* Each gzip member in turn, as the kernel's unpack_to_rootfs() does. */
static inline int rd_gunzip(struct rd *r, const u8 *in, size_t len)
{
	size_t pos = 0, cap = 0;

	while (pos < len) {
		z_stream zs = {0};
		int zr = Z_OK;

		if (inflateInit2(&zs, 31) != Z_OK)
			return -1;
		zs.next_in = (Bytef *)in + pos;
		zs.avail_in = (uInt)(len - pos);
		while (zr == Z_OK) {
			if (cap - r->len < 65536) {
				cap = cap * 2 + 65536;
				r->buf = realloc(r->buf, cap);
			}
			zs.next_out = r->buf + r->len;
			zs.avail_out = (uInt)(cap - r->len);
			zr = inflate(&zs, Z_NO_FLUSH);
			r->len = (size_t)(zs.next_out - r->buf);
		}
		pos += zs.total_in;
		inflateEnd(&zs);
		if (zr != Z_STREAM_END) {
			test_fail_at(__FILE__, __LINE__, "gzip member %d: zlib error %d",
				     r->members, zr);
			return -1;
		}
		r->members++;
	}
	return 0;
}

static inline int rd_parse(struct rd *r)
{
	size_t pos = 0;
	bool trailer = false;

	while (pos < r->len) {
		u32 f[13];
		char hex[9] = {0}, *end;
		size_t data;
		const char *name = (const char *)r->buf + pos + 110;

		if (pos % 4 || r->len - pos < 110 || memcmp(r->buf + pos, "070701", 6)) {
			test_fail_at(__FILE__, __LINE__, "no aligned newc header at %zu", pos);
			return -1;
		}
		for (int i = 0; i < 13; i++) {
			memcpy(hex, r->buf + pos + 6 + 8 * i, 8);
			f[i] = (u32)strtoul(hex, &end, 16);
			if (*end) {
				test_fail_at(__FILE__, __LINE__, "bad hex field %d at %zu", i, pos);
				return -1;
			}
		}
		data = ALIGN_UP(pos + 110 + f[11], 4);
		if (!f[11] || data > r->len || name[f[11] - 1] || strlen(name) != f[11] - 1 ||
		    data + f[6] > r->len) {
			test_fail_at(__FILE__, __LINE__, "bad name or size at %zu", pos);
			return -1;
		}
		pos = ALIGN_UP(data + f[6], 4);
		trailer = !strcmp(name, "TRAILER!!!");
		if (trailer) {
			r->archives++;
			continue;
		}
		r->v = realloc(r->v, (r->n + 1) * sizeof(*r->v));
		r->v[r->n++] = (struct rd_entry){.name = strdup(name),
						 .ino = f[0],
						 .mode = f[1],
						 .uid = f[2],
						 .gid = f[3],
						 .nlink = f[4],
						 .mtime = f[5],
						 .size = f[6],
						 .rmajor = f[9],
						 .rminor = f[10],
						 .data = r->buf + data,
						 .archive = r->archives};
	}
	if (!trailer)
		test_fail_at(__FILE__, __LINE__, "archive does not end with TRAILER!!!");
	return trailer ? 0 : -1;
}

static inline void rd_free(struct rd *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

static inline int rd_load(struct rd *r, const char *path)
{
	size_t len;
	u8 *raw = rd_slurp(path, &len);

	memset(r, 0, sizeof(*r));
	if (!raw || !len) {
		free(raw);
		test_fail_at(__FILE__, __LINE__, "cannot read %s", path);
		return -1;
	}
	if (raw[0] == 0x1f && raw[1] == 0x8b) {
		r->gzip = true;
		if (rd_gunzip(r, raw, len)) {
			free(raw);
			return -1;
		}
		free(raw);
	} else {
		r->buf = raw;
		r->len = len;
	}
	if (rd_parse(r) || (r->gzip && r->members != r->archives)) {
		test_fail_at(__FILE__, __LINE__, "%s: %d gzip members, %d archives", path,
			     r->members, r->archives);
		rd_free(r);
		return -1;
	}
	return 0;
}

/* The first entry named name (archive path, no leading '/'). */
static inline const struct rd_entry *rd_find(const struct rd *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}

static inline bool rd_same_bytes(const char *a, const char *b)
{
	size_t la, lb;
	u8 *x = rd_slurp(a, &la), *y = rd_slurp(b, &lb);
	bool same = x && y && la == lb && !memcmp(x, y, la);

	free(x);
	free(y);
	return same;
}

#endif
