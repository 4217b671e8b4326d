// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel's BTF from its image: the ELF .BTF section, or a blob found by
 * its header in a raw image, validated by libbpf (btf_image.h).
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/image/btf_image.h"

/*
 * struct btf_header (include/uapi/linux/btf.h): magic u16, version u8,
 * flags u8, hdr_len u32, type_off, type_len, str_off, str_len (u32 each;
 * offsets from the end of the header). The first 8 bytes of a version-1
 * header with no flags are fixed, which is what a raw image is searched for.
 */
#define BTF_HDR_LEN 24
static const u8 btf_image_sig[8] = {0x9f, 0xeb, 1, 0, BTF_HDR_LEN, 0, 0, 0};

/* Header candidates handed to libbpf at most, so a hostile image stays cheap. */
#define BTF_IMAGE_MAX_CANDIDATES 64

/*
 * libbpf reports why it refused a blob through its print callback, which is
 * process-wide: while btf_image_open() parses, the last warning is kept here
 * for the error message instead of going to stderr.
 */
static __thread char btf_image_libbpf_msg[160];

static int btf_image_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(btf_image_libbpf_msg, sizeof(btf_image_libbpf_msg), fmt, ap);
	n = strlen(btf_image_libbpf_msg);
	while (n && (btf_image_libbpf_msg[n - 1] == '\n' || btf_image_libbpf_msg[n - 1] == ' '))
		btf_image_libbpf_msg[--n] = '\0';
	return 0;
}

/*
 * The blob's length if p (avail bytes) starts with a consistent header:
 * both sections inside the blob, not overlapping, the type section 4-byte
 * aligned and the strings starting with the empty string, as libbpf and the
 * kernel require. 0 if not.
 */
static size_t btf_image_blob_len(const u8 *p, size_t avail)
{
	u64 type_off, type_len, str_off, str_len, type_end, str_end, end;

	if (avail < BTF_HDR_LEN || memcmp(p, btf_image_sig, sizeof(btf_image_sig)))
		return 0;
	type_off = get_le32(p + 8);
	type_len = get_le32(p + 12);
	str_off = get_le32(p + 16);
	str_len = get_le32(p + 20);
	type_end = type_off + type_len;
	str_end = str_off + str_len;
	if (type_off % 4 || !str_len || !type_len)
		return 0;
	if (type_end > str_off && str_end > type_off)
		return 0;
	end = BTF_HDR_LEN + MAX(type_end, str_end);
	if (end > avail || end > BTF_IMAGE_MAX)
		return 0;
	if (p[BTF_HDR_LEN + str_off] != '\0')
		return 0;
	return end;
}

/* libbpf's parse of blob; NULL with btf_image_libbpf_msg set when it refuses. */
static struct btf *btf_image_parse(const u8 *blob, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(btf_image_libbpf_print);
	struct btf *btf;

	btf_image_libbpf_msg[0] = '\0';
	btf = btf__new(blob, (u32)len);
	libbpf_set_print(old);
	if (!btf && !btf_image_libbpf_msg[0])
		snprintf(btf_image_libbpf_msg, sizeof(btf_image_libbpf_msg), "%s",
			 strerror(errno ? errno : EINVAL));
	return btf;
}

/* The .BTF section of an ELF file: 0, -ENOENT (none) or -EBADMSG. */
static int btf_image_open_elf(const u8 *buf, size_t len, struct btf_image *bi)
{
	size_t shstrndx, blen;
	GElf_Shdr sh;
	Elf_Scn *scn = NULL;
	const char *name;
	Elf *elf;
	int ret = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return error_host(-ENOSYS, "libelf: %s", elf_errmsg(-1));
	/* Read-only use: libelf does not write an ELF_C_READ image. */
	elf = elf_memory((char *)buf, len);
	if (!elf)
		return error_input(-EBADMSG, "not a readable ELF file (%s)", elf_errmsg(-1));
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		ret = error_input(-EBADMSG, "ELF file without readable section names (%s)",
				  elf_errmsg(-1));
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		if (sh.sh_type == SHT_NOBITS || sh.sh_offset > len ||
		    sh.sh_size > len - sh.sh_offset) {
			ret = error_input(
			    -EBADMSG,
			    "ELF section .BTF (offset %#llx, %llu bytes) is not inside "
			    "the file (%zu bytes; truncated?)",
			    (unsigned long long)sh.sh_offset, (unsigned long long)sh.sh_size, len);
			goto out;
		}
		blen = btf_image_blob_len(buf + sh.sh_offset, sh.sh_size);
		if (!blen) {
			ret =
			    error_input(-EBADMSG,
					"ELF section .BTF at %#llx has no valid BTF header (magic "
					"0xeb9f, version 1, 24-byte header, sections inside it)",
					(unsigned long long)sh.sh_offset);
			goto out;
		}
		bi->btf = btf_image_parse(buf + sh.sh_offset, blen);
		if (!bi->btf) {
			ret = error_input(-EBADMSG,
					  "ELF section .BTF at %#llx: libbpf refused it: %s",
					  (unsigned long long)sh.sh_offset, btf_image_libbpf_msg);
			goto out;
		}
		bi->off = sh.sh_offset;
		bi->len = blen;
		bi->from_elf = true;
		ret = 0;
		goto out;
	}
	ret = error_input(-ENOENT, "ELF file has no .BTF section (no CONFIG_DEBUG_INFO_BTF?)");
out:
	elf_end(elf);
	return ret;
}

/* The first blob in a raw image that has a consistent header and that libbpf accepts. */
static int btf_image_open_raw(const u8 *buf, size_t len, struct btf_image *bi)
{
	const u8 *p = buf, *end = buf + len;
	size_t blen, first = 0;
	u32 tried = 0;

	while (p < end &&
	       (p = memmem(p, (size_t)(end - p), btf_image_sig, sizeof(btf_image_sig)))) {
		blen = btf_image_blob_len(p, (size_t)(end - p));
		if (blen) {
			if (!tried)
				first = (size_t)(p - buf);
			bi->btf = btf_image_parse(p, blen);
			if (bi->btf) {
				bi->off = (size_t)(p - buf);
				bi->len = blen;
				return 0;
			}
			if (++tried == BTF_IMAGE_MAX_CANDIDATES)
				break;
		}
		p++;
	}
	if (tried)
		return error_input(-EBADMSG,
				   "%u BTF header%s found (the first at %#zx), but libbpf refused "
				   "%s: %s",
				   tried, tried == 1 ? "" : "s", first, tried == 1 ? "it" : "each",
				   btf_image_libbpf_msg);
	return error_input(-ENOENT,
			   "no BTF found (no header with magic 0xeb9f, version 1 and its "
			   "sections inside the file; no CONFIG_DEBUG_INFO_BTF, or a compressed "
			   "or truncated image)");
}

int btf_image_open(const u8 *buf, size_t len, struct btf_image *bi)
{
	int ret;

	memset(bi, 0, sizeof(*bi));
	if (len >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG))
		ret = btf_image_open_elf(buf, len, bi);
	else
		ret = btf_image_open_raw(buf, len, bi);
	if (ret == 0)
		bi->blob = buf + bi->off;
	return ret;
}

int btf_image_open_blob(const u8 *buf, size_t len, struct btf_image *bi)
{
	size_t blen = btf_image_blob_len(buf, len);

	memset(bi, 0, sizeof(*bi));
	if (!blen || blen != len)
		return error_input(-EBADMSG,
				   "not one BTF blob of %zu bytes (a header with magic 0xeb9f, "
				   "version 1 and its sections filling the blob)",
				   len);
	bi->btf = btf_image_parse(buf, len);
	if (!bi->btf)
		return error_input(-EBADMSG, "libbpf refused the BTF: %s", btf_image_libbpf_msg);
	bi->len = len;
	bi->blob = buf;
	return 0;
}

void btf_image_close(struct btf_image *bi)
{
	btf__free(bi->btf);
	memset(bi, 0, sizeof(*bi));
}

u32 btf_image_type_count(const struct btf_image *bi)
{
	return btf__type_cnt(bi->btf) - 1;
}

bool btf_image_has_struct(const struct btf_image *bi, const char *name)
{
	return btf__find_by_name_kind(bi->btf, name, BTF_KIND_STRUCT) > 0 ||
	       btf__find_by_name_kind(bi->btf, name, BTF_KIND_UNION) > 0;
}

struct btf_image_out {
	int fd;
	int err;
};

static void btf_image_vprintf(void *ctx, const char *fmt, va_list ap)
{
	struct btf_image_out *o = ctx;

	if (!o->err && vdprintf(o->fd, fmt, ap) < 0)
		o->err = -errno;
}

static void btf_image_printf(struct btf_image_out *o, const char *fmt, ...) __printf(2, 3);
static void btf_image_printf(struct btf_image_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	btf_image_vprintf(o, fmt, ap);
	va_end(ap);
}

int btf_image_write_c_header(const struct btf_image *bi, int fd)
{
	struct btf_image_out o = {.fd = fd};
	u32 n = btf__type_cnt(bi->btf);
	struct btf_dump *d;
	int ret = 0;

	d = btf_dump__new(bi->btf, btf_image_vprintf, &o, NULL);
	if (!d)
		return error_host(-errno, "btf_dump__new: %s", strerror(errno));
	/* The preamble and epilogue of bpftool's "btf dump file F format c". */
	btf_image_printf(&o,
			 "#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
			 "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
			 "#pragma clang attribute push (__attribute__((preserve_access_index)), "
			 "apply_to = record)\n#endif\n\n");
	for (u32 id = 1; id < n && !ret && !o.err; id++) {
		ret = btf_dump__dump_type(d, id);
		if (ret)
			ret = error_host(ret, "btf_dump: type %u: %s", id, strerror(-ret));
	}
	btf_image_printf(&o, "\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n"
			     "#endif\n\n#endif /* __VMLINUX_H__ */\n");
	btf_dump__free(d);
	if (!ret && o.err)
		ret = error_host(o.err, "writing the C header: %s", strerror(-o.err));
	return ret;
}
