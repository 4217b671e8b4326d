// SPDX-License-Identifier: GPL-2.0
/*
 * core/image/kallsyms_image.c: kallsyms tables written here as scripts/kallsyms.c
 * lays them out in the three orders Linux has used, embedded in filler at an
 * odd offset; the same cut short, corrupted and replaced by random bytes;
 * and, where scripts/fetch-debian.sh has put them, Debian's real kernels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/base/error.h"
#include "core/image/kallsyms_image.h"
#include "tests/test.h"

/* ---- an encoder, after scripts/kallsyms.c write_src() ------------------------ */

enum layout {
	LAYOUT_6_1, /* offsets, relative_base, num_syms, names, markers, tokens */
	LAYOUT_6_2, /* the same with seqs_of_names before the tokens (6.2, 6.3) */
	LAYOUT_6_4, /* num_syms, names, markers, tokens, offsets, ..., seqs */
};

struct sym {
	char type;
	char name[KALLSYMS_IMAGE_NAME_MAX];
};

/* Where build() put each table, as offsets in the blob. */
struct where {
	size_t names, names_end, markers, token_table, token_index, end;
};

#define NSYMS	 600
#define BLOB_MAX (64 * 1024)

static struct sym syms[NSYMS + 16];
static size_t nsyms;

/*
 * Multi-character tokens, in the slots no character of a name uses; like
 * the kernel's they are stored expanded, and one spans a type and a name.
 */
static const char *const multi[] = {"Dvm_", "kernel", "art_", "sym_", "_foo", "ab"};
static const char *tokens[256];

static void add_sym(char type, const char *name)
{
	syms[nsyms].type = type;
	snprintf(syms[nsyms].name, sizeof(syms[nsyms].name), "%s", name);
	nsyms++;
}

/*
 * The symbols: a few known ones, a duplicate name, NSYMS generated ones (so
 * three markers), one of 128 tokens (a length byte of 0x80) and, when
 * two-byte lengths are wanted, one of 200.
 */
static void make_syms(bool two_byte)
{
	static const char types[] = "TtDdBbRrW";
	char name[KALLSYMS_IMAGE_NAME_MAX];

	nsyms = 0;
	add_sym('T', "_text");
	add_sym('T', "start_kernel");
	add_sym('D', "vm_swappiness");
	add_sym('d', "jiffies.llvm.42");
	add_sym('t', "twice");
	add_sym('b', "twice");
	for (int i = 0; i < NSYMS; i++) {
		snprintf(name, sizeof(name), "%s%d%s", i % 3 ? "sym_" : "do_x", i * 7919,
			 i % 5 ? "_foo" : "$z");
		add_sym(types[i % (sizeof(types) - 1)], name);
	}
	/* no multi-character token matches "0123456789" repeated */
	for (int i = 0; i < 127; i++)
		name[i] = (char)('0' + i % 10);
	name[127] = '\0';
	add_sym('r', name);
	if (two_byte) {
		for (int i = 0; i < 200; i++)
			name[i] = (char)('9' - i % 10);
		name[200] = '\0';
		add_sym('T', name);
	}
	add_sym('T', "last_symbol");
}

/* Characters used are their own tokens; multi[] go in free slots from 255 down. */
static void make_tokens(void)
{
	int slot = 255;

	for (int i = 0; i < 256; i++)
		tokens[i] = NULL;
	for (size_t i = 0; i < nsyms; i++) {
		static char one[256][2];
		const char *s = syms[i].name;

		one[(u8)syms[i].type][0] = syms[i].type;
		tokens[(u8)syms[i].type] = one[(u8)syms[i].type];
		for (; *s; s++) {
			one[(u8)*s][0] = *s;
			tokens[(u8)*s] = one[(u8)*s];
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(multi); i++) {
		while (tokens[slot])
			slot--;
		tokens[slot] = multi[i];
	}
	/* slots left over are empty strings, as kallsyms.c leaves them */
	for (int i = 0; i < 256; i++)
		if (!tokens[i])
			tokens[i] = "";
}

/* Greedy: a multi-character token where one matches, else the character. */
static size_t encode(const struct sym *s, u8 *out)
{
	char full[KALLSYMS_IMAGE_NAME_MAX + 1];
	size_t n = 0, pos = 0, len;

	len = (size_t)snprintf(full, sizeof(full), "%c%s", s->type, s->name);
	while (pos < len) {
		int best = -1;

		for (int t = 0; t < 256; t++) {
			size_t tl = strlen(tokens[t]);

			if (tl > 1 && !strncmp(full + pos, tokens[t], tl) &&
			    (best < 0 || tl > strlen(tokens[best])))
				best = t;
		}
		if (best < 0)
			best = (u8)full[pos];
		out[n++] = (u8)best;
		pos += strlen(tokens[best]);
	}
	return n;
}

struct blob {
	u8 b[BLOB_MAX];
	size_t len;
};

static void put(struct blob *bl, const void *p, size_t n)
{
	ASSERT_LE(bl->len + n, sizeof(bl->b));
	memcpy(bl->b + bl->len, p, n);
	bl->len += n;
}

static void put_le(struct blob *bl, u64 v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		u8 c = (u8)(v >> (8 * i));

		put(bl, &c, 1);
	}
}

/* ALGN: .balign 8, zero-filled */
static void algn(struct blob *bl)
{
	while (bl->len % 8)
		put_le(bl, 0, 1);
}

static void put_offsets(struct blob *bl)
{
	algn(bl);
	for (size_t i = 0; i < nsyms; i++)
		put_le(bl, 0x1000 + i * 0x40, 4);
	algn(bl);
	put_le(bl, 0xffffffff81000000ULL, 8); /* kallsyms_relative_base */
}

/* kallsyms_seqs_of_names: 3 bytes each, big-endian */
static void put_seqs(struct blob *bl)
{
	algn(bl);
	for (size_t i = 0; i < nsyms; i++) {
		u8 be[3] = {0, (u8)((nsyms - 1 - i) >> 8), (u8)(nsyms - 1 - i)};

		put(bl, be, 3);
	}
}

static void build(struct blob *bl, enum layout layout, bool two_byte, struct where *w)
{
	u32 markers[(NSYMS + 16 + 255) / 256];
	u16 index[256];
	u32 off = 0;

	make_syms(two_byte);
	make_tokens();
	bl->len = 0;
	if (layout != LAYOUT_6_4)
		put_offsets(bl);
	algn(bl);
	put_le(bl, nsyms, 4);
	algn(bl);
	w->names = bl->len;
	for (size_t i = 0; i < nsyms; i++) {
		u8 tok[KALLSYMS_IMAGE_NAME_MAX];
		size_t n = encode(&syms[i], tok);

		if (!(i % 256))
			markers[i / 256] = off;
		if (n <= 0x7f || !two_byte) {
			ASSERT_LE(n, 0xff);
			put_le(bl, n, 1);
			off += 1;
		} else {
			put_le(bl, (n & 0x7f) | 0x80, 1);
			put_le(bl, n >> 7, 1);
			off += 2;
		}
		put(bl, tok, n);
		off += n;
	}
	w->names_end = bl->len;
	algn(bl);
	w->markers = bl->len;
	for (size_t i = 0; i < (nsyms + 255) / 256; i++)
		put_le(bl, markers[i], 4);
	if (layout == LAYOUT_6_2)
		put_seqs(bl);
	algn(bl);
	w->token_table = bl->len;
	for (int i = 0; i < 256; i++) {
		index[i] = (u16)(bl->len - w->token_table);
		put(bl, tokens[i], strlen(tokens[i]) + 1);
	}
	algn(bl);
	w->token_index = bl->len;
	for (int i = 0; i < 256; i++)
		put_le(bl, index[i], 2);
	w->end = bl->len;
	if (layout == LAYOUT_6_4) {
		put_offsets(bl);
		put_seqs(bl);
	}
}

/* ---- the image around it ----------------------------------------------------- */

static u32 rng_state = 1;

static u32 rng(void)
{
	rng_state = rng_state * 1103515245 + 12345;
	return rng_state >> 8;
}

/* Odd on purpose: the tables sit at no alignment of the buffer. */
#define AT	  4099
#define IMAGE_MAX (AT + BLOB_MAX + 4096)

static u8 image[IMAGE_MAX];

/* Filler, a decoy digit run, then the blob at AT; returns the image's length. */
static size_t embed(const struct blob *bl)
{
	static const u8 decoy[] = "0\0001\0002\0003\0004\0005\0006\0007\0008\0009";

	rng_state = 7;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (u8)rng();
	memcpy(image + 100, decoy, sizeof(decoy));
	memcpy(image + AT, bl->b, bl->len);
	return AT + bl->len + 1000;
}

static int count_sym(void *arg, char type, const char *name)
{
	size_t *i = arg;

	if (*i >= nsyms || type != syms[*i].type || strcmp(name, syms[*i].name)) {
		test_fail_at(__FILE__, __LINE__, "symbol %zu: %c %s, expected %c %s", *i, type,
			     name, *i < nsyms ? syms[*i].type : '?',
			     *i < nsyms ? syms[*i].name : "(none)");
		return -1;
	}
	(*i)++;
	return 0;
}

static void check_blob(enum layout layout, bool two_byte)
{
	static struct blob bl;
	struct kallsyms_image k;
	struct where w;
	size_t len, n = 0;
	char type = 0;

	build(&bl, layout, two_byte, &w);
	len = embed(&bl);
	ASSERT_EQ(kallsyms_image_open(image, len, &k), 0);
	EXPECT_EQ(k.num_syms, nsyms);
	EXPECT_EQ(k.two_byte_len, two_byte);
	EXPECT_EQ(k.names - image, AT + w.names);
	EXPECT_EQ(k.names_len, w.names_end - w.names);
	EXPECT_EQ(k.markers - image, AT + w.markers);
	EXPECT_EQ(k.token_table - image, AT + w.token_table);
	EXPECT_EQ(k.token_index - image, AT + w.token_index);

	ASSERT_EQ(kallsyms_image_find(&k, "start_kernel", &type), 0);
	EXPECT_EQ(type, 'T');
	ASSERT_EQ(kallsyms_image_find(&k, "vm_swappiness", &type), 0);
	EXPECT_EQ(type, 'D');
	ASSERT_EQ(kallsyms_image_find(&k, "jiffies.llvm.42", &type), 0);
	EXPECT_EQ(type, 'd');
	/* the first of two of a name */
	ASSERT_EQ(kallsyms_image_find(&k, "twice", &type), 0);
	EXPECT_EQ(type, 't');
	for (size_t i = 0; i < nsyms; i++) {
		type = 0;
		EXPECT_EQ(kallsyms_image_find(&k, syms[i].name, &type), 0);
		if (strcmp(syms[i].name, "twice"))
			EXPECT_EQ(type, syms[i].type);
	}

	error_clear();
	type = 'x';
	EXPECT_EQ(kallsyms_image_find(&k, "no_such_symbol_xyz", &type), -ENOENT);
	EXPECT_TRUE(strstr(error_msg(), "no symbol no_such_symbol_xyz") != NULL);
	EXPECT_EQ(error_kind(), ERROR_INPUT);
	EXPECT_EQ(type, 'x');
	EXPECT_EQ(kallsyms_image_find(&k, "start_kerne", &type), -ENOENT);
	EXPECT_EQ(kallsyms_image_find(&k, "start_kernel_", &type), -ENOENT);
	EXPECT_EQ(kallsyms_image_find(&k, "Tstart_kernel", &type), -ENOENT);
	EXPECT_EQ(kallsyms_image_find(&k, "", &type), -ENOENT);

	EXPECT_EQ(kallsyms_image_foreach(&k, count_sym, &n), 0);
	EXPECT_EQ(n, nsyms);
}

TEST(kallsyms_image_layout_6_1)
{
	check_blob(LAYOUT_6_1, true);
}

TEST(kallsyms_image_layout_6_2_seqs_before_tokens)
{
	check_blob(LAYOUT_6_2, true);
}

TEST(kallsyms_image_layout_6_4)
{
	check_blob(LAYOUT_6_4, true);
}

/* Before 6.1 a length byte of 0x80 is 128 tokens, not half of a two-byte length. */
TEST(kallsyms_image_one_byte_lengths)
{
	check_blob(LAYOUT_6_1, false);
}

static int stop_at_third(void *arg, char type, const char *name)
{
	int *calls = arg;

	return ++*calls == 3 ? 42 : 0;
}

TEST(kallsyms_image_foreach_stops)
{
	static struct blob bl;
	struct kallsyms_image k;
	struct where w;
	int calls = 0;

	build(&bl, LAYOUT_6_4, true, &w);
	ASSERT_EQ(kallsyms_image_open(image, embed(&bl), &k), 0);
	EXPECT_EQ(kallsyms_image_foreach(&k, stop_at_third, &calls), 42);
	EXPECT_EQ(calls, 3);
}

TEST(kallsyms_image_not_found)
{
	struct kallsyms_image k;
	static struct blob bl;
	struct where w;

	error_clear();
	rng_state = 3;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (u8)rng();
	EXPECT_EQ(kallsyms_image_open(image, sizeof(image), &k), -ENOEXEC);
	EXPECT_TRUE(strstr(error_msg(), "no kallsyms tables found") != NULL);
	EXPECT_EQ(k.num_syms, 0);
	EXPECT_EQ(kallsyms_image_open(image, 0, &k), -ENOEXEC);
	memset(image, 0, sizeof(image));
	EXPECT_EQ(kallsyms_image_open(image, sizeof(image), &k), -ENOEXEC);

	/* the token table alone */
	build(&bl, LAYOUT_6_4, true, &w);
	embed(&bl);
	memset(image + AT, 0x55, w.token_table);
	EXPECT_EQ(kallsyms_image_open(image, AT + bl.len, &k), -ENOEXEC);
}

/* Every cut before the end of the token index fails; every cut after reads it all. */
TEST(kallsyms_image_truncated)
{
	static const enum layout layouts[] = {LAYOUT_6_1, LAYOUT_6_2, LAYOUT_6_4};
	static struct blob bl;
	struct kallsyms_image k;
	struct where w;

	for (size_t l = 0; l < ARRAY_SIZE(layouts); l++) {
		build(&bl, layouts[l], true, &w);
		embed(&bl);
		for (size_t cut = AT; cut <= AT + bl.len + 37;
		     cut += cut < AT + w.names + 64 ? 1 : 37) {
			int ret = kallsyms_image_open(image, MIN(cut, AT + bl.len), &k);
			char type;

			if (MIN(cut, AT + bl.len) < AT + w.end) {
				EXPECT_EQ(ret, -ENOEXEC);
				continue;
			}
			ASSERT_EQ(ret, 0);
			EXPECT_EQ(k.num_syms, nsyms);
			EXPECT_EQ(kallsyms_image_find(&k, "last_symbol", &type), 0);
		}
	}
}

struct corrupt_check {
	const struct kallsyms_image *k;
	int n, diff;
};

static int listed_found(void *arg, char type, const char *name)
{
	struct corrupt_check *c = arg;
	char t = 0;

	/* what foreach lists, find finds (every 64th, to keep this quick) */
	if (!(c->n % 64) && kallsyms_image_find(c->k, name, &t))
		test_fail_at(__FILE__, __LINE__, "foreach lists %s, find does not", name);
	/* and how many differ from what was written */
	if ((size_t)c->n >= nsyms || syms[c->n].type != type || strcmp(syms[c->n].name, name))
		c->diff++;
	c->n++;
	return 0;
}

/*
 * One byte changed at a time, all over the tables: open fails or gives
 * tables whose listed symbols are found, all as written but where the
 * change can show: one name for a byte of the names, any number for a
 * byte of the token table (a token's characters), none elsewhere.
 */
TEST(kallsyms_image_corrupted)
{
	static struct blob bl;
	struct kallsyms_image k;
	struct where w;
	int opened = 0, failed = 0;
	size_t len;

	build(&bl, LAYOUT_6_2, true, &w);
	len = embed(&bl);
	for (int it = 0; it < 2000; it++) {
		struct corrupt_check c = {&k, 0, 0};
		size_t at = AT + rng() % bl.len;
		u8 was = image[at];
		int ret;

		image[at] = it & 1 ? (u8)rng() : was ^ (u8)(1 << (it % 8));
		ret = kallsyms_image_open(image, len, &k);
		if (!ret) {
			opened++;
			EXPECT_LE(k.num_syms, nsyms);
			EXPECT_EQ(kallsyms_image_foreach(&k, listed_found, &c), 0);
			EXPECT_EQ(c.n, k.num_syms);
			EXPECT_EQ(k.num_syms, nsyms);
			if (at - AT >= w.names && at - AT < w.names_end)
				EXPECT_LE(c.diff, 1);
			else if (at - AT < w.token_table || at - AT >= w.token_index)
				EXPECT_EQ(c.diff, 0);
		} else {
			failed++;
			EXPECT_EQ(ret, -ENOEXEC);
		}
		image[at] = was;
	}
	printf("    %d corrupted copies read, %d refused\n", opened, failed);
	EXPECT_GT(opened, 0);
	EXPECT_GT(failed, 0);
}

/*
 * Random bytes, some with the digit run the search starts from, some with
 * a whole token table and index, which leaves the rest to be searched.
 */
TEST(kallsyms_image_random_bytes)
{
	static const u8 digits[] = "0\0001\0002\0003\0004\0005\0006\0007\0008\0009";
	static struct blob bl;
	static u8 buf[4096];
	struct kallsyms_image k;
	size_t tokens_len;
	struct where w;

	build(&bl, LAYOUT_6_4, true, &w);
	tokens_len = w.end - w.token_table;
	rng_state = 11;
	for (int it = 0; it < 20000; it++) {
		size_t len = 1 + rng() % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (u8)(it % 3 ? rng() : rng() % 4 ? 0 : rng());
		if (it % 4 == 1 && len > sizeof(digits))
			memcpy(buf + rng() % (len - sizeof(digits)), digits, sizeof(digits));
		if (it % 4 == 3 && len > tokens_len)
			memcpy(buf + rng() % (len - tokens_len), bl.b + w.token_table, tokens_len);
		EXPECT_EQ(kallsyms_image_open(buf, len, &k), -ENOEXEC);
	}
}

/* ---- Debian's kernels -------------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Open a Debian kernel and check the symbols it must and must not have. */
static void check_debian(const char *rel, bool kallsyms_all)
{
	struct kallsyms_image k;
	double t0, t1, t2;
	char type = 0;
	size_t len;
	void *map = test_debian_map(rel, &len);

	t0 = now_ms();
	ASSERT_EQ(kallsyms_image_open(map, len, &k), 0);
	t1 = now_ms();
	EXPECT_EQ(kallsyms_image_find(&k, "no_such_symbol_xyz", &type), -ENOENT);
	t2 = now_ms();
	printf("    %u symbols; names at 0x%zx, token table at 0x%zx; open %.1f ms, a miss "
	       "%.1f ms\n",
	       k.num_syms, (size_t)(k.names - (u8 *)map), (size_t)(k.token_table - (u8 *)map),
	       t1 - t0, t2 - t1);
	EXPECT_GT(k.num_syms, 50000);

	ASSERT_EQ(kallsyms_image_find(&k, "start_kernel", &type), 0);
	EXPECT_TRUE(type == 'T' || type == 't');
	ASSERT_EQ(kallsyms_image_find(&k, "schedule", &type), 0);
	EXPECT_TRUE(type == 'T' || type == 't');
	error_clear();
	if (kallsyms_all) {
		ASSERT_EQ(kallsyms_image_find(&k, "vm_swappiness", &type), 0);
		EXPECT_TRUE(type == 'D' || type == 'd');
	} else {
		EXPECT_EQ(kallsyms_image_find(&k, "vm_swappiness", &type), -ENOENT);
		EXPECT_TRUE(strstr(error_msg(), "CONFIG_KALLSYMS_ALL") != NULL);
	}
	munmap(map, len);
}

TEST(kallsyms_image_debian_6_1_amd64)
{
	check_debian("amd64/linux-6.1/vmlinux", true);
}

TEST(kallsyms_image_debian_6_12_amd64)
{
	check_debian("amd64/linux-6.12/vmlinux", true);
}

/* Debian's arm64 6.1 has CONFIG_KALLSYMS_ALL off: functions only. */
TEST(kallsyms_image_debian_6_1_arm64)
{
	check_debian("arm64/linux-6.1/Image", false);
}

TEST(kallsyms_image_debian_6_12_arm64)
{
	check_debian("arm64/linux-6.12/Image", true);
}
