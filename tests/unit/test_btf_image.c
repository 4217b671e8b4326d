// SPDX-License-Identifier: GPL-2.0
/*
 * core/image/btf_image.c: a small BTF blob built with libbpf, embedded at an
 * odd offset in filler (a raw image, as an arm64 Image holds it) and as the
 * .BTF section of a hand-made ELF file; the same cut short, with hostile
 * headers before it and replaced by random bytes; and, where
 * scripts/fetch-debian.sh has put them, Debian's real kernels (7.x with
 * sched_ext, 6.1 without).
 */
#include <bpf/btf.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/endian.h"
#include "core/base/error.h"
#include "core/image/btf_image.h"
#include "core/image/btf_layout.h"
#include "tests/test.h"

#define IMG_LEN	 (256 * 1024)
#define BLOB_OFF 0x12345 /* odd: the search must not assume alignment */

static u32 rng_state = 0x2545f491;

static u32 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void fill_random(u8 *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (u8)rng();
}

/*
 * The blob: an int and a pointer to it, struct sched_ext_ops with three
 * fields, a union and an enum, as the kernel's BTF would describe them.
 * Returns a malloc'd copy of libbpf's raw data.
 */
static u8 *make_blob(size_t *len, u32 *ntypes)
{
	struct btf *b = btf__new_empty();
	const void *raw;
	u32 size;
	int u32id, ptr, err = 0;
	u8 *copy;

	if (!b)
		return NULL;
	u32id = btf__add_int(b, "unsigned int", 4, 0);
	ptr = btf__add_ptr(b, u32id);
	/* btf__add_field() adds to the struct or union added last */
	err |= btf__add_struct(b, "sched_ext_ops", 16);
	err |= btf__add_field(b, "flags", u32id, 0, 0);
	err |= btf__add_field(b, "timeout_ms", u32id, 32, 0);
	err |= btf__add_field(b, "next", ptr, 64, 0);
	err |= btf__add_union(b, "scx_thing", 4);
	err |= btf__add_field(b, "a", u32id, 0, 0);
	err |= btf__add_enum(b, "scx_exit_kind", 4);
	err |= btf__add_enum_value(b, "SCX_EXIT_NONE", 0);
	err |= btf__add_enum_value(b, "SCX_EXIT_ERROR", 1024);
	if (u32id < 0 || ptr < 0 || err < 0) {
		btf__free(b);
		return NULL;
	}
	raw = btf__raw_data(b, &size);
	copy = raw ? malloc(size) : NULL;
	if (copy)
		memcpy(copy, raw, size);
	*len = size;
	*ntypes = btf__type_cnt(b) - 1;
	btf__free(b);
	return copy;
}

/* A raw image: random filler with the blob at off. */
static u8 *make_image(const u8 *blob, size_t blen, size_t off, size_t len)
{
	u8 *img = malloc(len);

	if (!img)
		return NULL;
	fill_random(img, len);
	if (blob)
		memcpy(img + off, blob, blen);
	return img;
}

/* Every failing open must leave a message that says why. */
static void expect_refused(const u8 *buf, size_t len, const char *why)
{
	struct btf_image bi;
	int ret;

	error_clear();
	ret = btf_image_open(buf, len, &bi);
	if (ret == 0) {
		test_fail_at(__FILE__, __LINE__, "%s: accepted (BTF at %#zx, %zu bytes)", why,
			     bi.off, bi.len);
		btf_image_close(&bi);
		return;
	}
	EXPECT_TRUE(ret == -ENOENT || ret == -EBADMSG);
	EXPECT_TRUE(error_msg()[0] != '\0');
}

TEST(btf_image_raw_found_at_odd_offset)
{
	struct btf_image bi;
	size_t blen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;

	ASSERT_TRUE(blob != NULL);
	img = make_image(blob, blen, BLOB_OFF, IMG_LEN);
	ASSERT_TRUE(img != NULL);
	ASSERT_EQ(btf_image_open(img, IMG_LEN, &bi), 0);
	EXPECT_EQ(bi.off, BLOB_OFF);
	EXPECT_EQ(bi.len, blen);
	EXPECT_FALSE(bi.from_elf);
	EXPECT_TRUE(bi.blob == img + BLOB_OFF);
	EXPECT_EQ(btf_image_type_count(&bi), ntypes);
	EXPECT_TRUE(btf_image_has_struct(&bi, "sched_ext_ops"));
	EXPECT_TRUE(btf_image_has_struct(&bi, "scx_thing"));
	/* an enum is not a struct; a missing name is not there */
	EXPECT_FALSE(btf_image_has_struct(&bi, "scx_exit_kind"));
	EXPECT_FALSE(btf_image_has_struct(&bi, "sched_ext_opz"));
	btf_image_close(&bi);
	free(img);
	free(blob);
}

/* The blob exactly fills the buffer: the last byte is the strings' last NUL. */
TEST(btf_image_raw_blob_at_end)
{
	struct btf_image bi;
	size_t blen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;

	ASSERT_TRUE(blob != NULL);
	img = make_image(blob, blen, 1001, 1001 + blen);
	ASSERT_TRUE(img != NULL);
	ASSERT_EQ(btf_image_open(img, 1001 + blen, &bi), 0);
	EXPECT_EQ(bi.off, 1001);
	btf_image_close(&bi);
	free(img);
	free(blob);
}

/* Cut anywhere inside the blob: never accepted, always a reason. */
TEST(btf_image_truncated_refused)
{
	size_t blen, cuts = 0;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;

	ASSERT_TRUE(blob != NULL);
	img = make_image(blob, blen, 4000, 4000 + blen);
	ASSERT_TRUE(img != NULL);
	for (size_t keep = 0; keep < blen; keep++, cuts++)
		expect_refused(img, 4000 + keep, "cut short");
	error_clear();
	EXPECT_EQ(btf_image_open(img, 4000 + blen / 2, &(struct btf_image){0}), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "truncated") != NULL);
	printf("    %zu cut points refused\n", cuts);
	free(img);
	free(blob);
}

/*
 * Hostile headers before the real blob: sections past the end, lengths that
 * overflow 32 bits, overlapping or unaligned sections, and one consistent
 * header over garbage that libbpf must refuse. The real blob is still found.
 */
TEST(btf_image_hostile_headers_skipped)
{
	static const u32 bad[][4] = {
	    /* type_off, type_len, str_off, str_len */
	    {0, 0xffffffff, 0xffffffff, 16},
	    {0, 64, 64, 0xffffffff},
	    {0xfffffff0, 0x20, 0, 8},
	    {0, 64, 32, 16}, /* overlapping */
	    {2, 64, 66, 16}, /* type section not 4-byte aligned */
	    {0, 64, 64, 0},  /* no strings */
	    {0, 0, 0, 16},   /* no types */
	    {0, 64, 64, 16}, /* strings not starting with NUL (set below) */
	};
	struct btf_image bi;
	size_t blen, off = 64;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;

	ASSERT_TRUE(blob != NULL);
	img = make_image(blob, blen, BLOB_OFF, IMG_LEN);
	ASSERT_TRUE(img != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++, off += 333) {
		u8 *h = img + off;

		memcpy(h, blob, 8); /* magic, version 1, flags 0, hdr_len 24 */
		put_le32(h + 8, bad[i][0]);
		put_le32(h + 12, bad[i][1]);
		put_le32(h + 16, bad[i][2]);
		put_le32(h + 20, bad[i][3]);
		h[24 + bad[i][2] % 256] = 'x';
	}
	/* consistent header, random types: libbpf's parser says no */
	memcpy(img + off, blob, 24);
	img[off + 24 + get_le32(blob + 16)] = '\0';
	ASSERT_EQ(btf_image_open(img, IMG_LEN, &bi), 0);
	EXPECT_EQ(bi.off, BLOB_OFF);
	btf_image_close(&bi);

	/* without the real blob, the garbage one is named as refused */
	memset(img + BLOB_OFF, 0, blen);
	error_clear();
	EXPECT_EQ(btf_image_open(img, IMG_LEN, &bi), -EBADMSG);
	EXPECT_TRUE(strstr(error_msg(), "libbpf refused") != NULL);
	printf("    %s\n", error_msg());
	free(img);
	free(blob);
}

/* Random images, and random images sprinkled with the header's first bytes. */
TEST(btf_image_random_bytes_refused)
{
	size_t blen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;

	ASSERT_TRUE(blob != NULL);
	img = malloc(IMG_LEN);
	ASSERT_TRUE(img != NULL);
	for (int round = 0; round < 200; round++) {
		size_t len = rng() % IMG_LEN;

		fill_random(img, len);
		for (int n = round % 8; n > 0 && len > 32; n--) {
			size_t at = rng() % (len - 8);

			memcpy(img + at, blob, 8);
		}
		expect_refused(img, len, "random bytes");
	}
	expect_refused(img, 0, "empty");
	expect_refused(blob, 8, "header cut to 8 bytes");
	free(img);
	free(blob);
}

/* ---- ELF files ------------------------------------------------------------------ */

/*
 * A minimal ELF64 file: header, the blob as section .BTF at 64, the section
 * name table, then the section headers. sh_size_extra is added to .BTF's
 * size (a section running past the end of the file).
 */
static u8 *make_elf(const u8 *blob, size_t blen, u64 sh_size_extra, bool name_btf, size_t *len)
{
	static const char names[] = "\0.BTF\0.shstrtab\0.text";
	size_t names_off = 64 + blen, sh_off = ALIGN_UP(names_off + sizeof(names), 8);
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	u8 *f;

	*len = sh_off + 3 * sizeof(Elf64_Shdr);
	f = calloc(1, *len);
	if (!f)
		return NULL;
	eh = (Elf64_Ehdr *)f;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_AARCH64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	eh->e_shoff = sh_off;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = 3;
	eh->e_shstrndx = 2;
	memcpy(f + 64, blob, blen);
	memcpy(f + names_off, names, sizeof(names));
	sh = (Elf64_Shdr *)(f + sh_off);
	sh[1].sh_name = name_btf ? 1 : 16; /* ".BTF" or ".text" */
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_offset = 64;
	sh[1].sh_size = blen + sh_size_extra;
	sh[1].sh_addralign = 4;
	sh[2].sh_name = 6;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = names_off;
	sh[2].sh_size = sizeof(names);
	sh[2].sh_addralign = 1;
	return f;
}

TEST(btf_image_elf_section)
{
	struct btf_image bi;
	size_t blen, flen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *elf;

	ASSERT_TRUE(blob != NULL);
	elf = make_elf(blob, blen, 0, true, &flen);
	ASSERT_TRUE(elf != NULL);
	ASSERT_EQ(btf_image_open(elf, flen, &bi), 0);
	EXPECT_TRUE(bi.from_elf);
	EXPECT_EQ(bi.off, 64);
	EXPECT_EQ(bi.len, blen);
	EXPECT_TRUE(btf_image_has_struct(&bi, "sched_ext_ops"));
	btf_image_close(&bi);
	free(elf);
	free(blob);
}

TEST(btf_image_elf_hostile_refused)
{
	struct btf_image bi;
	size_t blen, flen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *elf;

	ASSERT_TRUE(blob != NULL);
	/* .BTF past the end of the file */
	elf = make_elf(blob, blen, 1 << 20, true, &flen);
	ASSERT_TRUE(elf != NULL);
	error_clear();
	EXPECT_EQ(btf_image_open(elf, flen, &bi), -EBADMSG);
	EXPECT_TRUE(strstr(error_msg(), "not inside the file") != NULL);
	printf("    %s\n", error_msg());
	free(elf);

	/* no section called .BTF (the blob is there, but not named) */
	elf = make_elf(blob, blen, 0, false, &flen);
	ASSERT_TRUE(elf != NULL);
	error_clear();
	EXPECT_EQ(btf_image_open(elf, flen, &bi), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "no .BTF section") != NULL);

	/* .BTF with its types overwritten */
	free(elf);
	elf = make_elf(blob, blen, 0, true, &flen);
	ASSERT_TRUE(elf != NULL);
	memset(elf + 64 + 24, 0xff, 16);
	error_clear();
	EXPECT_EQ(btf_image_open(elf, flen, &bi), -EBADMSG);
	EXPECT_TRUE(strstr(error_msg(), "libbpf refused") != NULL);
	printf("    %s\n", error_msg());

	/* the file cut inside its section headers */
	expect_refused(elf, flen - 8, "ELF cut in its section headers");
	expect_refused(elf, 40, "ELF cut in its header");
	free(elf);
	free(blob);
}

/* ---- vmlinux.h ---------------------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *s;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	s = calloc(1, (size_t)st.st_size + 1);
	if (s && read(fd, s, (size_t)st.st_size) != st.st_size) {
		free(s);
		s = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return s;
}

TEST(btf_image_c_header)
{
	static const char tail[] = "#endif /* __VMLINUX_H__ */\n";
	const char *path = test_tmp_path("vmlinux.h");
	struct btf_image bi;
	size_t blen, hlen;
	u32 ntypes;
	u8 *blob = make_blob(&blen, &ntypes), *img;
	char *h;
	int fd;

	ASSERT_TRUE(blob != NULL);
	img = make_image(blob, blen, BLOB_OFF, IMG_LEN);
	ASSERT_TRUE(img != NULL);
	ASSERT_EQ(btf_image_open(img, IMG_LEN, &bi), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(btf_image_write_c_header(&bi, fd), 0);
	close(fd);
	btf_image_close(&bi);
	h = slurp(path, &hlen);
	ASSERT_TRUE(h != NULL);
	EXPECT_TRUE(strncmp(h, "#ifndef __VMLINUX_H__\n", 22) == 0);
	EXPECT_TRUE(strstr(h, "preserve_access_index") != NULL);
	EXPECT_TRUE(strstr(h, "struct sched_ext_ops {\n\tunsigned int flags;") != NULL);
	EXPECT_TRUE(strstr(h, "unsigned int *next;") != NULL);
	EXPECT_TRUE(strstr(h, "SCX_EXIT_ERROR = 1024") != NULL);
	EXPECT_TRUE(hlen > sizeof(tail) && strcmp(h + hlen - strlen(tail), tail) == 0);
	free(h);
	free(img);
	free(blob);
}

/* ---- Debian's kernels ----------------------------------------------------------- */

static void check_debian(const char *rel, bool elf, bool sched_ext)
{
	struct btf_image bi;
	size_t len;
	void *map = test_debian_map(rel, &len);

	error_clear();
	ASSERT_EQ(btf_image_open(map, len, &bi), 0);
	printf("    BTF at %#zx, %zu bytes, %u types\n", bi.off, bi.len, btf_image_type_count(&bi));
	EXPECT_EQ(bi.from_elf, elf);
	EXPECT_GT(btf_image_type_count(&bi), 50000);
	EXPECT_TRUE(btf_image_has_struct(&bi, "task_struct"));
	EXPECT_EQ(btf_image_has_struct(&bi, "sched_ext_ops"), sched_ext);
	btf_image_close(&bi);
	munmap(map, len);
}

TEST(btf_image_debian_7_amd64_has_sched_ext)
{
	check_debian("amd64/linux-7/vmlinux", true, true);
}

TEST(btf_image_debian_7_arm64_has_sched_ext)
{
	check_debian("arm64/linux-7/Image", false, true);
}

TEST(btf_image_debian_6_1_amd64_no_sched_ext)
{
	check_debian("amd64/linux-6.1/vmlinux", true, false);
}

TEST(btf_image_debian_6_1_arm64_no_sched_ext)
{
	check_debian("arm64/linux-6.1/Image", false, false);
}

/*
 * BTF from the guest is hostile: anonymous members that contain their own
 * type, or a chain of anonymous structs 64 wide per level, must not make a
 * member lookup run for ever (btf_layout.c's budget and path check).
 */
TEST(btf_layout_hostile_anonymous_members)
{
	struct btf *b = btf__new_empty();
	int u32id, self, chain[8], err = 0;
	u32 off = 0, size = 0;
	u64 t0;

	ASSERT_TRUE(b != NULL);
	u32id = btf__add_int(b, "unsigned int", 4, 0);
	/* an anonymous struct holding itself 64 times, then a real member */
	self = btf__add_struct(b, NULL, 4);
	for (int i = 0; i < 64; i++)
		err |= btf__add_field(b, NULL, self, 0, 0);
	err |= btf__add_field(b, "clock", u32id, 0, 0);
	err |= btf__add_struct(b, "rq", 8);
	err |= btf__add_field(b, NULL, self, 0, 0);
	err |= btf__add_field(b, "nr_running", u32id, 32, 0);
	/* eight levels of anonymous structs, each holding the next 64 times */
	for (int l = 7; l >= 0; l--) {
		chain[l] = btf__add_struct(b, NULL, 4);
		for (int i = 0; i < 64 && l < 7; i++)
			err |= btf__add_field(b, NULL, chain[l + 1], 0, 0);
		if (l == 7)
			err |= btf__add_field(b, "deep", u32id, 0, 0);
	}
	err |= btf__add_struct(b, "wide", 4);
	for (int i = 0; i < 64; i++)
		err |= btf__add_field(b, NULL, chain[0], 0, 0);
	ASSERT_TRUE(u32id > 0 && self > 0 && err >= 0);

	t0 = clock_now_ns();
	EXPECT_EQ(btf_layout_member(b, "rq", "nr_running", &off, &size), 0);
	EXPECT_EQ(off, 4);
	/* found through the self-holding member, whose copies are skipped */
	EXPECT_EQ(btf_layout_member(b, "rq", "clock", &off, &size), 0);
	EXPECT_EQ(off, 0);
	EXPECT_EQ(btf_layout_member(b, "rq", "curr", &off, &size), -ENOENT);
	/* 64^8 paths to a member that is too deep, and to one that is absent */
	EXPECT_EQ(btf_layout_member(b, "wide", "absent", &off, &size), -E2BIG);
	EXPECT_TRUE(strstr(error_msg(), "malformed BTF") != NULL);
	EXPECT_EQ(btf_layout_member(b, "wide", "deep", &off, &size), -E2BIG);
	/* the budget bounds the work; the time is shown, not checked */
	printf("    hostile lookups took %.1f ms\n", (double)(clock_now_ns() - t0) / 1e6);
	btf__free(b);
}

/* The guest's BTF: exactly one blob from offset 0, nothing searched for. */
TEST(btf_image_open_blob_exact)
{
	struct btf_image bi;
	size_t len;
	u32 n;
	u8 *blob = make_blob(&len, &n), *shifted;

	ASSERT_TRUE(blob != NULL);
	ASSERT_EQ(btf_image_open_blob(blob, len, &bi), 0);
	EXPECT_EQ(btf_image_type_count(&bi), n);
	btf_image_close(&bi);
	/* trailing bytes, a short blob, or the blob further in: refused */
	shifted = calloc(1, len + 8);
	ASSERT_TRUE(shifted != NULL);
	memcpy(shifted + 8, blob, len);
	EXPECT_EQ(btf_image_open_blob(shifted + 8, len - 1, &bi), -EBADMSG);
	EXPECT_EQ(btf_image_open_blob(shifted, len + 8, &bi), -EBADMSG);
	memcpy(shifted, blob, len);
	EXPECT_EQ(btf_image_open_blob(shifted, len + 8, &bi), -EBADMSG);
	EXPECT_EQ(btf_image_open_blob(shifted, len, &bi), 0);
	btf_image_close(&bi);
	EXPECT_EQ(btf_image_open_blob(shifted, 0, &bi), -EBADMSG);
	free(shifted);
	free(blob);
}
