// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel symbol names from the kallsyms tables in a kernel image
 * (kallsyms_image.h).
 *
 * Linux's scripts/kallsyms.c (write_src()) emits the tables into .rodata,
 * each label preceded by ALGN (.balign 8 on 64-bit kernels, 4 on 32-bit),
 * which pads with zero bytes. Their order depends on the version:
 *
 *   up to 6.1:     offsets|addresses, relative_base, num_syms, names,
 *                  markers, token_table, token_index
 *   6.2, 6.3:      the same with seqs_of_names between markers and
 *                  token_table (Debian's 6.1.0-57 has it there too)
 *   6.4 and later: num_syms, names, markers, token_table, token_index,
 *                  offsets|addresses, relative_base, seqs_of_names
 *                  ("scripts/kallsyms: change the output order")
 *
 * with kallsyms_num_syms a .long; kallsyms_names one entry per symbol, a
 * length then that many token numbers, the length in one byte before 6.1
 * and ULEB128 of up to two bytes since ("kallsyms: support "big" kernel
 * symbols"); kallsyms_markers a .long per 256 symbols, the offset in names
 * of symbols 0, 256, 512, ...; kallsyms_seqs_of_names 3 bytes per symbol;
 * kallsyms_token_table 256 .asciz strings; kallsyms_token_index 256 .short
 * offsets into it. A name expands to the concatenated tokens, the first
 * character being the type letter (kernel/kallsyms.c,
 * kallsyms_expand_symbol()).
 *
 * Nothing labels the tables in a stripped image, so they are found by
 * shape, each step checked against the next:
 *  1. Token table: a character used in some name is its own one-character
 *     token (insert_real_symbols_in_table()), so tokens '0'..'9' read
 *     "0\0" "1\0" ... "9\0". From each such run, walk to the table's end;
 *     the token index must follow and give every token's offset exactly.
 *  2. Markers: strictly increasing .longs from 0 whose steps fit 256 names,
 *     ending just before the token table or 3 * num_syms bytes and up to
 *     two paddings before it (seqs_of_names in between).
 *  3. num_syms and names: a .long before the markers giving as many markers,
 *     from which the names decode to end at the markers, every 256th where
 *     its marker says, each expanding to a type and a name that fit
 *     KSYM_NAME_LEN.
 */
#include <errno.h>
#include <string.h>

#include "core/base/error.h"
#include "core/image/kallsyms_image.h"
#include "core/base/endian.h"

/* Padding ALGN may add: up to 7 zero bytes. */
#define KALLSYMS_IMAGE_PAD 8
/* Bytes of one names entry: a length of up to two bytes and its tokens. */
#define KALLSYMS_IMAGE_ENTRY_MAX (2 + KALLSYMS_IMAGE_NAME_MAX)
/* Between two markers: 256 entries of at least 2 and at most ENTRY_MAX. */
#define KALLSYMS_IMAGE_STEP_MIN (256 * 2)
#define KALLSYMS_IMAGE_STEP_MAX (256 * KALLSYMS_IMAGE_ENTRY_MAX)
/* A bound on num_syms (kernels have about 50,000 to 200,000). */
#define KALLSYMS_IMAGE_SYMS_MAX (1U << 22)
/* Bytes per kallsyms_seqs_of_names entry. */
#define KALLSYMS_IMAGE_SEQ_SIZE 3
/*
 * Steps (a marker read, a num_syms tried, an entry decoded) one open may
 * take: Debian's four kernels need 126,000 to 236,000; a file made to look almost
 * like the tables everywhere is given up on instead of searched for long.
 */
#define KALLSYMS_IMAGE_WORK_MAX (64U << 20)

static const u8 kallsyms_image_digits[] = "0\0001\0002\0003\0004\0005\0006\0007\0008\0009";

/* Bytes [from, to) of buf are all zero (ALGN padding). */
static bool kallsyms_image_zero(const u8 *buf, size_t from, size_t to)
{
	for (; from < to; from++)
		if (buf[from])
			return false;
	return true;
}

/* One step of the search's budget: false once it is spent. */
static bool kallsyms_image_spend(struct kallsyms_image *k)
{
	if (!k->work_left)
		return false;
	k->work_left--;
	return true;
}

/*
 * Step 1, from the "0\0" ... "9\0" run at offset d (token '0'): on success
 * sets k's token_table, token_index and token_len.
 */
static bool kallsyms_image_tokens(const u8 *buf, size_t len, size_t d, struct kallsyms_image *k)
{
	size_t pos = d, end;

	for (int i = '0'; i < 256; i++) {
		const u8 *nul = memchr(buf + pos, 0, MIN(len - pos, KALLSYMS_IMAGE_NAME_MAX));

		if (!nul)
			return false;
		pos = (size_t)(nul - buf) + 1;
	}
	end = pos;
	/* kallsyms_token_index follows after padding; its first entry is 0 */
	for (size_t ti = end; ti < end + KALLSYMS_IMAGE_PAD && ti + 512 <= len; ti++) {
		/* token_index['0'] */
		size_t off = get_le16(buf + ti + 2 * '0'), t0, run;
		int i;

		if (ti > end && buf[ti - 1])
			break;
		if (get_le16(buf + ti) || off > d)
			continue;
		t0 = d - off;
		for (i = 0, run = t0; i < 256; i++) {
			const u8 *nul;

			if (t0 + get_le16(buf + ti + 2 * i) != run)
				break;
			nul = memchr(buf + run, 0, end - run);
			if (!nul)
				break;
			k->token_len[i] = (u16)(nul - (buf + run));
			run = (size_t)(nul - buf) + 1;
		}
		if (i == 256 && run == end) {
			k->token_table = buf + t0;
			k->token_index = buf + ti;
			return true;
		}
	}
	return false;
}

/*
 * The names entry at *off within names[0, len): sets *tok and *n to its
 * tokens and moves *off past it. false when it does not fit or is empty.
 */
static bool kallsyms_image_entry(const u8 *names, size_t len, bool two_byte, size_t *off,
				 const u8 **tok, size_t *n)
{
	size_t o = *off, l;

	if (o >= len)
		return false;
	l = names[o++];
	if (two_byte && (l & 0x80)) {
		if (o >= len)
			return false;
		l = (l & 0x7f) | (size_t)names[o++] << 7;
	}
	if (!l || l > len - o)
		return false;
	*tok = names + o;
	*n = l;
	*off = o + l;
	return true;
}

/* Characters the tokens of one entry expand to: the type and the name. */
static size_t kallsyms_image_expanded_len(const struct kallsyms_image *k, const u8 *tok, size_t n)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += k->token_len[tok[i]];
	return total;
}

/*
 * Step 3, for num_syms at offset q: decode the names from ns to end just
 * before the markers at ms, each 256th at its marker. Sets k's names on
 * success.
 */
static bool kallsyms_image_decode(const u8 *buf, size_t ns, size_t ms, u32 num_syms, bool two_byte,
				  struct kallsyms_image *k)
{
	size_t off = 0, n;
	const u8 *tok;

	for (u32 i = 0; i < num_syms; i++) {
		size_t total;

		if (!kallsyms_image_spend(k))
			return false;

		if (!(i % 256) && off != get_le32(buf + ms + 4 * (i / 256)))
			return false;
		if (!kallsyms_image_entry(buf + ns, ms - ns, two_byte, &off, &tok, &n))
			return false;
		total = kallsyms_image_expanded_len(k, tok, n);
		if (total < 2 || total > KALLSYMS_IMAGE_NAME_MAX)
			return false;
	}
	if (ms - (ns + off) >= KALLSYMS_IMAGE_PAD || !kallsyms_image_zero(buf, ns + off, ms))
		return false;
	k->names = buf + ns;
	k->names_len = off;
	k->markers = buf + ms;
	k->num_syms = num_syms;
	k->two_byte_len = two_byte;
	return true;
}

/*
 * Step 3: kallsyms_num_syms, before the names, which end before the m
 * markers at ms; gap bytes lie between the markers and the token table.
 */
static bool kallsyms_image_names(const u8 *buf, size_t ms, u32 m, size_t gap,
				 struct kallsyms_image *k)
{
	u32 last = get_le32(buf + ms + 4 * (m - 1));

	/* the last 1 to 256 names, of 2 to ENTRY_MAX bytes, follow the last marker */
	for (size_t d = ALIGN_UP((size_t)last + 2 + 4, 4);
	     d <= ms && d <= (size_t)last + KALLSYMS_IMAGE_STEP_MAX + 4 + KALLSYMS_IMAGE_PAD;
	     d += 4) {
		size_t q = ms - d, ns = q + 4;
		u32 num_syms = get_le32(buf + q);

		if (!kallsyms_image_spend(k))
			return false;
		if (!num_syms || (num_syms - 1) / 256 + 1 != m)
			continue;
		if (gap >= KALLSYMS_IMAGE_PAD &&
		    (gap < (size_t)num_syms * KALLSYMS_IMAGE_SEQ_SIZE ||
		     gap - (size_t)num_syms * KALLSYMS_IMAGE_SEQ_SIZE >= 2 * KALLSYMS_IMAGE_PAD))
			continue;
		/* no entry is empty: a zero byte is ALGN after the .long */
		if (!buf[ns]) {
			if (!kallsyms_image_zero(buf, q + 4, q + 8))
				continue;
			ns = q + 8;
		}
		if (ns < ms && (kallsyms_image_decode(buf, ns, ms, num_syms, true, k) ||
				kallsyms_image_decode(buf, ns, ms, num_syms, false, k)))
			return true;
	}
	return false;
}

/*
 * Step 2, for markers ending at me: walk back to kallsyms_markers[0], which
 * is 0. Sets *ms to where the markers start; returns how many, or 0. One
 * marker alone, a zero word, would be found anywhere: at least two (over
 * 256 symbols; kernels have thousands) are required.
 */
static u32 kallsyms_image_markers(const u8 *buf, size_t me, size_t *ms, struct kallsyms_image *k)
{
	u32 m = 0, next = 0;

	for (size_t pos = me; pos >= 4 && m < KALLSYMS_IMAGE_SYMS_MAX / 256; pos -= 4) {
		u32 v = get_le32(buf + pos - 4);

		if (!kallsyms_image_spend(k))
			return 0;

		if (m++ && (v >= next || next - v < KALLSYMS_IMAGE_STEP_MIN ||
			    next - v > KALLSYMS_IMAGE_STEP_MAX))
			return 0;
		if (!v) {
			*ms = pos - 4;
			return m >= 2 ? m : 0;
		}
		next = v;
	}
	return 0;
}

/* Steps 2 and 3, before the token table found in step 1. */
static bool kallsyms_image_tables(const u8 *buf, struct kallsyms_image *k)
{
	size_t t0 = (size_t)(k->token_table - buf);
	size_t gap_max = (size_t)KALLSYMS_IMAGE_SYMS_MAX * KALLSYMS_IMAGE_SEQ_SIZE;

	/* the markers are .longs aligned as the token table is */
	for (size_t gap = 0; gap <= t0 && gap < gap_max + 2 * KALLSYMS_IMAGE_PAD; gap += 4) {
		size_t ms;
		u32 m = kallsyms_image_markers(buf, t0 - gap, &ms, k);

		if (!k->work_left)
			return false;
		if (!m)
			continue;
		/*
		 * Padding, or seqs_of_names for 256 * (m - 1) + 1 to 256 * m
		 * symbols, with padding before and after it.
		 */
		if (gap >= KALLSYMS_IMAGE_PAD &&
		    (gap < (256 * (size_t)(m - 1) + 1) * KALLSYMS_IMAGE_SEQ_SIZE ||
		     gap >= 256 * (size_t)m * KALLSYMS_IMAGE_SEQ_SIZE + 2 * KALLSYMS_IMAGE_PAD))
			continue;
		if (kallsyms_image_names(buf, ms, m, gap, k))
			return true;
	}
	return false;
}

int kallsyms_image_open(const u8 *buf, size_t len, struct kallsyms_image *k)
{
	const size_t dlen = sizeof(kallsyms_image_digits);
	const u8 *p = buf;

	memset(k, 0, sizeof(*k));
	k->work_left = KALLSYMS_IMAGE_WORK_MAX;
	while (k->work_left && len - (size_t)(p - buf) >= dlen &&
	       (p = memmem(p, len - (size_t)(p - buf), kallsyms_image_digits, dlen))) {
		if (kallsyms_image_tokens(buf, len, (size_t)(p - buf), k) &&
		    kallsyms_image_tables(buf, k))
			return 0;
		p++;
	}
	if (!k->work_left) {
		memset(k, 0, sizeof(*k));
		return error_input(-ENOEXEC, "no kallsyms tables found in %u search steps",
				   KALLSYMS_IMAGE_WORK_MAX);
	}
	memset(k, 0, sizeof(*k));
	return error_input(-ENOEXEC,
			   "no kallsyms tables found (built without CONFIG_KALLSYMS, "
			   "compressed, truncated, or laid out as this reader does not know)");
}

/*
 * Expand an entry (n tokens) into type and name (size bytes, with the NUL),
 * or, with name NULL, compare it with want (want_len characters). false when
 * it does not match or fit.
 */
static bool kallsyms_image_expand(const struct kallsyms_image *k, const u8 *tok, size_t n,
				  char *type, char *name, size_t size, const char *want,
				  size_t want_len)
{
	size_t total = kallsyms_image_expanded_len(k, tok, n), pos = 0;

	if (total < 1 || (want ? total != want_len + 1 : total > size))
		return false;
	for (size_t i = 0; i < n; i++) {
		const u8 *s = k->token_table + get_le16(k->token_index + 2 * tok[i]);

		for (size_t j = 0; j < k->token_len[tok[i]]; j++, pos++) {
			if (!pos)
				*type = (char)s[j];
			else if (want && want[pos - 1] != (char)s[j])
				return false;
			else if (!want)
				name[pos - 1] = (char)s[j];
		}
	}
	if (!want)
		name[pos - 1] = '\0';
	return true;
}

int kallsyms_image_find(const struct kallsyms_image *k, const char *name, char *type)
{
	size_t want_len = strlen(name), off = 0, n;
	const u8 *tok;
	char t;

	for (u32 i = 0; i < k->num_syms && want_len; i++) {
		if (!kallsyms_image_entry(k->names, k->names_len, k->two_byte_len, &off, &tok, &n))
			break;
		if (kallsyms_image_expand(k, tok, n, &t, NULL, 0, name, want_len)) {
			*type = t;
			return 0;
		}
	}
	return error_input(-ENOENT,
			   "no symbol %s in its kallsyms (%u symbols; without "
			   "CONFIG_KALLSYMS_ALL only functions are listed)",
			   name, k->num_syms);
}

int kallsyms_image_foreach(const struct kallsyms_image *k,
			   int (*fn)(void *arg, char type, const char *name), void *arg)
{
	char name[KALLSYMS_IMAGE_NAME_MAX], type;
	size_t off = 0, n;
	const u8 *tok;

	for (u32 i = 0; i < k->num_syms; i++) {
		int ret;

		if (!kallsyms_image_entry(k->names, k->names_len, k->two_byte_len, &off, &tok,
					  &n) ||
		    !kallsyms_image_expand(k, tok, n, &type, name, sizeof(name), NULL, 0))
			return error_input(-ENOEXEC, "kallsyms entry %u unreadable", i);
		ret = fn(arg, type, name);
		if (ret)
			return ret;
	}
	return 0;
}
