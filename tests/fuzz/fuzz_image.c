// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for everything ktvm reads out of a kernel image it is
 * given (host arch: x86_64): the bzImage setup header (arch/x86_64/
 * bzimage.c) and its memory needs, the ELF vmlinux's PVH note and segments
 * (pvh.c), the kallsyms tables (core/image/kallsyms_image.c, every symbol
 * walked and looked up again), the BTF blob (btf_image.c, libbpf's parser
 * behind it, and the sched_ext layout from it), the release string
 * (kmod.c), decompression of a payload (unpack.c, capped at 1 MiB) and
 * the EFI zboot header (zboot.c) with its payload, capped the same.
 *
 * Input: the image. scripts/fuzz-seeds.sh adds Debian's cached kernels
 * (cut to their first MiB and around their tables) and a zboot image of
 * the first 16 KiB of the arm64 Image as seeds, so the mutations start
 * from real headers and tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/boot.h"
#include "core/base/error.h"
#include "core/base/types.h"
#include "core/image/btf_image.h"
#include "core/image/kallsyms_image.h"
#include "core/image/kmod.h"
#include "core/image/unpack.h"
#include "core/image/zboot.h"
#include "core/run/scx_btf.h"
#include "tests/fuzz/fuzz.h"

struct fz_walk {
	const struct kallsyms_image *k;
	u32 n;
};

/* Every name the table gives is found again by its own lookup. */
static int fz_sym(void *arg, char type, const char *name)
{
	struct fz_walk *w = arg;
	char t;

	CHECK(strlen(name) < 512);
	if (w->n++ < 64)
		CHECK(kallsyms_image_find(w->k, name, &t) == 0);
	return w->n < 4096 ? 0 : 1;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct bzimage bz;
	struct kallsyms_image k;
	struct btf_image bi;
	char rel[128];
	u64 entry, end;

	if (bzimage_parse(&bz, data, size, "fuzz") == 0) {
		(void)bzimage_mem_needed(&bz);
		CHECK(bz.kernel_size <= size);
	}
	if (pvh_is_elf(data, size) && pvh_check(data, size, "fuzz", 3ULL << 30, &entry, &end) == 0)
		CHECK(end <= 3ULL << 30);
	if (kallsyms_image_open(data, size, &k) == 0) {
		struct fz_walk w = {&k, 0};

		kallsyms_image_foreach(&k, fz_sym, &w);
	}
	if (btf_image_open(data, size, &bi) == 0) {
		struct scx_layout lay;

		CHECK(bi.off + bi.len <= size);
		(void)scx_btf_layout(bi.btf, &lay);
		btf_image_close(&bi);
	}
	(void)kmod_release_mem(data, size, "fuzz", rel, sizeof(rel));
	if (size > 4) {
		enum unpack_format f = unpack_sniff(data, size);
		u8 *out = NULL;
		size_t out_len = 0;

		if (f != UNPACK_NONE && unpack(f, data, size, 0, 1 << 20, &out, &out_len) == 0)
			CHECK(out_len <= 1 << 20);
		free(out);
	}
	if (zboot_is(data, size)) {
		struct zboot z;
		u8 *out = NULL;
		size_t out_len = 0;

		if (zboot_parse(data, size, "fuzz", &z) == 0)
			CHECK((u64)z.payload_off + z.payload_len <= size &&
			      memchr(z.comp, 0, sizeof(z.comp)) && z.format != UNPACK_NONE);
		if (zboot_unpack(data, size, "fuzz", 1 << 20, &out, &out_len) == 0)
			CHECK(out_len <= 1 << 20);
		else
			CHECK(out == NULL);
		free(out);
	}
	error_clear();
	return 0;
}
