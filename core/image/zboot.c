// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/image/zboot.h"

/*
 * The header (zboot-header.S; little-endian): "MZ" (MZ_MAGIC as a 32-bit
 * word), the image type "zimg", the payload's offset and size, two
 * reserved words, the compression name (.asciz), then at 0x38 the Linux PE
 * magic and at 0x3c the PE header's offset, as in any PE file. The payload
 * size leaves out the 4-byte uncompressed size the build appends to every
 * stream but gzip's (drivers/firmware/efi/libstub/Makefile.zboot,
 * zboot-size-len), so the span is exactly the compressed stream.
 */
#define ZBOOT_TYPE	  4
#define ZBOOT_PAYLOAD_OFF 8
#define ZBOOT_PAYLOAD_LEN 12
#define ZBOOT_COMP	  24
#define ZBOOT_HDR_SIZE	  0x40

/*
 * The names Makefile.zboot writes (comp-type-y): zstd was "zstd22" at
 * first, "zstd" since the choice was cut down to gzip and zstd; the names
 * of the methods dropped then stay here, to say which one a file uses.
 */
static const struct {
	const char *name;
	enum unpack_format format;
} zboot_comps[] = {
    {"gzip", UNPACK_GZIP}, {"xzkern", UNPACK_XZ}, {"zstd22", UNPACK_ZSTD}, {"zstd", UNPACK_ZSTD},
    {"lzma", UNPACK_NONE}, {"lzo", UNPACK_NONE},  {"lz4", UNPACK_NONE},	   {"bzip2", UNPACK_NONE},
};

bool zboot_is(const u8 *img, size_t len)
{
	return len >= ZBOOT_TYPE + 4 && !memcmp(img, "MZ", 2) &&
	       !memcmp(img + ZBOOT_TYPE, "zimg", 4);
}

static bool zboot_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

int zboot_parse(const u8 *img, size_t len, const char *name, struct zboot *z)
{
	size_t i;

	memset(z, 0, sizeof(*z));
	if (!zboot_is(img, len))
		return error_input(-ENOEXEC,
				   "kernel %s: not an EFI zboot image (no MZ/zimg header)", name);
	if (len < ZBOOT_HDR_SIZE)
		return error_input(-EINVAL, "kernel %s: EFI zboot header cut short (%zu bytes)",
				   name, len);
	if (!memchr(img + ZBOOT_COMP, 0, ZBOOT_COMP_MAX))
		return error_input(-EINVAL,
				   "kernel %s: EFI zboot header: compression name not "
				   "NUL-terminated within its %d bytes",
				   name, ZBOOT_COMP_MAX);
	memcpy(z->comp, img + ZBOOT_COMP, ZBOOT_COMP_MAX);
	if (!zboot_printable(z->comp))
		return error_input(
		    -EINVAL, "kernel %s: EFI zboot header: compression name is not text", name);
	z->payload_off = get_le32(img + ZBOOT_PAYLOAD_OFF);
	z->payload_len = get_le32(img + ZBOOT_PAYLOAD_LEN);
	/* In 64 bits: two u32 fields cannot wrap, on any host. */
	if (z->payload_len == 0 || z->payload_off < ZBOOT_HDR_SIZE ||
	    (u64)z->payload_off + z->payload_len > (u64)len)
		return error_input(-EINVAL,
				   "kernel %s: EFI zboot payload (%u bytes at %u) outside the "
				   "%zu-byte file",
				   name, z->payload_len, z->payload_off, len);
	for (i = 0; i < ARRAY_SIZE(zboot_comps); i++)
		if (!strcmp(z->comp, zboot_comps[i].name))
			break;
	if (i == ARRAY_SIZE(zboot_comps))
		return error_input(-EPROTONOSUPPORT,
				   "kernel %s: EFI zboot payload compressed with unknown method "
				   "\"%s\"",
				   name, z->comp);
	z->format = zboot_comps[i].format;
	if (z->format == UNPACK_NONE)
		return error_input(-EPROTONOSUPPORT,
				   "kernel %s: EFI zboot payload compressed with %s, which ktvm "
				   "does not decompress (gzip, xz and zstd only)",
				   name, z->comp);
	/* The stream's own magic: a header naming another format is corrupt. */
	if (unpack_sniff(img + z->payload_off, z->payload_len) != z->format)
		return error_input(-EINVAL, "kernel %s: EFI zboot payload is not a %s stream", name,
				   unpack_name(z->format));
	return 0;
}

int zboot_unpack(const u8 *img, size_t len, const char *name, size_t max_out, u8 **out,
		 size_t *out_len)
{
	struct zboot z;
	int ret;

	*out = NULL;
	*out_len = 0;
	ret = zboot_parse(img, len, name, &z);
	if (ret < 0)
		return ret;
	ret = unpack(z.format, img + z.payload_off, z.payload_len, 0, max_out, out, out_len);
	if (ret < 0)
		return error_prefix(ERROR_INPUT, ret, "kernel %s: EFI zboot payload", name);
	return 0;
}
